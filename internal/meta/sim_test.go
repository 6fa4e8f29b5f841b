package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/replydesk/replydesk/internal/metasim"
)

const (
	testAppID     = "1000000000000042"
	testAppSecret = "meta-test-secret"
	testRedirect  = "http://app.test/auth/facebook/callback"
)

// simWorld is a metasim served in-process, its seeded world and a Client
// pointed at it.
type simWorld struct {
	srv    *httptest.Server
	client *Client
	users  []struct {
		ID    string              `json:"id"`
		Name  string              `json:"name"`
		Tasks map[string][]string `json:"tasks"`
	}
	pages []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		AccountID string `json:"instagram_account_id"`
	}

	mu    sync.Mutex
	paths []string // every request path the simulator saw
}

// newSimWorld serves a simulator and a Client pinned to Graph API v25.0.
func newSimWorld(t *testing.T) *simWorld { return newSimWorldAt(t, "v25.0") }

// newSimWorldAt serves a simulator and a Client pinned to version.
func newSimWorldAt(t *testing.T, version string) *simWorld {
	t.Helper()
	sim, err := metasim.New(metasim.Config{AppID: testAppID, AppSecret: testAppSecret, VerifyToken: "v", Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	w := &simWorld{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.paths = append(w.paths, r.URL.Path)
		w.mu.Unlock()
		sim.Handler().ServeHTTP(rw, r)
	}))
	t.Cleanup(w.srv.Close)
	w.client = New(Options{GraphURL: w.srv.URL, Version: version, AppID: testAppID, AppSecret: testAppSecret})
	var raw struct {
		Users json.RawMessage `json:"users"`
		Pages json.RawMessage `json:"pages"`
	}
	w.control(t, http.MethodGet, "/control/world", nil, &raw)
	if json.Unmarshal(raw.Users, &w.users) != nil || json.Unmarshal(raw.Pages, &w.pages) != nil {
		t.Fatal("decoding /control/world")
	}
	return w
}

// control calls the simulator's control API, failing the test unless it
// answers 200, and decodes the answer into out (when not nil).
func (w *simWorld) control(t testing.TB, method, path string, body, out any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, w.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s %v", method, path, resp.StatusCode, raw, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}

// comment makes a comment on the i-th Page's Instagram account (extra sets
// more control fields, such as "age" or "live") and answers its id.
func (w *simWorld) comment(t *testing.T, i int, extra map[string]any) string {
	t.Helper()
	req := map[string]any{"account": w.pages[i].AccountID, "text": "How much?"}
	for k, v := range extra {
		req[k] = v
	}
	var out struct{ ID string }
	w.control(t, http.MethodPost, "/control/comments", req, &out)
	return out.ID
}

// seenPaths answers the request paths the simulator saw so far.
func (w *simWorld) seenPaths() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.paths...)
}

// login runs the OAuth dialog as user i with sim_user and exchanges the code,
// answering a short-lived user token.
func (w *simWorld) login(t *testing.T, i int, decline ...string) string {
	t.Helper()
	q := url.Values{
		"client_id": {testAppID}, "redirect_uri": {testRedirect}, "state": {"s"},
		"scope": {"email," + strings.Join(Scopes(), ",")}, "sim_user": {w.users[i].ID},
	}
	if len(decline) > 0 {
		q.Set("sim_decline", strings.Join(decline, ","))
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(w.srv.URL + "/dialog/oauth?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("dialog answered %d %s", resp.StatusCode, loc)
	}
	tq := url.Values{"client_id": {testAppID}, "client_secret": {testAppSecret}, "redirect_uri": {testRedirect}, "code": {code}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if _, err := w.client.call(context.Background(), http.MethodGet, "", w.srv.URL+"/oauth/access_token", tq, nil, &tok); err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

// pages logs user i in (declining some permissions, perhaps), exchanges the
// token for a long-lived one and answers the user's Pages with their tokens.
func (w *simWorld) pagesOf(t *testing.T, i int, decline ...string) []Page {
	t.Helper()
	ctx := context.Background()
	tok, err := w.client.ExchangeToken(ctx, w.login(t, i, decline...))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := w.client.Accounts(ctx, tok.AccessToken)
	if err != nil || len(pages) == 0 {
		t.Fatalf("pages %v, %v", pages, err)
	}
	return pages
}
