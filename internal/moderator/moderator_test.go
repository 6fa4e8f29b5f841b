package moderator_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/metasim/simtest"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/moderator"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/sender"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/templates"
)

type fixture struct {
	sim     *simtest.Sim
	st      *store.Store
	svc     *moderator.Service
	replies *sender.Service
	tokens  *simtest.Tokens
	acct    string
	ava     moderation.Author
}

func newFixture(t *testing.T, opts ...func(*moderator.Options)) *fixture {
	t.Helper()
	sim := simtest.Start(t, simtest.Options{})
	w := sim.World()
	f := &fixture{sim: sim, st: storetest.New(t), acct: w.Accounts[0].ID, tokens: simtest.NewTokens(sim.Login(w.Users[0].ID))}
	graph := meta.New(meta.Options{GraphURL: sim.URL, Version: "v25.0", AppID: simtest.AppID, AppSecret: simtest.AppSecret})
	storetest.Account(t, f.st, f.acct, w.Accounts[0].PageID, w.Accounts[0].Username, nil)
	f.ava = moderation.Author{ID: storetest.User(t, f.st, w.Users[0].ID, "Ava", "admin"), Name: "Ava"}
	storetest.Grant(t, f.st, f.ava.ID, f.acct)
	o := moderator.Options{PerSecond: 50, MaxBackoff: 50 * time.Millisecond, ThrottleCap: 200 * time.Millisecond}
	for _, fn := range opts {
		fn(&o)
	}
	worker := moderator.NewWorker(f.st, graph, f.tokens, o)
	f.svc = moderator.NewService(f.st, worker, time.Now)
	sendWorker := sender.NewWorker(f.st, graph, f.tokens, sender.Options{MaxBackoff: 50 * time.Millisecond})
	f.replies = sender.NewService(f.st, nil, sendWorker, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { worker.Run(ctx); done <- struct{}{} }()
	go func() { sendWorker.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	return f
}

// comment makes a comment at the simulator and stores it as its webhook would.
func (f *fixture) comment(t *testing.T, in map[string]any) string {
	t.Helper()
	in["account"] = f.acct
	id := f.sim.Comment(in)
	now := time.Now()
	live, _ := in["live"].(bool)
	c := inbox.Comment{ID: id, AccountID: f.acct, Surface: inbox.SurfacePost, Username: "fan", Text: "hi", Live: live,
		Status: inbox.StatusOpen, Deadline: inbox.ApproxDeadline(now, now, live), ReceivedAt: now, UpdatedAt: now}
	if parent, ok := in["parent_id"].(string); ok {
		c.ParentID = parent
	}
	if live {
		c.Surface = inbox.SurfaceLive
	}
	if _, err := f.st.CommitDeliveries(context.Background(), []store.DeliveryIn{{ReceivedAt: now, Body: []byte("{}"), Comments: []inbox.Comment{c}}}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) atMeta(t *testing.T, id string) simtest.CommentState {
	t.Helper()
	return f.sim.CommentState(id)
}

func (f *fixture) fault(t *testing.T, kind string) {
	t.Helper()
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": kind, "account": f.acct}, nil)
}

// until polls cond (the worker runs in the background) for up to 5 s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *fixture) action(t *testing.T, id int64) moderation.Action {
	t.Helper()
	a, err := f.st.Action(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) item(t *testing.T, id string) inbox.Item {
	t.Helper()
	it, err := f.st.InboxItem(context.Background(), f.ava.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func (f *fixture) template(t *testing.T, name, body string, public bool) int64 {
	t.Helper()
	tp, err := f.st.CreateTemplate(context.Background(), templates.Input{Name: name, Body: body, Public: public}, f.ava.ID, "Ava")
	if err != nil {
		t.Fatal(err)
	}
	return tp.ID
}

func TestPublicReply_postedOnceAndShownUnderTheComment(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.comment(t, map[string]any{"text": "How much?"})
	a, _, err := f.svc.PublicReply(ctx, f.ava, id, "12 € a bag — details in your DMs ✉️", 0)
	if err != nil || a.State != moderation.Done || a.ResultID == "" {
		t.Fatalf("public reply: %+v, %v", a, err)
	}
	got := f.atMeta(t, id)
	if len(got.Replies) != 1 || got.Replies[0].ID != a.ResultID || got.Replies[0].Text != "12 € a bag — details in your DMs ✉️" {
		t.Fatalf("Meta holds %+v, want the reply %s", got.Replies, a.ResultID)
	}
	reps, err := f.st.PublicReplies(ctx, []string{id})
	if err != nil || len(reps[id]) != 1 || reps[id][0].ID != a.ResultID || reps[id][0].By != "Ava" {
		t.Fatalf("stored public replies %+v, %v", reps, err)
	}
	// The same text again is refused before Meta is called.
	_, _, err = f.svc.PublicReply(ctx, f.ava, id, "12 € a bag — details in your DMs ✉️", 0)
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict {
		t.Fatalf("same reply twice: %v", err)
	}
	if got := f.atMeta(t, id); len(got.Replies) != 1 {
		t.Fatalf("Meta holds %d replies after the duplicate", len(got.Replies))
	}
}

func TestPublicReply_templatesKeepTheirAudience(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.comment(t, map[string]any{"text": "price?"})
	private := f.template(t, "Price list", "Hi {{username|there}}, the price list is in your DMs.", false)
	public := f.template(t, "Check your DMs", "Hi {{username|there}}! Check your DMs 💌", true)

	_, _, err := f.svc.PublicReply(ctx, f.ava, id, "", private)
	if e, ok := apperr.As(err); !ok || e.Code != "private_template" {
		t.Fatalf("a private template posted publicly: %v", err)
	}
	_, _, err = f.replies.Send(ctx, reply.Author{ID: f.ava.ID, Name: "Ava"}, reply.Request{CommentID: id, TemplateID: public})
	if e, ok := apperr.As(err); !ok || e.Code != "public_template" {
		t.Fatalf("a public template sent privately: %v", err)
	}
	a, _, err := f.svc.PublicReply(ctx, f.ava, id, "", public)
	if err != nil || a.State != moderation.Done || a.Text != "Hi fan! Check your DMs 💌" || a.TemplateName != "Check your DMs" {
		t.Fatalf("public template: %+v, %v", a, err)
	}
}

func TestHideUnhideDelete_recordedWithWhoAndWhen(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.comment(t, map[string]any{"text": "spam spam"})

	a, it, err := f.svc.SetHidden(ctx, f.ava, id, true)
	if err != nil || a.State != moderation.Done || !it.Hidden || !f.atMeta(t, id).Hidden {
		t.Fatalf("hide: %+v hidden=%v, %v", a, it.Hidden, err)
	}
	if _, _, err := f.svc.PublicReply(ctx, f.ava, id, "hello", 0); err == nil || !strings.Contains(err.Error(), "hidden") {
		t.Fatalf("a public reply to a hidden comment: %v", err)
	}
	a, it, err = f.svc.SetHidden(ctx, f.ava, id, false)
	if err != nil || a.State != moderation.Done || it.Hidden || f.atMeta(t, id).Hidden {
		t.Fatalf("unhide: %+v hidden=%v, %v", a, it.Hidden, err)
	}
	a, it, err = f.svc.Delete(ctx, f.ava, id)
	if err != nil || a.State != moderation.Done || !it.Deleted || !f.atMeta(t, id).Deleted {
		t.Fatalf("delete: %+v deleted=%v, %v", a, it.Deleted, err)
	}
	hist, err := f.st.CommentActions(ctx, id)
	if err != nil || len(hist) != 3 {
		t.Fatalf("history %+v, %v", hist, err)
	}
	for i, want := range []moderation.Kind{moderation.Hide, moderation.Unhide, moderation.Delete} {
		h := hist[i]
		if h.Kind != want || h.UserName != "Ava" || h.UserID != f.ava.ID || h.DoneAt.IsZero() || h.State != moderation.Done {
			t.Errorf("history[%d] = %+v", i, h)
		}
	}
	// The record stays; the views people work in let it go.
	page, err := f.st.ListInbox(ctx, f.ava.ID, inbox.Filter{View: "open"}, nil, 50)
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("open view lists %d comments, %v", len(page.Items), err)
	}
	page, _ = f.st.ListInbox(ctx, f.ava.ID, inbox.Filter{View: inbox.ViewAll}, nil, 50)
	if len(page.Items) != 1 || !page.Items[0].Deleted {
		t.Fatalf("all view: %+v", page.Items)
	}
	counts, _ := f.st.InboxCounts(ctx, f.ava.ID, "")
	if counts.Open != 0 || counts.Due != 0 {
		t.Errorf("counts after delete: %+v", counts)
	}
	// Nor can it get a private reply.
	_, _, err = f.replies.Send(ctx, reply.Author{ID: f.ava.ID, Name: "Ava"}, reply.Request{CommentID: id, Text: "hi"})
	if e, ok := apperr.As(err); !ok || !strings.Contains(e.Message, "deleted") {
		t.Fatalf("private reply to a deleted comment: %v", err)
	}
}

func TestModeration_transientErrorsRetry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.comment(t, map[string]any{"text": "?"})
	f.fault(t, "graph_5xx")
	a, _, err := f.svc.SetHidden(ctx, f.ava, id, true)
	if err != nil {
		t.Fatal(err)
	}
	until(t, "the hide to go through on retry", func() bool { return f.action(t, a.ID).State == moderation.Done })
	if a := f.action(t, a.ID); a.Attempts != 2 || !f.atMeta(t, id).Hidden {
		t.Fatalf("after a 5xx: %+v", a)
	}
	// A public reply whose first answer was a 5xx is looked for before it is
	// posted again: it is never posted twice.
	other := f.comment(t, map[string]any{"text": "?"})
	f.fault(t, "graph_5xx")
	a, _, err = f.svc.PublicReply(ctx, f.ava, other, "See DMs", 0)
	if err != nil {
		t.Fatal(err)
	}
	until(t, "the public reply to go through", func() bool { return f.action(t, a.ID).State == moderation.Done })
	if got := f.atMeta(t, other).Replies; len(got) != 1 {
		t.Fatalf("Meta holds %d replies", len(got))
	}
}

func TestModeration_rateLimitedWaitsThenGoes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.comment(t, map[string]any{"text": "?"})
	f.fault(t, "rate_limit")
	a, _, err := f.svc.PublicReply(ctx, f.ava, id, "Check your DMs", 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != moderation.Done {
		if a.ErrorKind != moderation.ErrRateLimited || !strings.Contains(a.Error, "slow down") || strings.Contains(a.Error, "613") {
			t.Fatalf("throttled action says %+v", a)
		}
	}
	until(t, "the reply after the throttle", func() bool { return f.action(t, a.ID).State == moderation.Done })
	if got := f.atMeta(t, id).Replies; len(got) != 1 {
		t.Fatalf("Meta holds %d replies", len(got))
	}
}

func TestModeration_errorsInPlainWords(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, f *fixture, id string)
		kind  moderation.ErrorKind
		words string
	}{
		{"comment gone", func(t *testing.T, f *fixture, id string) {
			f.sim.Control(http.MethodPost, "/control/comments/delete", map[string]any{"id": id}, nil)
		}, moderation.ErrGone, "no longer exists"},
		{"no permission", func(t *testing.T, f *fixture, id string) {
			w := f.sim.World()
			f.tokens.Reset(f.sim.Login(w.Users[3].ID)) // Dana: a Page role without a moderating task
		}, moderation.ErrPermission, "instagram_manage_comments"},
		{"token revoked", func(t *testing.T, f *fixture, id string) {
			f.fault(t, "token_revoked")
		}, moderation.ErrToken, "Reconnect the account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id := f.comment(t, map[string]any{"text": "?"})
			tt.setup(t, f, id)
			a, it, err := f.svc.SetHidden(context.Background(), f.ava, id, true)
			if err != nil {
				t.Fatal(err)
			}
			if a.State != moderation.Failed || a.ErrorKind != tt.kind || !strings.Contains(a.Error, tt.words) {
				t.Fatalf("got %+v", a)
			}
			if strings.Contains(a.Error, "#") || strings.Contains(a.Error, "OAuthException") || it.Hidden {
				t.Fatalf("raw payload or wrong state: %+v hidden=%v", a, it.Hidden)
			}
		})
	}
}

