package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

type simReplies struct {
	Replies []struct {
		CommentID string `json:"comment_id"`
		Text      string `json:"text"`
		MessageID string `json:"message_id"`
	} `json:"replies"`
}

func (w *World) repliesTo(t testing.TB, commentID string) []string {
	t.Helper()
	var out simReplies
	w.Control(t, http.MethodGet, "/control/replies", nil, &out)
	var texts []string
	for _, r := range out.Replies {
		if r.CommentID == commentID {
			texts = append(texts, r.Text)
		}
	}
	return texts
}

// TestBrowser_sendPrivateReply: open a comment, type a reply, send it, see
// it marked replied, and find exactly one reply with that text at Meta.
func TestBrowser_sendPrivateReply(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	id := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "username": "river.walks", "text": "How much is the blue one?"})
	w.waitSettled(t, w.Login(t, d.User("Ava").ID), id)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
	openRow(b, id)
	b.WaitFor(`!!document.querySelector("[data-testid=reply-text]")`, 5*time.Second)
	text := "Hi river.walks! The blue one is €39 — details in your DMs ✨"
	b.Do(chromedp.SendKeys(chromedp.CSS("[data-testid=reply-text]"), text))
	// UTF-8 bytes as Meta counts them: é is 2, — and € are 3, ✨ is 3.
	if got, want := b.Text("[data-testid=byte-count]"), fmt.Sprintf("%d / 1,000 bytes", len(text)); got != want || len(text) == len([]rune(text)) {
		t.Errorf("byte counter = %q, want %q", got, want)
	}
	if got := b.Text("[data-testid=reply-preview] [data-preview]"); got != text {
		t.Errorf("preview = %q", got)
	}
	b.Screenshot("composer")
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-send]")))
	b.WaitFor(`(document.querySelector("[data-testid=reply-state]")||{}).textContent === "Sent"`, 10*time.Second)
	b.WaitFor(`document.querySelector("`+rowSel(id)+`").dataset.status === "replied"`, 5*time.Second)
	if got := b.Text(rowSel(id) + " [data-testid=row-status]"); !strings.Contains(got, "Replied") || !strings.Contains(got, "Ava") {
		t.Errorf("row status = %q", got)
	}
	if !Eval[bool](b, `document.querySelector("[data-testid=reply-send]").disabled`) {
		t.Error("send stays enabled after the reply went out")
	}
	b.Screenshot("sent")
	if got := w.repliesTo(t, id); len(got) != 1 || got[0] != text {
		t.Errorf("simulator holds %q, want exactly one %q", got, text)
	}
}

// TestBrowser_templateShortcut: create a template, use it through its
// shortcut on a comment, send, and see its usage count rise.
func TestBrowser_templateShortcut(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	b.Navigate(w.App.URL + "/templates/new")
	b.Do(
		chromedp.SendKeys(chromedp.CSS("[data-testid=field-name]"), "Price list"),
		chromedp.SendKeys(chromedp.CSS("[data-testid=field-shortcut]"), "price"),
		chromedp.SendKeys(chromedp.CSS("[data-testid=field-body]"), "Hi {{username|there}}! Prices for {{account}} are in your DMs."),
	)
	b.WaitFor(`(document.querySelector("[data-testid=preview]")||{}).textContent.includes("Hi river.walks!")`, 5*time.Second)
	b.Screenshot("editor")
	b.ClickNav(`[data-testid=template-save]`)
	b.WaitFor(`!!document.querySelector("[data-testid=template-row]")`, 5*time.Second)
	if got := b.Text(`[data-testid=template-row] [data-testid=template-uses]`); got != "0" {
		t.Fatalf("uses before = %q", got)
	}
	id := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "username": "kai_m", "text": "price?"})
	w.waitSettled(t, w.Login(t, d.User("Ava").ID), id)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
	openRow(b, id)
	b.WaitFor(`!!document.querySelector("[data-testid=reply-text]")`, 5*time.Second)
	b.Do(chromedp.SendKeys(chromedp.CSS("[data-testid=reply-text]"), "/price "))
	want := "Hi kai_m! Prices for acme.coffee are in your DMs."
	b.WaitFor(`document.querySelector("[data-testid=reply-text]").value === `+jsString(want), 3*time.Second)
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-send]")))
	b.WaitFor(`(document.querySelector("[data-testid=reply-state]")||{}).textContent === "Sent"`, 10*time.Second)
	if got := w.repliesTo(t, id); len(got) != 1 || got[0] != want {
		t.Errorf("simulator holds %q", got)
	}
	b.Navigate(w.App.URL + "/templates")
	if got := b.Text(`[data-testid=template-row] [data-testid=template-uses]`); got != "1" {
		t.Errorf("uses after = %q, want 1", got)
	}
}

func jsString(s string) string {
	return "`" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "`", "\\`") + "`"
}
