package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/views"
)

// What the live streams share, so that a thousand open tabs cost about what
// one does: each changed comment is read once, its row rendered once per
// view (filter), and the rail's counts computed once per user and view.

const (
	maxStreamsPerSession = 20               // a session's oldest stream closes beyond this
	rowCacheSize         = 8192             // changes whose rows are kept for streams still writing them
	railTTL              = time.Second      // how long a rendered rail is shared
	loadTimeout          = 10 * time.Second // reading changed comments, for all the streams waiting on it
)

// rowView is what a row's rendering depends on besides the comment: the
// page's filter (it decides "comment" or "update", and the row's links).
// The row itself is the same for every viewer; assignee=me makes the
// filter the viewer's own, so their id is part of the key.
type rowView struct {
	key    string
	filter inbox.Filter
}

func viewOf(f inbox.Filter) rowView {
	key := f.Values().Encode()
	if f.Assignee == inbox.AssigneeMe {
		key += "&me=" + strconv.FormatInt(f.Me, 10)
	}
	return rowView{key: key, filter: f}
}

// rowEvent is a rendered row and the event that carries it.
type rowEvent struct {
	name string
	html []byte
}

// renderRowEvent renders one row for a view: "comment" when it belongs in
// the filtered list, "update" when the page should only refresh it.
func (s *Server) renderRowEvent(it inbox.Item, v rowView) (rowEvent, error) {
	now := s.now()
	vm := toRowVM(it, v.filter, now)
	vm.OOB = true
	name := "update"
	if v.filter.Matches(it.Comment, now) {
		name = "comment"
	}
	row := views.CommentRow(vm)
	if it.Deleted && name == "update" {
		row = views.RemovedRow(it.ID) // deleted: it leaves this view
	}
	var b bytes.Buffer
	if err := row.Render(context.Background(), &b); err != nil {
		return rowEvent{}, err
	}
	return rowEvent{name: name, html: b.Bytes()}, nil
}

// goneEvent takes a comment that no longer exists off the pages showing it.
func goneEvent(id string) rowEvent {
	var b bytes.Buffer
	views.CommentGone(id).Render(context.Background(), &b)
	return rowEvent{name: "update", html: b.Bytes()}
}

// rowCache holds the comments and rendered rows of recent changes.
type rowCache struct {
	load   func(ctx context.Context, ids []string) ([]inbox.Item, error)
	render func(inbox.Item, rowView) (rowEvent, error)
	size   int

	mu    sync.Mutex
	items map[int64]*itemSlot // by change position
	rows  map[rowKey]*rowSlot
	order []int64 // positions, oldest first, for eviction
}

type rowKey struct {
	pos  int64
	view string
}

type itemSlot struct {
	done  chan struct{}
	it    inbox.Item
	found bool
	err   error
	views []string // rows rendered from it
}

type rowSlot struct {
	done chan struct{}
	ev   rowEvent
	err  error
}

func newRowCache(load func(context.Context, []string) ([]inbox.Item, error), render func(inbox.Item, rowView) (rowEvent, error), size int) *rowCache {
	return &rowCache{load: load, render: render, size: size, items: map[int64]*itemSlot{}, rows: map[rowKey]*rowSlot{}}
}

// get answers the rows of changes for view v, in order. Comments nobody has
// read yet are read in one query; rows nobody has rendered yet for this
// view are rendered once; everything else is shared.
func (rc *rowCache) get(ctx context.Context, changes []inbox.Change, v rowView) ([]rowEvent, error) {
	slots := make([]*itemSlot, len(changes))
	var mine []int
	rc.mu.Lock()
	for i, ch := range changes {
		sl := rc.items[ch.Position]
		if sl == nil {
			sl = &itemSlot{done: make(chan struct{})}
			rc.items[ch.Position] = sl
			rc.order = append(rc.order, ch.Position)
			mine = append(mine, i)
		}
		slots[i] = sl
	}
	rc.evict()
	rc.mu.Unlock()
	if len(mine) > 0 {
		rc.fill(changes, slots, mine)
	}
	out := make([]rowEvent, len(changes))
	for i, sl := range slots {
		if err := wait(ctx, sl.done); err != nil {
			return nil, err
		}
		if sl.err != nil {
			return nil, sl.err
		}
		if !sl.found {
			out[i] = goneEvent(changes[i].CommentID) // deleted: open pages drop its row
			continue
		}
		ev, err := rc.row(ctx, changes[i].Position, sl, v)
		if err != nil {
			return nil, err
		}
		out[i] = ev
	}
	return out, nil
}

