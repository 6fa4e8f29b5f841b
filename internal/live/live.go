// Package live carries the change feed (inbox.Change, published by the
// store after each commit) to the inbox's event streams. Hub is the small
// interface the rest of the app uses; Memory is the in-process
// implementation. With several processes on one PostgreSQL database, each
// process's store publishes into its Memory every process's changes, heard
// through LISTEN/NOTIFY, in commit order (internal/store/feed_pg.go): the
// hub itself does not know how many processes there are.
//
// Memory keeps the recent changes in one ring shared by every subscriber,
// so a thousand streams cost one copy of the feed, not a thousand buffers.
// A subscriber is woken only for changes to the accounts it follows, reads
// from the ring at its own pace, and is never waited for: one that falls so
// far behind that the ring overwrote its place gets ErrLagged and catches up
// from storage.
package live

import (
	"errors"
	"sync"

	"github.com/replydesk/replydesk/internal/inbox"
)

// Hub carries changes from the publisher to subscribers.
type Hub interface {
	// Publish hands committed changes to the subscribers of their accounts,
	// in the order given. It never blocks on a subscriber.
	Publish(changes ...inbox.Change)
	// Subscribe follows changes to the given accounts from now on.
	Subscribe(accounts []string) *Subscription
}

// ErrLagged means changes a subscriber had not read yet were overwritten:
// it must catch up from storage. The subscription continues from the
// newest change.
var ErrLagged = errors.New("live: subscriber fell behind the feed")

// DefaultRing is how many changes Memory keeps for readers.
const DefaultRing = 1 << 14

// Memory is an in-process Hub.
type Memory struct {
	mu        sync.RWMutex
	ring      []inbox.Change
	next      uint64 // sequence of the next change appended; ring[seq % len]
	byAccount map[string]map[*Subscription]struct{}
	subs      int
	woken     []*Subscription // scratch for Publish, under mu
}

// NewMemory makes a hub keeping the last size changes (DefaultRing when 0).
func NewMemory(size int) *Memory {
	if size <= 0 {
		size = DefaultRing
	}
	return &Memory{ring: make([]inbox.Change, size), byAccount: map[string]map[*Subscription]struct{}{}}
}

// Publish implements Hub.
func (m *Memory) Publish(changes ...inbox.Change) {
	if len(changes) == 0 {
		return
	}
	m.mu.Lock()
	woken := m.woken[:0]
	for _, c := range changes {
		m.ring[m.next%uint64(len(m.ring))] = c
		m.next++
		for s := range m.byAccount[c.AccountID] {
			if !s.marked {
				s.marked = true
				woken = append(woken, s)
			}
		}
	}
	for _, s := range woken {
		s.marked = false
		select {
		case s.ready <- struct{}{}:
		default: // already signalled; it will read everything at once
		}
	}
	m.woken = woken[:0]
	m.mu.Unlock()
}

// Subscribe implements Hub.
func (m *Memory) Subscribe(accounts []string) *Subscription {
	s := &Subscription{m: m, ready: make(chan struct{}, 1)}
	m.mu.Lock()
	s.cursor = m.next
	s.accounts = m.follow(s, nil, accounts)
	m.subs++
	m.mu.Unlock()
	return s
}

// Subscribers is the number of open subscriptions.
func (m *Memory) Subscribers() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.subs
}

// follow moves s from the accounts in old to those in accounts; m.mu held.
func (m *Memory) follow(s *Subscription, old map[string]bool, accounts []string) map[string]bool {
	for a := range old {
		delete(m.byAccount[a], s)
		if len(m.byAccount[a]) == 0 {
			delete(m.byAccount, a)
		}
	}
	set := make(map[string]bool, len(accounts))
	for _, a := range accounts {
		set[a] = true
		if m.byAccount[a] == nil {
			m.byAccount[a] = map[*Subscription]struct{}{}
		}
		m.byAccount[a][s] = struct{}{}
	}
	return set
}

// Subscription is one subscriber's place in the feed. Its methods are not
// for concurrent use by several goroutines.
type Subscription struct {
	m        *Memory
	ready    chan struct{}
	cursor   uint64          // sequence of the next change to read
	accounts map[string]bool // guarded by m.mu
	marked   bool            // guarded by m.mu: already in Publish's wake list
	closed   bool
}

// Ready receives a value when changes to the followed accounts may be
// waiting; call Next to read them.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Next appends to dst the changes to the followed accounts published since
// the last call, oldest first. After ErrLagged, the subscription goes on
// from the newest change: what was skipped must be read from storage.
func (s *Subscription) Next(dst []inbox.Change) ([]inbox.Change, error) {
	m := s.m
	m.mu.RLock()
	defer m.mu.RUnlock()
	size := uint64(len(m.ring))
	if m.next-s.cursor > size {
		s.cursor = m.next
		return dst, ErrLagged
	}
	for ; s.cursor < m.next; s.cursor++ {
		c := m.ring[s.cursor%size]
		if s.accounts[c.AccountID] {
			dst = append(dst, c)
		}
	}
	return dst, nil
}

// SetAccounts changes the followed accounts (a user's access changed).
func (s *Subscription) SetAccounts(accounts []string) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if !s.closed {
		s.accounts = s.m.follow(s, s.accounts, accounts)
	}
}

// Close ends the subscription; it is safe to call more than once.
func (s *Subscription) Close() {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	s.m.follow(s, s.accounts, nil)
	s.accounts = nil
	s.m.subs--
}
