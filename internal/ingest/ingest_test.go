package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/janitor"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/metasim/simtest"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/webhook"
)

type fixture struct {
	sim    *simtest.Sim
	st     *store.Store
	hub    *live.Memory
	ing    *Ingester
	graph  *meta.Client
	tokens *simtest.Tokens
	acct   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sim := simtest.Start(t, simtest.Options{})
	w := sim.World()
	hub := live.NewMemory(0)
	f := &fixture{sim: sim, st: storetest.WithFeed(t, hub), hub: hub, acct: w.Accounts[0].ID,
		graph:  meta.New(meta.Options{GraphURL: sim.URL, Version: "v25.0", AppID: simtest.AppID, AppSecret: simtest.AppSecret}),
		tokens: simtest.NewTokens(sim.Login(w.Users[0].ID))}
	storetest.Account(t, f.st, f.acct, w.Accounts[0].PageID, w.Accounts[0].Username, nil)
	f.ing = NewIngester(simtest.AppSecret, f.st, slog.New(slog.DiscardHandler), time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.ing.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return f
}

// deliver ingests a webhook for a simulator comment, as Meta would send it.
func (f *fixture) deliver(t *testing.T, commentID, field string) {
	t.Helper()
	body := fmt.Sprintf(`{"object":"instagram","entry":[{"id":%q,"time":%d,"changes":[{"field":%q,"value":{"id":%q,"text":"x","from":{"id":"u1","username":"fan"},"media":{"id":"17890000000000001"}}}]}]}`,
		f.acct, time.Now().Unix(), field, commentID)
	p, err := webhook.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ing.Submit(context.Background(), f.ing.Delivery([]byte(body), "sig", p)); err != nil {
		t.Fatal(err)
	}
}

func TestEnricher_correctsDeadlineFromGraph(t *testing.T) {
	f := newFixture(t)
	id := f.sim.Comment(map[string]any{"account": f.acct, "text": "late delivery", "age": "30h"})
	f.deliver(t, id, "comments")
	before, _ := f.st.Comment(context.Background(), id)
	if before.DeadlineExact {
		t.Fatal("deadline exact before enrichment")
	}
	sub := f.hub.Subscribe([]string{f.acct})
	defer sub.Close()
	e := NewEnricher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), 2)
	e.enrich(context.Background(), id)
	after, _ := f.st.Comment(context.Background(), id)
	if !after.DeadlineExact {
		t.Fatal("deadline not corrected")
	}
	if d := before.Deadline.Sub(after.Deadline); d < 29*time.Hour || d > 31*time.Hour {
		t.Errorf("deadline moved by %v, want about 30h earlier", d)
	}
	select {
	case <-sub.Ready():
		if got, err := sub.Next(nil); err != nil || len(got) != 1 || got[0].CommentID != id || got[0].Position == 0 {
			t.Errorf("changes %+v, %v", got, err)
		}
	default: // the store publishes before SetExactDeadline returns
		t.Error("no change published")
	}
}

func TestEnricher_deletedCommentKeepsApproximateDeadline(t *testing.T) {
	f := newFixture(t)
	id := f.sim.Comment(map[string]any{"account": f.acct, "text": "soon gone"})
	f.deliver(t, id, "comments")
	f.sim.Control(http.MethodPost, "/control/comments/delete", map[string]string{"id": id}, nil)
	e := NewEnricher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), 1)
	e.enrich(context.Background(), id)
	c, err := f.st.Comment(context.Background(), id)
	if err != nil || c.DeadlineExact || c.Status != inbox.StatusOpen {
		t.Fatalf("after a failed fetch: %+v %v", c, err)
	}
	due, _ := f.st.PendingEnrichment(context.Background(), 10)
	if len(due) != 0 {
		t.Errorf("a permanently unreadable comment is retried: %v", due)
	}
}

func TestEnricher_transientErrorRetriesLater(t *testing.T) {
	f := newFixture(t)
	id := f.sim.Comment(map[string]any{"account": f.acct, "text": "flaky"})
	f.deliver(t, id, "comments")
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "graph_5xx", "count": 1}, nil)
	e := NewEnricher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), 1)
	e.enrich(context.Background(), id)
	if c, _ := f.st.Comment(context.Background(), id); c.DeadlineExact {
		t.Fatal("exact despite the 5xx")
	}
	e.enrich(context.Background(), id) // the retry
	if c, _ := f.st.Comment(context.Background(), id); !c.DeadlineExact {
		t.Error("not corrected on retry")
	}
}

func TestEnricher_revokedTokenMarksAccount(t *testing.T) {
	f := newFixture(t)
	id := f.sim.Comment(map[string]any{"account": f.acct, "text": "x"})
	f.deliver(t, id, "comments")
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "token_revoked", "account": f.acct}, nil)
	e := NewEnricher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), 1)
	e.enrich(context.Background(), id)
	if f.tokens.Failed(f.acct) == nil || !meta.IsTokenError(f.tokens.Failed(f.acct)) {
		t.Errorf("token failure not reported: %v", f.tokens.Failed(f.acct))
	}
}

