package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/web/webtest"
)

// send makes a request with the given headers (pairs), redirects not
// followed, and answers the response with its body read.
func send(t *testing.T, method, url, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestHealthz(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	resp, body := send(t, "GET", h.URL+"/healthz", "")
	if resp.StatusCode != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Errorf("healthz = %d %s", resp.StatusCode, body)
	}
	h.App.Store.Close() // the database goes away
	if resp, _ := send(t, "GET", h.URL+"/healthz", ""); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz with the database closed = %d, want 503", resp.StatusCode)
	}
}

// TestErrors_formatPerRouteGroup: pages answer HTML, the API JSON, and an
// htmx action a toast; unknown paths answer in their group's format.
func TestErrors_formatPerRouteGroup(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	resp, body := send(t, "GET", h.URL+"/no-such-page", "")
	if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `data-testid="error-page"`) {
		t.Errorf("page 404 = %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	resp, body = send(t, "GET", h.URL+"/api/v1/nothing", "")
	if resp.StatusCode != 401 || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != "unauthorized" {
		t.Errorf("api logged out = %d %s", resp.StatusCode, body)
	}
	ava := h.Login(t, h.World(t).User("Ava").ID)
	r := ava.Get(t, "/api/v1/nothing")
	if r.Status != 404 || json.Unmarshal([]byte(r.Body), &e) != nil || e.Error.Code != "not_found" || e.Error.Message == "" {
		t.Errorf("api 404 = %d %s", r.Status, r.Body)
	}
	req, _ := http.NewRequest("POST", h.URL+"/inbox/comments/nope/status", strings.NewReader("status=done"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", ava.CSRF)
	r = ava.Do(t, req)
	if r.Status != 404 || r.Header.Get("HX-Reswap") != "none" || r.Find("[data-testid=toast]").Length() != 1 {
		t.Errorf("htmx action error = %d %q %.300s", r.Status, r.Header.Get("HX-Reswap"), r.Body)
	}
}

func TestSecureHeadersAndRequestID(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	resp, _ := send(t, "GET", h.URL+"/login", "")
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("CSP = %q", resp.Header.Get("Content-Security-Policy"))
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
}

func TestStatic_versionedAndCached(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	_, page := send(t, "GET", h.URL+"/login", "")
	i := strings.Index(page, "/static/css/app.css?v=")
	if i < 0 {
		t.Fatal("page does not link the versioned stylesheet")
	}
	href := page[i : i+strings.IndexByte(page[i:], '"')]
	resp, _ := send(t, "GET", h.URL+href, "", "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("css = %d cache %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	resp, js := send(t, "GET", h.URL+"/static/js/htmx.min.js", "")
	if resp.StatusCode != 200 || !strings.Contains(js, "2.0.11") {
		t.Errorf("htmx = %d", resp.StatusCode)
	}
}

func TestCSRF_onEveryWrite(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	ava := h.Login(t, h.World(t).User("Ava").ID)
	cookie := "replydesk_session=" + ava.SessionCookie()
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name, method, path, body string
		hdr                      []string
		want                     int
	}{
		{"form without token", "POST", "/team/1/role", "role=admin", []string{"Cookie", cookie, "Content-Type", form}, 403},
		{"header token", "POST", "/team/1/role", "role=admin", []string{"Cookie", cookie, "Content-Type", form, "X-CSRF-Token", ava.CSRF}, 303},
		{"form token", "POST", "/team/1/role", "role=admin&csrf=" + ava.CSRF, []string{"Cookie", cookie, "Content-Type", form}, 303},
		{"delete without token", "DELETE", "/api/v1/templates/1", "", []string{"Cookie", cookie}, 403},
		{"an invalid Bearer token is refused, not taken for the session", "POST", "/api/v1/comments/x/status", `{"status":"done"}`,
			[]string{"Cookie", cookie, "Authorization", "Bearer x", "Content-Type", "application/json"}, 401},
		{"logged out write", "POST", "/team/1/role", "role=admin", []string{"Content-Type", form}, 303},
		{"logged out API write", "POST", "/api/v1/templates", "{}", []string{"Content-Type", "application/json"}, 401},
		{"logout without a session", "POST", "/logout", "", nil, 303},
		{"logout without token", "POST", "/logout", "", []string{"Cookie", cookie}, 403},
	}
	for _, tc := range cases {
		if resp, body := send(t, tc.method, h.URL+tc.path, tc.body, tc.hdr...); resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d: %.200s", tc.name, resp.StatusCode, tc.want, body)
		}
	}
}

func TestRequireUser_redirectsPagesAndRefusesAPI(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	if r, _ := send(t, "GET", h.URL+"/accounts", ""); r.StatusCode != 303 || r.Header.Get("Location") != "/login" {
		t.Errorf("page = %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r, _ := send(t, "GET", h.URL+"/accounts", "", "HX-Request", "true"); r.StatusCode != 204 || r.Header.Get("HX-Redirect") != "/login" {
		t.Errorf("htmx = %d %s", r.StatusCode, r.Header.Get("HX-Redirect"))
	}
	if r, _ := send(t, "GET", h.URL+"/api/v1/accounts", ""); r.StatusCode != 401 {
		t.Errorf("api = %d", r.StatusCode)
	}
	if r, _ := send(t, "GET", h.URL+"/", ""); r.StatusCode != 303 || r.Header.Get("Location") != "/login" {
		t.Errorf("home logged out = %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	ava := h.Login(t, h.World(t).User("Ava").ID)
	if r := ava.Get(t, "/"); r.Status != 303 || r.Location() != "/inbox" {
		t.Errorf("home logged in = %d %s", r.Status, r.Location())
	}
	// A stale cookie is cleared.
	r, _ := send(t, "GET", h.URL+"/login", "", "Cookie", "replydesk_session=stale")
	if sc := r.Header.Get("Set-Cookie"); !strings.Contains(sc, "Max-Age=0") || !strings.Contains(sc, "HttpOnly") {
		t.Errorf("stale cookie answer: %s", sc)
	}
}

// TestNoAccounts: a logged-in person without any account gets the friendly
// page, and neither the API nor a live stream.
func TestNoAccounts(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	chloe := h.Login(t, h.World(t).User("Chloé").ID)
	if r := chloe.Get(t, "/inbox"); r.Status != 200 || r.Find("[data-testid=no-access]").Length() == 0 {
		t.Errorf("inbox = %d %.300s", r.Status, r.Body)
	}
	for _, path := range []string{"/api/v1/templates", "/api/v1/comments", "/inbox/events"} {
		if r := chloe.Get(t, path); r.Status != 403 || !strings.Contains(r.Body, "no_accounts") {
			t.Errorf("%s = %d %.200s", path, r.Status, r.Body)
		}
	}
}

// hookBody is a signed-ready delivery of comments to account.
func hookBody(account string, ids ...string) []byte {
	var changes []string
	for _, id := range ids {
		changes = append(changes, fmt.Sprintf(`{"field":"comments","value":{"id":%q,"text":"hi \u00e9","from":{"id":"u-%s","username":"fan"},"media":{"id":"17890000000000001","media_product_type":"FEED"}}}`, id, id))
	}
	return []byte(fmt.Sprintf(`{"object":"instagram","entry":[{"id":%q,"time":%d,"changes":[%s]}]}`,
		account, time.Now().Unix(), strings.Join(changes, ",")))
}

func sign(body []byte) string {
	m := hmac.New(sha256.New, []byte(webtest.AppSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func deliver(t *testing.T, h *webtest.Harness, body []byte, sig string) (int, string) {
	t.Helper()
	return deliverFrom(t, h, bytes.NewReader(body), int64(len(body)), sig)
}

// deliverFrom posts a delivery of length bytes read from body (-1: unknown,
// so it is sent chunked).
func deliverFrom(t *testing.T, h *webtest.Harness, body io.Reader, length int64, sig string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/webhooks/instagram", body)
	req.ContentLength = length
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

func stats(t *testing.T, h *webtest.Harness) (deliveries, comments int64) {
	t.Helper()
	d, c, err := h.App.Store.DeliveryStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d, c
}
