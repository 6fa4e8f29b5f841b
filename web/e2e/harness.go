// Package e2e is the end-to-end test harness: it builds the real replydesk
// binary, starts it on a free port with a temporary database (optionally
// beside an in-process simulated Meta platform), and drives headless Chromium
// through chromedp.
//
// Most tests start with a World (world.go): the binary pointed at an
// in-process metasim, as in production. w.Login(t, facebookUserID) answers
// a Client (client.go) holding a session; its Get, PostForm and PostJSON
// scrape and send the CSRF token and parse HTML with goquery.
// w.BrowserLogin logs a Browser in through the real pages. chromedp is pinned exactly (v0.23.0, the generic API;
// TOOLING.md §3), and this file is the only place that knows its API shape
// for setup, so an upgrade touches one file.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/store/testdb"
	"github.com/replydesk/replydesk/internal/testport"
)

// BuildTags are the Go build tags every build of Replydesk uses; the
// Makefile sets the same list.
const BuildTags = "sqlite_fts5"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds cmd/replydesk once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "replydesk-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "replydesk")
		args := []string{"build", "-tags", BuildTags, "-o", binPath}
		if raceEnabled {
			args = append(args, "-race") // the binary reports data races, and the test fails on them
		}
		cmd := exec.Command("go", append(args, "./cmd/replydesk")...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("e2e: building replydesk: %v", buildErr)
	}
	return binPath
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the replydesk module")
	}
	return filepath.Dir(mod), nil
}

// FreePort returns a TCP port on 127.0.0.1 for a replydesk binary to listen
// on, kept for this test alone until it ends (testport.Free).
func FreePort(t testing.TB) int { return testport.Free(t) }

// App is a running replydesk process.
type App struct {
	URL    string // http://127.0.0.1:PORT
	Port   int
	DBPath string
	Env    map[string]string

	t    testing.TB
	dir  string // its working directory
	cmd  *exec.Cmd
	logs *logBuffer
	done chan struct{}
}

// AppOptions configure StartApp.
type AppOptions struct {
	Port   int               // 0 picks a free port
	DBPath string            // REPLYDESK_DATABASE; "" uses a new database (testdb.DSN)
	Env    map[string]string // extra environment, e.g. META_* to point at a simulator
}

// StartApp starts the replydesk binary and waits until /healthz answers.
// The process is stopped (SIGTERM) when the test ends.
func StartApp(t testing.TB, opt AppOptions) *App {
	t.Helper()
	if opt.Port == 0 {
		opt.Port = FreePort(t)
	}
	if opt.DBPath == "" {
		opt.DBPath = testdb.DSN(t)
	}
	a := &App{
		URL: fmt.Sprintf("http://127.0.0.1:%d", opt.Port), Port: opt.Port, DBPath: opt.DBPath, t: t, dir: t.TempDir(),
		Env: map[string]string{
			"REPLYDESK_ADDR":              fmt.Sprintf("127.0.0.1:%d", opt.Port),
			"REPLYDESK_BASE_URL":          fmt.Sprintf("http://127.0.0.1:%d", opt.Port),
			"REPLYDESK_DATABASE":          opt.DBPath,
			"REPLYDESK_DEMO_TRAFFIC":      "0",
			"REPLYDESK_BACKFILL_INTERVAL": "0",
		},
	}
	for k, v := range opt.Env {
		a.Env[k] = v
	}
	a.start()
	t.Cleanup(a.Stop)
	return a
}

func (a *App) start() {
	a.t.Helper()
	a.cmd = exec.Command(Binary(a.t))
	a.cmd.Dir = a.dir // what it writes beside itself (demo mode on PostgreSQL: ./data) stays in the test's
	a.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range a.Env {
		a.cmd.Env = append(a.cmd.Env, k+"="+v)
	}
	a.logs = &logBuffer{}
	a.cmd.Stdout = a.logs
	a.cmd.Stderr = a.logs
	if err := a.cmd.Start(); err != nil {
		a.t.Fatalf("e2e: start replydesk: %v", err)
	}
	a.done = make(chan struct{})
	go func() { a.cmd.Wait(); close(a.done) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-a.done:
			a.t.Fatalf("e2e: replydesk exited during start:\n%s", a.logs.String())
		default:
		}
		resp, err := http.Get(a.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	a.t.Fatalf("e2e: replydesk did not answer /healthz within 20s:\n%s", a.logs.String())
}

// Stop ends the process with SIGTERM (a graceful shutdown) and waits.
func (a *App) Stop() {
	if a.cmd == nil || a.cmd.Process == nil {
		return
	}
	select {
	case <-a.done:
		return
	default:
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(15 * time.Second):
		a.cmd.Process.Kill()
		<-a.done
	}
	if strings.Contains(a.logs.String(), "WARNING: DATA RACE") {
		a.t.Errorf("e2e: the race detector found a data race in replydesk")
	}
	if a.t.Failed() {
		a.t.Logf("replydesk output:\n%s", a.logs.String())
	}
}

// Kill ends the process with SIGKILL, as a crash would, and waits.
func (a *App) Kill() {
	a.cmd.Process.Kill()
	<-a.done
}

// Restart starts the process again on the same port and database.
func (a *App) Restart() { a.start() }

// Exited reports the process's exit code once it has ended (-1 while running).
func (a *App) Exited() int {
	select {
	case <-a.done:
		return a.cmd.ProcessState.ExitCode()
	default:
		return -1
	}
}

// Pid is the process id of the running binary.
func (a *App) Pid() int { return a.cmd.Process.Pid }

// Logs is everything the process printed so far.
func (a *App) Logs() string { return a.logs.String() }

type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// RunCommand runs the replydesk binary to completion with env and returns its
// exit code and combined output (for start-up failures and `migrate`).
func RunCommand(t testing.TB, env map[string]string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, _ := cmd.CombinedOutput()
	return cmd.ProcessState.ExitCode(), string(out)
}

// FirstLine is the first non-empty line of s.
func FirstLine(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			return l
		}
	}
	return ""
}
