package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestIngestBenchmark measures webhook ingest against the real binary on a
// temporary SQLite database: signed single-comment deliveries from
// concurrent clients over loopback, and the same server's /healthz as a
// baseline. It runs only under `make bench` (REPLYDESK_BENCH=1).
//
// Targets on 2 cores: ≥ 5,000 deliveries/s, p99 < 25 ms, ratio ≥ 0.3.
func TestIngestBenchmark(t *testing.T) {
	if os.Getenv("REPLYDESK_BENCH") == "" {
		t.Skip("benchmark: run with make bench")
	}
	clients := envInt("BENCH_CLIENTS", 32)
	dur := time.Duration(envInt("BENCH_SECONDS", 10)) * time.Second
	dbPath := t.TempDir() + "/data/replydesk.db"
	connectedDB(t, dbPath)
	env := productionEnv()
	env["REPLYDESK_LOG"] = "json"
	app := StartApp(t, AppOptions{DBPath: dbPath, Env: env})

	health := load(t, app.URL+"/healthz", clients, dur, nil)
	var seq sync.Map
	hooks := load(t, app.URL+"/webhooks/instagram", clients, dur, func(worker, i int) (*http.Request, error) {
		id := fmt.Sprintf("%d%07d", 17910000000+worker, i) // Meta-shaped: digits
		seq.Store(worker, i)
		body, sig := signedDelivery(id)
		req, err := http.NewRequest(http.MethodPost, app.URL+"/webhooks/instagram", bytes.NewReader(body))
		req.Header.Set("X-Hub-Signature-256", sig)
		return req, err
	})
	ratio := hooks.rps / health.rps
	fmt.Printf("\nwebhook ingest benchmark (%d clients, %s each, GOMAXPROCS of the server = all cores)\n", clients, dur)
	fmt.Printf("  %-27s %10s %10s %10s %8s\n", "", "req/s", "p50", "p99", "errors")
	fmt.Printf("  %-27s %10.0f %10s %10s %8d\n", "/healthz (baseline)", health.rps, health.p50, health.p99, health.errors)
	fmt.Printf("  %-27s %10.0f %10s %10s %8d\n", "POST /webhooks (1 comment)", hooks.rps, hooks.p50, hooks.p99, hooks.errors)
	fmt.Printf("  ratio deliveries/healthz = %.2f   (targets: ≥ 5000 deliveries/s, p99 < 25ms, ratio ≥ 0.3)\n\n", ratio)
	if hooks.errors > 0 {
		t.Errorf("%d deliveries failed", hooks.errors)
	}
}

type loadResult struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
}

// load runs clients concurrent request loops for d and reports throughput
// and latency percentiles. build makes each request (nil: GET url).
func load(t *testing.T, url string, clients int, d time.Duration, build func(worker, i int) (*http.Request, error)) loadResult {
	t.Helper()
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	lats := make([][]time.Duration, clients)
	errs := make([]int, clients)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				var req *http.Request
				var err error
				if build != nil {
					req, err = build(w, i)
				} else {
					req, err = http.NewRequest(http.MethodGet, url, nil)
				}
				if err != nil {
					errs[w]++
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs[w]++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lats[w] = append(lats[w], time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					errs[w]++
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	r := loadResult{}
	for w := range clients {
		all = append(all, lats[w]...)
		r.errors += errs[w]
	}
	slices.Sort(all)
	if len(all) == 0 {
		t.Fatalf("no request to %s succeeded", url)
	}
	r.rps = float64(len(all)) / elapsed.Seconds()
	r.p50 = all[len(all)*50/100].Round(10 * time.Microsecond)
	r.p99 = all[len(all)*99/100].Round(10 * time.Microsecond)
	return r
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
