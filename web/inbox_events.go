package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/views"
)

// heartbeat keeps idle connections (and proxies) from timing out, and
// detects browsers that went away.
const heartbeat = 20 * time.Second

// inboxEvents is GET /inbox/events: server-sent events carrying each new or
// changed comment the user may see, rendered as its row. Event "comment" is
// a row matching the page's filter (add it, or refresh it in place);
// "update" refreshes a row only if the page shows it. The event id is the
// change time in unix ms, for catching up after a reconnect.
func (s *Server) inboxEvents(c echo.Context) error {
	f, err := inbox.ParseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	u := userOf(c)
	ctx := c.Request().Context()
	events, cancel := s.deps.Events.Subscribe(ctx)
	defer cancel()

	w := c.Response()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	// The server's WriteTimeout would cut the stream: lift it for this response.
	if err := http.NewResponseController(w).SetWriteDeadline(time.Time{}); err != nil {
		s.log.Warn("sse: cannot clear the write deadline", "error", err)
	}
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(": connected\nretry: 2000\n\n"))
	w.Flush()

	ping := time.NewTicker(heartbeat)
	defer ping.Stop()
	var buf bytes.Buffer
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.closing:
			return nil
		case <-ping.C:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return nil
			}
			w.Flush()
		case ev, ok := <-events:
			if !ok {
				return nil // fell behind: the browser reconnects and catches up
			}
			if ev.Kind != live.CommentNew && ev.Kind != live.CommentChanged {
				continue
			}
			it, err := s.deps.Inbox.InboxItem(ctx, u.ID, ev.CommentID)
			if errors.Is(err, store.ErrNotFound) {
				continue // not this user's to see
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				s.log.Error("sse: reading comment", "comment_id", ev.CommentID, "error", err)
				continue
			}
			name := "update"
			if f.Matches(it.Comment, s.now()) {
				name = "comment"
			}
			buf.Reset()
			if err := views.CommentRow(toRowVM(it, f, s.now())).Render(ctx, &buf); err != nil {
				s.log.Error("sse: rendering row", "error", err)
				continue
			}
			if err := writeEvent(w, name, strconv.FormatInt(it.UpdatedAt.UnixMilli(), 10), buf.Bytes()); err != nil {
				return nil
			}
			w.Flush()
		}
	}
}

// writeEvent writes one SSE event, one data: line per line of HTML.
func writeEvent(w *echo.Response, name, id string, data []byte) error {
	var b bytes.Buffer
	b.WriteString("event: " + name + "\nid: " + id + "\n")
	for _, line := range bytes.Split(data, []byte("\n")) {
		b.WriteString("data: ")
		b.Write(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}
