package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store"
)

// TestWebhookTally_summaryLine: what the summary line says about a minute
// of deliveries, and that the next minute starts from nothing.
func TestWebhookTally_summaryLine(t *testing.T) {
	start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tally := newWebhookTally(start)
	for i := range 98 {
		tally.answered(http.StatusOK, time.Duration(300+i)*time.Microsecond) // 256–512 µs
		tally.delivered(store.DeliveryResult{New: make([]inbox.Comment, 1), Duplicates: i % 2})
	}
	tally.answered(http.StatusOK, 3*time.Millisecond)
	tally.delivered(store.DeliveryResult{Unknown: 2, UnknownAccounts: []string{"17841400000099999"}})
	tally.answered(http.StatusUnauthorized, 100*time.Microsecond)
	tally.refusal("bad_signature")
	tally.answered(http.StatusInternalServerError, 20*time.Millisecond)

	var buf bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&buf, nil)), now: func() time.Time { return start.Add(time.Minute) }, hooks: tally}
	s.logWebhookSummary()
	line := buf.String()
	for _, want := range []string{`msg="webhook deliveries"`, "over=1m0s", "requests=101", "accepted=99", "comments_new=98",
		"comments_duplicate=49", "comments_dropped=2", "accounts_not_connected=[17841400000099999]", "refused=1",
		"refused_bad_signature=1", "failed=1", "latency_p50=512µs", "latency_p99=4.096ms"} {
		if !strings.Contains(line, want) {
			t.Errorf("summary lacks %s:\n%s", want, line)
		}
	}
	buf.Reset()
	s.logWebhookSummary()
	if buf.Len() != 0 {
		t.Errorf("a quiet minute logged %q", buf.String())
	}
	// The ticker's loop writes a last line when it stops.
	tally.answered(http.StatusOK, time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.logWebhookSummaries(ctx, time.Hour)
	if !strings.Contains(buf.String(), "requests=1 accepted=1") {
		t.Errorf("no last line at shutdown: %q", buf.String())
	}
}
