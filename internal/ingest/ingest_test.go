package ingest

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/janitor"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/metasim/simtest"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/store/testdb"
	"github.com/replydesk/replydesk/internal/webhook"
)

type fixture struct {
	sim    *simtest.Sim
	calls  atomic.Int64 // HTTP requests to Graph
	later  atomic.Int64 // how far the store's clock is ahead of the real one (ns)
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
	f := &fixture{sim: sim, hub: hub, acct: w.Accounts[0].ID, tokens: simtest.NewTokens(sim.Login(w.Users[0].ID))}
	f.st = storetest.OpenWith(t, testdb.DSN(t), store.Options{Feed: hub, Now: f.now})
	counting := roundTripper(func(r *http.Request) (*http.Response, error) {
		f.calls.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})
	f.graph = meta.New(meta.Options{GraphURL: sim.URL, Version: "v25.0", AppID: simtest.AppID, AppSecret: simtest.AppSecret,
		HTTPClient: &http.Client{Transport: counting, Timeout: 15 * time.Second}})
	storetest.Account(t, f.st, f.acct, w.Accounts[0].PageID, w.Accounts[0].Username, nil)
	f.ing = NewIngester(simtest.AppSecret, f.st, slog.New(slog.DiscardHandler), time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.ing.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return f
}

// now is the store's clock: the real one, advanced by advance.
func (f *fixture) now() time.Time { return time.Now().Add(time.Duration(f.later.Load())) }

// advance moves the store's clock on (a retry falls due, a claim runs out).
func (f *fixture) advance(d time.Duration) { f.later.Add(int64(d)) }

// deliver ingests a webhook for a simulator comment, as Meta would send it.
func (f *fixture) deliver(t *testing.T, commentID, field string) {
	t.Helper()
	f.deliverOn(t, commentID, field, "17890000000000001")
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

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

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

// TestIngester_preparesEachCommentBeforeItIsStored: what an OnPrepare hook
// sets on a delivery's comments (automation's Presuggest sets a rule's
// suggestion) is what the commit stores.
func TestIngester_preparesEachCommentBeforeItIsStored(t *testing.T) {
	f := newFixture(t)
	var seen []string
	f.ing.OnPrepare(func(c *inbox.Comment) {
		seen = append(seen, c.ID)
		c.Username = "prepared " + c.Username
	})
	body := []byte(fmt.Sprintf(`{"object":"instagram","entry":[{"id":%q,"time":%d,"changes":[
		{"field":"comments","value":{"id":"17900000000000101","text":"one","from":{"id":"u1","username":"fan"},"media":{"id":"17890000000000001"}}},
		{"field":"comments","value":{"id":"17900000000000102","text":"two","from":{"id":"u2","username":"ana"},"media":{"id":"17890000000000001"}}}]}]}`,
		f.acct, time.Now().Unix()))
	sig := "sha256=" + hex.EncodeToString(webhook.Sign(simtest.AppSecret, body))
	if _, err := f.ing.Receive(context.Background(), body, sig); err != nil {
		t.Fatal(err)
	}
	if want := []string{"17900000000000101", "17900000000000102"}; !slices.Equal(seen, want) {
		t.Errorf("prepared %v, want %v", seen, want)
	}
	for id, want := range map[string]string{"17900000000000101": "prepared fan", "17900000000000102": "prepared ana"} {
		c, err := f.st.Comment(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Username != want {
			t.Errorf("comment %s stored as %q, want %q", id, c.Username, want)
		}
	}
}
