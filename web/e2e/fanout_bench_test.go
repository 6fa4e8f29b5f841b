package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/sse"
)

// TestFanoutBenchmark measures the live inbox with a whole team's tabs
// open against the real binary: how long a comment takes from its webhook
// POST to each open event stream, whether every stream gets every comment,
// and the server's peak memory. It runs only under `make bench`.
//
// Targets on 2 cores: 1,000 streams (100 sessions × 10 tabs), 100 comments
// at 20/s: every stream gets every comment, p99 < 250 ms, peak RSS < 250 MB;
// 300 streams, one delivery of 1,000 comments: all delivered within 10 s.
func TestFanoutBenchmark(t *testing.T) {
	if os.Getenv("REPLYDESK_BENCH") == "" {
		t.Skip("benchmark: run with make bench")
	}
	fmt.Printf("\nlive inbox fan-out benchmark (real binary, SSE clients over loopback)\n")
	fmt.Printf("  %-44s %9s %9s %9s %9s %10s %12s\n", "", "delivered", "p50", "p99", "max", "all in", "peak RSS")
	for _, sc := range []struct {
		name            string
		sessions, tabs  int
		comments, batch int
		every           time.Duration
	}{
		{"1,000 streams, 100 comments at 20/s", 100, 10, 100, 1, 50 * time.Millisecond},
		{"300 streams, one delivery of 1,000 comments", 30, 10, 1000, 1000, 0},
	} {
		r := fanout(t, sc.sessions, sc.tabs, sc.comments, sc.batch, sc.every)
		fmt.Printf("  %-44s %8.2f%% %9s %9s %9s %10s %9.0f MB\n", sc.name, 100*r.delivered,
			r.p50, r.p99, r.max, r.allIn, float64(r.peakRSS)/(1<<20))
		if r.delivered < 1 {
			t.Errorf("%s: %.2f%% of the events arrived", sc.name, 100*r.delivered)
		}
	}
	fmt.Println("  (targets: 100% delivered; 1,000 streams p99 < 250ms, peak RSS < 250 MB; 1,000 comments all in < 10s)")
	fmt.Println()
}

type fanoutResult struct {
	delivered     float64 // share of (stream, comment) pairs that arrived
	p50, p99, max time.Duration
	allIn         time.Duration // from the first POST to the last event
	peakRSS       int64         // bytes (VmHWM)
}

var rowIDRe = regexp.MustCompile(`id="comment-(\d+)"`)

// fanout opens sessions×tabs streams, posts comments signed webhooks
// (batch comments per delivery, a delivery every `every`), and measures
// what each stream received.
func fanout(t *testing.T, sessions, tabs, comments, batch int, every time.Duration) fanoutResult {
	w := NewWorld(t, WorldOptions{Env: map[string]string{"REPLYDESK_LOG": "json"}})
	d := w.World()
	ava, acct := d.User("Ava"), d.Account("acme.coffee")
	clients := make([]*Client, sessions)
	for i := range clients {
		clients[i] = w.Login(t, ava.ID)
	}
	url, _ := clients[0].Get(t, "/inbox").Find("[data-testid=inbox-page]").Attr("sse-connect")

	base := int64(18100000000000000 + time.Now().UnixNano()%1e9*1000)
	sentAt := make([]time.Time, comments) // by comment index
	var sentMu sync.RWMutex
	type stream struct {
		got  map[int]time.Duration
		last time.Time
	}
	streams := make([]*stream, sessions*tabs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ready, done sync.WaitGroup
	for i := range streams {
		st := &stream{got: map[int]time.Duration{}}
		streams[i] = st
		ready.Add(1)
		done.Add(1)
		go func(c *Client) {
			defer done.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+url, nil)
			resp, err := c.HTTP.Do(req)
			if err != nil || resp.StatusCode != 200 {
				ready.Done()
				return
			}
			defer resp.Body.Close()
			ready.Done()
			events := make(chan sse.Event, 64)
			go func() { sse.Read(resp.Body, events); close(events) }()
			for e := range events {
				m := rowIDRe.FindStringSubmatch(e.Data)
				if m == nil || e.Name != "comment" {
					continue
				}
				n, _ := strconv.ParseInt(m[1], 10, 64)
				idx := int(n - base)
				if idx < 0 || idx >= comments {
					continue
				}
				now := time.Now()
				sentMu.RLock()
				at := sentAt[idx]
				sentMu.RUnlock()
				if _, seen := st.got[idx]; !seen {
					st.got[idx] = now.Sub(at)
					st.last = now
				}
				if len(st.got) == comments {
					return
				}
			}
		}(clients[i%sessions])
	}
	ready.Wait()

	client := &http.Client{Timeout: 30 * time.Second}
	start := time.Now()
	var posts sync.WaitGroup
	for first := 0; first < comments; first += batch {
		n := min(batch, comments-first)
		body := fanoutDelivery(acct.ID, base, first, n)
		sentMu.Lock()
		now := time.Now()
		for i := first; i < first+n; i++ {
			sentAt[i] = now
		}
		sentMu.Unlock()
		posts.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, w.App.URL+"/webhooks/instagram", bytes.NewReader(body))
			req.Header.Set("X-Hub-Signature-256", signFanout(body))
			if resp, err := client.Do(req); err != nil || resp.StatusCode != 200 {
				t.Errorf("delivery: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
		})
		if every > 0 {
			time.Sleep(every) // the load's pace, not a synchronisation
		}
	}
	posts.Wait()
	finished := make(chan struct{})
	go func() { done.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		cancel()
		<-finished
	}

	var r fanoutResult
	var lats []time.Duration
	var last time.Time
	for _, st := range streams {
		for _, l := range st.got {
			lats = append(lats, l)
		}
		if st.last.After(last) {
			last = st.last
		}
	}
	slices.Sort(lats)
	r.delivered = float64(len(lats)) / float64(len(streams)*comments)
	if len(lats) > 0 {
		r.p50 = lats[len(lats)*50/100].Round(time.Millisecond)
		r.p99 = lats[len(lats)*99/100].Round(time.Millisecond)
		r.max = lats[len(lats)-1].Round(time.Millisecond)
		r.allIn = last.Sub(start).Round(time.Millisecond)
	}
	r.peakRSS = peakRSS(w.App.Pid())
	return r
}

// fanoutDelivery is one signed-ready delivery of n comments numbered from
// base+first.
func fanoutDelivery(account string, base int64, first, n int) []byte {
	var changes []string
	for i := first; i < first+n; i++ {
		changes = append(changes, fmt.Sprintf(`{"field":"comments","value":{"id":"%d","text":"Is the blue one back? #%d","from":{"id":"%d","username":"fan.%d"},"media":{"id":"17890000000000201","media_product_type":"FEED"}}}`,
			base+int64(i), i, 1234567890000000+i, i))
	}
	return []byte(fmt.Sprintf(`{"object":"instagram","entry":[{"id":"%s","time":%d,"changes":[%s]}]}`,
		account, time.Now().Unix(), strings.Join(changes, ",")))
}

func signFanout(body []byte) string {
	m := hmac.New(sha256.New, []byte(worldAppSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// peakRSS reads a process's peak resident set size (VmHWM) from /proc.
func peakRSS(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