func TestBulkHide_pacedAndSkipsWhatCannotBeHidden(t *testing.T) {
	const n, perSecond = 8, 20.0
	f := newFixture(t, func(o *moderator.Options) { o.PerSecond, o.Burst = perSecond, 1 })
	ctx := context.Background()
	var ids []string
	for range n {
		ids = append(ids, f.comment(t, map[string]any{"text": "buy followers cheap"}))
	}
	live := f.comment(t, map[string]any{"text": "spam", "live": true})
	hidden := f.comment(t, map[string]any{"text": "spam"})
	if _, _, err := f.svc.SetHidden(ctx, f.ava, hidden, true); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := f.svc.BulkHide(ctx, f.ava, append(append([]string{}, ids...), live, hidden, "nope"))
	if err != nil || len(res.Queued) != n || len(res.Skipped) != 3 {
		t.Fatalf("bulk: queued %d, skipped %v, %v", len(res.Queued), res.Skipped, err)
	}
	if !strings.Contains(res.Skipped[live], "Live") || !strings.Contains(res.Skipped[hidden], "already hidden") || res.Skipped["nope"] == "" {
		t.Errorf("skipped reasons: %v", res.Skipped)
	}
	until(t, "every comment hidden", func() bool {
		for _, id := range ids {
			if !f.item(t, id).Hidden {
				return false
			}
		}
		return true
	})
	// Paced: after the first call, one every 1/perSecond.
	if min := time.Duration(float64(n-1) / perSecond * float64(time.Second)); time.Since(start) < min-20*time.Millisecond {
		t.Errorf("%d hides took %v, faster than the pace allows (%v)", n, time.Since(start), min)
	}
	for _, id := range ids {
		if !f.atMeta(t, id).Hidden {
			t.Errorf("%s not hidden at Meta", id)
		}
	}
}

