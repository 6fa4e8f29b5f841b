// Package outboundtest is an outbound webhook receiver for tests: it checks
// each request's signature and event header, fails each event's first
// attempts as a busy receiver does (503 with Retry-After: 1), then accepts
// it, and counts everything by event id.
package outboundtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Receiver is the receiving end of an outbound webhook.
type Receiver struct {
	mu       sync.Mutex
	secret   string
	failures int
	attempts map[int64]int
	ok       map[int64]int
	names    map[int64]string
	bodies   map[int64][]byte
	badSig   int
	changed  chan struct{}
}

// New starts a receiver that fails each event's first failures attempts;
// it stops when the test ends.
func New(t testing.TB, failures int) (*Receiver, *httptest.Server) {
	r := &Receiver{failures: failures, attempts: map[int64]int{}, ok: map[int64]int{}, names: map[int64]string{},
		bodies: map[int64][]byte{}, changed: make(chan struct{}, 1)}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

// ServeHTTP takes one delivery.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var ev struct {
		ID    int64  `json:"id"`
		Event string `json:"event"`
	}
	json.Unmarshal(body, &ev)
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.wake()
	mac := hmac.New(sha256.New, []byte(r.secret))
	mac.Write(body)
	if req.Header.Get("X-Replydesk-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) ||
		req.Header.Get("X-Replydesk-Event") != ev.Event {
		r.badSig++
	}
	r.attempts[ev.ID]++
	r.names[ev.ID] = ev.Event
	if r.attempts[ev.ID] <= r.failures {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy, try again in a second", http.StatusServiceUnavailable)
		return
	}
	r.ok[ev.ID]++
	r.bodies[ev.ID] = body
	w.Write([]byte("got it"))
}

func (r *Receiver) wake() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// SetSecret sets the signing secret the signatures are checked with.
func (r *Receiver) SetSecret(s string) { r.mu.Lock(); r.secret = s; r.mu.Unlock() }

// SetFailures sets how many attempts of each event fail from now on.
func (r *Receiver) SetFailures(n int) { r.mu.Lock(); r.failures = n; r.mu.Unlock() }

// Accepted counts the events accepted, by name.
func (r *Receiver) Accepted() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for id := range r.ok {
		out[r.names[id]]++
	}
	return out
}

// Event is what the receiver saw of one event.
type Event struct {
	ID       int64
	Name     string
	Attempts int    // requests for it
	Accepted int    // requests answered 2xx: exactly one when all is well
	Body     []byte // the accepted body
}

// Events lists every event seen, by id.
func (r *Receiver) Events() map[int64]Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[int64]Event{}
	for id, n := range r.attempts {
		out[id] = Event{ID: id, Name: r.names[id], Attempts: n, Accepted: r.ok[id], Body: r.bodies[id]}
	}
	return out
}

// BadSignatures counts requests whose signature or event header was wrong.
func (r *Receiver) BadSignatures() int { r.mu.Lock(); defer r.mu.Unlock(); return r.badSig }

// WaitAccepted waits until at least n events called name were accepted
// (any name when name is "").
func (r *Receiver) WaitAccepted(t testing.TB, name string, n int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		got := 0
		for k, v := range r.Accepted() {
			if name == "" || k == name {
				got += v
			}
		}
		if got >= n {
			return
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("outboundtest: %d %q events accepted, want %d (all: %v)", got, name, n, r.Accepted())
		}
	}
}
