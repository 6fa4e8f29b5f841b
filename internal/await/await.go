// Package await lets a request wait a moment for background work on a
// record to finish, the way a private reply's or a moderation action's
// request waits for Meta's answer before it renders: Wait blocks until
// Done is called for the same id, the timeout passes, or the context ends.
package await

import (
	"context"
	"sync"
	"time"
)

// Set holds the waiters by record id. The zero value is ready to use.
type Set struct {
	mu      sync.Mutex
	waiters map[int64][]chan struct{}
}

// Wait blocks until Done(id), timeout, or ctx's end, whichever comes first.
func (s *Set) Wait(ctx context.Context, id int64, timeout time.Duration) {
	ch := make(chan struct{})
	s.mu.Lock()
	if s.waiters == nil {
		s.waiters = map[int64][]chan struct{}{}
	}
	s.waiters[id] = append(s.waiters[id], ch)
	s.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
	s.mu.Lock()
	list := s.waiters[id]
	for i, c := range list {
		if c == ch {
			s.waiters[id] = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(s.waiters[id]) == 0 {
		delete(s.waiters, id)
	}
	s.mu.Unlock()
}

// Done releases everyone waiting on id.
func (s *Set) Done(id int64) {
	s.mu.Lock()
	list := s.waiters[id]
	delete(s.waiters, id)
	s.mu.Unlock()
	for _, ch := range list {
		close(ch)
	}
}
