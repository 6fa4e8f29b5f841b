package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_accountHold: Ava sends a reply and Meta refuses the whole
// Page (368, a policy block). Without a reload, the reply shows as queued
// on hold and a band above the inbox says why and what to do; the accounts
// page says the same with a Resume button; resuming sends the reply,
// exactly once.
func TestBrowser_accountHold(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	acct := d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	id := w.comment(t, map[string]any{"account": acct.ID, "username": "river.walks", "text": "How much is the blue one?"})
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
	w.waitSettled(t, w.Login(t, d.User("Ava").ID), id)
	w.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "send_error", "code": 368, "account": acct.ID}, nil)
	openRow(b, id)
	b.WaitFor(`!!document.querySelector("[data-testid=reply-text]")`, 5*time.Second)
	b.Do(chromedp.SendKeys(chromedp.CSS("[data-testid=reply-text]"), "Hi river.walks! It is €39."))
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-send]")))
	b.WaitFor(`((document.querySelector("[data-testid=reply-state]")||{}).textContent||"").includes("on hold")`, 10*time.Second)
	if got := b.Text("[data-testid=reply-error]"); !strings.Contains(got, "Meta stopped replies from this account") {
		t.Errorf("reply error = %q", got)
	}
	// The band arrives over the live stream, with the rail.
	b.WaitFor(`!!document.querySelector("[data-testid=hold-band]")`, 10*time.Second)
	band := b.Text("[data-testid=hold-band]")
	for _, want := range []string{"Meta stopped replies for @acme.coffee", "policy", "What to do", "1 reply waits in the queue"} {
		if !strings.Contains(band, want) {
			t.Errorf("band %q lacks %q", band, want)
		}
	}
	if n := len(w.repliesTo(t, id)); n != 0 {
		t.Fatalf("%d replies sent while on hold", n)
	}
	b.Screenshot("inbox")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Navigate(w.App.URL + "/inbox") // the list, where a phone shows the band
	b.WaitFor(`!!document.querySelector("[data-testid=hold-band]")`, 5*time.Second)
	b.ColorScheme("dark")
	b.Screenshot("inbox-phone-dark")
	b.Do(chromedp.EmulateViewport(1280, 800))

	b.Do(chromedp.Click(chromedp.CSS("[data-testid=hold-details]"))) // boosted: no page load
	b.WaitFor(`!!document.querySelector("[data-testid=account-hold] [data-testid=resume]")`, 5*time.Second)
	if got := b.Text("#account-" + acct.ID + " [data-testid=account-status]"); got != "Replies on hold" {
		t.Errorf("account status = %q", got)
	}
	b.Screenshot("account-dark")
	b.ColorScheme("light")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("account-phone")
	b.Do(chromedp.EmulateViewport(1280, 800))
	b.ClickNav("[data-testid=resume]")
	b.WaitFor(`!document.querySelector("[data-testid=account-hold]")`, 5*time.Second)
	if got := b.Text("[data-testid=toasts]"); !strings.Contains(got, "Replies resumed") {
		t.Errorf("toast = %q", got)
	}
	for deadline := time.Now().Add(10 * time.Second); len(w.repliesTo(t, id)) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the held reply never went out after Resume")
		}
	}
	if got := w.repliesTo(t, id); len(got) != 1 {
		t.Errorf("simulator holds %d replies", len(got))
	}
}
