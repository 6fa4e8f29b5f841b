package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/internal/config"
	"github.com/replydesk/replydesk/internal/crypt"
	"github.com/replydesk/replydesk/internal/ingest"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/metasim"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/templates"
	"github.com/replydesk/replydesk/internal/triage"
	"github.com/replydesk/replydesk/web"
)

// shutdownGrace is how long in-flight requests get to finish on shutdown.
const shutdownGrace = 10 * time.Second

// runServe wires the application together and serves until ctx is done.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("serve takes no arguments (configuration is environment variables), got %q", args[0])
	}
	cfg, log, st, err := openStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("closing database", "error", err)
		}
	}()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("REPLYDESK_ADDR: cannot listen on %s: %w", cfg.Addr, errors.Unwrap(err))
	}

	var bg sync.WaitGroup // background work, stopped before the database closes
	bgctx, stopBG := context.WithCancel(ctx)
	defer func() { stopBG(); bg.Wait() }()

	hub := live.NewMemory()
	ingester := ingest.NewIngester(cfg.MetaAppSecret, st, hub, log.With("component", "ingest"), time.Now)
	janitor := ingest.NewJanitor(st, hub, log.With("component", "janitor"), time.Now)
	indexer := ingest.NewSearchIndexer(st, log.With("component", "search"), 500*time.Millisecond)
	for _, worker := range []func(context.Context){ingester.Run, janitor.Run, indexer.Run} {
		bg.Go(func() { worker(bgctx) })
	}

	deps := web.Deps{
		Options: web.Options{BaseURL: cfg.BaseURL, Demo: cfg.Demo, Secure: cfg.Secure(),
			VerifyToken: cfg.MetaVerifyToken, ReplyBudget: cfg.ReplyBudget},
		Logger:   log,
		Health:   st,
		Webhooks: ingester,
		Accounts: st,
		Replies:  st,
	}

	// Facebook Login, sessions and the Page token source (auth.New sets
	// goth's process-wide provider and cookie store).
	keys, err := crypt.NewKeys(cfg.Secret)
	if err != nil {
		ln.Close()
		return fmt.Errorf("REPLYDESK_SECRET: %w", err)
	}
	graph := meta.New(meta.Options{GraphURL: cfg.GraphURL, Version: cfg.GraphVersion, AppID: cfg.MetaAppID, AppSecret: cfg.MetaAppSecret})
	authSvc, err := auth.New(auth.Options{
		BaseURL: cfg.BaseURL, AppID: cfg.MetaAppID, AppSecret: cfg.MetaAppSecret, GraphURL: cfg.GraphURL,
		DialogURL: cfg.DialogURL, GraphVersion: cfg.GraphVersion, Secure: cfg.Secure(), ReconcileEvery: cfg.Reconcile,
		Logger: log.With("component", "auth"),
	}, st, graph, keys)
	if err != nil {
		ln.Close()
		return err
	}
	deps.Auth = authSvc
	bg.Go(func() { authSvc.RunReconciler(bgctx) })

	// After a comment arrives: deadlines corrected from Graph, Live
	// broadcasts watched; and private replies sent within the budget.
	tokens := authSvc.Tokens()
	enricher := ingest.NewEnricher(st, graph, tokens, hub, log.With("component", "enrich"), 4)
	ingester.OnNew(enricher.Enqueue)
	watcher := ingest.NewLiveWatcher(st, graph, tokens, hub, log.With("component", "live"), cfg.LivePoll)
	sender := reply.NewSender(st, graph, tokens, hub, reply.Options{Budget: cfg.ReplyBudget, Logger: log.With("component", "reply")})
	workers := []func(context.Context){enricher.Run, watcher.Run, sender.Run}
	if cfg.Backfill > 0 {
		workers = append(workers, ingest.NewBackfiller(st, graph, tokens, hub, log.With("component", "backfill"), cfg.Backfill).Run)
	}
	for _, worker := range workers {
		bg.Go(func() { worker(bgctx) })
	}
	accountOK := func(ctx context.Context, userID int64, accountID string) (bool, error) {
		a, err := st.AccountForUser(ctx, userID, accountID)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil && !a.NeedsReconnect(), err
	}
	deps.Inbox = st
	deps.Triage = triage.New(st, hub)
	deps.Events = hub
	deps.Sender = reply.NewService(st, accountOK, templates.NewRenderer(st, time.Now), sender, hub, time.Now)
	deps.Templates = st
	if cfg.Demo {
		if _, err := st.SeedTemplates(ctx, templates.Demo()); err != nil {
			log.Error("seeding demo templates", "error", err)
		}
	}

	if cfg.Demo {
		sim, err := startDemoSim(bgctx, &bg, cfg, ln.Addr(), log)
		if err != nil {
			ln.Close()
			return err
		}
		deps.Sim = sim
	}
	srv, err := web.New(deps)
	if err != nil {
		ln.Close()
		return err
	}
	log.Info("listening", "addr", ln.Addr().String(), "url", cfg.BaseURL, "demo", cfg.Demo, "database", cfg.Database)
	err = srv.Serve(ctx, ln, shutdownGrace)
	log.Info("shutting down")
	return err
}

// startDemoSim starts the in-process simulated Meta platform that demo mode
// serves under /_sim, delivering its webhooks to this same server.
func startDemoSim(ctx context.Context, bg *sync.WaitGroup, cfg config.Config, addr net.Addr, log *slog.Logger) (http.Handler, error) {
	port := addr.(*net.TCPAddr).Port
	sim, err := metasim.New(metasim.Config{
		AppID:            cfg.MetaAppID,
		AppSecret:        cfg.MetaAppSecret,
		VerifyToken:      cfg.MetaVerifyToken,
		WebhookURL:       fmt.Sprintf("http://127.0.0.1:%d/webhooks/instagram", port),
		Seed:             cfg.DemoSeed,
		TrafficPerMinute: cfg.DemoTraffic,
		BaseURL:          cfg.BaseURL + "/_sim",
		GraphVersion:     cfg.GraphVersion,
		StatePath:        cfg.DataDir() + "/sim-state.json",
		Logger:           log.With("component", "metasim"),
	})
	if err != nil {
		return nil, fmt.Errorf("demo simulator: %w", err)
	}
	bg.Add(1)
	go func() {
		defer bg.Done()
		if err := sim.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("demo simulator stopped", "error", err)
		}
		if err := sim.Close(); err != nil {
			log.Error("demo simulator state", "error", err)
		}
	}()
	return sim.Handler(), nil
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
