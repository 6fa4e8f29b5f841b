// Package web is Replydesk's HTTP layer: the Echo server, its one route list,
// middleware and handlers. Handlers parse the request, call the domain in
// internal/ and render a view; nothing here talks to the database or to Meta
// directly.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Options are the settings the HTTP layer needs from the configuration.
type Options struct {
	BaseURL     string // public URL, without a trailing slash
	Demo        bool   // show the demo banner and mount the simulator
	Secure      bool   // cookies carry Secure (https base URL)
	VerifyToken string // META_VERIFY_TOKEN: the webhook handshake, and shown to admins on the accounts page
	ReplyBudget int    // REPLYDESK_REPLY_BUDGET: private replies per hour per account
}

// Deps are the server's collaborators, passed in by cmd/replydesk.
type Deps struct {
	Options  Options
	Logger   *slog.Logger
	Now      func() time.Time
	Health   HealthChecker
	Webhooks WebhookReceiver
	Sim      http.Handler // demo mode: the simulated Meta platform, served under /_sim

	Auth     Authenticator    // Facebook Login and sessions; nil: nobody can log in (tests of other parts)
	Accounts AccountDirectory // required with Auth
	Replies  ReplyUsage       // nil: no replies counted yet

	Inbox     InboxStore    // the inbox's reads, scoped per user
	Triage    Triager       // status changes
	Events    EventSource   // live updates for /inbox/events
	Sender    ReplySender   // private replies
	Templates TemplateStore // shared reply templates
}

// Server is the Replydesk web application.
type Server struct {
	e    *echo.Echo
	opt  Options
	log  *slog.Logger
	now  func() time.Time
	deps Deps

	closing chan struct{} // closed when shutdown begins: long-lived streams end
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	if d.Health == nil {
		return nil, errors.New("web: Deps.Health is required")
	}
	if d.Webhooks == nil {
		return nil, errors.New("web: Deps.Webhooks is required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Auth != nil && d.Accounts == nil {
		return nil, errors.New("web: Deps.Accounts is required with Deps.Auth")
	}
	if d.Replies == nil {
		d.Replies = noReplies{}
	}
	if d.Options.ReplyBudget == 0 {
		d.Options.ReplyBudget = 700
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	s := &Server{e: e, opt: d.Options, log: d.Logger, now: d.Now, deps: d, closing: make(chan struct{})}
	e.HTTPErrorHandler = s.handleError
	s.middleware(e)
	s.routes(e)
	return s, nil
}

// Handler is the server as an http.Handler (tests use it with httptest).
func (s *Server) Handler() http.Handler { return s.e }

// Serve answers requests on ln until ctx is done, then shuts down
// gracefully: in-flight requests get up to grace to finish.
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
