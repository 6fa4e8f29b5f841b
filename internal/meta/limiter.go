package meta

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultReadRate is a sustained pace, in calls a second, for one account's
// Graph reads such as CommentTimestamps. Instagram reads with a Page token
// count against the account's Business Use Case quota, 4,800 × impressions
// a rolling day (meta-platform.md §5): 5 calls a second is 432,000 a day,
// within the quota of any account with 90 or more daily impressions, and
// corrects the deadlines of a burst of 1,000 comments in under 4 minutes.
const DefaultReadRate = 5.0

// Limiter paces the Graph calls made for one Instagram account (Meta
// throttles per app and account, so keep one Limiter per account). It
// counts each request of a batch as a call, as Meta does; lets a full batch
// (MaxBatch calls) go at once and then keeps to its rate; runs at a quarter
// of the rate while Meta reports 75 % usage or more; and holds every call
// while Meta says the account is throttled. It is safe for concurrent use.
type Limiter struct {
	lim    *rate.Limiter
	perSec rate.Limit
	now    func() time.Time

	mu      sync.Mutex
	until   time.Time     // no calls before this
	backoff time.Duration // the last hold for a throttling error without a regain time
}

// Holds after a throttling error that gives no time to regain access:
// doubling from the first to the last (meta-platform.md §5).
const (
	firstThrottleHold = 30 * time.Second
	lastThrottleHold  = 15 * time.Minute
)

// NewLimiter makes a Limiter for perSecond calls a second.
func NewLimiter(perSecond float64) *Limiter {
	return &Limiter{lim: rate.NewLimiter(rate.Limit(perSecond), MaxBatch), perSec: rate.Limit(perSecond), now: time.Now}
}

// Wait blocks until n calls may be made, or ctx is done. It fails at once
// when ctx's deadline comes before the calls could be made.
func (l *Limiter) Wait(ctx context.Context, n int) error {
	for {
		l.mu.Lock()
		until := l.until
		l.mu.Unlock()
		d := until.Sub(l.now())
		if d <= 0 {
			break
		}
		if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
			return fmt.Errorf("meta: wait for the rate limit: throttled for %v more: %w", d.Round(time.Second), context.DeadlineExceeded)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("meta: wait for the rate limit: %w", ctx.Err())
		case <-t.C:
		}
	}
	for n > 0 {
		k := min(n, MaxBatch)
		if err := l.lim.WaitN(ctx, k); err != nil {
			return fmt.Errorf("meta: wait for the rate limit: %w", err)
		}
		n -= k
	}
	return nil
}

// Observe adjusts the pace to an answer: its usage headers, and err, the
// call's error if it failed. A throttling answer holds every call for the
// time Meta gives to regain access, or else for a backoff that doubles from
// 30 s to 15 min until a call succeeds.
func (l *Limiter) Observe(u Usage, err error) {
	if IsNetError(err) {
		return // no answer, no headers: nothing learnt
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	regain := u.RegainAfter
	if Classify(err) == ClassThrottled {
		var e *Error
		if errors.As(err, &e) {
			regain = max(regain, e.Usage.RegainAfter)
		}
		if regain == 0 {
			l.backoff = min(max(2*l.backoff, firstThrottleHold), lastThrottleHold)
			regain = l.backoff
		}
	} else if err == nil {
		l.backoff = 0
	}
	if regain > 0 {
		if t := l.now().Add(regain); t.After(l.until) {
			l.until = t
		}
	}
	if u.Percent >= 75 {
		l.lim.SetLimit(l.perSec / 4)
	} else {
		l.lim.SetLimit(l.perSec)
	}
}
