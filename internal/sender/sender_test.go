package sender_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/metasim/simtest"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/sender"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/store/testdb"
)

type fixture struct {
	sim    *simtest.Sim
	dsn    string // the database, which a second store may share (PostgreSQL)
	st     *store.Store
	svc    *sender.Service
	sender *sender.Worker
	graph  *meta.Client
	tokens *simtest.Tokens
	acct   string
	ava    reply.Author
}

func newFixture(t *testing.T, opts ...func(*sender.Options)) *fixture {
	t.Helper()
	sim := simtest.Start(t, simtest.Options{})
	w := sim.World()
	dsn := testdb.DSN(t)
	f := &fixture{sim: sim, dsn: dsn, st: storetest.Open(t, dsn), acct: w.Accounts[0].ID,
		graph:  meta.New(meta.Options{GraphURL: sim.URL, Version: "v25.0", AppID: simtest.AppID, AppSecret: simtest.AppSecret}),
		tokens: simtest.NewTokens(sim.Login(w.Users[0].ID))}
	storetest.Account(t, f.st, f.acct, w.Accounts[0].PageID, w.Accounts[0].Username, nil)
	f.ava = reply.Author{ID: storetest.User(t, f.st, w.Users[0].ID, "Ava", "admin"), Name: "Ava"}
	storetest.Grant(t, f.st, f.ava.ID, f.acct)
	o := sender.Options{Budget: 700, MaxBackoff: 50 * time.Millisecond, ThrottleCap: 200 * time.Millisecond}
	for _, fn := range opts {
		fn(&o)
	}
	f.sender = sender.NewWorker(f.st, f.graph, f.tokens, o)
	f.svc = sender.NewService(f.st, nil, f.sender, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.sender.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return f
}

// comment makes a comment at the simulator and stores it as its webhook would.
func (f *fixture) comment(t *testing.T, in map[string]any) string {
	t.Helper()
	in["account"] = f.acct
	id := f.sim.Comment(in)
	now := time.Now()
	age := time.Duration(0)
	if a, ok := in["age"].(string); ok {
		age, _ = time.ParseDuration(a)
	}
	live, _ := in["live"].(bool)
	c := inbox.Comment{ID: id, AccountID: f.acct, Surface: inbox.SurfacePost, Username: "fan", Text: "hi", Live: live,
		Status: inbox.StatusOpen, Deadline: inbox.ApproxDeadline(now.Add(-age), now, live), ReceivedAt: now, UpdatedAt: now}
	if live {
		c.Surface = inbox.SurfaceLive
	}
	if _, err := f.st.CommitDeliveries(context.Background(), []store.DeliveryIn{{ReceivedAt: now, Body: []byte("{}"), Comments: []inbox.Comment{c}}}); err != nil {
		t.Fatal(err)
	}
	return id
}

type simReply struct {
	CommentID string `json:"comment_id"`
	Text      string `json:"text"`
	MessageID string `json:"message_id"`
}

func (f *fixture) simReplies(t *testing.T, commentID string) []simReply {
	t.Helper()
	var out struct {
		Replies []simReply `json:"replies"`
	}
	f.sim.Control(http.MethodGet, "/control/replies", nil, &out)
	var mine []simReply
	for _, r := range out.Replies {
		if r.CommentID == commentID {
			mine = append(mine, r)
		}
	}
	return mine
}

// waitState polls until the comment's latest reply reaches want.
func (f *fixture) waitState(t *testing.T, commentID string, want reply.State) reply.Reply {
	t.Helper()
	return f.waitReply(t, commentID, "state "+string(want), func(r reply.Reply) bool { return r.State == want })
}

// waitKind polls until the comment's latest reply has the error kind want.
func (f *fixture) waitKind(t *testing.T, commentID string, want reply.Kind) reply.Reply {
	t.Helper()
	return f.waitReply(t, commentID, "kind "+string(want), func(r reply.Reply) bool { return r.ErrorKind == want })
}

func (f *fixture) waitReply(t *testing.T, commentID, what string, ok func(reply.Reply) bool) reply.Reply {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		hist, _ := f.st.Replies(context.Background(), commentID)
		if r := reply.Latest(hist); r != nil && ok(*r) {
			return *r
		}
		if time.Now().After(deadline) {
			t.Fatalf("reply to %s never reached %s: %+v", commentID, what, hist)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSend_deliversOnceAndMarksReplied(t *testing.T) {
	f := newFixture(t)
	id := f.comment(t, map[string]any{"text": "price?"})
	r, it, err := f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "Hi! It is €39 ✨"})
	if err != nil {
		t.Fatal(err)
	}
	if r.State != reply.Sent || r.MessageID == "" || it.Status != inbox.StatusReplied || it.StatusByName != "Ava" {
		t.Fatalf("reply %+v, comment status %s by %q", r, it.Status, it.StatusByName)
	}
	got := f.simReplies(t, id)
	if len(got) != 1 || got[0].Text != "Hi! It is €39 ✨" || got[0].MessageID != r.MessageID {
		t.Errorf("simulator holds %+v", got)
	}
	_, _, err = f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "again"})
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.Conflict {
		t.Errorf("second reply: %v, want a conflict", err)
	}
}