// fill reads the comments of the slots this caller created, for everyone.
// It does not use the caller's context: other streams wait on the result.
func (rc *rowCache) fill(changes []inbox.Change, slots []*itemSlot, mine []int) {
	ids := make([]string, len(mine))
	for j, i := range mine {
		ids[j] = changes[i].CommentID
	}
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	items, err := rc.load(ctx, ids)
	cancel()
	byID := make(map[string]inbox.Item, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	rc.mu.Lock()
	for _, i := range mine {
		sl := slots[i]
		sl.it, sl.found = byID[changes[i].CommentID]
		if sl.err = err; err != nil && rc.items[changes[i].Position] == sl {
			delete(rc.items, changes[i].Position) // the next reader tries again
		}
		close(sl.done)
	}
	rc.mu.Unlock()
}

// row renders (once) the row of one change for view v.
func (rc *rowCache) row(ctx context.Context, pos int64, sl *itemSlot, v rowView) (rowEvent, error) {
	key := rowKey{pos, v.key}
	rc.mu.Lock()
	rs := rc.rows[key]
	created := rs == nil
	if created {
		rs = &rowSlot{done: make(chan struct{})}
		rc.rows[key] = rs
		sl.views = append(sl.views, v.key)
	}
	rc.mu.Unlock()
	if created {
		rs.ev, rs.err = rc.render(sl.it, v)
		close(rs.done)
	}
	if err := wait(ctx, rs.done); err != nil {
		return rowEvent{}, err
	}
	return rs.ev, rs.err
}

// evict forgets the oldest changes beyond the cache's size; rc.mu held.
func (rc *rowCache) evict() {
	for len(rc.order) > rc.size {
		pos := rc.order[0]
		rc.order = rc.order[1:]
		if sl := rc.items[pos]; sl != nil {
			for _, v := range sl.views {
				delete(rc.rows, rowKey{pos, v})
			}
			delete(rc.items, pos)
		}
	}
}

func wait(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// railCache shares a rendered rail among a user's streams for a moment.
type railCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]railEntry
}

type railEntry struct {
	at   time.Time
	pos  int64 // the feed's position before its counts were read: they hold every change up to it
	html []byte
}

func newRailCache(ttl time.Duration) *railCache {
	return &railCache{ttl: ttl, entries: map[string]railEntry{}}
}

// railFor renders the rail, the hold and Live bands for the stream's user and filter,
// or answers the copy another of the user's streams rendered a moment ago,
// if that copy counted every change up to seen (the stream's newest): a
// copy from before the changes it just sent would leave stale counts.
func (s *Server) railFor(c echo.Context, f inbox.Filter, seen int64) ([]byte, error) {
	key := strconv.FormatInt(userOf(c).ID, 10) + "?" + f.Values().Encode()
	now := time.Now()
	rc := s.rails
	rc.mu.Lock()
	e, ok := rc.entries[key]
	if len(rc.entries) > 4096 {
		rc.entries = map[string]railEntry{}
	}
	rc.mu.Unlock()
	if ok && now.Sub(e.at) < rc.ttl && e.pos >= seen {
		return e.html, nil
	}
	pos, err := s.deps.Feed.FeedPosition(c.Request().Context())
	if err != nil {
		return nil, err
	}
	vm, err := s.railVM(c, f)
	if err != nil {
		return nil, err
	}
	vm.OOB = true
	var b bytes.Buffer
	if err := views.RailUpdate(vm).Render(c.Request().Context(), &b); err != nil {
		return nil, err
	}
	rc.mu.Lock()
	rc.entries[key] = railEntry{at: now, pos: pos, html: b.Bytes()}
	rc.mu.Unlock()
	return b.Bytes(), nil
}

// streams counts the open event streams of each session, closing the
// oldest beyond the limit (a session cannot hold connections without end).
type streams struct {
	max       int
	mu        sync.Mutex
	bySession map[string][]*context.CancelFunc
}

func newStreams(max int) *streams {
	return &streams{max: max, bySession: map[string][]*context.CancelFunc{}}
}

// open registers a stream of session, whose cancel ends it, and answers the
// function that unregisters it.
func (r *streams) open(session string, cancel context.CancelFunc) (release func()) {
	h := &cancel
	r.mu.Lock()
	list := append(r.bySession[session], h)
	for len(list) > r.max {
		(*list[0])()
		list = list[1:]
	}
	r.bySession[session] = list
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		list := r.bySession[session]
		for i, x := range list {
			if x == h {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(r.bySession, session)
		} else {
			r.bySession[session] = list
		}
	}
}

// count is the number of open streams of session.
func (r *streams) count(session string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bySession[session])
}

// sessionOf names the request's session (the hash of its id, never the
// cookie itself).
func sessionOf(c echo.Context) string {
	sess, _ := c.Get(ctxSession).(identity.Session)
	return hex.EncodeToString(sess.IDHash)
}

// StreamsOf is the number of open event streams of the session whose cookie
// value is given (tests and operations).
func (s *Server) StreamsOf(cookie string) int {
	raw, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil {
		return 0
	}
	sum := sha256.Sum256(raw)
	return s.streams.count(hex.EncodeToString(sum[:]))
}
