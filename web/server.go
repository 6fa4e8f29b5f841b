// Package web is Replydesk's HTTP layer: the Echo server, its one route list
// (route groups, each with its own middleware and error format), and
// handlers. Handlers parse the request, call the domain in internal/ and
// render a view; nothing here talks to the database or to Meta directly.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/team"
)

// Options are the settings the HTTP layer needs from the configuration.
type Options struct {
	BaseURL     string        // public URL, without a trailing slash
	Demo        bool          // show the demo banner and mount the simulator
	Secure      bool          // cookies carry Secure (https base URL)
	VerifyToken string        // META_VERIFY_TOKEN: the webhook handshake, and shown to admins on the accounts page
	ReplyBudget int           // REPLYDESK_REPLY_BUDGET: private replies per hour per account
	AlertBefore time.Duration // REPLYDESK_ALERT_BEFORE: the "Due < 1 h" view and the alerts' horizon
	// TrustedProxies (REPLYDESK_TRUSTED_PROXIES): only requests from these
	// may say who the client is (X-Forwarded-For, X-Real-IP).
	TrustedProxies []*net.IPNet
	Backfill       bool // accounts' recent comments are read from Graph (the first inbox says so while it runs)
}

// Server is the Replydesk web application.
type Server struct {
	e       *echo.Echo
	opt     Options
	log     *slog.Logger
	now     func() time.Time
	deps    Deps
	streams *streams      // open inbox event streams, per session
	rows    *rowCache     // rows rendered once per change and view, shared by streams
	rails   *railCache    // rail counts, shared by a user's streams
	hooks   *webhookTally // deliveries since the last summary line

	closing chan struct{} // closed when shutdown begins: long-lived streams end
}

// New builds the server and its routes. Every dependency but Deps.Sim is
// required.
func New(d Deps) (*Server, error) {
	for _, dep := range []struct {
		name    string
		missing bool
	}{
		{"Logger", d.Logger == nil}, {"Now", d.Now == nil}, {"Health", d.Health == nil}, {"Webhooks", d.Webhooks == nil},
		{"Auth", d.Auth == nil}, {"Accounts", d.Accounts == nil}, {"Inbox", d.Inbox == nil}, {"Feed", d.Feed == nil},
		{"Hub", d.Hub == nil}, {"Replies", d.Replies == nil}, {"Moderation", d.Moderation == nil}, {"Library", d.Library == nil},
		{"Team", d.Team == nil},
		{"Meta", d.Meta == nil}, {"Tokens", d.Tokens == nil}, {"Admin", d.Admin == nil}, {"Setup", d.Setup == nil},
		{"Outbound", d.Outbound == nil}, {"Rules", d.Rules == nil},
	} {
		if dep.missing {
			return nil, fmt.Errorf("web: Deps.%s is required", dep.name)
		}
	}
	if d.Options.ReplyBudget <= 0 {
		return nil, errors.New("web: Options.ReplyBudget must be positive")
	}
	if d.Options.AlertBefore <= 0 {
		d.Options.AlertBefore = team.DefaultAlertBefore
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	s := &Server{e: e, opt: d.Options, log: d.Logger, now: d.Now, deps: d, closing: make(chan struct{})}
	s.streams = newStreams(maxStreamsPerSession)
	s.rows = newRowCache(d.Feed.Items, s.renderRowEvent, rowCacheSize)
	s.rails = newRailCache(railTTL)
	s.hooks = newWebhookTally(d.Now())
	e.IPExtractor = clientIP(d.Options.TrustedProxies)
	e.HTTPErrorHandler = s.handleError
	s.routes(e)
	return s, nil
}

// clientIP is how the client's address is found: the connection's, unless
// it comes from a trusted proxy, which may name the client in
// X-Forwarded-For (the nearest untrusted address in it) or X-Real-IP.
// Echo's default believes those headers from anyone.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	xff, realIP := echo.ExtractIPFromXFFHeader(opts...), echo.ExtractIPFromRealIPHeader(opts...)
	return func(r *http.Request) string {
		if r.Header.Get(echo.HeaderXForwardedFor) != "" {
			return xff(r)
		}
		return realIP(r)
	}
}

// Handler is the server as an http.Handler (tests use it with httptest).
func (s *Server) Handler() http.Handler { return s.e }

// Routes lists every route the server serves as "METHOD /path" (Echo's
// catch-alls for unknown paths left out), for tests that check each route
// has its gates.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		out = append(out, r.Method+" "+r.Path)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Serve answers requests on ln until ctx is done, then shuts down in order:
// it stops accepting, ends the live streams, and lets requests in flight
// finish (up to grace), so a webhook being committed still gets its 200.
// The caller stops background work and closes the database afterwards.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{
		Handler:           s.e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second, // the SSE handler lifts it for its own response
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	var once sync.Once
	srv.RegisterOnShutdown(func() { once.Do(func() { close(s.closing) }) })
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	summaries, stopSummaries := context.WithCancel(context.Background())
	summarised := make(chan struct{})
	go func() { defer close(summarised); s.logWebhookSummaries(summaries, webhookSummaryEvery) }()
	defer func() { stopSummaries(); <-summarised }() // the last line once requests are finished
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}
