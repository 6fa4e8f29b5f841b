// Package app assembles Replydesk's domain from its configuration: the
// store and its change feed, Facebook Login, webhook ingest, private reply
// sending, comment moderation, the template library, the background workers and, in demo mode,
// the simulated Meta platform. `replydesk serve` and the web layer's test
// harness build the same App, so what is tested is what runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/internal/automation"
	"github.com/replydesk/replydesk/internal/config"
	"github.com/replydesk/replydesk/internal/crypt"
	"github.com/replydesk/replydesk/internal/dispatch"
	"github.com/replydesk/replydesk/internal/ingest"
	"github.com/replydesk/replydesk/internal/janitor"
	"github.com/replydesk/replydesk/internal/library"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/metasim"
	"github.com/replydesk/replydesk/internal/moderator"
	"github.com/replydesk/replydesk/internal/outbox"
	"github.com/replydesk/replydesk/internal/sender"
	"github.com/replydesk/replydesk/internal/setup"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/templates"
)

// App is the assembled domain: the services the web layer calls and the
// workers that run beside it.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	Now      func() time.Time
	Store    *store.Store
	Hub      *live.Memory
	Auth     *auth.Service
	Ingester *ingest.Ingester
	Replies  *sender.Service
	Moderate *moderator.Service
	Library  *library.Library
	Rules    *automation.Service
	Outbox   *outbox.Outbox // outbound webhooks
	Setup    *setup.Checker // the setup check
	Sim      http.Handler   // demo mode: the simulated Meta platform, served under /_sim

	workers []func(context.Context)
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

// Options tune New; the zero value is fine for production.
type Options struct {
	Now func() time.Time
	// Addr is where the HTTP server listens: demo mode's simulator delivers
	// its webhooks there.
	Addr net.Addr
}

// New opens (migrating) the database and builds every service. Nothing runs
// until Start.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opt Options) (*App, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	a := &App{Config: cfg, Log: log, Now: opt.Now, Hub: live.NewMemory(0)}
	st, err := store.Open(ctx, cfg.Database, store.Options{Now: opt.Now, Logger: log, Feed: a.Hub})
	if err != nil {
		return nil, fmt.Errorf("REPLYDESK_DATABASE: %w", err)
	}
	a.Store = st
	if err := a.build(ctx, opt); err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context, opt Options) error {
	cfg, log, st := a.Config, a.Log, a.Store
	keys, err := crypt.NewKeys(cfg.Secret)
	if err != nil {
		return fmt.Errorf("REPLYDESK_SECRET: %w", err)
	}
	graph := meta.New(meta.Options{GraphURL: cfg.GraphURL, Version: cfg.GraphVersion, AppID: cfg.MetaAppID, AppSecret: cfg.MetaAppSecret})
	// auth.New sets goth's process-wide provider and cookie store.
	a.Auth, err = auth.New(auth.Options{
		BaseURL: cfg.BaseURL, AppID: cfg.MetaAppID, AppSecret: cfg.MetaAppSecret, GraphURL: cfg.GraphURL,
		DialogURL: cfg.DialogURL, GraphVersion: cfg.GraphVersion, LoginConfigID: cfg.LoginConfigID, Secure: cfg.Secure(),
		ReconcileEvery: cfg.Reconcile,
		Now:            a.Now, Logger: log.With("component", "auth"),
	}, st, graph, keys)
	if err != nil {
		return err
	}
	tokens := a.Auth.Tokens()

	a.Ingester = ingest.NewIngester(cfg.MetaAppSecret, st, log.With("component", "ingest"), a.Now)
	enricher := ingest.NewEnricher(st, graph, tokens, log.With("component", "enrich"), ingest.EnricherOptions{})
	a.Ingester.OnNew(enricher.Enqueue)
	posts := ingest.NewPostReader(st, graph, tokens, log.With("component", "posts"), ingest.PostReaderOptions{Now: a.Now})
	a.Ingester.OnNew(posts.OnNew)
	watcher := ingest.NewLiveWatcher(st, graph, tokens, log.With("component", "live"), cfg.LivePoll)
	worker := sender.NewWorker(st, graph, tokens, sender.Options{Budget: cfg.ReplyBudget, CallTimeout: cfg.SendTimeout,
		Now: a.Now, Logger: log.With("component", "reply")})
	a.Replies = sender.NewService(st, a.accountOK, worker, a.Now)
	a.Replies.ConfirmDeadlines(enricher)
	moderation := moderator.NewWorker(st, graph, tokens, moderator.Options{CallTimeout: cfg.SendTimeout, Now: a.Now, Logger: log.With("component", "moderation")})
	a.Moderate = moderator.NewService(st, moderation, a.Now)
	a.Library = library.New(st)
	a.Outbox = outbox.New(st, keys.Webhooks, outbox.Options{BaseURL: cfg.BaseURL, Now: a.Now, Logger: log.With("component", "outbox")})
	a.Setup = setup.New(setup.Options{
		BaseURL: cfg.BaseURL, AppSecret: cfg.MetaAppSecret, VerifyToken: cfg.MetaVerifyToken, GraphVersion: cfg.GraphVersion,
		Demo: cfg.Demo, ReconcileEach: cfg.Reconcile, Now: a.Now, Logger: log.With("component", "setup"),
	}, st, graph, tokens)
	a.Rules = automation.NewService(st, a.Now)
	// Rules run on what ingest and backfill commit, in arrival order, off
	// the webhook's path.
	runner := automation.NewRunner(st, a.Replies, a.Rules, automation.RunnerOptions{Now: a.Now, Logger: log.With("component", "rules")})
	a.Ingester.OnNew(runner.OnNew)
	a.Ingester.OnPrepare(runner.Presuggest)
	team := dispatch.New(st, dispatch.Options{AlertBefore: cfg.AlertBefore, Now: a.Now, Logger: log.With("component", "dispatch")})
	a.Ingester.OnNew(team.NewComments)
	a.workers = []func(context.Context){
		a.Outbox.Run, a.Setup.RunEvery(time.Hour),
		a.Ingester.Run, enricher.Run, posts.Run, watcher.Run, worker.Run, runner.Run, moderation.Run, a.Auth.RunReconciler, team.Run,
		janitor.New(st, log.With("component", "janitor"), a.Now).Run,
		janitor.NewSearchIndexer(st, log.With("component", "search"), 500*time.Millisecond).Run,
	}
	if cfg.Backfill > 0 {
		backfiller := ingest.NewBackfiller(st, graph, tokens, log.With("component", "backfill"), cfg.Backfill)
		backfiller.OnNew(runner.OnNew)
		a.workers = append(a.workers, backfiller.Run)
	}
	if cfg.Demo {
		if n, err := library.Seed(ctx, st, templates.Demo()); err != nil {
			log.Error("seeding demo templates", "error", err)
		} else if n > 0 {
			if err := automation.SeedDemo(ctx, st); err != nil {
				log.Error("seeding demo rules", "error", err)
			}
		}
		if err := a.demoSim(opt.Addr); err != nil {
			return err
		}
	}
	return nil
}