func TestSend_twentyConcurrentSendsOneReply(t *testing.T) {
	f := newFixture(t)
	id := f.comment(t, map[string]any{"text": "price?"})
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for i := range 20 {
		wg.Go(func() {
			_, _, err := f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: fmt.Sprintf("reply %d", i)})
			if err == nil {
				mu.Lock()
				accepted++
				mu.Unlock()
			} else if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.Conflict {
				t.Errorf("refusal %v is not a conflict", err)
			}
		})
	}
	wg.Wait()
	f.waitState(t, id, reply.Sent)
	if n := len(f.simReplies(t, id)); accepted != 1 || n != 1 {
		t.Errorf("%d sends accepted, %d replies at the simulator; want 1 and 1", accepted, n)
	}
	if hist, _ := f.st.Replies(context.Background(), id); len(hist) != 1 {
		t.Errorf("%d reply records, want 1", len(hist))
	}
}

func TestSend_validationLeavesNoRecord(t *testing.T) {
	f := newFixture(t)
	old := f.comment(t, map[string]any{"text": "old", "age": "192h"})
	fresh := f.comment(t, map[string]any{"text": "fresh"})
	cases := []struct {
		name, id, text, field string
	}{
		{"past 7 days", old, "hello", ""},
		{"1,001 bytes", fresh, strings.Repeat("é", 500) + "x", "text"},
		{"empty", fresh, "   ", "text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: tc.id, Text: tc.text})
			ae, ok := apperr.As(err)
			if !ok || ae.Field != tc.field || ae.Message == "" {
				t.Fatalf("err = %v", err)
			}
			if hist, _ := f.st.Replies(context.Background(), tc.id); len(hist) != 0 {
				t.Errorf("a refused request left %d records", len(hist))
			}
		})
	}
	if _, _, err := f.svc.Send(context.Background(), reply.Author{ID: 999}, reply.Request{CommentID: fresh, Text: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a user without access: %v", err)
	}
	r, _, err := f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: fresh, Text: strings.Repeat("é", 500)})
	if err != nil || r.State != reply.Sent {
		t.Errorf("exactly 1,000 bytes: %+v %v", r, err)
	}
}

func TestSend_liveEndedFailsAndExpires(t *testing.T) {
	f := newFixture(t)
	f.sim.Control(http.MethodPost, "/control/live/start", map[string]string{"account": f.acct}, nil)
	id := f.comment(t, map[string]any{"text": "blue!", "live": true})
	f.sim.Control(http.MethodPost, "/control/live/end", map[string]string{"account": f.acct}, nil)
	_, _, err := f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "Sure!"})
	if err != nil {
		t.Fatal(err)
	}
	r := f.waitState(t, id, reply.Failed)
	it, _ := f.st.InboxItem(context.Background(), f.ava.ID, id)
	if r.ErrorKind != reply.KindLiveEnded || !strings.Contains(r.Error, "broadcast has ended") || it.Status != inbox.StatusExpired {
		t.Errorf("reply %+v, comment %s", r, it.Status)
	}
}

