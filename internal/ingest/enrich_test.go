package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/metasim/simtest"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/webhook"
)

// ingestSim creates n comments of age on acct in the simulator, delivers
// them by webhook (ten a delivery) and answers what was stored.
func (f *fixture) ingestSim(t *testing.T, acct string, n int, age string) []inbox.Comment {
	t.Helper()
	var stored []inbox.Comment
	for start := 0; start < n; start += 10 {
		var changes []string
		for range min(10, n-start) {
			id := f.sim.Comment(map[string]any{"account": acct, "text": "price?", "age": age})
			changes = append(changes, fmt.Sprintf(`{"field":"comments","value":{"id":%q,"text":"price?","from":{"id":"17841400000000777","username":"fan"},"media":{"id":"17900000000000001"}}}`, id))
		}
		body := fmt.Sprintf(`{"object":"instagram","entry":[{"id":%q,"time":%d,"changes":[%s]}]}`, acct, time.Now().Unix(), strings.Join(changes, ","))
		p, err := webhook.Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.ing.Submit(context.Background(), f.ing.Delivery([]byte(body), "sig", p))
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, res.New...)
	}
	return stored
}

// runEnricher runs e until the test ends.
func runEnricher(t *testing.T, e *Enricher) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// changesOf follows acct's comments on the feed from now on; the function
// it answers waits for n changes.
func (f *fixture) changesOf(t *testing.T, acct string) func(n int, within time.Duration) {
	sub := f.hub.Subscribe([]string{acct})
	t.Cleanup(sub.Close)
	return func(n int, within time.Duration) { f.awaitChanges(t, sub, n, within) }
}

func (f *fixture) awaitChanges(t *testing.T, sub *live.Subscription, n int, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for seen := 0; seen < n; {
		select {
		case <-sub.Ready():
			got, err := sub.Next(nil)
			if err != nil {
				t.Fatal(err)
			}
			seen += len(got)
		case <-deadline:
			t.Fatalf("%d of %d deadline corrections within %s (%d Graph requests)", seen, n, within, f.calls.Load())
		}
	}
}

// TestEnricher_batchesGraphReads: the deadlines of 1,000 comments are
// corrected with one Graph request per 50 comments (a batch request), not
// one each.
func TestEnricher_batchesGraphReads(t *testing.T) {
	f := newFixture(t)
	cs := f.ingestSim(t, f.acct, 1000, "30h")
	if len(cs) != 1000 {
		t.Fatalf("%d comments stored", len(cs))
	}
	e := NewEnricher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), EnricherOptions{Rate: 100_000})
	e.Enqueue(cs)
	f.calls.Store(0)
	wait := f.changesOf(t, f.acct)
	runEnricher(t, e)
	wait(1000, 30*time.Second)
	t.Logf("Graph requests to correct the deadlines of 1,000 comments: %d", f.calls.Load())
	if n := f.calls.Load(); n != 20 {
		t.Errorf("%d Graph requests for 1,000 comments, want 20", n)
	}
	for _, c := range cs[:5] {
		after, _ := f.st.Comment(context.Background(), c.ID)
		if d := c.Deadline.Sub(after.Deadline); !after.DeadlineExact || d < 29*time.Hour || d > 31*time.Hour {
			t.Errorf("%s: exact %v, deadline moved by %v, want about 30h earlier", c.ID, after.DeadlineExact, d)
		}
	}
}

