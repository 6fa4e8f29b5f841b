package main

import (
	"context"
	"fmt"
	"io"

	"github.com/replydesk/replydesk/internal/config"
	"github.com/replydesk/replydesk/internal/store"
)

// runMigrate applies every pending migration and exits.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("migrate takes no arguments, got %q", args[0])
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	st, err := store.Open(ctx, cfg.Database, store.Options{Logger: log})
	if err != nil {
		return fmt.Errorf("REPLYDESK_DATABASE: %w", err)
	}
	v, err := st.Version(ctx)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	log.Info("database is up to date", "database", cfg.DatabaseLabel(), "version", v)
	return nil
}
