package metasim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// appCallbacks is the app's side of the callbacks: it records each POST
// and answers as told.
type appCallbacks struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    map[string][]url.Values // path → forms received
	status int
	body   string
}

func newAppCallbacks(t *testing.T) *appCallbacks {
	a := &appCallbacks{got: map[string][]url.Values{}, status: http.StatusOK, body: `{"ok":true}`}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		a.mu.Lock()
		a.got[r.URL.Path] = append(a.got[r.URL.Path], form)
		status, body := a.status, a.body
		a.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *appCallbacks) forms(path string) []url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]url.Values(nil), a.got[path]...)
}

// verifySigned checks a signed_request with its own decoder (padding
// tolerated) and answers the payload.
func verifySigned(t *testing.T, signed string) map[string]any {
	t.Helper()
	sig, payload, ok := strings.Cut(signed, ".")
	if !ok {
		t.Fatalf("signed_request %q has no dot", signed)
	}
	rawSig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(sig, "="))
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	mac := hmac.New(sha256.New, []byte(testAppSecret))
	mac.Write([]byte(payload))
	if !hmac.Equal(rawSig, mac.Sum(nil)) {
		t.Fatalf("bad signature on %q", signed)
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("payload %s: %v", b, err)
	}
	return out
}

func withApp(a *appCallbacks) harnessOpt {
	return withConfig(func(c *Config) { c.WebhookURL = a.srv.URL + "/webhooks/instagram" })
}

func TestCallbacks_deauthorizeRevokesAndSigns(t *testing.T) {
	app := newAppCallbacks(t)
	h := newHarness(t, withApp(app))
	ava := h.user(0)
	long := h.longToken(h.login(ava, allScopes))
	page := h.pageToken(long, h.page(0))
	other := h.longToken(h.login(h.user(1), allScopes))

	r := h.postJSON("/control/deauthorize", map[string]string{"user": ava})
	h.wantStatus(r, http.StatusOK)
	var ans callbackAnswer
	h.decode(r, &ans)
	if ans.URL != app.srv.URL+"/meta/deauthorize" || ans.Status != 200 || ans.Body != `{"ok":true}` {
		t.Fatalf("answer %s", r.body)
	}
	forms := app.forms("/meta/deauthorize")
	if len(forms) != 1 || forms[0].Get("signed_request") != ans.SignedRequest {
		t.Fatalf("app got %v", forms)
	}
	p := verifySigned(t, ans.SignedRequest)
	if p["algorithm"] != "HMAC-SHA256" || p["user_id"] != ava || p["issued_at"] != float64(testEpoch.Unix()) {
		t.Fatalf("payload %v", p)
	}
	if sig, _, _ := strings.Cut(ans.SignedRequest, "."); !strings.HasSuffix(sig, "=") {
		t.Fatalf("signature %q is not padded", sig)
	}
	h.wantGraphError(h.get("/me?access_token="+long), 400, 190, 460)
	h.wantGraphError(h.get("/me?access_token="+page), 400, 190, 460)
	h.wantStatus(h.get("/me?access_token="+other), http.StatusOK) // others keep theirs
	// Logging in again works, and asks afresh.
	again := h.login(ava, "pages_show_list")
	h.wantStatus(h.get("/me?access_token="+again), http.StatusOK)
	r = h.get("/me/permissions?access_token=" + again)
	if strings.Contains(string(r.body), "instagram_manage_comments") {
		t.Fatalf("old grants survived: %s", r.body)
	}
}

func TestCallbacks_dataDeletionPassesTheAnswerBack(t *testing.T) {
	app := newAppCallbacks(t)
	app.body = `{"url":"https://app.test/meta/deletion/abc123","confirmation_code":"abc123"}`
	h := newHarness(t, withApp(app))
	long := h.longToken(h.login(h.user(0), allScopes))
	r := h.postJSON("/control/data-deletion", map[string]string{"user": h.user(0)})
	h.wantStatus(r, http.StatusOK)
	var ans callbackAnswer
	h.decode(r, &ans)
	if ans.URL != app.srv.URL+"/meta/data-deletion" || ans.Status != 200 || ans.Body != app.body {
		t.Fatalf("answer %s", r.body)
	}
	p := verifySigned(t, app.forms("/meta/data-deletion")[0].Get("signed_request"))
	if p["user_id"] != h.user(0) || p["expires"] != float64(testEpoch.Add(time.Hour).Unix()) {
		t.Fatalf("payload %v", p)
	}
	h.wantStatus(h.get("/me?access_token="+long), http.StatusOK) // only deauthorize revokes

	app.mu.Lock()
	app.status, app.body = http.StatusBadRequest, "bad signature"
	app.mu.Unlock()
	r = h.postJSON("/control/data-deletion", map[string]string{"user": h.user(1)})
	h.decode(r, &ans)
	if r.status != http.StatusOK || ans.Status != http.StatusBadRequest || ans.Body != "bad signature" {
		t.Fatalf("answer %d %s", r.status, r.body)
	}
}

func TestCallbacks_refusals(t *testing.T) {
	app := newAppCallbacks(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	h := newHarness(t, withApp(app), withConfig(func(c *Config) { c.DeauthorizeURL = closed.URL + "/gone" }))
	bare := newHarness(t)
	tok := h.longToken(h.login(h.user(2), "email"))
	tests := []struct {
		name   string
		h      *harness
		path   string
		body   string
		status int
	}{
		{"no user", h, "/control/deauthorize", `{}`, 400},
		{"unknown user", h, "/control/data-deletion", `{"user":"42"}`, 400},
		{"unknown field", h, "/control/data-deletion", `{"user_id":"42"}`, 400},
		{"no callback configured", bare, "/control/deauthorize", `{"user":"` + h.user(0) + `"}`, 400},
		{"app unreachable", h, "/control/deauthorize", `{"user":"` + h.user(2) + `"}`, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.h.do("POST", tt.path, strings.NewReader(tt.body), "application/json")
			if r.status != tt.status || !strings.Contains(string(r.body), `"error"`) {
				t.Fatalf("got %d %s, want %d", r.status, r.body, tt.status)
			}
		})
	}
	// The user removed the app even though the app did not hear of it.
	h.wantGraphError(h.get("/me?access_token="+tok), 400, 190, 460)
}

func TestCallbacks_configDefaults(t *testing.T) {
	tests := []struct {
		name                  string
		cfg                   Config
		deauth, deletion, err string
	}{
		{"from the webhook URL", Config{WebhookURL: "http://127.0.0.1:8080/webhooks/instagram"},
			"http://127.0.0.1:8080/meta/deauthorize", "http://127.0.0.1:8080/meta/data-deletion", ""},
		{"explicit", Config{WebhookURL: "http://a.test/webhooks/instagram", DeauthorizeURL: "https://b.test/d"},
			"https://b.test/d", "http://a.test/meta/data-deletion", ""},
		{"no webhook", Config{}, "", "", ""},
		{"relative", Config{DataDeletionURL: "/meta/data-deletion"}, "", "", "DataDeletionURL"},
		{"unknown permission", Config{LoginConfigID: "1", LoginConfigScopes: []string{"nope"}}, "", "", "LoginConfigScopes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.AppID, tt.cfg.AppSecret = testAppID, testAppSecret
			s, err := New(tt.cfg)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("New = %v, want an error naming %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.cfg.DeauthorizeURL != tt.deauth || s.cfg.DataDeletionURL != tt.deletion {
				t.Fatalf("got %q %q", s.cfg.DeauthorizeURL, s.cfg.DataDeletionURL)
			}
		})
	}
}
