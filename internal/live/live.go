// Package live fans out inbox changes to the browsers watching them. Hub is
// the small interface the rest of the app uses; Memory is the in-process
// implementation (a PostgreSQL LISTEN/NOTIFY one would satisfy the same
// interface when several app instances share a database).
package live

import (
	"context"
	"sync"
	"time"
)

// Kind says what happened.
type Kind string

// The kinds of event.
const (
	CommentNew     Kind = "comment_new"     // a comment arrived
	CommentChanged Kind = "comment_changed" // status, deadline, reply or anything shown changed
)

// Event is one change. Subscribers look the data up themselves, scoped to
// what their user may see.
type Event struct {
	Kind      Kind
	CommentID string
	AccountID string
	At        time.Time
}

// Hub publishes events to subscribers.
type Hub interface {
	// Publish sends e to every subscriber without blocking.
	Publish(ctx context.Context, e Event)
	// Subscribe returns a channel of events and a function that ends the
	// subscription. The channel is closed when the subscriber falls too far
	// behind (it should reconnect and catch up) or when cancel is called.
	Subscribe(ctx context.Context) (<-chan Event, func())
}

// SubscriberBuffer is how many events a subscriber may lag behind before it
// is dropped.
const SubscriberBuffer = 512

// Memory is an in-process Hub.
type Memory struct {
	mu   sync.Mutex
	subs map[*sub]struct{}
}

type sub struct {
	ch     chan Event
	closed bool
}

// NewMemory makes an empty in-process hub.
func NewMemory() *Memory { return &Memory{subs: map[*sub]struct{}{}} }

// Publish implements Hub. A subscriber whose buffer is full is dropped, so
// a slow browser never blocks ingest.
func (m *Memory) Publish(_ context.Context, e Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.subs {
		select {
		case s.ch <- e:
		default:
			m.drop(s)
		}
	}
}

// Subscribe implements Hub. The subscription also ends when ctx is done.
func (m *Memory) Subscribe(ctx context.Context) (<-chan Event, func()) {
	s := &sub{ch: make(chan Event, SubscriberBuffer)}
	m.mu.Lock()
	m.subs[s] = struct{}{}
	m.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { m.unsubscribe(s) })
	return s.ch, func() {
		stop()
		m.unsubscribe(s)
	}
}

// Subscribers is the number of live subscriptions.
func (m *Memory) Subscribers() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.subs)
}

func (m *Memory) unsubscribe(s *sub) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.drop(s)
}

// drop removes s and closes its channel; m.mu must be held.
func (m *Memory) drop(s *sub) {
	if s.closed {
		return
	}
	s.closed = true
	delete(m.subs, s)
	close(s.ch)
}
