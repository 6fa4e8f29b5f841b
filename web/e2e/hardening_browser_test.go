package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_replyToCommentOlderThanItsWebhook: a comment written 7 days
// and an hour ago arrives by webhook now (its first timestamp read fails,
// so its deadline still looks a week away). Sending a reply from the
// panel asks Graph first: the panel says the 7-day window has closed, the
// text stays, and nothing reaches Meta. Then a search with a NUL byte: the
// error page says what is wrong.
func TestBrowser_replyToCommentOlderThanItsWebhook(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	coffee := d.Account("acme.coffee").ID
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	// Graph fails for the account until the background timestamp read has
	// failed (it is asked again 30 s later), then answers again: the send
	// asks it first. (Counting faults raced with the other reads after a
	// login: the reconciler's and the post's.)
	w.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "graph_5xx", "count": 1000, "account": coffee}, nil)
	id := w.comment(t, map[string]any{"account": coffee, "username": "late.fan", "text": "Is the blue one still available?", "age": "169h"})
	b.Navigate(w.App.URL + "/inbox")
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(w.App.Logs(), "comment timestamps not read this time"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the timestamp read never happened")
		}
	}
	w.Control(t, http.MethodDelete, "/control/faults", nil, nil)
	openRow(b, id)
	b.WaitFor(`!!document.querySelector("[data-testid=reply-text]")`, 5*time.Second)
	b.Do(chromedp.SendKeys(chromedp.CSS("[data-testid=reply-text]"), "Yes! Details in your DMs."))
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-send]")))
	b.WaitFor(`(document.querySelector("[data-testid=reply-panel]")||{}).textContent?.includes("7-day reply window has closed")`, 10*time.Second)
	if n := Eval[int](b, `document.querySelector("[data-testid=reply-panel]").textContent.split("7-day reply window has closed").length - 1`); n != 1 {
		t.Errorf("the panel gives the reason %d times", n)
	}
	if got := Eval[string](b, `document.querySelector("[data-testid=reply-text]").value`); got != "Yes! Details in your DMs." {
		t.Errorf("the text was lost: %q", got)
	}
	b.Screenshot("refused")
	b.ColorScheme("dark")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("refused-phone-dark")
	if got := w.repliesTo(t, id); len(got) != 0 {
		t.Errorf("Meta got %q", got)
	}

	// A search with a NUL byte gets the error page saying what is wrong.
	b.ColorScheme("")
	b.Do(chromedp.EmulateViewport(1280, 800))
	b.Navigate(w.App.URL + "/inbox?q=caf%00e")
	b.WaitFor(`!!document.querySelector("[data-testid=error-page]")`, 5*time.Second)
	if got := b.Text("[data-testid=error-page]"); !strings.Contains(got, "The search text holds a character Replydesk does not accept") || !strings.Contains(got, "400") {
		t.Errorf("error page = %q", got)
	}
	b.Screenshot("bad-query")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("bad-query-phone")
}
