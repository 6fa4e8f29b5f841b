package e2e

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file holds what the ingest benchmark loads and measures with: the
// request generator, the ceiling's process and a process's CPU time.

type loadResult struct {
	n        int // answered requests
	elapsed  time.Duration
	cpu      time.Duration // the server's CPU time
	genCPU   time.Duration // the generator's (this process's) CPU time
	lats     []time.Duration
	errors   int
	rps      float64
	p50, p99 time.Duration
}

// add merges another run of the same load into r.
func (r *loadResult) add(o loadResult) {
	r.n += o.n
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	r.genCPU += o.genCPU
	r.lats = append(r.lats, o.lats...)
	r.errors += o.errors
	r.summarise()
}

func (r *loadResult) summarise() {
	if len(r.lats) == 0 || r.elapsed <= 0 {
		return
	}
	slices.Sort(r.lats)
	r.rps = float64(r.n) / r.elapsed.Seconds()
	r.p50 = r.lats[len(r.lats)*50/100].Round(10 * time.Microsecond)
	r.p99 = r.lats[len(r.lats)*99/100].Round(10 * time.Microsecond)
}

// measured runs load and adds the CPU time the server (process pid) and the
// generator used meanwhile.
func measured(t *testing.T, pid int, url string, clients int, d time.Duration, build func(worker, i int) (*http.Request, error)) loadResult {
	t.Helper()
	cpu0, gen0 := cpuTime(t, pid), cpuTime(t, os.Getpid())
	r := load(t, url, clients, d, build)
	r.cpu, r.genCPU = cpuTime(t, pid)-cpu0, cpuTime(t, os.Getpid())-gen0
	return r
}

// load runs clients concurrent request loops for d and reports throughput
// and latency percentiles. build makes each request (nil: GET url); its
// requests carry the worker's number and a sequence.
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
	r := loadResult{elapsed: time.Since(start)}
	for w := range clients {
		r.lats = append(r.lats, lats[w]...)
		r.errors += errs[w]
	}
	r.n = len(r.lats)
	if r.n == 0 {
		t.Fatalf("no request to %s succeeded", url)
	}
	r.summarise()
	return r
}

// deliveries builds one-comment deliveries to account at url, signed with
// secret, each with a comment id of its own (label keeps runs apart).
func deliveries(url, secret, account, label string) func(worker, i int) (*http.Request, error) {
	return func(worker, i int) (*http.Request, error) {
		body, sig := signedWith(secret, account, fmt.Sprintf("17%06d%03d%08d", labelNumber(label), worker, i))
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("X-Hub-Signature-256", sig)
		return req, nil
	}
}

// labelNumber turns a round's label into the digits its comment ids start
// with: ids must be Meta-shaped (digits), and each round's unique.
func labelNumber(label string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(label))
	return h.Sum32() % 1_000_000
}

// startCeiling builds and starts the ceiling receiver (a bare Echo server
// that only reads the body and checks the signature) and answers its URL
// and process id.
func startCeiling(t *testing.T, secret string) (string, int) {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ceiling")
	build := exec.Command("go", "build", "-o", bin, "./internal/webhook/ceiling/cmd/ceiling")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ceiling: %v\n%s", err, out)
	}
	port := FreePort(t)
	cmd := exec.Command(bin, "-addr", fmt.Sprintf("127.0.0.1:%d", port))
	cmd.Env = []string{"CEILING_APP_SECRET=" + secret}
	var logs logBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d/webhooks/instagram", port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Post(url, "application/json", nil) // unsigned: 401 once it listens
		if err == nil {
			resp.Body.Close()
			return url, cmd.Process.Pid
		}
	}
	t.Fatalf("the ceiling server did not start:\n%s", logs.String())
	return "", 0
}

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// cpuTime is the CPU time (user + system) process pid has used so far.
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("cpu time: %v", err)
	}
	// The command name may hold spaces: fields count from after its ')'.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64) // field 14 of the whole line
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * clockTick
}

// idleWindow and idleShare define idle: a stretch of idleWindow in which the
// process used less than idleShare of one core.
const (
	idleWindow = 500 * time.Millisecond
	idleShare  = 0.05
)

// afterLoad is what a process did once the load stopped.
type afterLoad struct {
	idleAfter time.Duration // when its first idle stretch began; -1 if none within the watch
	firstTwo  time.Duration // CPU time used in the first 2 s
}

// watchIdle samples pid's CPU time every 100 ms from the moment the load
// stopped until it has been idle for a whole idleWindow (at most max).
func watchIdle(t *testing.T, pid int, max time.Duration) afterLoad {
	t.Helper()
	const step = 100 * time.Millisecond
	per := int(idleWindow / step)
	start := time.Now()
	samples := []time.Duration{cpuTime(t, pid)}
	res := afterLoad{idleAfter: -1}
	for i := 1; time.Since(start) < max; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(i) * step)))
		samples = append(samples, cpuTime(t, pid))
		if i == int(2*time.Second/step) {
			res.firstTwo = samples[i] - samples[0]
		}
		if i >= per && res.idleAfter < 0 && samples[i]-samples[i-per] < time.Duration(idleShare*float64(idleWindow)) {
			res.idleAfter = time.Duration(i-per) * step
		}
		if res.idleAfter >= 0 && i >= int(2*time.Second/step) {
			break
		}
	}
	return res
}