func TestLiveWatcher_expiresWhenBroadcastEnds(t *testing.T) {
	f := newFixture(t)
	var started struct {
		MediaID string `json:"media_id"`
	}
	f.sim.Control(http.MethodPost, "/control/live/start", map[string]string{"account": f.acct}, &started)
	id := f.sim.Comment(map[string]any{"account": f.acct, "live": true, "text": "blue one!"})
	body := fmt.Sprintf(`{"object":"instagram","entry":[{"id":%q,"time":%d,"changes":[{"field":"live_comments","value":{"id":%q,"text":"blue one!","from":{"id":"u1","username":"viewer"},"media":{"id":%q,"media_product_type":"LIVE"}}}]}]}`,
		f.acct, time.Now().Unix(), id, started.MediaID)
	p, _ := webhook.Parse([]byte(body))
	f.ing.Submit(context.Background(), f.ing.Delivery([]byte(body), "sig", p))
	w := NewLiveWatcher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), time.Hour)
	w.Check(context.Background())
	if c, _ := f.st.Comment(context.Background(), id); c.Status != inbox.StatusOpen || c.Surface != inbox.SurfaceLive {
		t.Fatalf("while broadcasting: %+v", c)
	}
	f.sim.Control(http.MethodPost, "/control/live/end", map[string]string{"account": f.acct}, nil)
	w.Check(context.Background())
	if c, _ := f.st.Comment(context.Background(), id); c.Status != inbox.StatusExpired {
		t.Errorf("after the broadcast ended: status %s", c.Status)
	}
}

func TestJanitor_expiresOverdue(t *testing.T) {
	f := newFixture(t)
	body := fmt.Sprintf(`{"object":"instagram","entry":[{"id":%q,"time":%d,"changes":[{"field":"comments","value":{"id":"17900000000000042","from":{"id":"u"},"media":{"id":"17890000000000001"}}}]}]}`,
		f.acct, time.Now().Add(-8*24*time.Hour).Unix())
	p, _ := webhook.Parse([]byte(body))
	f.ing.Submit(context.Background(), f.ing.Delivery([]byte(body), "sig", p))
	j := janitor.New(f.st, slog.New(slog.DiscardHandler), time.Now)
	j.Expire(context.Background())
	if c, _ := f.st.Comment(context.Background(), "17900000000000042"); c.Status != inbox.StatusExpired {
		t.Errorf("status %s, want expired", c.Status)
	}
}

func TestBackfiller_readsTheLastSevenDays(t *testing.T) {
	f := newFixture(t)
	b := NewBackfiller(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), time.Hour)
	n, err := b.Account(context.Background(), f.acct, "")
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("the seeded history gave no comments")
	}
	page, err := f.st.PendingEnrichment(context.Background(), 10)
	if err != nil || len(page) != 0 {
		t.Errorf("backfilled comments need enrichment: %d %v", len(page), err)
	}
	again, _ := b.Account(context.Background(), f.acct, "")
	if again != 0 {
		t.Errorf("a second backfill stored %d comments again", again)
	}
	d, c, _ := f.st.DeliveryStats(context.Background())
	if d != 0 || c != int64(n) {
		t.Errorf("deliveries %d comments %d, want 0 and %d", d, c, n)
	}
}

// TestEnricher_afterFetchError: what Meta's answers to a timestamp read
// mean. Every retryable class (code 2 included) is "try later", never
// "give up".
func TestEnricher_afterFetchError(t *testing.T) {
	cases := []struct {
		name              string
		err               error
		tokenFailed, gone bool
	}{
		{"network", context.DeadlineExceeded, false, false},
		{"unknown error", &meta.Error{HTTPStatus: 500, Code: 1}, false, false},
		{"unexpected error (code 2)", &meta.Error{HTTPStatus: 400, Code: 2}, false, false},
		{"rate limit", &meta.Error{HTTPStatus: 400, Code: 613, Subcode: 2534040}, false, false},
		{"app limit", &meta.Error{HTTPStatus: 400, Code: 4}, false, false},
		{"token expired", &meta.Error{HTTPStatus: 400, Code: 190, Subcode: 463}, true, false},
		{"security check", &meta.Error{HTTPStatus: 400, Code: 10, Subcode: 2534077}, true, false},
		{"deleted comment", &meta.Error{HTTPStatus: 400, Code: 100, Subcode: 33}, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, gone := afterFetchError(tc.err)
			if tok != tc.tokenFailed || gone != tc.gone {
				t.Errorf("token failed %v, give up %v; want %v, %v", tok, gone, tc.tokenFailed, tc.gone)
			}
		})
	}
}
