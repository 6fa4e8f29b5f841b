package metasim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testAppID     = "1234567890"
	testAppSecret = "test-app-secret"
	testVerify    = "verify-me"
	testRedirect  = "http://app.example/auth/facebook/callback"
	allScopes     = "email,pages_show_list,pages_read_engagement,pages_manage_metadata,pages_messaging,instagram_basic,instagram_manage_comments,instagram_manage_messages"
)

// testEpoch is the frozen base clock of every test.
var testEpoch = time.Date(2026, 5, 19, 12, 0, 0, 0, time.UTC)

// harness is a simulator served by httptest, with a frozen base clock.
type harness struct {
	t     *testing.T
	sim   *Sim
	srv   *httptest.Server
	hook  *hookListener // nil unless withWebhook
	world worldDoc
}

type worldDoc struct {
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

// harnessSetup is what options change before the simulator is built.
type harnessSetup struct {
	cfg     *Config
	tune    *tuning
	webhook bool
}

type harnessOpt func(*harnessSetup)

// withWebhook points the simulator at a recording listener and runs it.
func withWebhook() harnessOpt { return func(s *harnessSetup) { s.webhook = true } }

// withTuning adjusts behaviour knobs.
func withTuning(f func(*tuning)) harnessOpt { return func(s *harnessSetup) { f(s.tune) } }

// withConfig adjusts the configuration.
func withConfig(f func(*Config)) harnessOpt { return func(s *harnessSetup) { f(s.cfg) } }

func newHarness(t *testing.T, opts ...harnessOpt) *harness {
	t.Helper()
	h := &harness{t: t}
	cfg := Config{AppID: testAppID, AppSecret: testAppSecret, VerifyToken: testVerify, Seed: 7,
		Now: func() time.Time { return testEpoch }, RetryBackoff: []time.Duration{0, 20 * time.Millisecond, 40 * time.Millisecond}}
	tune := defaultTuning()
	tune.gather, tune.batchChance, tune.adDuplicate, tune.saveDebounce = 0, 0, 0, 20*time.Millisecond
	setup := harnessSetup{cfg: &cfg, tune: &tune}
	for _, o := range opts {
		o(&setup)
	}
	run := setup.webhook
	if run {
		h.hook = newHookListener(t)
		cfg.WebhookURL = h.hook.srv.URL + "/webhooks/instagram"
	}
	sim, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	sim.tune = tune
	h.sim = sim
	h.srv = httptest.NewServer(sim.Handler())
	t.Cleanup(h.srv.Close)
	if run {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = sim.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	h.decode(h.do("GET", "/control/world", nil, ""), &h.world)
	return h
}

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (h *harness) do(method, path string, body io.Reader, contentType string, headers ...string) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

func (h *harness) get(path string) response { return h.do("GET", path, nil, "") }

func (h *harness) postJSON(path string, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.do("POST", path, strings.NewReader(string(b)), "application/json")
}

func (h *harness) postForm(path string, v url.Values) response {
	return h.do("POST", path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

func (h *harness) decode(r response, v any) {
	h.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		h.t.Fatalf("decode %s: %v", r.body, err)
	}
}

// graphErr is Meta's error body as a test reads it.
type graphErr struct {
	Error struct {
		Message     string `json:"message"`
		Type        string `json:"type"`
		Code        int    `json:"code"`
		Subcode     int    `json:"error_subcode"`
		IsTransient bool   `json:"is_transient"`
		FBTraceID   string `json:"fbtrace_id"`
	} `json:"error"`
}

// wantGraphError checks an error answer's status, code and subcode.
func (h *harness) wantGraphError(r response, status, code, subcode int) graphErr {
	h.t.Helper()
	var e graphErr
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code == 0 {
		h.t.Fatalf("want Graph error %d/%d, got %d %s", code, subcode, r.status, r.body)
	}
	if r.status != status || e.Error.Code != code || e.Error.Subcode != subcode {
		h.t.Fatalf("want %d %d/%d, got %d %s", status, code, subcode, r.status, r.body)
	}
	if e.Error.FBTraceID == "" || e.Error.Type == "" || e.Error.Message == "" {
		h.t.Fatalf("incomplete error body: %s", r.body)
	}
	return e
}

func (h *harness) wantStatus(r response, status int) {
	h.t.Helper()
	if r.status != status {
		h.t.Fatalf("want HTTP %d, got %d: %s", status, r.status, r.body)
	}
}

// user answers the id of the i-th seeded user (0 Ava, 1 Ben, 2 Chloé, 3 Dana, 4 Eli).
func (h *harness) user(i int) string { return h.world.Users[i].ID }

// page answers the i-th Page id; account the i-th Instagram account id.
func (h *harness) page(i int) string    { return h.world.Pages[i].ID }
func (h *harness) account(i int) string { return h.world.Accounts[i].ID }

// login runs the dialog and the code exchange and answers a short-lived token.
func (h *harness) login(userID, scope string) string {
	h.t.Helper()
	q := url.Values{"client_id": {testAppID}, "redirect_uri": {testRedirect}, "state": {"st"}, "scope": {scope}, "sim_user": {userID}}
	r := h.get("/dialog/oauth?" + q.Encode())
	h.wantStatus(r, http.StatusFound)
	loc, _ := url.Parse(r.header.Get("Location"))
	code := loc.Query().Get("code")
	r = h.postForm("/oauth/access_token", url.Values{"client_id": {testAppID}, "client_secret": {testAppSecret},
		"redirect_uri": {testRedirect}, "code": {code}, "grant_type": {"authorization_code"}})
	h.wantStatus(r, http.StatusOK)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	h.decode(r, &tok)
	return tok.AccessToken
}

// longToken exchanges a token for a long-lived one.
func (h *harness) longToken(short string) string {
	h.t.Helper()
	r := h.get("/v25.0/oauth/access_token?" + url.Values{"grant_type": {"fb_exchange_token"}, "client_id": {testAppID},
		"client_secret": {testAppSecret}, "fb_exchange_token": {short}}.Encode())
	h.wantStatus(r, http.StatusOK)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	h.decode(r, &tok)
	return tok.AccessToken
}

// pageToken answers the Page token /me/accounts gives the user for a Page.
func (h *harness) pageToken(userToken, pageID string) string {
	h.t.Helper()
	r := h.get("/v25.0/me/accounts?fields=id,access_token&access_token=" + url.QueryEscape(userToken))
	h.wantStatus(r, http.StatusOK)
	var raw struct {
		Data []map[string]string `json:"data"`
	}
	h.decode(r, &raw)
	for _, p := range raw.Data {
		if p["id"] == pageID {
			return p["access_token"]
		}
	}
	h.t.Fatalf("no Page token for %s in %s", pageID, r.body)
	return ""
}

// avaPage answers a never-expiring Page token of Ava (MESSAGING on both).
func (h *harness) avaPage(i int) string {
	return h.pageToken(h.longToken(h.login(h.user(0), allScopes)), h.page(i))
}

// install installs the app on a Page with its token.
func (h *harness) install(pageID, pageToken string) {
	h.t.Helper()
	r := h.postForm("/v25.0/"+pageID+"/subscribed_apps", url.Values{"subscribed_fields": {"feed"}, "access_token": {pageToken}})
	h.wantStatus(r, http.StatusOK)
}

// comment creates a comment through the control API and answers its id.
func (h *harness) comment(req map[string]any) string {
	h.t.Helper()
	r := h.postJSON("/control/comments", req)
	h.wantStatus(r, http.StatusOK)
	var out struct{ ID string }
	h.decode(r, &out)
	return out.ID
}

// send posts a private reply (JSON body) and answers the response.
func (h *harness) send(pageID, pageToken, commentID, text string) response {
	body, _ := json.Marshal(map[string]any{"recipient": map[string]string{"comment_id": commentID},
		"message": map[string]string{"text": text}})
	return h.do("POST", "/v25.0/"+pageID+"/messages", strings.NewReader(string(body)), "application/json",
		"Authorization", "Bearer "+pageToken)
}

// advance moves the simulator clock.
func (h *harness) advance(d string) {
	h.t.Helper()
	h.wantStatus(h.postJSON("/control/clock", map[string]string{"advance": d}), http.StatusOK)
}
