package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/web/webtest"
)

func TestWebhook_handshake(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	resp, body := send(t, "GET", h.URL+"/webhooks/instagram?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token="+webtest.VerifyToken, "")
	if resp.StatusCode != 200 || body != "1158201444" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("handshake = %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	for _, q := range []string{
		"hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong",
		"hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=" + webtest.VerifyToken,
		"hub.challenge=1",
	} {
		if resp, body := send(t, "GET", h.URL+"/webhooks/instagram?"+q, ""); resp.StatusCode != 403 || !strings.Contains(body, `"error"`) {
			t.Errorf("%s = %d %s, want a JSON 403", q, resp.StatusCode, body)
		}
	}
}

// padded is a valid delivery of exactly n bytes.
func padded(n int) []byte {
	head := []byte(`{"object":"instagram","entry":[],"pad":"`)
	body := append(head, bytes.Repeat([]byte("x"), n-len(head)-2)...)
	return append(body, `"}`...)
}

func TestWebhook_refusalsStoreNothing(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	acct := h.World(t).Accounts[0].ID
	good := hookBody(acct, "17900000000000001")
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
		{"signature of another body", good, sign(hookBody(acct, "17900000000000002")), 401},
		{"malformed JSON", []byte(`{"object":`), sign([]byte(`{"object":`)), 400},
		{"truncated JSON", good[:len(good)-7], sign(good[:len(good)-7]), 400},
		{"one byte over 1 MiB", padded(1<<20 + 1), sign(padded(1<<20 + 1)), 413},
	}
	// Signed, valid JSON, but not deliveries.
	for _, b := range []string{`null`, `[]`, `[{"object":"instagram","entry":[]}]`, `{}`, `"instagram"`, `17`,
		`{"entry":[{"id":"` + acct + `","changes":[{"field":"comments","value":{"id":"17900000000000001"}}]}]}`,
		`{"object":"instagram"}`, `{"object":"instagram","entry":null}`, `{"object":"","entry":[]}`} {
		cases = append(cases, struct {
			name string
			body []byte
			sig  string
			want int
		}{"not a delivery: " + b, []byte(b), sign([]byte(b)), 400})
	}
	for _, tc := range cases {
		code, body := deliver(t, h, tc.body, tc.sig)
		if code != tc.want || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %.200s, want %d with a JSON error", tc.name, code, body, tc.want)
		}
	}
	if d, c := stats(t, h); d != 0 || c != 0 {
		t.Errorf("refused deliveries stored something: %d deliveries, %d comments", d, c)
	}
	// The cap is 1 MiB, not a million bytes.
	if code, body := deliver(t, h, padded(1<<20), sign(padded(1<<20))); code != 200 {
		t.Errorf("a delivery of exactly 1 MiB: %d %.200s", code, body)
	}
}

// TestWebhook_otherObjectsAndOddIDs: a well-formed delivery for another
// object (the Page's, which arrives when it shares the callback URL) is
// answered 200, so that Meta does not retry it or disable the webhooks,
// and stores no comment; comments whose ids are not Meta's digits are
// dropped one by one and counted, beside the good ones.
func TestWebhook_otherObjectsAndOddIDs(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	acct := w.Account("acme.coffee").ID
	h.Login(t, w.User("Ava").ID) // connects the accounts
	page := []byte(`{"object":"page","entry":[{"id":"` + w.Account("acme.coffee").PageID + `","time":1767225600,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1234_5678","message":"hi"}},{"field":"comments","value":{"id":"17900000000000007"}}]}]}`)
	if code, body := deliver(t, h, page, sign(page)); code != 200 {
		t.Errorf("a Page delivery: %d %s, want 200", code, body)
	}
	odd := []byte(`{"object":"instagram","entry":[{"id":"` + acct + `","time":1767225600,"changes":[
		{"field":"comments","value":{"id":"17900000000000011","text":"good","from":{"id":"1234567890123456","username":"fan"},"media":{"id":"17890000000000001","media_product_type":"FEED"}}},
		{"field":"comments","value":{"id":"c12","text":"letters","from":{"id":"1","username":"x"}}},
		{"field":"comments","value":{"id":"17900000000000013","text":"bad media","media":{"id":"../../etc"}}},
		{"field":"comments","value":{"id":"` + strings.Repeat("1", 40) + `","text":"too long"}},
		{"field":"comments","value":{"id":"17900000000000014\u0000","text":"nul"}}]},
		{"id":"acme","time":1767225600,"changes":[{"field":"comments","value":{"id":"17900000000000015","text":"bad account"}}]}]}`)
	if code, body := deliver(t, h, odd, sign(odd)); code != 200 {
		t.Fatalf("a delivery with odd ids: %d %s, want 200", code, body)
	}
	if d, c := stats(t, h); d != 2 || c != 1 {
		t.Errorf("stored %d deliveries and %d comments, want 2 and 1 (the good one)", d, c)
	}
	if _, err := h.App.Store.Comment(context.Background(), "17900000000000011"); err != nil {
		t.Errorf("the good comment: %v", err)
	}
	if n, err := h.App.Store.RejectedComments(context.Background()); err != nil || n != 5 {
		t.Errorf("rejected comments counted: %d %v, want 5", n, err)
	}
}