// accountOK reports whether an account the user may see can send now;
// userID 0 is Replydesk itself (a rule), which may use any account.
func (a *App) accountOK(ctx context.Context, userID int64, accountID string) (bool, error) {
	get := func() (account.Account, error) { return a.Store.AccountForUser(ctx, userID, accountID) }
	if userID == 0 {
		get = func() (account.Account, error) { return a.Store.Account(ctx, accountID) }
	}
	acct, err := get()
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil && !acct.NeedsReconnect(), err
}

// demoSim builds the in-process simulated Meta platform that demo mode
// serves under /_sim, delivering its webhooks to this same server.
func (a *App) demoSim(addr net.Addr) error {
	port := 8080
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = tcp.Port
	}
	cfg := a.Config
	sim, err := metasim.New(metasim.Config{
		AppID: cfg.MetaAppID, AppSecret: cfg.MetaAppSecret, VerifyToken: cfg.MetaVerifyToken,
		WebhookURL: fmt.Sprintf("http://127.0.0.1:%d/webhooks/instagram", port), Seed: cfg.DemoSeed,
		TrafficPerMinute: cfg.DemoTraffic, BaseURL: cfg.BaseURL + "/_sim", GraphVersion: cfg.GraphVersion,
		StatePath: cfg.DataDir() + "/sim-state.json", Logger: a.Log.With("component", "metasim"),
	})
	if err != nil {
		return fmt.Errorf("demo simulator: %w", err)
	}
	a.Sim = sim.Handler()
	a.workers = append(a.workers, func(ctx context.Context) {
		if err := sim.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			a.Log.Error("demo simulator stopped", "error", err)
		}
		if err := sim.Close(); err != nil {
			a.Log.Error("demo simulator state", "error", err)
		}
	})
	return nil
}

// Start runs the background workers until Stop. Their context is not the
// caller's: shutdown stops them only after the HTTP server has finished
// its requests (webhooks in flight still get committed).
func (a *App) Start() {
	ctx, stop := context.WithCancel(context.Background())
	a.stop = stop
	for _, w := range a.workers {
		a.wg.Go(func() { w(ctx) })
	}
}

// Stop ends the workers and waits for them.
func (a *App) Stop() {
	if a.stop != nil {
		a.stop()
	}
	a.wg.Wait()
}

// Close closes the database; call it after Stop.
func (a *App) Close() error { return a.Store.Close() }
