package metasim

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// deliveryWorker sends deliveries until ctx is done.
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
	s.log.Debug("metasim: webhook delivery failed", "delivery", dv.id, "attempt", dv.attempt, "error", rec.Error)
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

// post sends a body to the webhook URL with Meta's headers. The app has
// tune.hookTimeout (Meta: 5 s) to answer; a slower answer is a failure.
func (s *Sim) post(ctx context.Context, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.tune.hookTimeout)
	defer cancel()
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
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return 0, fmt.Errorf("metasim: webhook post: no answer within %s", s.tune.hookTimeout)
		}
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
