package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestBrowser_commentWhileTheStreamIsHeldArrives: a comment that arrives
// after the page was rendered but before its event stream opened (the
// stream request is held back in the browser) appears once the stream
// connects, without a reload.
func TestBrowser_commentWhileTheStreamIsHeldArrives(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava, acct := d.User("Ava"), d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, ava.ID)
	release := b.HoldRequests("*/inbox/events*")
	b.Navigate(w.App.URL + "/inbox")
	id := w.comment(t, map[string]any{"account": acct.ID, "text": "arrived while the stream was held"})
	waitComment(t, w.Login(t, ava.ID), id)
	if Eval[bool](b, `!!document.querySelector("`+rowSel(id)+`") || document.querySelector("[data-testid=inbox-page]").dataset.live === "open"`) {
		t.Fatal("the stream was not held: the row is already there")
	}
	release()
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
	if got := b.Text(rowSel(id) + " [data-testid=comment-text]"); got != "arrived while the stream was held" {
		t.Errorf("row text = %q", got)
	}
}

// TestBrowser_carriageReturnsStayText: a comment whose text carries
// CR-separated "retry:" and "event:" lines shows as plain text in its row,
// and the stream stays live (a later comment still arrives).
func TestBrowser_carriageReturnsStayText(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava, acct := d.User("Ava"), d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, ava.ID)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	text := "hello\rretry: 2073600000\revent: reset\r\rdata: <b>bold</b>"
	id := w.comment(t, map[string]any{"account": acct.ID, "text": text})
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
	got := Eval[string](b, `document.querySelector("`+rowSel(id)+` [data-testid=comment-text]").textContent`)
	if want := strings.ReplaceAll(text, "\r", "\n"); got != want {
		t.Errorf("row text = %q, want %q", got, want)
	}
	if Eval[bool](b, `!!document.querySelector("`+rowSel(id)+` b")`) {
		t.Error("the comment's HTML was interpreted")
	}
	next := w.comment(t, map[string]any{"account": acct.ID, "text": "and the stream is still live"})
	b.WaitFor(`!!document.querySelector("`+rowSel(next)+`")`, 10*time.Second)
	if live := Eval[string](b, `document.querySelector("[data-testid=inbox-page]").dataset.live`); live != "open" {
		t.Errorf("stream state %q", live)
	}
}
