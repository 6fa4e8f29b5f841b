package metasim

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWebhook_slowAnswerIsAFailure: Meta waits 5 s (here 100 ms) for the
// app's answer; a later one counts as a failure and the delivery is retried.
func TestWebhook_slowAnswerIsAFailure(t *testing.T) {
	h := installed(t, withTuning(func(tn *tuning) { tn.hookTimeout = 100 * time.Millisecond }))
	h.hook.setSlow(1, time.Second)
	id := h.comment(map[string]any{"account": h.account(0), "text": "slow app"})
	got := h.hook.wait(t, 2)
	if string(got[0].body) != string(got[1].body) || parsePayload(t, got[1]).Entry[0].Changes[0].Value.ID != id {
		t.Fatalf("retry differs:\n%s\n%s", got[0].body, got[1].body)
	}
	waitOutcome(t, h, "delivered")
	var failed *deliveryRecord
	for _, d := range h.sim.hooks.recent(recordsKept) {
		if d.Outcome == "failed" {
			failed = &d
		}
	}
	if failed == nil || !strings.Contains(failed.Error, "no answer within 100ms") {
		t.Fatalf("failed attempt %+v", failed)
	}
}

// queueComments creates n comments on account 0 and queues their events
// without running the deliverer.
func queueComments(t *testing.T, h *harness, n int, text string) {
	t.Helper()
	acct := h.sim.world.accountByID[h.account(0)]
	for range n {
		c, err := h.sim.createComment(commentRequest{Account: acct.ID, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		h.sim.mu.Lock()
		ev := event{accountID: acct.ID, pageID: acct.PageID, change: h.sim.changeForLocked(c), queued: time.Now()}
		h.sim.mu.Unlock()
		h.sim.pushEvent(ev)
	}
}

// changesIn counts the changes of a delivery body.
func changesIn(t *testing.T, body []byte) int {
	t.Helper()
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range p.Entry {
		n += len(e.Changes)
	}
	return n
}

// TestDelivery_batchSizes: one change a delivery while traffic is light;
// up to 1,000 once a backlog builds up, and never a body over the byte cap.
func TestDelivery_batchSizes(t *testing.T) {
	tests := []struct {
		name    string
		queued  int
		text    string
		maxBody int
		want    []int // changes per delivery, in order
	}{
		{"light traffic", 3, "hi", maxDeliveryBytes, []int{1, 1, 1}},
		{"high traffic", 1500, "hi", maxDeliveryBytes, []int{1000, 500}},
		{"byte cap", 30, strings.Repeat("é", 500), 12_000, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withTuning(func(tn *tuning) { tn.maxBody = tt.maxBody }))
			queueComments(t, h, tt.queued, tt.text)
			var got []int
			for total := 0; total < tt.queued; {
				dv, _ := h.sim.nextDelivery()
				if dv == nil {
					t.Fatalf("no delivery after %d of %d changes", total, tt.queued)
				}
				n := changesIn(t, dv.body)
				if n != len(dv.comments) || (len(dv.body) > tt.maxBody && n > 1) {
					t.Fatalf("delivery of %d bytes: %d changes, %d comments", len(dv.body), n, len(dv.comments))
				}
				got, total = append(got, n), total+n
			}
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Fatalf("changes per delivery %v, want %v", got, tt.want)
			}
			if tt.want == nil && (len(got) < 2 || got[0] < 2) {
				t.Fatalf("changes per delivery %v: want several batches of several", got)
			}
		})
	}
}
