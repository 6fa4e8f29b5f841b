package meta

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLimiter_paces(t *testing.T) {
	l := NewLimiter(1000)
	start := time.Now()
	if err := l.Wait(context.Background(), MaxBatch); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 20*time.Millisecond {
		t.Errorf("a first full batch waited %v", took)
	}
	start = time.Now()
	if err := l.Wait(context.Background(), 2*MaxBatch+10); err != nil { // more than a burst: waited for in parts
		t.Fatal(err)
	}
	if took := time.Since(start); took < 100*time.Millisecond {
		t.Errorf("110 more calls at 1,000/s took %v, want about 110ms", took)
	}
}

func TestLimiter_observe(t *testing.T) {
	now := time.Date(2026, 5, 19, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		observe  []func(*Limiter)
		wantHold time.Duration
		wantRate float64
	}{
		{"quiet", []func(*Limiter){obs(Usage{Percent: 10}, nil)}, 0, 100},
		{"busy", []func(*Limiter){obs(Usage{Percent: 80}, nil)}, 0, 25},
		{"busy then quiet", []func(*Limiter){obs(Usage{Percent: 80}, nil), obs(Usage{Percent: 20}, nil)}, 0, 100},
		{"regain time", []func(*Limiter){obs(Usage{Percent: 100, RegainAfter: 4 * time.Minute}, nil)}, 4 * time.Minute, 25},
		{"throttled error with its regain time", []func(*Limiter){obs(Usage{}, &Error{Code: 613, Usage: Usage{RegainAfter: 2 * time.Minute}})}, 2 * time.Minute, 100},
		{"throttled error, no regain time", []func(*Limiter){obs(Usage{}, &Error{Code: 4})}, 30 * time.Second, 100},
		{"twice", []func(*Limiter){obs(Usage{}, &Error{Code: 4}), obs(Usage{}, &Error{Code: 80002})}, time.Minute, 100},
		{"backoff ends at 15 min", []func(*Limiter){
			obs(Usage{}, &Error{Code: 4}), obs(Usage{}, &Error{Code: 4}), obs(Usage{}, &Error{Code: 4}), obs(Usage{}, &Error{Code: 4}),
			obs(Usage{}, &Error{Code: 4}), obs(Usage{}, &Error{Code: 4}), obs(Usage{}, &Error{Code: 4})}, 15 * time.Minute, 100},
		{"success resets the backoff", []func(*Limiter){obs(Usage{}, &Error{Code: 4}), obs(Usage{}, nil), obs(Usage{}, &Error{Code: 17})}, 30 * time.Second, 100},
		{"a shorter hold does not shorten", []func(*Limiter){obs(Usage{RegainAfter: 9 * time.Minute}, nil), obs(Usage{RegainAfter: time.Minute}, nil)}, 9 * time.Minute, 100},
		{"other errors do not hold", []func(*Limiter){obs(Usage{}, &Error{Code: 100}), obs(Usage{}, &NetError{Op: "GET", Err: errors.New("refused")})}, 0, 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLimiter(100)
			l.now = func() time.Time { return now }
			for _, o := range tc.observe {
				o(l)
			}
			if hold := l.until.Sub(now); max(hold, 0) != tc.wantHold {
				t.Errorf("hold = %v, want %v", hold, tc.wantHold)
			}
			if got := float64(l.lim.Limit()); got != tc.wantRate {
				t.Errorf("rate = %v, want %v", got, tc.wantRate)
			}
		})
	}
}

func obs(u Usage, err error) func(*Limiter) { return func(l *Limiter) { l.Observe(u, err) } }

func TestLimiter_holds(t *testing.T) {
	l := NewLimiter(1000)
	l.Observe(Usage{}, &Error{Code: 4, Usage: Usage{RegainAfter: time.Minute}})
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := l.Wait(ctx, 1); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("Wait = %v after %v; want a deadline error at once", err, time.Since(start))
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if err := l.Wait(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait cancelled = %v", err)
	}
	l.mu.Lock()
	l.until = time.Now().Add(30 * time.Millisecond)
	l.mu.Unlock()
	start = time.Now()
	if err := l.Wait(context.Background(), 1); err != nil || time.Since(start) < 25*time.Millisecond {
		t.Errorf("Wait = %v after %v; want it to wait out the hold", err, time.Since(start))
	}
}
