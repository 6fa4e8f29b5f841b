// Command replydesk is the Replydesk dashboard: `replydesk serve` (the
// default) runs it, `replydesk sim` runs the simulated Meta platform alone,
// and `replydesk migrate` applies database migrations and exits.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/replydesk/replydesk/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: replydesk [serve|sim|migrate] [flags]

  serve     run the dashboard (default); configured by environment variables, see README
  sim       run the simulated Meta platform alone (replydesk sim -h for flags)
  migrate   apply database migrations and exit
`

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve", "migrate":
		// Before the configuration creates anything, and before the
		// database is touched: a binary built without the sqlite_fts5 tag
		// says how to build it.
		if err := store.CheckSQLite(ctx); err != nil {
			fmt.Fprintf(stderr, "replydesk: %v\n", err)
			return 1
		}
	}
	switch cmd {
	case "serve":
		err = runServe(ctx, args, getenv, stdout, stderr)
	case "migrate":
		err = runMigrate(ctx, args, getenv, stderr)
	case "sim":
		err = runSim(ctx, args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "replydesk: unknown command %q\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "replydesk: %v\n", err)
		return 1
	}
	return 0
}
