package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestIngestBenchmark measures webhook ingest against the real binary on a
// temporary SQLite database, wired to the simulated Meta platform with an
// account connected through Facebook Login (so deadline corrections really
// call the Graph API), and against the ceiling in the same run: a bare Echo
// server, in a process of its own, that only reads each delivery and checks
// its signature. One generator loads both with signed
// one-comment deliveries from concurrent clients over loopback, in
// alternating rounds (a neighbour's load on a shared machine then weighs on
// both alike); before each ceiling round the app is left to finish its
// after-work, and how long that takes is the "idle after" figure. Then
// deliveries to an account that is not connected, and /healthz. It runs
// only under `make bench` (REPLYDESK_BENCH=1).
//
// BENCH_CLIENTS (32), BENCH_SECONDS (10, per server) and BENCH_ROUNDS (3)
// tune it; BENCH_PROFILE=dir adds a profiled round at the end (CPU and
// allocations through REPLYDESK_PPROF) and prints the profile's top items.
//
// Targets on 2 cores: ≥ 0.4× the ceiling, p99 < 15 ms at 32 clients, idle
// again within 2 s of the load stopping.
func TestIngestBenchmark(t *testing.T) {
	if os.Getenv("REPLYDESK_BENCH") == "" {
		t.Skip("benchmark: run with make bench")
	}
	clients := envInt("BENCH_CLIENTS", 32)
	rounds := envInt("BENCH_ROUNDS", 3)
	slice := time.Duration(envInt("BENCH_SECONDS", 10)) * time.Second / time.Duration(rounds)
	profileDir := os.Getenv("BENCH_PROFILE")

	env := map[string]string{"REPLYDESK_LOG": "json"}
	pprofAddr := ""
	if profileDir != "" {
		pprofAddr = fmt.Sprintf("127.0.0.1:%d", FreePort(t))
		env["REPLYDESK_PPROF"] = pprofAddr
	}
	w := NewWorld(t, WorldOptions{Env: env})
	world := w.World()
	w.Login(t, world.User("Ava").ID) // connects her accounts, with their Page tokens
	app, acct, secret := w.App, world.Account("acme.coffee").ID, w.AppSecret
	ceilingURL, ceilingPid := startCeiling(t, secret)
	hookURL := app.URL + "/webhooks/instagram"

	// Warm both up: connections, the database's first pages.
	load(t, ceilingURL, clients, time.Second, deliveries(ceilingURL, secret, acct, "warm"))
	load(t, hookURL, clients, time.Second, deliveries(hookURL, secret, acct, "warm"))
	watchIdle(t, app.Pid(), 10*time.Second)

	var ceil, hooks loadResult
	var after []afterLoad
	for r := range rounds {
		ceil.add(measured(t, ceilingPid, ceilingURL, clients, slice, deliveries(ceilingURL, secret, acct, fmt.Sprint("c", r))))
		hooks.add(measured(t, app.Pid(), hookURL, clients, slice, deliveries(hookURL, secret, acct, fmt.Sprint("r", r))))
		after = append(after, watchIdle(t, app.Pid(), 10*time.Second))
	}
	unknown := measured(t, app.Pid(), hookURL, clients, slice, deliveries(hookURL, secret, "17841400000099999", "u"))
	watchIdle(t, app.Pid(), 10*time.Second)
	health := measured(t, app.Pid(), app.URL+"/healthz", clients, slice, nil)

	fmt.Printf("\nwebhook ingest benchmark (%d clients, %d rounds of %s per server, GOMAXPROCS of the servers = all cores)\n",
		clients, rounds, slice)
	fmt.Printf("  %-38s %9s %9s %9s %7s %7s %12s %12s\n", "", "req/s", "p50", "p99", "errors", "ratio", "server CPU", "loader CPU")
	row := func(name string, r loadResult) {
		fmt.Printf("  %-38s %9.0f %9s %9s %7d %7.2f %9.0f µs %9.0f µs\n", name, r.rps, r.p50, r.p99, r.errors, r.rps/ceil.rps,
			float64(r.cpu.Microseconds())/float64(r.n), float64(r.genCPU.Microseconds())/float64(r.n))
	}
	row("ceiling: bare Echo, signature only", ceil)
	row("POST /webhooks, connected account", hooks)
	row("POST /webhooks, account not connected", unknown)
	row("GET /healthz (pings the database)", health)
	idle := make([]string, len(after))
	var firstTwo time.Duration
	for i, a := range after {
		idle[i] = "not within 10s"
		if a.idleAfter >= 0 {
			idle[i] = a.idleAfter.String()
		}
		firstTwo += a.firstTwo
	}
	fmt.Printf("  (CPU is a request's share of the server's and of this load generator's CPU time)\n")
	fmt.Printf("  app under connected load: %.2f cores; the ceiling under its load: %.2f cores\n",
		hooks.cpu.Seconds()/hooks.elapsed.Seconds(), ceil.cpu.Seconds()/ceil.elapsed.Seconds())
	fmt.Printf("  after each round's load stopped: idle (< %.0f %% of a core for %s) after %s; %.2f cores in the first 2 s\n",
		idleShare*100, idleWindow, strings.Join(idle, ", "), firstTwo.Seconds()/2/float64(len(after)))
	fmt.Printf("  targets: ratio ≥ 0.40, p99 < 15ms, idle within 2s\n\n")
	if hooks.errors+unknown.errors > 0 {
		t.Errorf("%d deliveries failed", hooks.errors+unknown.errors)
	}
	if profileDir != "" {
		profileRound(t, profileDir, pprofAddr, deliveries(hookURL, secret, acct, "p"), hookURL, clients)
	}
}

// profileRound loads the app with connected deliveries once more while
// taking a CPU profile and an allocation profile of exactly that load,
// saves both in dir and prints their top items.
func profileRound(t *testing.T, dir, pprofAddr string, build func(worker, i int) (*http.Request, error), hookURL string, clients int) {
	t.Helper()
	const seconds = 5
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	files := map[string]string{"cpu": "profile", "allocs": "allocs", "trace": "trace"}
	for name, path := range files {
		wg.Go(func() {
			resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", pprofAddr, path, seconds))
			if err != nil {
				t.Errorf("profile %s: %v", name, err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("profile %s: %d %s", name, resp.StatusCode, b)
				return
			}
			os.WriteFile(filepath.Join(dir, name+".pprof"), b, 0o644)
		})
	}
	time.Sleep(100 * time.Millisecond) // both profiles have started
	r := load(t, hookURL, clients, seconds*time.Second, build)
	wg.Wait()
	fmt.Printf("profiled round: %.0f deliveries/s, p99 %s; profiles in %s\n", r.rps, r.p99, dir)
	for _, p := range []struct{ name, args string }{
		{"cpu", "-top -nodecount=25"}, {"cpu", "-top -cum -nodecount=40"}, {"allocs", "-top -sample_index=alloc_space -nodecount=20"},
	} {
		args := append([]string{"tool", "pprof"}, strings.Fields(p.args)...)
		out, err := exec.Command("go", append(args, filepath.Join(dir, p.name+".pprof"))...).CombinedOutput()
		if err != nil {
			t.Errorf("go tool pprof: %v\n%s", err, out)
			continue
		}
		fmt.Printf("\n%s profile (%s):\n%s", p.name, p.args, out)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
