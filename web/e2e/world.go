package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/metasim"
)

// WorldOptions configure NewWorld; the zero value is fine.
type WorldOptions struct {
	Seed int64             // the simulated world's seed (default 1)
	Env  map[string]string // extra environment for the app, e.g. REPLYDESK_RECONCILE_INTERVAL
	// HTTPS makes REPLYDESK_BASE_URL https://… (the app still listens on
	// plain HTTP), so cookies carry Secure.
	HTTPS bool
}

// World is the real replydesk binary (not in demo mode) wired to an
// in-process simulated Meta platform: Facebook Login, the Graph API and
// webhooks all go through real HTTP, as in production.
type World struct {
	App         *App
	Sim         *metasim.Sim
	SimURL      string // the simulator's base URL (Graph API, dialog, /control/...)
	AppID       string
	AppSecret   string
	VerifyToken string

	t testing.TB
}

// World test credentials: the app and the simulator agree on them.
const (
	worldAppID       = "1000000000000077"
	worldAppSecret   = "e2e-app-secret-0123456789"
	worldVerifyToken = "e2e-verify-token"
	worldSecret      = "e2e-replydesk-secret-0123456789abcdef"
)

// NewWorld starts the simulator (webhooks aimed at the app's port, no
// generated traffic) and then the app pointed at it. Both stop when the
// test ends.
func NewWorld(t testing.TB, opt WorldOptions) *World {
	t.Helper()
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	port := FreePort(t)
	sim, err := metasim.New(metasim.Config{
		AppID: worldAppID, AppSecret: worldAppSecret, VerifyToken: worldVerifyToken,
		WebhookURL: fmt.Sprintf("http://127.0.0.1:%d/webhooks/instagram", port), Seed: opt.Seed,
	})
	if err != nil {
		t.Fatalf("e2e: metasim: %v", err)
	}
	srv := httptest.NewServer(sim.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); sim.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close(); sim.Close() })
	env := map[string]string{
		"REPLYDESK_DEMO":    "false",
		"REPLYDESK_SECRET":  worldSecret,
		"META_APP_ID":       worldAppID,
		"META_APP_SECRET":   worldAppSecret,
		"META_VERIFY_TOKEN": worldVerifyToken,
		"META_GRAPH_URL":    srv.URL,
		"META_DIALOG_URL":   srv.URL,
		// Tests see only the comments they make; TestBackfill turns it on.
		"REPLYDESK_BACKFILL_INTERVAL": "0",
	}
	if opt.HTTPS {
		env["REPLYDESK_BASE_URL"] = fmt.Sprintf("https://127.0.0.1:%d", port)
	}
	for k, v := range opt.Env {
		env[k] = v
	}
	w := &World{Sim: sim, SimURL: srv.URL, AppID: worldAppID, AppSecret: worldAppSecret, VerifyToken: worldVerifyToken, t: t}
	w.App = StartApp(t, AppOptions{Port: port, Env: env})
	return w
}

// WorldData is the simulator's GET /control/world.
type WorldData struct {
	Users    []WorldUser    `json:"users"`
	Pages    []WorldPage    `json:"pages"`
	Accounts []WorldAccount `json:"instagram_accounts"`
	Media    []WorldMedia   `json:"media"`
}

// WorldUser is a seeded Facebook user and their tasks per Page id.
type WorldUser struct {
	ID    string              `json:"id"`
	Name  string              `json:"name"`
	Tasks map[string][]string `json:"tasks"`
}

// WorldPage is a seeded Facebook Page.
type WorldPage struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	InstagramAccountID string `json:"instagram_account_id"`
}

// WorldAccount is a seeded Instagram account.
type WorldAccount struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	PageID   string `json:"page_id"`
}

// WorldMedia is a seeded media object.
type WorldMedia struct {
	ID               string `json:"id"`
	AccountID        string `json:"account_id"`
	MediaProductType string `json:"media_product_type"`
	AdID             string `json:"ad_id,omitempty"`
	AdTitle          string `json:"ad_title,omitempty"`
}

// World decodes the simulator's /control/world.
func (w *World) World() WorldData {
	w.t.Helper()
	var d WorldData
	w.Control(w.t, http.MethodGet, "/control/world", nil, &d)
	return d
}

// User finds a seeded user by first name ("Ava", "Ben", "Chloé", "Dana", "Eli").
func (d WorldData) User(first string) WorldUser {
	for _, u := range d.Users {
		if strings.HasPrefix(u.Name, first+" ") {
			return u
		}
	}
	panic("e2e: no seeded user named " + first)
}

// Account finds a seeded Instagram account by username.
func (d WorldData) Account(username string) WorldAccount {
	for _, a := range d.Accounts {
		if a.Username == username {
			return a
		}
	}
	panic("e2e: no seeded account " + username)
}

// Control calls the simulator's control API: body (when not nil) is sent
// as JSON and the answer decoded into out (when not nil). A status other
// than 200 fails the test.
func (w *World) Control(t testing.TB, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("e2e: control %s: %v", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, w.SimURL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("e2e: control %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("e2e: control %s %s = %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("e2e: control %s %s: decoding %s: %v", method, path, raw, err)
		}
	}
}

// errLoginStep is a login step that did not answer as a login should.
var errLoginStep = errors.New("e2e: unexpected login step")