// TestEnricher_pacesEachAccount: each account's reads keep to the
// Enricher's rate (after a first full batch), and one account's backlog
// does not hold another's reads back.
func TestEnricher_pacesEachAccount(t *testing.T) {
	f := newFixture(t)
	w := f.sim.World()
	other := w.Accounts[1].ID
	storetest.Account(t, f.st, other, w.Accounts[1].PageID, w.Accounts[1].Username, nil)
	if _, _, err := f.tokens.PageToken(context.Background(), other); err != nil {
		t.Fatalf("no token for a second account: %v", err)
	}
	busy := f.ingestSim(t, f.acct, 200, "2h")
	quiet := f.ingestSim(t, other, 10, "2h")
	var mu sync.Mutex
	var calls []time.Time
	var quietAt time.Time
	f.graph = meta.New(meta.Options{GraphURL: f.sim.URL, Version: "v25.0", AppID: simtest.AppID, AppSecret: simtest.AppSecret,
		HTTPClient: &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			sent := time.Now() // when the limiter let the request go
			mu.Lock()
			if r.ContentLength > 0 && requestNames(r, quiet[0].ID) {
				quietAt = sent
			} else {
				calls = append(calls, sent)
			}
			mu.Unlock()
			return http.DefaultTransport.RoundTrip(r)
		})}})
	const rate = 100.0 // calls a second: 50 comments every half second after the first 50
	e := NewEnricher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), EnricherOptions{Rate: rate, Linger: time.Millisecond})
	e.Enqueue(busy)
	e.Enqueue(quiet)
	wait := f.changesOf(t, f.acct)
	runEnricher(t, e)
	wait(200, 30*time.Second)
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 4 {
		t.Fatalf("%d requests for 200 comments, want 4", len(calls))
	}
	if took, least := calls[3].Sub(calls[0]), time.Duration(150/rate*float64(time.Second)); took < least-50*time.Millisecond {
		t.Errorf("200 comments read in %v at %v calls a second, want at least %v", took, rate, least)
	}
	if quietAt.IsZero() || !quietAt.Before(calls[1]) {
		t.Errorf("the quiet account's read came at %v, after the busy account's second (%v)", quietAt, calls[1])
	}
}

// requestNames reports whether a batch request's body names comment id.
func requestNames(r *http.Request, id string) bool {
	body, err := r.GetBody()
	if err != nil {
		return false
	}
	defer body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return strings.Contains(b.String(), id)
}

func TestEnricher_unreadableCommentKeepsApproximateDeadline(t *testing.T) {
	f := newFixture(t)
	cs := f.ingestSim(t, f.acct, 2, "1h")
	f.sim.Control(http.MethodPost, "/control/comments/delete", map[string]string{"id": cs[1].ID}, nil)
	e := NewEnricher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), EnricherOptions{})
	e.enrich(context.Background(), f.acct, nil, []string{cs[0].ID, cs[1].ID})
	if c, _ := f.st.Comment(context.Background(), cs[0].ID); !c.DeadlineExact {
		t.Error("the readable comment of the batch was not corrected")
	}
	c, err := f.st.Comment(context.Background(), cs[1].ID)
	if err != nil || c.DeadlineExact || c.Status != inbox.StatusOpen {
		t.Fatalf("after a failed fetch: %+v %v", c, err)
	}
	if due, _ := f.st.PendingEnrichment(context.Background(), 10); len(due) != 0 {
		t.Errorf("a permanently unreadable comment is retried: %v", due)
	}
}

func TestEnricher_transientErrorRetriesLater(t *testing.T) {
	f := newFixture(t)
	cs := f.ingestSim(t, f.acct, 2, "1h")
	ids := []string{cs[0].ID, cs[1].ID}
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "graph_5xx", "count": 1}, nil)
	e := NewEnricher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), EnricherOptions{})
	e.enrich(context.Background(), f.acct, nil, ids)
	// The batch's requests run side by side: either one may have got the 5xx.
	var failed []string
	for _, id := range ids {
		if c, _ := f.st.Comment(context.Background(), id); !c.DeadlineExact {
			failed = append(failed, id)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("%d of the batch's 2 comments not corrected after one 5xx, want 1", len(failed))
	}
	if due, _ := f.st.PendingEnrichment(context.Background(), 10); len(due) != 0 {
		t.Errorf("retried at once: %v", due)
	}
	e.enrich(context.Background(), f.acct, nil, failed) // the retry
	if c, _ := f.st.Comment(context.Background(), failed[0]); !c.DeadlineExact {
		t.Error("not corrected on retry")
	}
}

func TestEnricher_revokedTokenMarksAccount(t *testing.T) {
	f := newFixture(t)
	cs := f.ingestSim(t, f.acct, 1, "1h")
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "token_revoked", "account": f.acct}, nil)
	e := NewEnricher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), EnricherOptions{})
	e.enrich(context.Background(), f.acct, nil, []string{cs[0].ID})
	if f.tokens.Failed(f.acct) == nil || !meta.IsTokenError(f.tokens.Failed(f.acct)) {
		t.Errorf("token failure not reported: %v", f.tokens.Failed(f.acct))
	}
	if c, _ := f.st.Comment(context.Background(), cs[0].ID); c.DeadlineExact {
		t.Error("exact with a revoked token")
	}
}
