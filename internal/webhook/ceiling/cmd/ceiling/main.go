// Command ceiling serves ceiling.Handler: the bare Echo receiver that only
// reads a delivery and checks its signature. `make bench` starts it as a
// process of its own, beside Replydesk, and loads both with the same
// generator. Usage: ceiling -addr 127.0.0.1:PORT (the secret is
// CEILING_APP_SECRET).
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/replydesk/replydesk/internal/webhook/ceiling"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8099", "listen address")
	flag.Parse()
	secret := os.Getenv("CEILING_APP_SECRET")
	if secret == "" {
		fmt.Fprintln(os.Stderr, "ceiling: CEILING_APP_SECRET is required")
		os.Exit(2)
	}
	// The same server timeouts as Replydesk's (web.Server.Serve).
	srv := &http.Server{Addr: *addr, Handler: ceiling.Handler(secret),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}
