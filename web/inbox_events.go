package web

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/sse"
	"github.com/replydesk/replydesk/internal/store"
)

// Live stream timing.
const (
	heartbeat   = 20 * time.Second // keeps idle connections and proxies open; finds browsers gone
	recheck     = 30 * time.Second // how often a stream re-reads its session and access
	railEvery   = time.Second      // the rail's counts are sent at most this often
	catchUpPage = 500              // changes read from storage at a time
	writeChunk  = 32               // rows written to a stream at a time
)

// inboxEvents is GET /inbox/events: server-sent events carrying each new or
// changed comment of the accounts the user may see, rendered as its row.
// Event "comment" is a row that matches the page's filter (the page adds it,
// or refreshes it in place); "update" refreshes a row only if the page shows
// it; "rail" refreshes the counts; "reset" asks the page to reload its list.
// Each row event's id is its change-feed position. The stream first replays
// what changed after the position the page was rendered at (?since=, or
// Last-Event-ID on a reconnect), then goes live.
func (s *Server) inboxEvents(c echo.Context) error {
	f, err := s.inboxFilter(c)
	if err != nil {
		return err
	}
	since, resume, err := eventsSince(c)
	if err != nil {
		return err
	}
	accts, err := s.userAccounts(c)
	if err != nil {
		return err
	}
	if len(accts) == 0 {
		return apperr.New(apperr.Forbidden, "no_accounts", "You have no Instagram account to follow yet.")
	}
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	defer s.streams.open(sessionOf(c), cancel)()
	st := &stream{s: s, c: c, ctx: ctx, view: viewOf(f), accounts: accountIDs(accts), last: since, resume: resume}
	st.sub = s.deps.Hub.Subscribe(st.accounts)
	defer st.sub.Close()
	return st.run()
}

// eventsSince is the position to catch up from: Last-Event-ID when the
// browser reconnects by itself, else the page's ?since=. Without either,
// the stream starts at the newest change (resume is false).
func eventsSince(c echo.Context) (pos int64, resume bool, err error) {
	raw := c.Request().Header.Get("Last-Event-ID")
	if raw == "" {
		raw = c.QueryParam("since")
	}
	if raw == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, false, apperr.Field("since", "bad_since", "since must be a change-feed position (a whole number).")
	}
	return n, true, nil
}

// stream is one open event stream.
type stream struct {
	s        *Server
	c        echo.Context
	ctx      context.Context
	view     rowView
	accounts []string
	sub      *live.Subscription
	last     int64 // the newest position sent (or caught up to)
	resume   bool  // catch up from last before going live
	railDue  bool  // rows went out since the rail was last sent
	buf      bytes.Buffer
	changes  []inbox.Change
}

func (st *stream) run() error {
	w := st.c.Response()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	// The server's WriteTimeout would cut the stream: lift it for this response.
	if err := http.NewResponseController(w).SetWriteDeadline(time.Time{}); err != nil {
		st.s.log.Warn("sse: cannot clear the write deadline", "error", err)
	}
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(": connected\nretry: 2000\n\n"))
	w.Flush()

	if st.resume {
		if done := st.catchUp(); done {
			return nil
		}
	} else {
		var err error
		if st.last, err = st.s.deps.Feed.FeedPosition(st.ctx); err != nil {
			return nil
		}
	}
	ping := time.NewTicker(heartbeat)
	defer ping.Stop()
	rail := time.NewTicker(railEvery)
	defer rail.Stop()
	check := time.NewTimer(recheck + rand.N(recheck/3))
	defer check.Stop()
	for {
		select {
		case <-st.ctx.Done():
			return nil
		case <-st.s.closing:
			return nil
		case <-st.sub.Ready():
			var err error
			st.changes, err = st.sub.Next(st.changes[:0])
			if errors.Is(err, live.ErrLagged) {
				if done := st.catchUp(); done {
					return nil
				}
				continue
			}
			if !st.send(st.changes) {
				return nil
			}
		case <-rail.C:
			if st.railDue && !st.sendRail() {
				return nil
			}
		case <-ping.C:
			if !st.write([]byte(": ping\n\n")) {
				return nil
			}
		case <-check.C:
			if !st.recheck() {
				return nil
			}
			check.Reset(recheck)
		}
	}
}