func TestNudge_postedAfterThePrivateReply(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	nudge := f.template(t, "Check your DMs", "Hi {{username|there}}! We sent you a DM 💌", true)
	id := f.comment(t, map[string]any{"text": "price?"})
	r, _, err := f.replies.Send(ctx, reply.Author{ID: f.ava.ID, Name: "Ava"}, reply.Request{CommentID: id, Text: "It is 12 €."})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Nudge(ctx, f.ava, id, r.ID, nudge)
	if err != nil || !a.Nudge {
		t.Fatalf("nudge: %+v, %v", a, err)
	}
	until(t, "the nudge", func() bool { return f.action(t, a.ID).State == moderation.Done })
	if got := f.atMeta(t, id).Replies; len(got) != 1 || got[0].Text != "Hi fan! We sent you a DM 💌" {
		t.Fatalf("Meta holds %+v", got)
	}

	// A nudge whose private reply fails is not posted.
	other := f.comment(t, map[string]any{"text": "price?"})
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "send_error", "code": 10, "subcode": 2534022, "status": 403}, nil)
	r, _, err = f.replies.Send(ctx, reply.Author{ID: f.ava.ID, Name: "Ava"}, reply.Request{CommentID: other, Text: "It is 12 €."})
	if err != nil {
		t.Fatal(err)
	}
	a, err = f.svc.Nudge(ctx, f.ava, other, r.ID, nudge)
	if err != nil {
		t.Fatal(err)
	}
	until(t, "the nudge cancelled", func() bool { return f.action(t, a.ID).State == moderation.Cancelled })
	if a := f.action(t, a.ID); a.ErrorKind != moderation.ErrReplyFailed || !strings.Contains(a.Error, "private reply was not delivered") {
		t.Errorf("cancelled nudge says %+v", a)
	}
	if got := f.atMeta(t, other).Replies; len(got) != 0 {
		t.Fatalf("Meta holds %+v", got)
	}
}

