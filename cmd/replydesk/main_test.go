package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/store/testdb"
	"github.com/replydesk/replydesk/internal/testport"
)

func TestRun_serveAndShutDownGracefully(t *testing.T) {
	t.Chdir(t.TempDir()) // demo mode's files go to ./data with a PostgreSQL database
	port := testport.Free(t)
	env := map[string]string{
		"REPLYDESK_ADDR":         fmt.Sprintf("127.0.0.1:%d", port),
		"REPLYDESK_BASE_URL":     fmt.Sprintf("http://127.0.0.1:%d", port),
		"REPLYDESK_DATABASE":     testdb.DSN(t),
		"REPLYDESK_DEMO_TRAFFIC": "0",
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, &bytes.Buffer{}, &stderr) }()
	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no healthz: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("did not shut down")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("log: %s", stderr.String())
	}
}

func TestRun_migrateAndUnknownCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	env := map[string]string{"REPLYDESK_DATABASE": testdb.DSN(t)}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"migrate"}, func(k string) string { return env[k] }, &out, &errb); code != 0 {
		t.Fatalf("migrate exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "up to date") {
		t.Errorf("migrate log: %s", errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out, &errb); code != 2 {
		t.Errorf("unknown command exit %d", code)
	}
}
