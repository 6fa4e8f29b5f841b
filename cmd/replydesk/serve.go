package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/replydesk/replydesk/internal/app"
	"github.com/replydesk/replydesk/internal/config"
	"github.com/replydesk/replydesk/web"
)

// shutdownGrace is how long in-flight requests get to finish on shutdown.
const shutdownGrace = 10 * time.Second

// runServe assembles the application and serves until ctx is done, then
// shuts down in order: the HTTP server stops accepting and finishes its
// requests, then the background workers stop, then the database closes.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("serve takes no arguments (configuration is environment variables), got %q", args[0])
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("REPLYDESK_ADDR: cannot listen on %s: %w", cfg.Addr, errors.Unwrap(err))
	}
	defer ln.Close()
	if cfg.PprofAddr != "" {
		if err := startPprof(ctx, cfg.PprofAddr, log); err != nil {
			return err
		}
	}
	a, err := app.New(ctx, cfg, log, app.Options{Addr: ln.Addr()})
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("closing database", "error", err)
		}
	}()
	srv, err := web.New(web.DepsFor(a))
	if err != nil {
		return err
	}
	a.Start()
	defer a.Stop()
	log.Info("listening", "addr", ln.Addr().String(), "url", cfg.BaseURL, "demo", cfg.Demo, "database", cfg.DatabaseLabel())
	a.Welcome(stdout)
	err = srv.Serve(ctx, ln, shutdownGrace)
	log.Info("shutting down")
	return err
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if os.Getenv("REPLYDESK_DEBUG") != "" {
		opts.Level = slog.LevelDebug
	}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