func TestSend_alreadyHeldByMeta(t *testing.T) {
	f := newFixture(t)
	id := f.comment(t, map[string]any{"text": "q"})
	pt := f.tokens.Get(f.acct)
	if _, _, err := f.graph.SendPrivateReply(context.Background(), pt.Token, pt.PageID, id, "from another tool"); err != nil {
		t.Fatal(err)
	}
	f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "ours"})
	r := f.waitState(t, id, reply.Failed)
	if r.ErrorKind != reply.KindNotEligible || len(f.simReplies(t, id)) != 1 ||
		!strings.Contains(r.Error, "can't get a private reply (too old, deleted, or already answered)") {
		t.Errorf("reply %+v", r)
	}
}

func TestSend_5xxThenSuccess(t *testing.T) {
	f := newFixture(t)
	id := f.comment(t, map[string]any{"text": "q"})
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "graph_5xx", "count": 1}, nil)
	f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "hello"})
	r := f.waitState(t, id, reply.Sent)
	if r.Attempts != 2 || len(f.simReplies(t, id)) != 1 {
		t.Errorf("attempts %d, replies %d", r.Attempts, len(f.simReplies(t, id)))
	}
}

func TestSend_rateLimitedWaitsThenSends(t *testing.T) {
	f := newFixture(t)
	id := f.comment(t, map[string]any{"text": "q"})
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "rate_limit", "count": 1, "account": f.acct}, nil)
	r, _, _ := f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "hello"})
	if r.State != reply.Retrying && r.State != reply.Sent {
		t.Errorf("right after a 613: %s", r.State)
	}
	r = f.waitState(t, id, reply.Sent)
	if r.Attempts != 2 {
		t.Errorf("attempts %d", r.Attempts)
	}
}

func TestSend_revokedToken(t *testing.T) {
	f := newFixture(t)
	id := f.comment(t, map[string]any{"text": "q"})
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "token_revoked", "account": f.acct}, nil)
	f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "hello"})
	r := f.waitKind(t, id, reply.KindToken)
	if r.State != reply.Queued || f.tokens.Failed(f.acct) == nil || !strings.Contains(r.Error, "waits in the queue") {
		t.Errorf("reply %+v, token failure reported: %v", r, f.tokens.Failed(f.acct))
	}
	// The reply waited, not failed: it goes out once the account works again.
	f.tokens.Reset(f.sim.Login(f.sim.World().Users[0].ID))
	sent := f.waitState(t, id, reply.Sent)
	if sent.ID != r.ID || len(f.simReplies(t, id)) != 1 {
		t.Errorf("after reconnecting: %+v, %d replies at Meta", sent, len(f.simReplies(t, id)))
	}
}

// TestSend_budgetQueuesClosestDeadlineFirst spends a tiny budget and checks
// the rest wait, then go out closest deadline first.
func TestSend_budgetQueues(t *testing.T) {
	f := newFixture(t, func(o *sender.Options) { o.Budget = 1 })
	a := f.comment(t, map[string]any{"text": "a"})
	b := f.comment(t, map[string]any{"text": "b"})
	f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: a, Text: "first"})
	f.waitState(t, a, reply.Sent)
	r, _, err := f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: b, Text: "second"})
	if err != nil || r.State != reply.Queued {
		t.Fatalf("over budget: %+v %v", r, err)
	}
	if est := f.sender.EstimatedStart(f.acct); est.Before(time.Now().Add(50 * time.Minute)) {
		t.Errorf("estimated start %v, want about an hour from now", est)
	}
	if n := len(f.simReplies(t, b)); n != 0 {
		t.Errorf("sent over budget")
	}
}

