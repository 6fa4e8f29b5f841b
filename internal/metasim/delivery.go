package metasim

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Meta's delivery policy (meta-platform.md §1.3).
const (
	giveUpAfter      = 36 * time.Hour // unacknowledged updates are dropped
	unsubscribeAfter = time.Hour      // continuous failure unsubscribes the Page
	recordsKept      = 200
)

// deliverer holds webhook events waiting to be sent, deliveries waiting to
// be retried, and a log of recent attempts.
type deliverer struct {
	mu           sync.Mutex
	pending      []event
	retries      retryHeap
	records      []deliveryRecord
	nextID       int64
	failingSince map[string]time.Time // page id → start of its current run of failures (sim time)
	rng          *rand.Rand
	wake         chan struct{}
}

// delivery is one POST: its body never changes between retries.
type delivery struct {
	id       int64
	body     []byte
	pages    []string
	accounts []string
	comments []string
	entries  int
	first    time.Time // sim time of the first attempt
	attempt  int
	due      time.Time // real time of the next attempt
}

// deliveryRecord is one line of GET /control/deliveries.
type deliveryRecord struct {
	ID       int64     `json:"id,omitempty"`
	Attempt  int       `json:"attempt,omitempty"`
	At       time.Time `json:"at"`
	Outcome  string    `json:"outcome"` // delivered, failed, gave_up, unsubscribed, skipped, dropped, overflow
	Status   int       `json:"status,omitempty"`
	Error    string    `json:"error,omitempty"`
	Entries  int       `json:"entries,omitempty"`
	Comments []string  `json:"comment_ids"`
	Accounts []string  `json:"accounts"`
	Bytes    int       `json:"bytes,omitempty"`
}

func newDeliverer(seed int64) *deliverer {
	return &deliverer{
		failingSince: map[string]time.Time{},
		rng:          rand.New(rand.NewPCG(uint64(seed), 0x686f6f6b)),
		wake:         make(chan struct{}, 1),
	}
}

func (d *deliverer) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *deliverer) record(r deliveryRecord) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.recordLocked(r)
}

func (d *deliverer) recordLocked(r deliveryRecord) {
	if r.Comments == nil {
		r.Comments = []string{}
	}
	d.records = append(d.records, r)
	if len(d.records) > recordsKept {
		d.records = append(d.records[:0], d.records[len(d.records)-recordsKept:]...)
	}
}

// recent answers the delivery log, newest first.
func (d *deliverer) recent(n int) []deliveryRecord {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]deliveryRecord, 0, min(n, len(d.records)))
	for i := len(d.records) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, d.records[i])
	}
	return out
}

func (d *deliverer) clearFailing(pageID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.failingSince, pageID)
}

// pushEvent queues an event; a full queue drops its oldest event.
func (s *Sim) pushEvent(ev event) {
	d := s.hooks
	d.mu.Lock()
	if len(d.pending) >= s.tune.queueCap {
		old := d.pending[0]
		d.pending = d.pending[1:]
		s.log.Warn("metasim: webhook queue full; dropping the oldest event", "comment_id", old.change.Value.ID)
		d.recordLocked(deliveryRecord{At: s.now(), Outcome: "overflow", Error: "queue full",
			Comments: []string{old.change.Value.ID}, Accounts: []string{old.accountID}})
	}
	d.pending = append(d.pending, ev)
	d.mu.Unlock()
	d.signal()
}

// dispatch hands deliveries to the workers: due retries first, then new
// batches of pending events, until ctx is done.
func (s *Sim) dispatch(ctx context.Context, work chan<- *delivery) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		dv, wait := s.nextDelivery()
		if dv != nil {
			select {
			case work <- dv:
				continue
			case <-ctx.Done():
				return
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-s.hooks.wake:
		case <-timer.C:
		}
	}
}

// nextDelivery answers a delivery ready now, or how long to wait for one.
func (s *Sim) nextDelivery() (*delivery, time.Duration) {
	d := s.hooks
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	wait := time.Hour
	if len(d.retries) > 0 {
		if due := d.retries[0].due; !due.After(now) {
			return heap.Pop(&d.retries).(*delivery), 0
		} else {
			wait = due.Sub(now)
		}
	}
	if len(d.pending) == 0 {
		return nil, wait
	}
	if ready := d.pending[0].queued.Add(s.tune.gather); ready.After(now) && len(d.pending) < s.tune.maxBatch {
		return nil, min(wait, ready.Sub(now))
	}
	n := 1
	if len(d.pending) > 1 && d.rng.Float64() < s.tune.batchChance {
		n = min(len(d.pending), 2+d.rng.IntN(max(1, s.tune.maxBatch-1)))
	}
	events := d.pending[:n:n]
	d.pending = d.pending[n:]
	simNow := s.now()
	body, err := buildBody(events, simNow, d.rng)
	if err != nil {
		s.log.Error("metasim: encode webhook", "error", err)
		return nil, 0
	}
	d.nextID++
	dv := &delivery{id: d.nextID, body: body, first: simNow, entries: countEntries(events)}
	seen := map[string]bool{}
	for _, ev := range events {
		dv.comments = append(dv.comments, ev.change.Value.ID)
		if !seen[ev.accountID] {
			seen[ev.accountID] = true
			dv.accounts = append(dv.accounts, ev.accountID)
			dv.pages = append(dv.pages, ev.pageID)
		}
	}
	return dv, 0
}

