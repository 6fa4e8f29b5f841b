package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/replydesk/replydesk/web/webtest"
)

// atMeta is what the simulator holds about comment id's moderation.
func (w *World) atMeta(t testing.TB, id string) webtest.SimComment {
	t.Helper()
	return webtest.Sim{URL: w.SimURL}.CommentState(t, id)
}

// openComment opens comment id's panel from its row, once the row is
// there (a new row waits behind the "N new" pill while a row is selected).
func openComment(b *Browser, id string) {
	b.t.Helper()
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`") || !document.querySelector("[data-testid=new-pill]").hidden`, 10*time.Second)
	if !Eval[bool](b, `!!document.querySelector("`+rowSel(id)+`")`) {
		b.ClickUntil("[data-testid=new-pill]", pillGone)
	}
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
	openRow(b, id)
	b.WaitFor(`(document.querySelector("[data-testid=comment-detail]")||{dataset:{}}).dataset.id === "`+id+`"`, 5*time.Second)
}

// TestBrowser_publicReplyNudgeHide: an admin writes a public template in
// the editor and makes it the account's "check your DMs" default on its
// page; the private composer then ticks it and previews it, and sending
// the private reply posts it publicly once the private one is delivered.
// On another comment, p opens the public reply box (offering only public
// templates), ⌘/Ctrl+Enter there posts it publicly (and sends no private
// reply), h hides the comment and h shows it again, and a hide Instagram
// answers slowly ends in the open panel by itself. Each step is checked in
// the page and at the simulator. The screenshots show the panel with a
// public reply and a hidden comment (desktop light and dark, phone).
func TestBrowser_publicReplyNudgeHide(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava := d.User("Ava")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, ava.ID)
	b.Navigate(w.App.URL + "/templates/new")
	b.Do(
		chromedp.SendKeys(chromedp.CSS("[data-testid=field-name]"), "Check your DMs"),
		chromedp.SendKeys(chromedp.CSS("[data-testid=field-body]"), "Hi {{username|there}}! We've sent you a DM 💌"),
		chromedp.Click(chromedp.CSS("[data-testid=field-public]")),
	)
	b.Screenshot("public-template-editor")
	b.ClickNav(`[data-testid=template-save]`)
	b.WaitFor(`!!document.querySelector("[data-testid=template-row] [data-testid=template-public]")`, 5*time.Second)
	acct := d.Account("acme.coffee").ID
	b.Navigate(w.App.URL + "/accounts/" + acct)
	b.Do(chromedp.SetValue(chromedp.CSS("[data-testid=nudge-default]"), Eval[string](b,
		`[...document.querySelectorAll("[data-testid=nudge-default] option")].find(o => o.textContent === "Check your DMs").value`)))
	b.ClickNav("[data-testid=nudge-save]")
	b.WaitFor(`!!document.querySelector("[data-testid=nudge-default] option[selected]")`, 5*time.Second)
	b.Screenshot("account-nudge-default")

	id := w.comment(t, map[string]any{"account": acct, "username": "river.walks", "text": "Do you ship to Canada?"})
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	openComment(b, id)
	if !Eval[bool](b, `document.querySelector("[data-testid=nudge-check]").checked`) {
		t.Fatal("the account's default nudge is not ticked")
	}
	if got := b.Text("[data-testid=nudge-preview]:not([hidden])"); got != "Hi river.walks! We've sent you a DM 💌" {
		t.Errorf("nudge preview %q", got)
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("[data-testid=reply-text]"), "Yes! Shipping to Canada takes 5 days."))
	b.Screenshot("composer-with-nudge")
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-send]")))
	b.WaitFor(`(document.querySelector("[data-testid=reply-state]")||{}).textContent === "Sent"`, 10*time.Second)
	b.WaitFor(`!!document.querySelector("[data-testid=public-reply][data-state=posted]")`, 10*time.Second)
	if got := b.Text("[data-testid=public-reply] [data-testid=public-reply-text]"); got != "Hi river.walks! We've sent you a DM 💌" {
		t.Errorf("public reply %q", got)
	}
	if got := w.repliesTo(t, id); len(got) != 1 || got[0] != "Yes! Shipping to Canada takes 5 days." {
		t.Errorf("private replies at Meta %q", got)
	}
	if got := w.atMeta(t, id).Replies; len(got) != 1 || got[0].Text != "Hi river.walks! We've sent you a DM 💌" {
		t.Errorf("public replies at Meta %+v", got)
	}
	b.Screenshot("nudge-posted")

	id = w.comment(t, map[string]any{"account": acct, "username": "kai_m", "text": "How much is the blue one? 💙"})
	w.waitSettled(t, w.Login(t, ava.ID), id)
	openComment(b, id)
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=detail-text]")), chromedp.KeyEvent("p"))
	b.WaitFor(`document.activeElement === document.querySelector("[data-testid=public-reply-text]")`, 5*time.Second)
	text := "It's €39 — we've sent you the details in a DM ✉️"
	if got := b.Text("[data-testid=public-reply-form] [data-testid=public-pick]"); got != "Check your DMs" {
		t.Errorf("public templates offered: %q", got)
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("[data-testid=public-reply-text]"), text))
	if got, want := b.Text("[data-testid=public-char-count]"), "48 / 2,200 characters"; got != want {
		t.Errorf("character count %q, want %q", got, want)
	}
	b.Do(chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(kb.ModifierCtrl))) // Ctrl+Enter in the public box
	b.WaitFor(`!!document.querySelector("[data-testid=public-reply][data-state=posted]")`, 10*time.Second)
	if got := b.Text("[data-testid=public-reply] [data-testid=public-reply-text]"); got != text {
		t.Errorf("public reply shown %q", got)
	}
	if got := w.atMeta(t, id).Replies; len(got) != 1 || got[0].Text != text {
		t.Fatalf("Meta holds %+v", got)
	}
	if got := w.repliesTo(t, id); len(got) != 0 {
		t.Fatalf("Ctrl+Enter in the public box sent a private reply: %q", got)
	}

	b.Do(chromedp.Click(chromedp.CSS("[data-testid=detail-text]")), chromedp.KeyEvent("h"))
	b.WaitFor(`!!document.querySelector("[data-testid=hidden-badge]")`, 10*time.Second)
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+` [data-testid=row-hidden]")`, 5*time.Second)
	if !w.atMeta(t, id).Hidden {
		t.Fatal("not hidden at Meta")
	}
	if got := b.Text("[data-testid=history]"); !strings.Contains(got, "Hidden by Ava") || !strings.Contains(got, "Replied publicly by Ava") {
		t.Errorf("history %q", got)
	}
	if got := Eval[string](b, `document.querySelector("[data-testid=public-reply-reason]").textContent`); !strings.Contains(got, "hidden") {
		t.Errorf("public reply to a hidden comment: %q", got)
	}
	b.Screenshot("panel-public-reply-hidden")
	b.ColorScheme("dark")
	b.Screenshot("panel-public-reply-hidden-dark")
	b.ColorScheme("")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("panel-public-reply-hidden-phone")
	b.Do(chromedp.EmulateViewport(1280, 800))

	b.Do(chromedp.Click(chromedp.CSS("[data-testid=detail-text]")), chromedp.KeyEvent("h"))
	b.WaitFor(`(document.querySelector("[data-testid=action-hide]")||{}).dataset.hide === "true"`, 10*time.Second)
	if Eval[bool](b, `!!document.querySelector("[data-testid=hidden-badge]") || !!document.querySelector("`+rowSel(id)+` [data-testid=row-hidden]")`) {
		t.Error("still shown as hidden after unhide")
	}
	if w.atMeta(t, id).Hidden {
		t.Fatal("still hidden at Meta")
	}

	// When Instagram answers after the panel was rendered ("Hiding…"), the
	// panel shows the outcome by itself once the row changes on the live
	// stream.
	w.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "graph_slow", "delay": "4s", "account": acct}, nil)
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=detail-text]")), chromedp.KeyEvent("h"))
	b.WaitFor(`(document.querySelector("[data-testid=moderation-pending]")||{}).textContent === "Hiding…"`, 10*time.Second)
	b.WaitFor(`!!document.querySelector("[data-testid=hidden-badge]") && !document.querySelector("[data-testid=moderation-pending]")`, 15*time.Second)
	if !w.atMeta(t, id).Hidden {
		t.Fatal("the slow hide did not reach Meta")
	}
}

