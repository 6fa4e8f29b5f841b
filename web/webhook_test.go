package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/ingest"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/metasim/simtest"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

const hookSecret = simtest.AppSecret

// ingestApp is the web server with real SQLite and a running Ingester.
type ingestApp struct {
	URL string
	st  *store.Store
	hub *live.Memory
}

func newIngestApp(t *testing.T, accounts ...string) *ingestApp {
	t.Helper()
	st := storetest.New(t)
	for i, id := range accounts {
		storetest.Account(t, st, id, fmt.Sprintf("page-%d", i), "acct"+id, nil)
	}
	hub := live.NewMemory()
	ing := ingest.NewIngester(hookSecret, st, hub, slog.New(slog.DiscardHandler), time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ing.Run(ctx); close(done) }()
	s, err := New(Deps{Health: st, Webhooks: ing, Options: Options{VerifyToken: simtest.VerifyToken}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); cancel(); <-done })
	return &ingestApp{URL: ts.URL, st: st, hub: hub}
}

func sign(body []byte) string {
	m := hmac.New(sha256.New, []byte(hookSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (a *ingestApp) post(t *testing.T, body []byte, sig string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/webhooks/instagram", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (a *ingestApp) counts(t *testing.T) (deliveries, comments int64) {
	t.Helper()
	d, c, err := a.st.DeliveryStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d, c
}

func commentBody(account string, ids ...string) []byte {
	var changes []string
	for _, id := range ids {
		changes = append(changes, fmt.Sprintf(`{"field":"comments","value":{"id":%q,"text":"hi \u00e9","from":{"id":"u-%s","username":"fan"},"media":{"id":"m1","media_product_type":"FEED"}}}`, id, id))
	}
	return []byte(fmt.Sprintf(`{"object":"instagram","entry":[{"id":%q,"time":%d,"changes":[%s]}]}`,
		account, time.Now().Unix(), strings.Join(changes, ",")))
}

func TestWebhook_handshake(t *testing.T) {
	a := newIngestApp(t)
	resp, body := get(t, a.URL+"/webhooks/instagram?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token="+simtest.VerifyToken)
	if resp.StatusCode != 200 || body != "1158201444" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("handshake = %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	for _, q := range []string{
		"hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong",
		"hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=" + simtest.VerifyToken,
		"hub.challenge=1",
	} {
		if resp, _ := get(t, a.URL+"/webhooks/instagram?"+q); resp.StatusCode != 403 {
			t.Errorf("%s = %d, want 403", q, resp.StatusCode)
		}
	}
}

func TestWebhook_refusalsStoreNothing(t *testing.T) {
	a := newIngestApp(t, "17841400000000001")
	good := commentBody("17841400000000001", "c1")
	huge := append([]byte(`{"object":"instagram","entry":[],"pad":"`), bytes.Repeat([]byte("x"), 1<<20)...)
	huge = append(huge, `"}`...)
	cases := []struct {
		name string
		body []byte
		sig  string
		want int
	}{
		{"missing signature", good, "", 401},
		{"malformed signature", good, "sha256=nothex", 401},
		{"sha1 signature", good, "sha1=" + strings.Repeat("a", 40), 401},
		{"forged signature", good, "sha256=" + strings.Repeat("ab", 32), 401},
		{"signature of another body", good, sign(commentBody("17841400000000001", "c2")), 401},
		{"malformed JSON", []byte(`{"object":`), sign([]byte(`{"object":`)), 400},
		{"truncated JSON", good[:len(good)-7], sign(good[:len(good)-7]), 400},
		{"over 1 MiB", huge, sign(huge), 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := a.post(t, tc.body, tc.sig)
			if code != tc.want {
				t.Errorf("status = %d %s, want %d", code, body, tc.want)
			}
			if !strings.Contains(body, `"error"`) {
				t.Errorf("no JSON error body: %s", body)
			}
		})
	}
	if d, c := a.counts(t); d != 0 || c != 0 {
		t.Errorf("refused deliveries stored something: %d deliveries, %d comments", d, c)
	}
}

func TestWebhook_storesOnceAndPublishes(t *testing.T) {
	a := newIngestApp(t, "17841400000000001")
	events, cancel := a.hub.Subscribe(context.Background())
	defer cancel()
	body := commentBody("17841400000000001", "c1", "c2")
	for i := 0; i < 3; i++ { // Meta retries; ads arrive twice
		if code, b := a.post(t, body, sign(body)); code != 200 {
			t.Fatalf("delivery %d: %d %s", i, code, b)
		}
	}
	unknown := commentBody("999", "c9")
	if code, _ := a.post(t, unknown, sign(unknown)); code != 200 {
		t.Fatalf("unknown account delivery: %d", code)
	}
	other := []byte(`{"object":"instagram","entry":[{"id":"17841400000000001","time":1,"changes":[{"field":"mentions","value":{"x":1}}]}],"new_top_level":1}`)
	if code, _ := a.post(t, other, sign(other)); code != 200 {
		t.Fatalf("unknown field delivery: %d", code)
	}
	d, c := a.counts(t)
	if d != 5 || c != 2 {
		t.Errorf("stored %d deliveries and %d comments, want 5 and 2", d, c)
	}
	got := map[string]bool{}
	for len(got) < 2 {
		select {
		case e := <-events:
			if e.Kind != live.CommentNew {
				t.Errorf("event %+v", e)
			}
			got[e.CommentID] = true
		case <-time.After(2 * time.Second):
			t.Fatalf("published %v, want c1 and c2", got)
		}
	}
	cm, err := a.st.Comment(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if cm.Text != "hi é" || cm.Username != "fan" || cm.DeadlineExact || cm.Status != "open" || cm.Surface != "post" {
		t.Errorf("stored comment = %+v", cm)
	}
}

// TestWebhook_concurrentDeliveriesAllDurable sends many deliveries at once
// (group commit) and checks every 200 is in the database.
func TestWebhook_concurrentDeliveriesAllDurable(t *testing.T) {
	a := newIngestApp(t, "17841400000000001")
	const n = 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range n {
		wg.Go(func() {
			body := commentBody("17841400000000001", fmt.Sprintf("cc%d", i))
			if code, _ := a.post(t, body, sign(body)); code == 200 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if d, c := a.counts(t); ok != n || d != n || c != n {
		t.Errorf("%d answered 200; stored %d deliveries, %d comments; want %d each", ok, d, c, n)
	}
}

// TestWebhook_fromSimulator runs deliveries from the simulated Meta platform
// end to end: its signing, escaping, batching and ad duplicates.
func TestWebhook_fromSimulator(t *testing.T) {
	a := newIngestApp(t)
	sim := simtest.Start(t, simtest.Options{WebhookURL: a.URL + "/webhooks/instagram"})
	w := sim.World()
	acct := w.Accounts[0].ID
	storetest.Account(t, a.st, acct, w.Accounts[0].PageID, w.Accounts[0].Username, nil)
	tokens := sim.Login(w.Users[0].ID)
	sim.Subscribe(tokens[acct])
	var adMedia string
	for _, m := range w.Media {
		if m.AccountID == acct && m.AdID != "" {
			adMedia = m.ID
		}
	}
	ids := []string{
		sim.Comment(map[string]any{"account": acct, "text": "Ça coûte combien ? 😍 <script>x</script>"}),
		sim.Comment(map[string]any{"account": acct, "ad": true, "media": adMedia, "text": "Ships to Canada?"}),
		sim.Comment(map[string]any{"account": acct, "text": "own", "username": w.Accounts[0].Username}),
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c1, err1 := a.st.Comment(context.Background(), ids[0])
		c2, err2 := a.st.Comment(context.Background(), ids[1])
		if err1 == nil && err2 == nil {
			if c1.Text != "Ça coûte combien ? 😍 <script>x</script>" {
				t.Errorf("text = %q", c1.Text)
			}
			if c2.Surface != "ad" || c2.AdTitle == "" {
				t.Errorf("ad comment = %+v", c2)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("simulator comments not stored: %v %v", err1, err2)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := a.st.Comment(context.Background(), ids[2]); err == nil {
		t.Error("the account's own comment was stored")
	}
}