func countEntries(events []event) int {
	seen := map[string]bool{}
	for _, ev := range events {
		seen[ev.accountID] = true
	}
	return len(seen)
}

func (s *Sim) deliveryWorker(ctx context.Context, work <-chan *delivery) {
	for {
		select {
		case <-ctx.Done():
			return
		case dv := <-work:
			s.attempt(ctx, dv)
		}
	}
}

// attempt POSTs a delivery once and handles the outcome.
func (s *Sim) attempt(ctx context.Context, dv *delivery) {
	s.mu.Lock()
	installed := false
	for _, p := range dv.pages {
		installed = installed || s.st.installs[p] != nil
	}
	s.mu.Unlock()
	rec := deliveryRecord{ID: dv.id, Comments: dv.comments, Accounts: dv.accounts, Entries: dv.entries, Bytes: len(dv.body)}
	if !installed {
		rec.At, rec.Outcome, rec.Error = s.now(), "dropped", "the app is no longer installed on the Page"
		s.hooks.record(rec)
		return
	}
	dv.attempt++
	rec.Attempt = dv.attempt
	status, err := s.post(ctx, dv.body)
	if ctx.Err() != nil {
		return // shutting down
	}
	rec.At, rec.Status = s.now(), status
	if err == nil && status >= 200 && status < 300 {
		rec.Outcome = "delivered"
		s.hooks.mu.Lock()
		for _, p := range dv.pages {
			delete(s.hooks.failingSince, p)
		}
		s.hooks.recordLocked(rec)
		s.hooks.mu.Unlock()
		return
	}
	rec.Error = fmt.Sprintf("HTTP %d", status)
	if err != nil {
		rec.Error = err.Error()
	}
	s.failed(dv, rec)
}

// failed schedules a retry, or gives up after 36 h, or unsubscribes Pages
// that have failed continuously for an hour.
func (s *Sim) failed(dv *delivery, rec deliveryRecord) {
	now := rec.At
	d := s.hooks
	d.mu.Lock()
	var unsubscribe []string
	for _, p := range dv.pages {
		since, ok := d.failingSince[p]
		if !ok {
			d.failingSince[p], since = now, now
		}
		if now.Sub(since) >= unsubscribeAfter {
			unsubscribe = append(unsubscribe, p)
			delete(d.failingSince, p)
		}
	}
	d.mu.Unlock()
	gaveUp := now.Sub(dv.first) >= giveUpAfter
	if gaveUp {
		rec.Outcome = "gave_up"
		d.record(rec)
	}
	if len(unsubscribe) > 0 {
		s.mu.Lock()
		for _, p := range unsubscribe {
			delete(s.st.installs, p)
		}
		s.markDirtyLocked()
		s.mu.Unlock()
		s.log.Warn("metasim: webhooks disabled after an hour of failures; app unsubscribed", "pages", unsubscribe)
		rec.Outcome = "unsubscribed"
		d.record(rec)
		return
	}
	if gaveUp {
		return
	}
	backoff := s.cfg.RetryBackoff[min(dv.attempt-1, len(s.cfg.RetryBackoff)-1)]
	dv.due = time.Now().Add(backoff)
	rec.Outcome = "failed"
	rec.Error += fmt.Sprintf("; retry in %s", backoff)
	d.mu.Lock()
	if len(d.retries) >= s.tune.queueCap {
		old := heap.Pop(&d.retries).(*delivery)
		s.log.Warn("metasim: retry queue full; dropping a delivery", "delivery", old.id)
	}
	heap.Push(&d.retries, dv)
	d.recordLocked(rec)
	d.mu.Unlock()
	d.signal()
}

// post sends a body to the webhook URL with Meta's headers.
func (s *Sim) post(ctx context.Context, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("metasim: webhook request: %w", err)
	}
	sig256, sig1 := signatures(s.cfg.AppSecret, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	req.Header.Set("X-Hub-Signature-256", sig256)
	req.Header.Set("X-Hub-Signature", sig1)
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("metasim: webhook post: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// retryHeap orders deliveries by their next attempt.
type retryHeap []*delivery

func (h retryHeap) Len() int           { return len(h) }
func (h retryHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h retryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *retryHeap) Push(x any)        { *h = append(*h, x.(*delivery)) }
func (h *retryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (d *deliverer) intn(n int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.IntN(n)
}
