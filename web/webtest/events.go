package webtest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/sse"
)

// Event is one server-sent event as a browser's EventSource parses it.
type Event = sse.Event

// Stream is an open event stream.
type Stream struct {
	Status int
	events chan Event
	cancel context.CancelFunc
}

// OpenStream GETs path as an event stream with the client's session. It
// returns once the response headers are in; the stream closes with the
// test.
func (c *Client) OpenStream(t testing.TB, path string, header http.Header) *Stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.abs(path), nil)
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("webtest: stream %s: %v", path, err)
	}
	s := &Stream{Status: resp.StatusCode, events: make(chan Event, 4096), cancel: cancel}
	t.Cleanup(s.Close)
	go func() {
		defer resp.Body.Close()
		defer close(s.events)
		sse.Read(resp.Body, s.events)
	}()
	return s
}

// Close ends the stream.
func (s *Stream) Close() { s.cancel() }

// Next is the next event (heartbeats and comments are skipped); ok is false
// when the stream ended or nothing came within timeout.
func (s *Stream) Next(timeout time.Duration) (Event, bool) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case e, ok := <-s.events:
		return e, ok
	case <-t.C:
		return Event{}, false
	}
}

// Until reads events until match accepts one (answering it) or timeout
// passes; the events read before it are answered too.
func (s *Stream) Until(timeout time.Duration, match func(Event) bool) (Event, []Event, bool) {
	deadline := time.Now().Add(timeout)
	var seen []Event
	for {
		e, ok := s.Next(time.Until(deadline))
		if !ok {
			return Event{}, seen, false
		}
		if match(e) {
			return e, seen, true
		}
		seen = append(seen, e)
	}
}
