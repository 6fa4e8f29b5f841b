package metasim

import (
	"container/heap"
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Meta's delivery policy (meta-platform.md §1.3, §1.4 and §10).
const (
	giveUpAfter           = 36 * time.Hour  // unacknowledged updates are dropped
	unsubscribeAfter      = time.Hour       // continuous failure unsubscribes the Page
	hookAnswerLimit       = 5 * time.Second // a slower answer is a failed delivery
	maxChangesPerDelivery = 1000            // Meta batches at most 1,000 updates
	// maxDeliveryBytes keeps a big batch within the 1 MiB an app may cap its
	// bodies at (DESIGN.md §5); Meta documents no byte limit, so a batch
	// is cut short before it would pass this.
	maxDeliveryBytes = 1<<20 - 16<<10
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
		due := d.retries[0].due
		if !due.After(now) {
			return heap.Pop(&d.retries).(*delivery), 0
		}
		wait = due.Sub(now)
	}
	if len(d.pending) == 0 {
		return nil, wait
	}
	if ready := d.pending[0].queued.Add(s.tune.gather); ready.After(now) && len(d.pending) < s.tune.maxBatch {
		return nil, min(wait, ready.Sub(now))
	}
	n := 1
	switch {
	case len(d.pending) >= s.tune.busyBacklog: // high traffic: Meta packs big batches
		n = min(len(d.pending), s.tune.bigBatch)
	case len(d.pending) > 1 && d.rng.Float64() < s.tune.batchChance:
		n = min(len(d.pending), 2+d.rng.IntN(max(1, s.tune.maxBatch-1)))
	}
	n = fitBody(d.pending[:n], s.tune.maxBody)
	events := d.pending[:n:n]
	d.pending = d.pending[n:]
	simNow := s.now()
	body, entries, err := buildBody(events, simNow, d.rng)
	if err != nil {
		s.log.Error("metasim: encode webhook", "error", err)
		return nil, 0
	}
	d.nextID++
	dv := &delivery{id: d.nextID, body: body, first: simNow, entries: entries}
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

// fitBody answers how many of the events, from the first, fit in a body of
// limit bytes; always at least one.
func fitBody(events []event, limit int) int {
	const envelope = 64 // {"object":"instagram","entry":[…]} and one entry's framing
	size := envelope
	for i, ev := range events {
		b, err := metaJSON(ev.change)
		if err != nil {
			return max(1, i)
		}
		size += len(b) + envelope
		if size > limit && i > 0 {
			return i
		}
	}
	return len(events)
}

func (d *deliverer) intn(n int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.IntN(n)
}