func TestNudge_accountDefault(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.comment(t, map[string]any{"text": "?"})
	r, _, err := f.replies.Send(ctx, reply.Author{ID: f.ava.ID, Name: "Ava"}, reply.Request{CommentID: id, Text: "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Nudge(ctx, f.ava, id, r.ID, 0); err == nil {
		t.Fatal("a nudge without a template or default was accepted")
	}
	private := f.template(t, "DM", "a private one", false)
	if err := f.svc.SetNudgeDefault(ctx, f.ava, f.acct, private); err == nil {
		t.Fatal("a private template became the nudge default")
	}
	public := f.template(t, "DMs", "Check your DMs!", true)
	if err := f.svc.SetNudgeDefault(ctx, f.ava, f.acct, public); err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Nudge(ctx, f.ava, id, r.ID, 0)
	if err != nil || a.TemplateID != public {
		t.Fatalf("nudge with the default: %+v, %v", a, err)
	}
	until(t, "the nudge", func() bool { return f.action(t, a.ID).State == moderation.Done })
}

func TestModeration_liveAndDeletedRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	live := f.comment(t, map[string]any{"text": "hi", "live": true})
	for _, do := range []func() error{
		func() error { _, _, err := f.svc.SetHidden(ctx, f.ava, live, true); return err },
		func() error { _, _, err := f.svc.PublicReply(ctx, f.ava, live, "hi", 0); return err },
		func() error { _, _, err := f.svc.Delete(ctx, f.ava, live); return err },
	} {
		if e, ok := apperr.As(do()); !ok || !strings.Contains(e.Message, "Live") {
			t.Errorf("live comment: %v", e)
		}
	}
	if _, _, err := f.svc.SetHidden(ctx, f.ava, "nope", true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown comment: %v", err)
	}
}

// TestNudge_commentDeletedMeanwhile: a nudge waiting for its private reply
// is not posted once the comment was deleted; it says why.
func TestNudge_commentDeletedMeanwhile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	nudge := f.template(t, "DMs", "Check your DMs!", true)
	id := f.comment(t, map[string]any{"text": "?"})
	// The private reply waits behind Meta's throttling.
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "send_error", "code": 613, "subcode": 2534040, "account": f.acct}, nil)
	r, _, err := f.replies.Send(ctx, reply.Author{ID: f.ava.ID, Name: "Ava"}, reply.Request{CommentID: id, Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Nudge(ctx, f.ava, id, r.ID, nudge)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Delete(ctx, f.ava, id); err != nil {
		t.Fatal(err)
	}
	until(t, "the nudge to end", func() bool { return !f.action(t, a.ID).State.Pending() })
	if got := f.action(t, a.ID); got.State == moderation.Done || got.Error == "" {
		t.Errorf("nudge on a deleted comment: %+v", got)
	}
	if got := f.atMeta(t, id).Replies; len(got) != 0 {
		t.Errorf("Meta holds %+v", got)
	}
}
