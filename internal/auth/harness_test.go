package auth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/crypt"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/metasim"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

const (
	testAppID     = "1000000000000042"
	testAppSecret = "auth-test-app-secret"
	testSecret    = "auth-test-secret-0123456789abcdef0123"
)

// harness is a metasim and an app-shaped HTTP server whose /auth/facebook
// and callback call the Service, with a browser-like client.
type harness struct {
	t     *testing.T
	sim   *httptest.Server
	app   *httptest.Server
	svc   *Service
	store *store.Store
	meta  *meta.Client
	world struct {
		Users []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"users"`
		Pages []struct {
			ID        string `json:"id"`
			AccountID string `json:"instagram_account_id"`
		} `json:"pages"`
	}
	mu      sync.Mutex
	results []LoginResult
	errs    []error
	now     time.Time
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, now: time.Now()}
	sim, err := metasim.New(metasim.Config{AppID: testAppID, AppSecret: testAppSecret, VerifyToken: "v", Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	h.sim = httptest.NewServer(sim.Handler())
	t.Cleanup(h.sim.Close)
	h.store = storetest.New(t)
	keys, _ := crypt.NewKeys(testSecret)
	h.meta = meta.New(meta.Options{GraphURL: h.sim.URL, Version: "v25.0", AppID: testAppID, AppSecret: testAppSecret})
	mux := http.NewServeMux()
	h.app = httptest.NewServer(mux)
	t.Cleanup(h.app.Close)
	h.svc, err = New(Options{
		BaseURL: h.app.URL, AppID: testAppID, AppSecret: testAppSecret, GraphURL: h.sim.URL, DialogURL: h.sim.URL,
		GraphVersion: "v25.0", Now: func() time.Time { h.mu.Lock(); defer h.mu.Unlock(); return h.now },
	}, h.store, h.meta, keys)
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("GET /auth/facebook", func(w http.ResponseWriter, r *http.Request) {
		u, err := h.svc.BeginLogin(w, r, r.URL.Query().Get("rerequest") != "")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		http.Redirect(w, r, u, http.StatusFound)
	})
	mux.HandleFunc("GET /auth/facebook/callback", func(w http.ResponseWriter, r *http.Request) {
		res, err := h.svc.CompleteLogin(w, r)
		h.mu.Lock()
		h.results, h.errs = append(h.results, res), append(h.errs, err)
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	resp, err := http.Get(h.sim.URL + "/control/world")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&h.world); err != nil {
		t.Fatal(err)
	}
	return h
}

// login runs /auth/facebook → the dialog with sim_user (and extra dialog
// parameters) → the callback, and answers what CompleteLogin answered.
func (h *harness) login(user int, dialog url.Values) (LoginResult, error, string) {
	h.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	loc := h.follow(c, h.app.URL+"/auth/facebook?"+dialog.Get("app_query"))
	dialogURL := loc
	u, _ := url.Parse(loc)
	q := u.Query()
	q.Set("sim_user", h.world.Users[user].ID)
	for k, v := range dialog {
		if k != "app_query" {
			q[k] = v
		}
	}
	u.RawQuery = q.Encode()
	cb := h.follow(c, u.String())
	if !strings.HasPrefix(cb, h.app.URL+CallbackPath) {
		h.t.Fatalf("dialog sent the browser to %s", cb)
	}
	if st := dialog.Get("forge_state"); st != "" {
		cu, _ := url.Parse(cb)
		cq := cu.Query()
		cq.Set("state", st)
		cu.RawQuery = cq.Encode()
		cb = cu.String()
	}
	resp, err := c.Get(cb)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.results[len(h.results)-1], h.errs[len(h.errs)-1], dialogURL
}

func (h *harness) follow(c *http.Client, u string) string {
	h.t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		h.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		h.t.Fatalf("GET %s = %d, want 302", u, resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func (h *harness) control(method, path, body string) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.sim.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		h.t.Fatalf("%s %s = %d %s", method, path, resp.StatusCode, b)
	}
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

var ctx = context.Background()
