// Package webtest runs the whole web layer in the test's process: the same
// App that `replydesk serve` assembles (real SQLite in a temporary
// directory, or PostgreSQL with REPLYDESK_TEST_POSTGRES set; every service
// and worker), served by httptest, talking over
// real HTTP to a simulated Meta platform that is also served by httptest.
// Clients log in through the real Facebook Login flow (the simulator's
// dialog with sim_user), scrape CSRF tokens from pages and parse HTML with
// goquery.
//
// auth sets goth's process-wide provider, so tests that build harnesses
// must not run in parallel.
package webtest

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/app"
	"github.com/replydesk/replydesk/internal/config"
	"github.com/replydesk/replydesk/internal/metasim"
	"github.com/replydesk/replydesk/internal/store/testdb"
	"github.com/replydesk/replydesk/web"
)

// Credentials the app and the simulator agree on.
const (
	AppID       = "1000000000000077"
	AppSecret   = "webtest-app-secret-0123456789"
	VerifyToken = "webtest-verify-token"
	Secret      = "webtest-replydesk-secret-0123456789abcdef"
)

// Harness is a running app and its simulator.
type Harness struct {
	URL    string // the app
	App    *app.App
	Server *web.Server
	Sim    Sim
	sim    *metasim.Sim
}

// Options tune New; the zero value is fine.
type Options struct {
	Env func(name string) string // extra configuration (REPLYDESK_*), read before the defaults
	Now func() time.Time         // the app's clock (default time.Now)
	Log *slog.Logger             // default: discarded, or stderr with REPLYDESK_TEST_LOG set
}

// New starts the simulator and the app, both stopped when the test ends.
func New(t testing.TB, opt Options) *Harness {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	appURL := "http://" + ln.Addr().String()
	sim, err := metasim.New(metasim.Config{
		AppID: AppID, AppSecret: AppSecret, VerifyToken: VerifyToken,
		WebhookURL: appURL + "/webhooks/instagram", Seed: 1,
	})
	if err != nil {
		t.Fatalf("webtest: metasim: %v", err)
	}
	simSrv := httptest.NewServer(sim.Handler())
	simCtx, stopSim := context.WithCancel(context.Background())
	simDone := make(chan struct{})
	go func() { defer close(simDone); sim.Run(simCtx) }()
	t.Cleanup(func() { stopSim(); <-simDone; simSrv.Close(); sim.Close() })

	env := map[string]string{
		"REPLYDESK_DATABASE": testdb.DSN(t),
		"REPLYDESK_BASE_URL": appURL, "REPLYDESK_ADDR": ln.Addr().String(),
		"REPLYDESK_DEMO": "false", "REPLYDESK_SECRET": Secret,
		"META_APP_ID": AppID, "META_APP_SECRET": AppSecret, "META_VERIFY_TOKEN": VerifyToken,
		"META_GRAPH_URL": simSrv.URL, "META_DIALOG_URL": simSrv.URL,
		"REPLYDESK_BACKFILL_INTERVAL": "0",
	}
	cfg, err := config.Load(func(name string) string {
		if opt.Env != nil {
			if v := opt.Env(name); v != "" {
				return v
			}
		}
		return env[name]
	})
	if err != nil {
		t.Fatalf("webtest: config: %v", err)
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
		if os.Getenv("REPLYDESK_TEST_LOG") != "" {
			log = slog.New(slog.NewTextHandler(os.Stderr, nil))
		}
	}
	a, err := app.New(context.Background(), cfg, log, app.Options{Now: opt.Now, Addr: ln.Addr()})
	if err != nil {
		t.Fatalf("webtest: app: %v", err)
	}
	srv, err := web.New(web.DepsFor(a))
	if err != nil {
		t.Fatalf("webtest: server: %v", err)
	}
	a.Start()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, 5*time.Second) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("webtest: serve: %v", err)
		}
		a.Stop()
		a.Close()
	})
	return &Harness{URL: appURL, App: a, Server: srv, Sim: Sim{URL: simSrv.URL}, sim: sim}
}

// Client is a logged-out client of the app.
func (h *Harness) Client() *Client { return NewClient(h.URL) }

// Login logs the seeded Facebook user in and answers their client.
func (h *Harness) Login(t testing.TB, facebookUserID string) *Client {
	t.Helper()
	return Login(t, h.URL, facebookUserID)
}

// World is the simulator's seeded world.
func (h *Harness) World(t testing.TB) WorldData { t.Helper(); return h.Sim.World(t) }

// Get fetches url with the default client (no session).
func Get(t testing.TB, url string) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("webtest: GET %s: %v", url, err)
	}
	return resp
}
