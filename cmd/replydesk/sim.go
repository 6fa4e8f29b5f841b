package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/replydesk/replydesk/internal/metasim"
)

// runSim runs the simulated Meta platform alone ("replydesk sim") until ctx
// is done.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replydesk sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	webhookURL := fs.String("webhook-url", "", "the app's webhook callback URL (empty: no deliveries)")
	appID := fs.String("app-id", "", "Meta app id the simulator plays (required)")
	appSecret := fs.String("app-secret", "", "Meta app secret: signs webhooks and tokens (required)")
	verifyToken := fs.String("verify-token", "", "webhook verification token")
	seed := fs.Int64("seed", 1, "seed of the simulated world")
	traffic := fs.Float64("traffic", 0, "generated comments per minute (0: off)")
	state := fs.String("state", "", "optional JSON file keeping state across restarts")
	loginConfig := fs.String("login-config-id", "", "a Facebook Login for Business configuration the dialog knows (config_id)")
	deauthorizeURL := fs.String("deauthorize-url", "", "the app's deauthorize callback (default: the webhook URL's origin + /meta/deauthorize)")
	deletionURL := fs.String("data-deletion-url", "", "the app's data-deletion callback (default: the webhook URL's origin + /meta/data-deletion)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sim: unexpected argument %q", fs.Arg(0))
	}
	if *appID == "" || *appSecret == "" {
		return errors.New("sim: --app-id and --app-secret are required")
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("sim: listen: %w", err)
	}
	sim, err := metasim.New(metasim.Config{
		AppID: *appID, AppSecret: *appSecret, VerifyToken: *verifyToken, WebhookURL: *webhookURL,
		Seed: *seed, TrafficPerMinute: *traffic, StatePath: *state, Logger: logger, LoginConfigID: *loginConfig,
		DeauthorizeURL: *deauthorizeURL, DataDeletionURL: *deletionURL,
		// BaseURL stays empty: paging links and pictures follow each request's Host.
	})
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("sim: %w", err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- sim.Run(runCtx) }()
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(ln) }()
	// The base URL alone on stdout lets scripts started with --addr :0 find the port.
	fmt.Fprintln(stdout, "http://"+ln.Addr().String())
	logger.Info("simulated Meta platform listening", "addr", "http://"+ln.Addr().String(), "seed", *seed, "webhook_url", *webhookURL)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-serveDone:
	}
	shutCtx, shutCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer shutCancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		serveErr = errors.Join(serveErr, fmt.Errorf("sim: shutdown: %w", err))
	}
	cancel()
	<-runDone
	if err := sim.Close(); err != nil {
		serveErr = errors.Join(serveErr, err)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}
