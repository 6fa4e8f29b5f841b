package meta

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
}

func newSimWorld(t *testing.T) *simWorld {
	t.Helper()
	sim, err := metasim.New(metasim.Config{AppID: testAppID, AppSecret: testAppSecret, VerifyToken: "v", Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	w := &simWorld{srv: srv, client: New(Options{GraphURL: srv.URL, Version: "v25.0", AppID: testAppID, AppSecret: testAppSecret})}
	resp, err := http.Get(srv.URL + "/control/world")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw struct {
		Users json.RawMessage `json:"users"`
		Pages json.RawMessage `json:"pages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if json.Unmarshal(raw.Users, &w.users) != nil || json.Unmarshal(raw.Pages, &w.pages) != nil {
		t.Fatal("decoding /control/world")
	}
	return w
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
