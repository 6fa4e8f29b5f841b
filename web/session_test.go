package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/internal/crypt"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

// sessionServer is the web server with real auth and store (Meta is never
// called by these tests) and a logged-in session for a user with one account.
func sessionServer(t *testing.T, secure bool) (*httptest.Server, auth.NewSession) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, _ := crypt.NewKeys("web-test-secret-0123456789abcdef0123")
	mc := meta.New(meta.Options{GraphURL: "http://127.0.0.1:1", Version: "v25.0", AppID: "1", AppSecret: "s"})
	svc, err := auth.New(auth.Options{BaseURL: "http://app.test", AppID: "1", AppSecret: "s", GraphURL: "http://127.0.0.1:1",
		DialogURL: "http://127.0.0.1:1", GraphVersion: "v25.0", Secure: secure}, st, mc, keys)
	if err != nil {
		t.Fatal(err)
	}
	sim := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	s, err := New(Deps{Health: st, Webhooks: refuseAll{}, Auth: svc, Accounts: st, Sim: sim, Options: Options{Secure: secure, Demo: true}})
	if err != nil {
		t.Fatal(err)
	}
	u := storetest.Login(t, st, "Ava Martin", storetest.NewAccount("acme.coffee"))
	ns, err := svc.StartSession(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, ns
}

func send(t *testing.T, method, url string, body string, hdr ...string) *http.Response {
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
	resp.Body.Close()
	return resp
}

func TestCSRF_exemptionsAndHeader(t *testing.T) {
	ts, ns := sessionServer(t, false)
	cookie := auth.SessionCookie + "=" + ns.Cookie
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		hdr    []string
		want   int
	}{
		{"form without token", "POST", "/team/1/role", "role=admin", []string{"Cookie", cookie, "Content-Type", form}, 403},
		{"header token", "POST", "/team/1/role", "role=admin", []string{"Cookie", cookie, "Content-Type", form, "X-CSRF-Token", ns.CSRF}, 303},
		{"form token", "POST", "/team/1/role", "role=admin&csrf=" + ns.CSRF, []string{"Cookie", cookie, "Content-Type", form}, 303},
		{"delete without token", "DELETE", "/team/1/role", "", []string{"Cookie", cookie}, 403},
		{"webhooks exempt", "POST", "/webhooks/instagram", "{}", []string{"Cookie", cookie}, 0},
		{"simulator exempt", "POST", "/_sim/control/faults", "{}", []string{"Cookie", cookie}, http.StatusTeapot},
		{"bearer exempt", "POST", "/api/v1/nothing", "{}", []string{"Cookie", cookie, "Authorization", "Bearer x"}, 404},
		{"logged out write", "POST", "/team/1/role", "role=admin", []string{"Content-Type", form}, 403},
		{"logout without a session", "POST", "/logout", "", nil, 303},
		{"logout without token", "POST", "/logout", "", []string{"Cookie", cookie}, 403},
	}
	for _, tc := range cases {
		resp := send(t, tc.method, ts.URL+tc.path, tc.body, tc.hdr...)
		if (tc.want == 0 && resp.StatusCode == http.StatusForbidden) || (tc.want != 0 && resp.StatusCode != tc.want) {
			t.Errorf("%s: %d, want %d (0: anything but 403)", tc.name, resp.StatusCode, tc.want)
		}
	}
}

func TestRequireUser_redirectsPagesAndRefusesAPI(t *testing.T) {
	ts, ns := sessionServer(t, true)
	if r := send(t, "GET", ts.URL+"/accounts", ""); r.StatusCode != 303 || r.Header.Get("Location") != "/login" {
		t.Errorf("page = %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r := send(t, "GET", ts.URL+"/accounts", "", "HX-Request", "true"); r.StatusCode != 204 || r.Header.Get("HX-Redirect") != "/login" {
		t.Errorf("htmx = %d %s", r.StatusCode, r.Header.Get("HX-Redirect"))
	}
	if r := send(t, "GET", ts.URL+"/api/v1/accounts", ""); r.StatusCode != 401 {
		t.Errorf("api = %d", r.StatusCode)
	}
	if r := send(t, "GET", ts.URL+"/", "", "Cookie", auth.SessionCookie+"="+ns.Cookie); r.StatusCode != 303 || r.Header.Get("Location") != "/inbox" {
		t.Errorf("home logged in = %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	// A stale cookie is cleared, with the same attributes (Secure here).
	r := send(t, "GET", ts.URL+"/login", "", "Cookie", auth.SessionCookie+"=stale")
	if sc := r.Header.Get("Set-Cookie"); !strings.Contains(sc, "Max-Age=0") || !strings.Contains(sc, "Secure") || !strings.Contains(sc, "HttpOnly") {
		t.Errorf("stale cookie answer: %s", sc)
	}
}