// catchUp sends what changed after st.last from storage. It reports whether
// the stream is over (gone, or too far behind: the page must reload).
func (st *stream) catchUp() (done bool) {
	for {
		changes, err := st.s.deps.Feed.ChangesSince(st.ctx, st.accounts, st.last, catchUpPage)
		if errors.Is(err, store.ErrFeedGap) {
			st.write([]byte("event: reset\ndata: reload\n\n"))
			return true
		}
		if err != nil {
			if st.ctx.Err() == nil {
				st.s.log.Error("sse: catching up", "error", err)
			}
			return true
		}
		if !st.send(changes) {
			return true
		}
		if len(changes) < catchUpPage {
			return false
		}
	}
}

// send writes the rows of changes newer than st.last, the newest copy of
// each comment once, in position order, a few at a time (a burst of a
// thousand comments must not hold a thousand rows per stream in memory). It
// reports whether the browser is still there.
func (st *stream) send(changes []inbox.Change) bool {
	changes = newestPerComment(changes, st.last)
	for len(changes) > 0 {
		n := min(len(changes), writeChunk)
		if !st.sendChunk(changes[:n]) {
			return false
		}
		changes = changes[n:]
	}
	return true
}

func (st *stream) sendChunk(changes []inbox.Change) bool {
	rows, err := st.s.rows.get(st.ctx, changes, st.view)
	if err != nil {
		if st.ctx.Err() == nil {
			st.s.log.Error("sse: rendering rows", "error", err)
		}
		return false
	}
	st.buf.Reset()
	for i, ch := range changes {
		if rows[i].html != nil {
			sse.Write(&st.buf, rows[i].name, strconv.FormatInt(ch.Position, 10), rows[i].html)
		}
	}
	st.last = changes[len(changes)-1].Position
	st.railDue = true
	return st.buf.Len() == 0 || st.write(st.buf.Bytes())
}

// sendRail writes the rail with fresh counts, and fresh account states
// (on hold, needs reconnect): the accounts are read again, not taken from
// when the stream started.
func (st *stream) sendRail() bool {
	st.c.Set(ctxAccounts, nil)
	html, err := st.s.railFor(st.c, st.view.filter, st.last)
	if err != nil {
		st.s.log.Error("sse: rendering the rail", "error", err)
		return st.ctx.Err() == nil
	}
	st.railDue = false
	st.buf.Reset()
	sse.Write(&st.buf, "rail", "", html)
	return st.write(st.buf.Bytes())
}

// recheck ends the stream when its session is gone, and follows changes to
// the user's access.
func (st *stream) recheck() bool {
	ck, err := st.c.Cookie(auth.SessionCookie)
	if err != nil {
		return false
	}
	_, u, err := st.s.deps.Auth.Session(st.ctx, ck.Value)
	if err != nil {
		return false
	}
	accts, err := st.s.deps.Accounts.AccountsForUser(st.ctx, u.ID)
	if err != nil || len(accts) == 0 {
		return false
	}
	if ids := accountIDs(accts); !slices.Equal(ids, st.accounts) {
		st.accounts = ids
		st.sub.SetAccounts(ids)
		st.c.Set(ctxAccounts, accts)
		st.railDue = true
	}
	return true
}

func (st *stream) write(b []byte) bool {
	w := st.c.Response()
	if _, err := w.Write(b); err != nil {
		return false
	}
	w.Flush()
	return true
}

// newestPerComment keeps, of the changes after position last, the newest
// one per comment, in position order.
func newestPerComment(changes []inbox.Change, last int64) []inbox.Change {
	newest := make(map[string]int64, len(changes))
	for _, c := range changes {
		if c.Position > last && c.Position > newest[c.CommentID] {
			newest[c.CommentID] = c.Position
		}
	}
	out := changes[:0:0]
	for _, c := range changes {
		if c.Position > last && newest[c.CommentID] == c.Position {
			out = append(out, c)
		}
	}
	return out
}

func accountIDs(accts []account.Account) []string {
	ids := make([]string, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	slices.Sort(ids)
	return ids
}