// TestBrowser_deleteAndBulkHide: delete asks first; once confirmed the
// comment is deleted at Meta, leaves the open list and its count and stays
// in the panel (the record), whose composer says in plain words why no
// private reply can go. A comment its author deleted on Instagram fails at
// send, in plain words too. Then a spam wave is hidden in bulk with h.
func TestBrowser_deleteAndBulkHide(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	acct := d.Account("acme.coffee").ID
	id := w.comment(t, map[string]any{"account": acct, "username": "spam.bot", "text": "Cheap followers at spam.example"})
	gone := w.comment(t, map[string]any{"account": acct, "username": "kai_m", "text": "never mind"})
	w.waitSettled(t, w.Login(t, d.User("Ava").ID), id)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	openComment(b, id)
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=action-delete-open]")))
	b.WaitFor(`document.querySelector("[data-testid=action-delete]").open`, 5*time.Second)
	if w.atMeta(t, id).Deleted {
		t.Fatal("deleted before the confirmation")
	}
	b.Screenshot("delete-confirmation")
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=action-delete-confirm]")))
	b.WaitFor(`!!document.querySelector("[data-testid=deleted-badge]")`, 10*time.Second)
	b.WaitFor(`!document.querySelector("`+rowSel(id)+`")`, 5*time.Second)
	// It no longer counts as open (one open comment left).
	b.WaitFor(`document.querySelector("[data-testid=view-open] .rail-count").textContent === "1"`, 10*time.Second)
	if !w.atMeta(t, id).Deleted {
		t.Fatal("not deleted at Meta")
	}
	if got := b.Text("[data-testid=reply-disabled-reason]"); !strings.Contains(got, "deleted on Instagram") {
		t.Errorf("composer says %q", got)
	}
	if !Eval[bool](b, `document.querySelector("[data-testid=reply-send]").disabled`) {
		t.Error("send is enabled on a deleted comment")
	}
	b.Screenshot("deleted")

	w.Control(t, http.MethodPost, "/control/comments/delete", map[string]any{"id": gone}, nil)
	openComment(b, gone)
	b.Do(chromedp.SendKeys(chromedp.CSS("[data-testid=reply-text]"), "Hi kai_m!"))
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-send]")))
	b.WaitFor(`!!document.querySelector("[data-testid=reply-error]")`, 10*time.Second)
	if got := b.Text("[data-testid=reply-error]"); !strings.Contains(got, "deleted") || strings.Contains(got, "#") || strings.Contains(got, "2018292") {
		t.Errorf("reply error %q", got)
	}
	if got := w.repliesTo(t, gone); len(got) != 0 {
		t.Errorf("Meta accepted %q", got)
	}

	// A spam wave: tick the rows, press h. Each is hidden at Meta and its
	// row says so; the Live comment among them is left alone, and the toast
	// says why.
	var ids []string
	for _, text := range []string{"follow4follow 🔥", "cheap followers here", "DM me for promo"} {
		ids = append(ids, w.comment(t, map[string]any{"account": acct, "username": "spam.wave", "text": text}))
	}
	live := w.comment(t, map[string]any{"account": acct, "username": "spam.wave", "text": "promo", "live": true})
	b.WaitFor(`document.querySelector("[data-testid=new-pill]").textContent === "4 new"`, 10*time.Second)
	b.ClickUntil("[data-testid=new-pill]", pillGone)
	for _, id := range append(append([]string{}, ids...), live) {
		b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
		box := rowSel(id) + " [data-testid=row-check]"
		b.ClickUntil(box, `document.querySelector("`+box+`").checked`) // rows still settle as the wave lands
	}
	b.WaitFor(`!document.querySelector("[data-testid=bulkbar]").hidden`, 5*time.Second)
	b.Do(chromedp.KeyEvent("h")) // the last checkbox has the focus: a key, not typing
	b.WaitFor(`[...document.querySelectorAll("[data-testid=toast]")].some(t => t.textContent.includes("Hiding 3 comments"))`, 10*time.Second)
	if got := Eval[string](b, `[...document.querySelectorAll("[data-testid=toast]")].map(t => t.textContent).join(" ")`); !strings.Contains(got, "Live") {
		t.Errorf("toast %q does not say why the Live comment was left alone", got)
	}
	for _, id := range ids {
		b.WaitFor(`!!document.querySelector("`+rowSel(id)+` [data-testid=row-hidden]")`, 10*time.Second)
		if !w.atMeta(t, id).Hidden {
			t.Errorf("%s not hidden at Meta", id)
		}
	}
	b.Screenshot("bulk-hidden")
	if w.atMeta(t, live).Hidden || Eval[bool](b, `!!document.querySelector("`+rowSel(live)+` [data-testid=row-hidden]")`) {
		t.Error("the Live comment was hidden")
	}
}
