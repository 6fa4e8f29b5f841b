package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/replydesk/replydesk/internal/metasim"
	"github.com/replydesk/replydesk/web/webtest"
)

// WorldOptions configure NewWorld; the zero value is fine.
type WorldOptions struct {
	Seed int64             // the simulated world's seed (default 1)
	Env  map[string]string // extra environment for the app, e.g. REPLYDESK_RECONCILE_INTERVAL
	// HTTPS makes REPLYDESK_BASE_URL https://… (the app still listens on
	// plain HTTP), so cookies carry Secure.
	HTTPS bool
	// LoginConfigID gives the simulator a Facebook Login for Business
	// configuration and the app META_LOGIN_CONFIG_ID.
	LoginConfigID string
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

	t     testing.TB
	mu    sync.Mutex
	paths []string // every request path the simulator served, in order
}

// SimPaths lists every request path the simulator served so far.
func (w *World) SimPaths() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.paths)
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
		LoginConfigID: opt.LoginConfigID,
	})
	if err != nil {
		t.Fatalf("e2e: metasim: %v", err)
	}
	w := &World{Sim: sim, AppID: worldAppID, AppSecret: worldAppSecret, VerifyToken: worldVerifyToken, t: t}
	handler := sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.paths = append(w.paths, r.URL.Path)
		w.mu.Unlock()
		handler.ServeHTTP(rw, r)
	}))
	w.SimURL = srv.URL
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
	if opt.LoginConfigID != "" {
		env["META_LOGIN_CONFIG_ID"] = opt.LoginConfigID
	}
	if opt.HTTPS {
		env["REPLYDESK_BASE_URL"] = fmt.Sprintf("https://127.0.0.1:%d", port)
	}
	for k, v := range opt.Env {
		env[k] = v
	}
	w.App = StartApp(t, AppOptions{Port: port, Env: env})
	return w
}

// The simulator's seeded world and a person's browser without JavaScript
// are shared with the in-process harness (web/webtest).
type (
	WorldData    = webtest.WorldData
	WorldUser    = webtest.WorldUser
	WorldAccount = webtest.WorldAccount
	Client       = webtest.Client
	Response     = webtest.Response
)

// World decodes the simulator's /control/world.
func (w *World) World() WorldData {
	w.t.Helper()
	return webtest.Sim{URL: w.SimURL}.World(w.t)
}

// Control calls the simulator's control API (webtest.Sim.Control).
func (w *World) Control(t testing.TB, method, path string, body, out any) {
	t.Helper()
	webtest.Sim{URL: w.SimURL}.Control(t, method, path, body, out)
}

// NewClient is a logged-out client of the world's app.
func (w *World) NewClient() *Client { return webtest.NewClient(w.App.URL) }

// Login logs a seeded Facebook user in through the real flow and answers a
// client holding the session, its CSRF token already scraped.
func (w *World) Login(t testing.TB, facebookUserID string) *Client {
	t.Helper()
	return webtest.Login(t, w.App.URL, facebookUserID)
}

// LoginWith is Login with extra dialog parameters, such as sim_decline.
func (w *World) LoginWith(t testing.TB, facebookUserID string, dialog url.Values) *Client {
	t.Helper()
	return webtest.LoginWith(t, w.App.URL, facebookUserID, dialog)
}
