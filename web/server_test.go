package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/store"
)

// refuseAll stands in where a test does not deliver webhooks.
type refuseAll struct{}

func (refuseAll) Receive(context.Context, []byte, string) (store.DeliveryResult, error) {
	return store.DeliveryResult{}, errors.New("no webhooks in this test")
}

type failingHealth struct{}

func (failingHealth) Ping(context.Context) error { return errors.New("disk on fire") }

func newTestServer(t *testing.T, h HealthChecker) *httptest.Server {
	t.Helper()
	if h == nil {
		st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		h = st
	}
	s, err := New(Deps{Health: h, Webhooks: refuseAll{}, Options: Options{Demo: true}})
	if err != nil {
		t.Fatal(err)
	}
	s.e.GET("/boom", func(echo.Context) error { panic("boom") })
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
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
	ts := newTestServer(t, nil)
	resp, body := get(t, ts.URL+"/healthz")
	if resp.StatusCode != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Errorf("healthz = %d %s", resp.StatusCode, body)
	}
	bad := newTestServer(t, failingHealth{})
	resp, _ = get(t, bad.URL+"/healthz")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz with a failing database = %d, want 503", resp.StatusCode)
	}
}

func TestErrors_htmlForPagesJSONForAPI(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := get(t, ts.URL+"/no-such-page")
	if resp.StatusCode != 404 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `data-testid="error-page"`) {
		t.Errorf("page 404 = %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, body = get(t, ts.URL+"/api/v1/nothing")
	var e apiError
	if resp.StatusCode != 404 || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != "not_found" || e.Error.Message == "" {
		t.Errorf("api 404 = %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, ts.URL+"/boom")
	if resp.StatusCode != 500 || strings.Contains(body, "boom") {
		t.Errorf("panic = %d, body leaks the panic: %v", resp.StatusCode, strings.Contains(body, "boom"))
	}
}

func TestSecureHeadersAndRequestID(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, _ := get(t, ts.URL+"/login")
	h := resp.Header
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	} {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("CSP = %q", h.Get("Content-Security-Policy"))
	}
	if h.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
}

func TestStatic_versionedAndCached(t *testing.T) {
	ts := newTestServer(t, nil)
	_, page := get(t, ts.URL+"/login")
	i := strings.Index(page, "/static/css/app.css?v=")
	if i < 0 {
		t.Fatal("page does not link the versioned stylesheet")
	}
	href := page[i : i+strings.IndexByte(page[i:], '"')]
	resp, css := get(t, ts.URL+href, "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("css = %d cache %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("css not gzipped")
	}
	_ = css
	resp, js := get(t, ts.URL+"/static/js/htmx.min.js")
	if resp.StatusCode != 200 || !strings.Contains(js, `version:"2.0.11"`) && !strings.Contains(js, "2.0.11") {
		t.Errorf("htmx = %d", resp.StatusCode)
	}
}

func TestHome_redirectsToLogin(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, _ := get(t, ts.URL+"/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("/ = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
