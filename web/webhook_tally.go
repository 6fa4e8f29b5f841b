package web

import (
	"context"
	"log/slog"
	"maps"
	"math/bits"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/store"
)

// Meta sends deliveries by the thousand a second at peak, so they are not
// logged one by one like other requests: a webhookTally counts them, and
// the server logs one summary line a minute (and one at shutdown). A
// delivery that fails with a 5xx is still logged on its own, by the error
// handler.

// webhookSummaryEvery is how often the summary line is written.
const webhookSummaryEvery = time.Minute

// maxTalliedAccounts bounds the account ids a summary names.
const maxTalliedAccounts = 10

// webhookTally counts deliveries between two summary lines.
type webhookTally struct {
	mu       sync.Mutex
	start    time.Time
	statuses map[int]int // answers by HTTP status
	refused  map[string]int
	stored   int // comments stored for the first time
	dup      int // comments already known
	dropped  int // comments of accounts not connected
	unknown  []string
	latency  [32]int // answers by latency: bucket k holds those under 2^k µs
}

func newWebhookTally(now time.Time) *webhookTally {
	return &webhookTally{start: now, statuses: map[int]int{}, refused: map[string]int{}}
}

// tallyWebhooks is the delivery route's middleware: it answers errors at
// once (so their status is known) and counts every answer and its latency.
func (s *Server) tallyWebhooks(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t0 := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		s.hooks.answered(c.Response().Status, time.Since(t0))
		return nil
	}
}

func (t *webhookTally) answered(status int, d time.Duration) {
	k := min(bits.Len64(uint64(d.Microseconds())), len(t.latency)-1)
	t.mu.Lock()
	t.statuses[status]++
	t.latency[k]++
	t.mu.Unlock()
}

// stored counts what a committed delivery did.
func (t *webhookTally) delivered(r store.DeliveryResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stored += len(r.New)
	t.dup += r.Duplicates
	t.dropped += r.Unknown
	for _, a := range r.UnknownAccounts {
		if len(t.unknown) < maxTalliedAccounts && !slices.Contains(t.unknown, a) {
			t.unknown = append(t.unknown, a)
		}
	}
}

// refusal counts a delivery refused for reason (an error code of the answer).
func (t *webhookTally) refusal(reason string) {
	t.mu.Lock()
	t.refused[reason]++
	t.mu.Unlock()
}

// summary answers the counts since the last summary as log attributes, and
// starts counting afresh; ok is false when nothing arrived.
func (t *webhookTally) summary(now time.Time) (attrs []slog.Attr, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	total, refused, failed := 0, 0, 0
	for status, n := range t.statuses {
		total += n
		switch {
		case status >= 500:
			failed += n
		case status >= 400:
			refused += n
		}
	}
	if total == 0 {
		t.start = now
		return nil, false
	}
	attrs = []slog.Attr{
		slog.Duration("over", now.Sub(t.start).Round(time.Second)),
		slog.Int("requests", total),
		slog.Int("accepted", t.statuses[http.StatusOK]),
		slog.Int("comments_new", t.stored),
		slog.Int("comments_duplicate", t.dup),
	}
	if t.dropped > 0 {
		attrs = append(attrs, slog.Int("comments_dropped", t.dropped), slog.Any("accounts_not_connected", t.unknown))
	}
	if refused > 0 {
		attrs = append(attrs, slog.Int("refused", refused))
		for _, reason := range slices.Sorted(maps.Keys(t.refused)) {
			attrs = append(attrs, slog.Int("refused_"+reason, t.refused[reason]))
		}
	}
	if failed > 0 {
		attrs = append(attrs, slog.Int("failed", failed))
	}
	// Latencies to a power of two: the bucket that holds the percentile.
	attrs = append(attrs, slog.Duration("latency_p50", t.percentile(total, 0.50)), slog.Duration("latency_p99", t.percentile(total, 0.99)))
	t.start, t.statuses, t.refused = now, map[int]int{}, map[string]int{}
	t.stored, t.dup, t.dropped, t.unknown, t.latency = 0, 0, 0, nil, [len(t.latency)]int{}
	return attrs, true
}

// percentile is the upper bound of the latency bucket holding quantile q.
func (t *webhookTally) percentile(total int, q float64) time.Duration {
	want, seen := int(float64(total)*q+0.5), 0
	for k, n := range t.latency {
		if seen += n; seen >= max(want, 1) {
			return time.Duration(1<<k) * time.Microsecond
		}
	}
	return time.Duration(1<<(len(t.latency)-1)) * time.Microsecond
}

// logWebhookSummaries writes the summary line every webhookSummaryEvery
// until ctx is done, then a last one.
func (s *Server) logWebhookSummaries(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			s.logWebhookSummary()
			return
		case <-tick.C:
			s.logWebhookSummary()
		}
	}
}

func (s *Server) logWebhookSummary() {
	if attrs, ok := s.hooks.summary(s.now()); ok {
		s.log.LogAttrs(context.Background(), slog.LevelInfo, "webhook deliveries", attrs...)
	}
}