// TestSend_crashBetweenRecordAndAnswer: a reply was recorded and its call
// reached Meta, but the process died before the answer was stored. The
// restarted Sender resolves it as unconfirmed without sending twice.
func TestSend_crashBetweenRecordAndAnswer(t *testing.T) {
	f := newFixture(t)
	id := f.comment(t, map[string]any{"text": "q"})
	it, _ := f.st.InboxItem(context.Background(), f.ava.ID, id)
	r, err := f.st.CreateReply(context.Background(), reply.Reply{CommentID: id, AccountID: f.acct, Text: "hello",
		UserID: f.ava.ID, UserName: "Ava", Deadline: it.Deadline})
	if err != nil {
		t.Fatal(err)
	}
	// The process that claimed it dies: its claim runs out at once.
	if c, err := f.st.ClaimReply(context.Background(), r, time.Millisecond, reply.Limit{}); !c.Claimed || err != nil {
		t.Fatalf("claim: %+v %v", c, err)
	}
	pt := f.tokens.Get(f.acct)
	if _, _, err := f.graph.SendPrivateReply(context.Background(), pt.Token, pt.PageID, id, "hello"); err != nil {
		t.Fatal(err) // the call that reached Meta before the crash
	}
	restarted := sender.NewWorker(f.st, f.graph, f.tokens, sender.Options{MaxBackoff: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { restarted.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	got := f.waitState(t, id, reply.Unconfirmed)
	it, _ = f.st.InboxItem(context.Background(), f.ava.ID, id)
	if n := len(f.simReplies(t, id)); n != 1 || it.Status != inbox.StatusReplied || !got.Ambiguous {
		t.Errorf("%d replies at the simulator, comment %s, reply %+v", n, it.Status, got)
	}
}

// secondProcess is another Worker and Service on their own store of the
// fixture's database, as a second replydesk process would have.
func (f *fixture) secondProcess(t *testing.T, o sender.Options) (*sender.Service, *sender.Worker, *store.Store) {
	t.Helper()
	st := storetest.Open(t, f.dsn)
	w := sender.NewWorker(st, f.graph, f.tokens, o)
	svc := sender.NewService(st, nil, w, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return svc, w, st
}

// TestWorkers_twoProcessesShareOneBudget: two processes on one database
// with a budget of 2 replies an hour send 2 replies between them, not 4.
func TestWorkers_twoProcessesShareOneBudget(t *testing.T) {
	testdb.SkipUnlessPostgres(t)
	o := sender.Options{Budget: 2, MaxBackoff: 50 * time.Millisecond}
	f := newFixture(t, func(fo *sender.Options) { *fo = o })
	svc2, w2, _ := f.secondProcess(t, o)
	var ids []string
	for i := range 6 {
		ids = append(ids, f.comment(t, map[string]any{"text": fmt.Sprint("q", i)}))
	}
	var wg sync.WaitGroup
	for i, id := range ids {
		svc := []*sender.Service{f.svc, svc2}[i%2]
		wg.Go(func() {
			if _, _, err := svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "hello " + id}); err != nil {
				t.Errorf("send %s: %v", id, err)
			}
		})
	}
	wg.Wait()
	// Both processes have tried the queue and found the budget spent.
	deadline := time.Now().Add(10 * time.Second)
	for f.sender.EstimatedStart(f.acct).IsZero() || w2.EstimatedStart(f.acct).IsZero() {
		if time.Now().After(deadline) {
			t.Fatal("the budget never ran out in both processes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	sent, queued := 0, 0
	for _, id := range ids {
		hist, _ := f.st.Replies(context.Background(), id)
		switch r := reply.Latest(hist); {
		case r == nil:
			t.Errorf("no reply to %s", id)
		case r.State == reply.Sent:
			sent++
		case r.State == reply.Queued:
			queued++
		}
	}
	atMeta := 0
	for _, id := range ids {
		atMeta += len(f.simReplies(t, id))
	}
	if sent != 2 || queued != 4 || atMeta != 2 {
		t.Errorf("%d sent, %d queued, %d at the simulator; want 2, 4 and 2 (one budget for both processes)", sent, queued, atMeta)
	}
}

// TestWorker_liveBurstStaysUnderMetasLimit: 200 Live replies queued at once
// go out without Meta throttling any (it allows 100 a second).
func TestWorker_liveBurstStaysUnderMetasLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 200 replies at Live pace")
	}
	f := newFixture(t)
	f.sim.Control(http.MethodPost, "/control/live/start", map[string]string{"account": f.acct}, nil)
	var ids []string
	for i := range 200 {
		id := f.comment(t, map[string]any{"text": "link!", "live": true, "username": fmt.Sprintf("fan_%d", i)})
		it, err := f.st.InboxItem(context.Background(), f.ava.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.CreateReply(context.Background(), reply.Reply{CommentID: id, AccountID: f.acct, Text: "here", Live: true, Deadline: it.Deadline}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	f.sender.Kick()
	for _, id := range ids {
		r := f.waitState(t, id, reply.Sent)
		if r.Attempts != 1 {
			t.Fatalf("reply to %s took %d attempts: Meta throttled the burst", id, r.Attempts)
		}
	}
}
