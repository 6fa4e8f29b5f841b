package web_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/web/webtest"
)

// rowOf says whether an event carries the row of comment id.
func rowOf(id string) func(webtest.Event) bool {
	return func(e webtest.Event) bool { return strings.Contains(e.Data, `id="comment-`+id+`"`) }
}

// eventsURL is the live stream the inbox page links, carrying the feed
// position it was rendered at.
func eventsURL(t *testing.T, c *webtest.Client) string {
	t.Helper()
	r := c.Get(t, "/inbox")
	u, ok := r.Find("[data-testid=inbox-page]").Attr("sse-connect")
	if r.Status != 200 || !ok || !strings.Contains(u, "since=") {
		t.Fatalf("inbox page = %d, sse-connect %q", r.Status, u)
	}
	return u
}

// stored waits until the store has published a change to comment id.
func stored(t *testing.T, h *webtest.Harness, account, id string) {
	t.Helper()
	defer postRead(h, id)
	sub := h.App.Hub.Subscribe([]string{account})
	defer sub.Close()
	if _, err := h.App.Store.Comment(context.Background(), id); err == nil {
		return
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-sub.Ready():
			got, _ := sub.Next(nil)
			for _, c := range got {
				if c.CommentID == id {
					return
				}
			}
		case <-deadline:
			t.Fatalf("comment %s never stored", id)
		}
	}
}

// postRead waits (10 s at most) until the post of comment id's media has
// been read from Graph, or its read failed: that read is one of the
// account's Graph calls, which a fault the test injects next must not meet.
func postRead(h *webtest.Harness, id string) {
	ctx := context.Background()
	c, err := h.App.Store.Comment(ctx, id)
	if err != nil || c.MediaID == "" {
		return
	}
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		due, err := h.App.Store.MediaDue(ctx, 1000)
		if err != nil || !slices.ContainsFunc(due, func(m store.MediaToRead) bool { return m.ID == c.MediaID }) {
			return
		}
	}
}

// TestEvents_catchUpFromThePage: a comment that arrives after the page was
// rendered but before its stream opens is the stream's first row.
func TestEvents_catchUpFromThePage(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	acct := w.Account("acme.coffee").ID
	ava := h.Login(t, w.User("Ava").ID)
	url := eventsURL(t, ava)
	id := h.Sim.Comment(t, map[string]any{"account": acct, "text": "between page and stream"})
	stored(t, h, acct, id)
	s := ava.OpenStream(t, url, nil)
	if s.Status != 200 {
		t.Fatalf("stream = %d", s.Status)
	}
	e, before, ok := s.Until(5*time.Second, rowOf(id))
	if !ok || e.Name != "comment" || e.ID == "" {
		t.Fatalf("no row for %s (got %+v before)", id, before)
	}
	pos, _ := strconv.ParseInt(e.ID, 10, 64)
	// Resuming after that event (a browser's Last-Event-ID) does not send it again.
	next := h.Sim.Comment(t, map[string]any{"account": acct, "text": "after the reconnect"})
	stored(t, h, acct, next)
	again := ava.OpenStream(t, url, http.Header{"Last-Event-ID": {strconv.FormatInt(pos, 10)}})
	e, before, ok = again.Until(5*time.Second, rowOf(next))
	if !ok {
		t.Fatal("the resumed stream missed the new comment")
	}
	for _, b := range append(before, e) {
		// A newer change of the first comment (its deadline confirmed) may
		// come; the change already seen may not.
		if p, _ := strconv.ParseInt(b.ID, 10, 64); b.ID != "" && p <= pos {
			t.Errorf("the resumed stream sent position %d again (resumed after %d)", p, pos)
		}
	}
}

// TestEvents_onlyTheAccountsTheUserMaySee: Ben may reply on one account;
// a comment on the other never reaches his stream (checked once a later
// comment on his account has arrived).
func TestEvents_onlyTheAccountsTheUserMaySee(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	h.Login(t, w.User("Ava").ID) // connects both accounts
	ben := h.Login(t, w.User("Ben").ID)
	var his, other string
	for _, a := range w.Accounts {
		if _, ok := w.User("Ben").Tasks[a.PageID]; ok {
			his = a.ID
		} else {
			other = a.ID
		}
	}
	s := ben.OpenStream(t, eventsURL(t, ben), nil)
	hidden := h.Sim.Comment(t, map[string]any{"account": other, "text": "not for Ben"})
	stored(t, h, other, hidden)
	mine := h.Sim.Comment(t, map[string]any{"account": his, "text": "for Ben"})
	_, before, ok := s.Until(10*time.Second, rowOf(mine))
	if !ok {
		t.Fatal("Ben's stream missed a comment on his account")
	}
	for _, e := range before {
		if rowOf(hidden)(e) || strings.Contains(e.Data, "not for Ben") {
			t.Errorf("Ben received another account's comment: %.200s", e.Data)
		}
	}
}

// TestEvents_textCannotInjectFields: comment text with carriage returns
// arrives as text in its row, and the stream stays live.
func TestEvents_textCannotInjectFields(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	acct := w.Account("acme.coffee").ID
	ava := h.Login(t, w.User("Ava").ID)
	s := ava.OpenStream(t, eventsURL(t, ava), nil)
	text := "hi\rretry: 2073600000\revent: reset\r\rdata: <b>x</b>\r\nid: 1"
	id := h.Sim.Comment(t, map[string]any{"account": acct, "text": text})
	e, before, ok := s.Until(10*time.Second, rowOf(id))
	if !ok {
		t.Fatal("no row")
	}
	for _, x := range append(before, e) {
		if x.Retry != "" || (x.Name != "comment" && x.Name != "update" && x.Name != "rail") {
			t.Errorf("an injected field: %+v", x)
		}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(e.Data))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text)
	if got := doc.Find("[data-testid=comment-text]").Text(); got != want || doc.Find("b").Length() != 0 {
		t.Errorf("row text = %q, want %q", got, want)
	}
	next := h.Sim.Comment(t, map[string]any{"account": acct, "text": "still live"})
	if _, _, ok := s.Until(10*time.Second, rowOf(next)); !ok {
		t.Error("the stream stopped after the comment")
	}
}

// TestEvents_boundedPerSession: a session's 21st stream closes its first.
func TestEvents_boundedPerSession(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	ava := h.Login(t, h.World(t).User("Ava").ID)
	url := eventsURL(t, ava)
	first := ava.OpenStream(t, url, nil)
	for range 20 {
		ava.OpenStream(t, url, nil)
	}
	for {
		if _, ok := first.Next(5 * time.Second); !ok {
			break // ended (or silent for 5 s: Next would then time out below)
		}
	}
	if h.Server.StreamsOf(ava.SessionCookie()) != 20 {
		t.Errorf("%d streams open, want 20", h.Server.StreamsOf(ava.SessionCookie()))
	}
}

// TestEvents_tooFarBehindReloads: a position older than the kept feed gets
// "reset", and the page reloads its list.
func TestEvents_tooFarBehindReloads(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	acct := w.Account("acme.coffee").ID
	ava := h.Login(t, w.User("Ava").ID)
	for _, text := range []string{"one", "two"} {
		stored(t, h, acct, h.Sim.Comment(t, map[string]any{"account": acct, "text": text}))
	}
	if _, err := h.App.Store.PruneChanges(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	s := ava.OpenStream(t, "/inbox/events?since=1", nil)
	if e, _, ok := s.Until(5*time.Second, func(e webtest.Event) bool { return e.Name == "reset" }); !ok {
		t.Errorf("no reset: %+v", e)
	}
}
