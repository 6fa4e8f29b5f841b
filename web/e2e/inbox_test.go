package e2e

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// comment posts a comment through the simulator and returns its id.
func (w *World) comment(t testing.TB, in map[string]any) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	w.Control(t, http.MethodPost, "/control/comments", in, &out)
	return out.ID
}

func rowSel(id string) string { return "#comment-" + id }

// openRow clicks comment id's row and waits until its panel is open. The
// live stream may move the row between the click's measuring and the click
// (its deadline read from Graph re-sorts it, a row arrives above it), so a
// missed click is tried again, as a person would (Browser.ClickUntil).
func openRow(b *Browser, id string) {
	b.t.Helper()
	b.ClickUntil(rowSel(id)+" [data-testid=row-open]", `!!document.querySelector("#detail [data-testid=comment-detail][data-id='`+id+`']")`)
}

// pillGone holds once the "N new" pill has put its rows in the list.
const pillGone = `document.querySelector("[data-testid=new-pill]").hidden`

// waitSettled waits until comment id's timestamp was read (its deadline is
// exact): that change refreshes its row and open panel, which a test that
// clicks in them must not race (the read waits up to a second to batch, so
// it may land after the page is open, more so on a slower database).
func (w *World) waitSettled(t testing.TB, c *Client, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var cm struct {
			Exact bool `json:"deadline_exact"`
		}
		if r := c.Get(t, "/api/v1/comments/"+id); r.Status == http.StatusOK && json.Unmarshal([]byte(r.Body), &cm) == nil && cm.Exact {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("comment %s: not stored with its timestamp read", id)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestBrowser_inboxLiveAndEscaped: a comment injected through the
// simulator appears without a reload, and its HTML stays text.
func TestBrowser_inboxLiveAndEscaped(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava, acct := d.User("Ava"), d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, ava.ID)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	id := w.comment(t, map[string]any{"account": acct.ID, "username": "mallory", "text": `<script>window.__pwned=1</script><b>bold</b> & "quotes"`})
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
	got := b.Text(rowSel(id) + " [data-testid=comment-text]")
	if got != `<script>window.__pwned=1</script><b>bold</b> & "quotes"` {
		t.Errorf("row text = %q", got)
	}
	if Eval[bool](b, `window.__pwned === 1 || !!document.querySelector("`+rowSel(id)+` b")`) {
		t.Error("comment HTML was interpreted")
	}
	for i := 0; i < 4; i++ {
		w.comment(t, map[string]any{"account": acct.ID, "text": "Do you ship to Canada? 🇨🇦"})
	}
	w.comment(t, map[string]any{"account": acct.ID, "text": "Is the blue one back in stock?", "age": "150h"})
	b.WaitFor(`document.querySelectorAll("[data-testid=comment-row]").length >= 6`, 10*time.Second)
	// The rail's counts follow, pushed by the stream.
	b.WaitFor(`document.querySelector("[data-testid=view-open] .rail-count").textContent === "6"`, 5*time.Second)
	openRow(b, id)
	b.WaitFor(`!!document.querySelector("[data-testid=comment-detail][data-id='`+id+`']")`, 5*time.Second)
	b.Screenshot("inbox")
	b.ColorScheme("dark")
	b.Screenshot("inbox-dark")
}

// TestBrowser_countdownTicksToUrgentAndExpired: a comment made 7 days minus
// a few seconds ago turns urgent once Graph confirms its age, ticks, and
// expires on screen without a reload.
func TestBrowser_countdownTicksToUrgentAndExpired(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	id := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "text": "last call", "age": "167h59m52s"})
	chip := rowSel(id) + " [data-testid=countdown]"
	b.WaitFor(`(document.querySelector("`+chip+`")||{}).className === "chip chip-urgent"`, 8*time.Second)
	first := b.Text(chip)
	b.WaitFor(`document.querySelector("`+chip+` .chip-text").textContent !== `+strconv.Quote(first), 3*time.Second)
	b.WaitFor(`(document.querySelector("`+chip+`")||{}).className === "chip chip-expired"`, 15*time.Second)
	if txt := b.Text(chip); !strings.HasPrefix(txt, "expired") {
		t.Errorf("expired chip says %q", txt)
	}
}

// TestBrowser_statusChangeShowsInSecondBrowser and keyboard triage: j moves,
// e marks done; the other open browser updates the row in place.
func TestBrowser_keyboardTriageShowsInSecondBrowser(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	acct := d.Account("acme.coffee")
	b1, b2 := NewBrowser(t), NewBrowser(t)
	w.BrowserLogin(t, b1, d.User("Ava").ID) // connects the accounts: webhooks flow from now on
	w.BrowserLogin(t, b2, d.User("Ava").ID)
	ids := []string{
		w.comment(t, map[string]any{"account": acct.ID, "text": "first", "age": "100h"}),
		w.comment(t, map[string]any{"account": acct.ID, "text": "second", "age": "50h"}),
	}
	api := w.Login(t, d.User("Ava").ID)
	for _, id := range ids {
		waitComment(t, api, id) // stored, and its deadline confirmed: the order is final
	}
	for _, b := range []*Browser{b1, b2} {
		b.Navigate(w.App.URL + "/inbox")
		b.WaitFor(`!!document.querySelector("`+rowSel(ids[0])+`") && !!document.querySelector("`+rowSel(ids[1])+`")`, 10*time.Second)
		b.WaitLive()
	}
	// The oldest comment has the soonest deadline: first in the list.
	b1.Do(chromedp.KeyEvent("j"))
	b1.WaitFor(`document.querySelector(".row.cursor") && document.querySelector(".row.cursor").id === "comment-`+ids[0]+`"`, 2*time.Second)
	b1.Do(chromedp.KeyEvent("e"))
	b1.WaitFor(`document.querySelector("`+rowSel(ids[0])+`").dataset.status === "done"`, 5*time.Second)
	b2.WaitFor(`document.querySelector("`+rowSel(ids[0])+`").dataset.status === "done"`, 5*time.Second)
	if got := b2.Text(rowSel(ids[0]) + " [data-testid=row-status]"); !strings.Contains(got, "Done") || !strings.Contains(got, "Ava") {
		t.Errorf("second browser shows %q", got)
	}
	// ? shows the shortcuts; Escape closes them.
	b1.Do(chromedp.KeyEvent("?"))
	b1.WaitFor(`document.getElementById("shortcuts").open`, 2*time.Second)
	b1.Do(chromedp.KeyEvent(kb.Escape))
	b1.WaitFor(`!document.getElementById("shortcuts").open`, 2*time.Second)
	// # dismisses the next one; u reopens it.
	b1.Do(chromedp.KeyEvent("j"))
	b1.WaitFor(`document.querySelector(".row.cursor").id === "comment-`+ids[1]+`"`, 2*time.Second)
	b1.Do(chromedp.KeyEvent("#"))
	b1.WaitFor(`document.querySelector("`+rowSel(ids[1])+`").dataset.status === "dismissed"`, 5*time.Second)
	b1.Do(chromedp.KeyEvent("u"))
	b1.WaitFor(`document.querySelector("`+rowSel(ids[1])+`").dataset.status === "open"`, 5*time.Second)
	// / focuses search.
	b1.Do(chromedp.KeyEvent("/"))
	if !Eval[bool](b1, `document.activeElement && document.activeElement.id === "q"`) {
		t.Error("/ did not focus the search box")
	}
}
