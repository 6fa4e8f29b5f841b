package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuild_plainGoBuildSaysHow builds the binary as `go build
// ./cmd/replydesk` would (no sqlite_fts5 tag) and runs it: serve and
// migrate stop at once with one line saying how to build it, exit 1, and
// the database (and its directory) is never created.
func TestBuild_plainGoBuildSaysHow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary (SQLite without FTS5 compiles once, about a minute)")
	}
	bin := filepath.Join(t.TempDir(), "replydesk")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOFLAGS=") // the Makefile exports -tags=sqlite_fts5
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, args := range [][]string{nil, {"serve"}, {"migrate"}} {
		dir := filepath.Join(t.TempDir(), "data")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "REPLYDESK_DATABASE=" + filepath.Join(dir, "replydesk.db"),
			"REPLYDESK_ADDR=127.0.0.1:0", "REPLYDESK_DEMO_TRAFFIC=0"}
		out, _ := cmd.CombinedOutput()
		cancel()
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if code := cmd.ProcessState.ExitCode(); code != 1 || len(lines) != 1 ||
			!strings.Contains(lines[0], "go build -tags sqlite_fts5 ./cmd/replydesk") || !strings.Contains(lines[0], "make build") {
			t.Errorf("replydesk %v: exit %d, output:\n%s\nwant exit 1 and one line saying how to build it", args, code, out)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("replydesk %v touched the database directory before refusing: %v", args, err)
		}
	}
}

// TestRun_badConfigurationOneLine: a bad value stops the start with one
// line naming the variable (REPLYDESK_TRUSTED_PROXIES among them).
func TestRun_badConfigurationOneLine(t *testing.T) {
	env := map[string]string{
		"REPLYDESK_DATABASE":        filepath.Join(t.TempDir(), "r.db"),
		"REPLYDESK_TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal",
	}
	var out, errb strings.Builder
	if code := run(context.Background(), nil, func(k string) string { return env[k] }, &out, &errb); code != 1 {
		t.Fatalf("exit %d", code)
	}
	got := strings.TrimSuffix(errb.String(), "\n")
	if strings.Contains(got, "\n") || !strings.HasPrefix(got, `replydesk: REPLYDESK_TRUSTED_PROXIES: "proxy.internal" is not an IP range`) {
		t.Errorf("stderr = %q, want one line naming REPLYDESK_TRUSTED_PROXIES", got)
	}
}
