// Package simtest runs the simulated Meta platform for Go tests and talks to
// it the way a client of Meta would: over HTTP, through the OAuth dialog, the
// code exchange and the control API. It shares no code with the app's Meta
// client.
package simtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/replydesk/replydesk/internal/metasim"
)

// Test credentials of the simulated Meta app.
const (
	AppID       = "1000000000000777"
	AppSecret   = "simtest-app-secret"
	VerifyToken = "simtest-verify-token"
	redirectURI = "http://app.invalid/auth/facebook/callback"
	scopes      = "pages_show_list,pages_read_engagement,pages_manage_metadata,pages_messaging,instagram_basic,instagram_manage_comments,instagram_manage_messages,business_management"
)

// Sim is a running simulator.
type Sim struct {
	URL string
	t   testing.TB
}

// Options configure Start.
type Options struct {
	WebhookURL string // where deliveries go; "" for none
	Seed       int64  // default 1
	// DeauthorizeURL and DataDeletionURL default to WebhookURL's origin +
	// /meta/deauthorize and /meta/data-deletion.
	DeauthorizeURL, DataDeletionURL string
	// LoginConfigID, when set, is a Facebook Login for Business
	// configuration granting Replydesk's permissions.
	LoginConfigID string
}

// Start serves a simulator with httptest and runs its delivery queue until
// the test ends.
func Start(t testing.TB, o Options) *Sim {
	t.Helper()
	if o.Seed == 0 {
		o.Seed = 1
	}
	sim, err := metasim.New(metasim.Config{
		AppID: AppID, AppSecret: AppSecret, VerifyToken: VerifyToken,
		WebhookURL: o.WebhookURL, Seed: o.Seed, DeauthorizeURL: o.DeauthorizeURL,
		DataDeletionURL: o.DataDeletionURL, LoginConfigID: o.LoginConfigID,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sim.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close(); sim.Close() })
	return &Sim{URL: srv.URL, t: t}
}

// World is /control/world.
type World struct {
	Users []struct {
		ID    string              `json:"id"`
		Name  string              `json:"name"`
		Tasks map[string][]string `json:"tasks"`
	} `json:"users"`
	Pages []struct {
		ID                 string `json:"id"`
		Name               string `json:"name"`
		InstagramAccountID string `json:"instagram_account_id"`
	} `json:"pages"`
	Accounts []struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		PageID   string `json:"page_id"`
	} `json:"instagram_accounts"`
	Media []struct {
		ID               string `json:"id"`
		AccountID        string `json:"account_id"`
		MediaProductType string `json:"media_product_type"`
		AdID             string `json:"ad_id"`
		AdTitle          string `json:"ad_title"`
	} `json:"media"`
}

// World reads the seeded world.
func (s *Sim) World() World {
	var w World
	s.Control(http.MethodGet, "/control/world", nil, &w)
	return w
}

// Control calls the control API with a JSON body (nil for none) and decodes
// the answer into out (nil to ignore). A non-2xx answer fails the test.
func (s *Sim) Control(method, path string, in, out any) {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("simtest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		s.t.Fatalf("simtest: %s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("simtest: %s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// Comment posts a comment through the control API and returns its id.
func (s *Sim) Comment(in map[string]any) string {
	s.t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	s.Control(http.MethodPost, "/control/comments", in, &out)
	return out.ID
}

// PageToken is one Page a user can act for.
type PageToken struct {
	PageID    string
	AccountID string // the linked Instagram account
	Token     string
}

// Login logs facebookUserID in through the dialog and code exchange, trades
// the token for a long-lived one, and returns their Page tokens keyed by
// Instagram account id.
func (s *Sim) Login(facebookUserID string) map[string]PageToken {
	s.t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"client_id": {AppID}, "redirect_uri": {redirectURI}, "state": {"st"},
		"response_type": {"code"}, "scope": {scopes}, "sim_user": {facebookUserID}}
	resp, err := noRedirect.Get(s.URL + "/dialog/oauth?" + q.Encode())
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		s.t.Fatalf("simtest: dialog answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	s.getJSON("/oauth/access_token", url.Values{"client_id": {AppID}, "client_secret": {AppSecret},
		"redirect_uri": {redirectURI}, "code": {loc.Query().Get("code")}, "grant_type": {"authorization_code"}}, &tok)
	s.getJSON("/oauth/access_token", url.Values{"grant_type": {"fb_exchange_token"}, "client_id": {AppID},
		"client_secret": {AppSecret}, "fb_exchange_token": {tok.AccessToken}}, &tok)
	var pages struct {
		Data []struct {
			ID          string `json:"id"`
			AccessToken string `json:"access_token"`
			IG          struct {
				ID string `json:"id"`
			} `json:"instagram_business_account"`
		} `json:"data"`
	}
	s.getJSON("/v25.0/me/accounts", url.Values{"access_token": {tok.AccessToken},
		"fields": {"id,access_token,instagram_business_account{id}"}, "limit": {"100"}}, &pages)
	out := map[string]PageToken{}
	for _, p := range pages.Data {
		if p.IG.ID != "" {
			out[p.IG.ID] = PageToken{PageID: p.ID, AccountID: p.IG.ID, Token: p.AccessToken}
		}
	}
	return out
}

// Subscribe installs the app on a Page so its account's webhooks flow.
func (s *Sim) Subscribe(pt PageToken) {
	s.t.Helper()
	resp, err := http.PostForm(s.URL+"/v25.0/"+pt.PageID+"/subscribed_apps",
		url.Values{"subscribed_fields": {"feed"}, "access_token": {pt.Token}})
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		s.t.Fatalf("simtest: subscribe %s: %d %s", pt.PageID, resp.StatusCode, b)
	}
}

func (s *Sim) getJSON(path string, q url.Values, out any) {
	s.t.Helper()
	resp, err := http.Get(s.URL + path + "?" + q.Encode())
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("simtest: GET %s: %d %s", path, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		s.t.Fatalf("simtest: GET %s: %v", path, fmt.Errorf("decode %s: %w", raw, err))
	}
}

// Tokens hands out Page tokens obtained through Login, the way the app's
// token source does, and records the accounts reported as failing.
type Tokens struct {
	mu     sync.Mutex
	tokens map[string]PageToken
	failed map[string]error
}

// NewTokens serves the given Page tokens (from Login).
func NewTokens(tokens map[string]PageToken) *Tokens {
	return &Tokens{tokens: tokens, failed: map[string]error{}}
}

// PageToken gives an account's Page id and token, or an error once the
// account was reported failing.
func (s *Tokens) PageToken(_ context.Context, accountID string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pt, ok := s.tokens[accountID]
	if !ok || s.failed[accountID] != nil {
		return "", "", fmt.Errorf("account %s needs reconnecting", accountID)
	}
	return pt.PageID, pt.Token, nil
}

// MarkTokenFailed records that Meta refused an account's token.
func (s *Tokens) MarkTokenFailed(_ context.Context, accountID string, cause error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed[accountID] = cause
	return nil
}

// Failed is the cause an account was reported failing with (nil if none).
func (s *Tokens) Failed(accountID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed[accountID]
}

// Reset serves fresh tokens and forgets failures (a reconnect).
func (s *Tokens) Reset(tokens map[string]PageToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens, s.failed = tokens, map[string]error{}
}

// Get is one account's Page token.
func (s *Tokens) Get(accountID string) PageToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[accountID]
}