// TestWebhook_chunkedBodyCap: a body sent without Content-Length (chunked)
// is held to the same 1 MiB cap while it is read: 413 above it, not 400.
func TestWebhook_chunkedBodyCap(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	chunked := func(body []byte) (int, string) {
		t.Helper()
		// A reader of unknown length makes the client send it chunked.
		return deliverFrom(t, h, io.MultiReader(bytes.NewReader(body)), -1, sign(body))
	}
	if code, body := chunked(padded(1<<20 + 1)); code != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"too_large"`) {
		t.Errorf("chunked body one byte over 1 MiB: %d %.200s, want 413 too_large", code, body)
	}
	if code, body := chunked(padded(4 << 20)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body of 4 MiB: %d %.200s, want 413", code, body)
	}
	if d, c := stats(t, h); d != 0 || c != 0 {
		t.Errorf("refused deliveries stored something: %d deliveries, %d comments", d, c)
	}
	if code, body := chunked(padded(1 << 20)); code != 200 {
		t.Errorf("chunked body of exactly 1 MiB: %d %.200s, want 200", code, body)
	}
}

// TestWebhook_storesOnceAndPublishes: retries and ad duplicates store one
// comment each, deliveries are all kept, and each new comment reaches the
// change feed once.
func TestWebhook_storesOnceAndPublishes(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	acct := w.Account("acme.coffee").ID
	h.Login(t, w.User("Ava").ID) // connects the accounts
	sub := h.App.Hub.Subscribe([]string{acct})
	defer sub.Close()
	body := hookBody(acct, "17900000000000001", "17900000000000002")
	for i := range 3 { // Meta retries; ads arrive twice
		if code, b := deliver(t, h, body, sign(body)); code != 200 {
			t.Fatalf("delivery %d: %d %s", i, code, b)
		}
	}
	unknown := hookBody("999", "17900000000000009")
	if code, _ := deliver(t, h, unknown, sign(unknown)); code != 200 {
		t.Fatalf("unknown account delivery: %d", code)
	}
	other := []byte(`{"object":"instagram","entry":[{"id":"` + acct + `","time":1,"changes":[{"field":"mentions","value":{"x":1}}]}],"new_top_level":1}`)
	if code, _ := deliver(t, h, other, sign(other)); code != 200 {
		t.Fatalf("unknown field delivery: %d", code)
	}
	if d, c := stats(t, h); d != 5 || c != 2 {
		t.Errorf("stored %d deliveries and %d comments, want 5 and 2", d, c)
	}
	got, err := sub.Next(nil) // the store publishes before the 200
	if err != nil || len(got) != 2 || got[0].CommentID != "17900000000000001" || got[1].CommentID != "17900000000000002" || got[1].Position <= got[0].Position {
		t.Errorf("published %+v %v, want c1 then c2", got, err)
	}
	cm, err := h.App.Store.Comment(context.Background(), "17900000000000001")
	if err != nil {
		t.Fatal(err)
	}
	if cm.Text != "hi é" || cm.Username != "fan" || cm.Status != "open" || cm.Surface != "post" {
		t.Errorf("stored comment = %+v", cm)
	}
}

// TestWebhook_concurrentDeliveriesAllDurable sends many deliveries at once
// (group commit) and checks every 200 is in the database.
func TestWebhook_concurrentDeliveriesAllDurable(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	h.Login(t, w.User("Ava").ID)
	acct := w.Account("acme.coffee").ID
	const n = 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range n {
		wg.Go(func() {
			body := hookBody(acct, fmt.Sprintf("1793%013d", i))
			if code, _ := deliver(t, h, body, sign(body)); code == 200 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if d, c := stats(t, h); ok != n || d != n || c != n {
		t.Errorf("%d answered 200; stored %d deliveries, %d comments; want %d each", ok, d, c, n)
	}
}

// TestWebhook_fromSimulator runs deliveries from the simulated Meta platform
// end to end: its signing, escaping, ads, and the account's own comments.
func TestWebhook_fromSimulator(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	acct := w.Account("acme.coffee")
	h.Login(t, w.User("Ava").ID) // connects the accounts: their webhooks flow from now on
	sub := h.App.Hub.Subscribe([]string{acct.ID})
	defer sub.Close()
	var adMedia string
	for _, m := range w.Media {
		if m.AccountID == acct.ID && m.AdID != "" {
			adMedia = m.ID
		}
	}
	own := h.Sim.Comment(t, map[string]any{"account": acct.ID, "text": "own", "username": acct.Username})
	text := h.Sim.Comment(t, map[string]any{"account": acct.ID, "text": "Ça coûte combien ? 😍 <script>x</script>"})
	ad := h.Sim.Comment(t, map[string]any{"account": acct.ID, "ad": true, "media": adMedia, "text": "Ships to Canada?"})
	seen := map[string]bool{}
	deadline := time.After(10 * time.Second)
	for !seen[ad] || !seen[text] {
		select {
		case <-sub.Ready():
			got, _ := sub.Next(nil)
			for _, c := range got {
				seen[c.CommentID] = true
			}
		case <-deadline:
			t.Fatalf("simulator comments not stored: %v", seen)
		}
	}
	if c, _ := h.App.Store.Comment(context.Background(), text); c.Text != "Ça coûte combien ? 😍 <script>x</script>" {
		t.Errorf("text = %q", c.Text)
	}
	if c, _ := h.App.Store.Comment(context.Background(), ad); c.Surface != "ad" || c.AdTitle == "" {
		t.Errorf("ad comment = %+v", c)
	}
	// Once the simulator saw the own comment's delivery answered, it must
	// not be in the inbox.
	waitFor(t, 10*time.Second, "the own comment's delivery", func() bool {
		var out struct {
			Deliveries []struct {
				Outcome  string   `json:"outcome"`
				Comments []string `json:"comment_ids"`
			} `json:"deliveries"`
		}
		h.Sim.Control(t, "GET", "/control/deliveries", nil, &out)
		for _, d := range out.Deliveries {
			if d.Outcome == "delivered" && slices.Contains(d.Comments, own) {
				return true
			}
		}
		return false
	})
	if _, err := h.App.Store.Comment(context.Background(), own); err == nil || seen[own] {
		t.Error("the account's own comment was stored")
	}
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// syncBuffer is a log destination that tests read while the app writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestWebhook_deliveriesAreCountedNotLogged: deliveries, accepted or
// refused, leave no line each in the request log (the summary line counts
// them), while the handshake and pages are logged as before.
func TestWebhook_deliveriesAreCountedNotLogged(t *testing.T) {
	var logs syncBuffer
	h := webtest.New(t, webtest.Options{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	w := h.World(t)
	h.Login(t, w.User("Ava").ID)
	acct := w.Account("acme.coffee").ID
	for i, body := range [][]byte{hookBody(acct, "q1"), hookBody(acct, "q1"), hookBody("999", "q2")} {
		if code, b := deliver(t, h, body, sign(body)); code != 200 {
			t.Fatalf("delivery %d: %d %s", i, code, b)
		}
	}
	if code, _ := deliver(t, h, hookBody(acct, "q3"), "sha256=nothex"); code != 401 {
		t.Fatalf("forged delivery: %d", code)
	}
	send(t, "GET", h.URL+"/webhooks/instagram?hub.mode=subscribe&hub.challenge=7&hub.verify_token="+webtest.VerifyToken, "")
	send(t, "GET", h.URL+"/login", "")
	waitFor(t, 5*time.Second, "the login page's log line", func() bool { return strings.Contains(logs.String(), "path=/login") })
	out := logs.String()
	if strings.Contains(out, "method=POST path=/webhooks/instagram") || strings.Contains(out, "bad signature") ||
		strings.Contains(out, "not connected") {
		t.Errorf("deliveries were logged one by one:\n%s", out)
	}
	if !strings.Contains(out, "method=GET path=/webhooks/instagram status=200") {
		t.Errorf("the handshake was not logged:\n%s", out)
	}
}
