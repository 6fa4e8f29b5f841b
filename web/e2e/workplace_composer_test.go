package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// putJSON is PUT with the session's CSRF token.
func putJSON(t *testing.T, c *Client, url string, body any) *http.Response {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

const replyBox = "#detail [data-testid=reply-text]"

// boxIs waits until the reply box holds want.
func boxIs(b *Browser, want string) {
	b.t.Helper()
	js, _ := json.Marshal(want)
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(30 * time.Millisecond) {
		if Eval[bool](b, `document.querySelector("`+replyBox+`").value === `+string(js)) {
			return
		}
	}
	b.t.Fatalf("the reply box holds %q, want %q", Eval[string](b, `document.querySelector("`+replyBox+`").value`), want)
}

// TestBrowser_templatesInTheComposer (issue 20, item 5, and the template
// editor of item 12): keys 1–9 follow the order admins set, not usage; a
// template goes in at the cursor or over the selection, and Undo (its
// button or Ctrl+Z) puts back exactly what was there; "/" opens a
// filtered, accessible picker (arrows, Enter, Esc); a refused template
// opens on a summary of every problem.
func TestBrowser_templatesInTheComposer(t *testing.T) {
	t.Parallel() // its own world and browser
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	acct := d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	api := w.Login(t, d.User("Ava").ID)
	ids := map[string]int64{}
	for _, tm := range []struct{ name, body, shortcut string }{
		{"Shipping", "We ship worldwide, {{username}}.", "ship"},
		{"Price list", "The blue one is €39.", "price"},
		{"Hello", "Hi {{username|there}}!", ""},
	} {
		r := api.PostJSON(t, "/api/v1/templates", map[string]any{"name": tm.name, "body": tm.body, "shortcut": tm.shortcut})
		var out struct {
			ID int64 `json:"id"`
		}
		if r.Status != http.StatusCreated || json.Unmarshal([]byte(r.Body), &out) != nil {
			t.Fatalf("template %s: %d %s", tm.name, r.Status, r.Body)
		}
		ids[tm.name] = out.ID
	}
	// Hello is the most used (a reply sent with it); usage moves nothing.
	// An admin puts "Price list" first.
	used := w.comment(t, map[string]any{"account": acct.ID, "username": "kai_m", "text": "hello!"})
	waitComment(t, api, used)
	if r := api.PostJSON(t, "/api/v1/comments/"+used+"/reply", map[string]any{"template_id": ids["Hello"]}); r.Status >= 300 {
		t.Fatalf("reply with Hello: %d %s", r.Status, r.Body)
	}
	if r := putJSON(t, api, w.App.URL+"/api/v1/templates/"+strconv.FormatInt(ids["Price list"], 10),
		map[string]any{"name": "Price list", "body": "The blue one is €39.", "shortcut": "price", "position": 1}); r.StatusCode != http.StatusOK {
		t.Fatalf("move: %d", r.StatusCode)
	}
	id := w.comment(t, map[string]any{"account": acct.ID, "username": "mallory", "text": "How much is the blue one?"})
	waitComment(t, api, id)
	b.Navigate(w.App.URL + "/inbox/comments/" + id)
	b.WaitFor(`!!document.querySelector("`+replyBox+`")`, 10*time.Second)
	if got := Eval[string](b, `[...document.querySelectorAll("#detail [data-template-key]")].map(p => p.dataset.templateKey + "=" + p.querySelector("span").textContent).join(" ")`); got != "1=Price list 2=Shipping 3=Hello" {
		t.Errorf("keys %q, want the admins' order", got)
	}

	// A digit inserts at the cursor; Ctrl+Z puts back what was there.
	b.Do(chromedp.SendKeys(chromedp.CSS(replyBox), "Thanks!  See you."))
	Eval[bool](b, `(() => { const x = document.querySelector("`+replyBox+`"); x.setSelectionRange(8, 8); x.blur(); return true })()`)
	b.Do(chromedp.KeyEvent("2"))
	boxIs(b, "Thanks! We ship worldwide, mallory. See you.")
	b.WaitFor(`!document.querySelector("[data-testid=template-undo-button]").hidden`, 2*time.Second)
	if got := b.Text("[data-testid=template-undo]"); !strings.Contains(got, "Inserted “Shipping”.") || !strings.Contains(got, "Undo") {
		t.Errorf("the undo note reads %q", got)
	}
	if got := Eval[string](b, `document.querySelector("#detail [data-testid=reply-template-id]").value`); got != strconv.FormatInt(ids["Shipping"], 10) {
		t.Errorf("template id %q", got)
	}
	if got := Eval[int](b, `document.querySelector("`+replyBox+`").selectionStart`); got != 35 {
		t.Errorf("the cursor is at %d after the insert, want 35", got)
	}
	b.LookEverywhere("composer-inserted-with-undo", "")
	Eval[bool](b, `(document.querySelector("`+replyBox+`").focus(), true)`)
	b.Do(chromedp.KeyEvent("z", chromedp.KeyModifiers(kb.ModifierCtrl)))
	boxIs(b, "Thanks!  See you.")
	if got := Eval[string](b, `(() => { const x = document.querySelector("`+replyBox+`"); return x.selectionStart + "-" + x.selectionEnd + " " + document.querySelector("#detail [data-testid=reply-template-id]").value + " " + document.querySelector("[data-testid=template-undo-button]").hidden })()`); got != "8-8  true" {
		t.Errorf("after Ctrl+Z: %q", got)
	}

	// A click replaces the selection; the Undo button puts it back.
	Eval[bool](b, `(() => { const x = document.querySelector("`+replyBox+`"); x.setSelectionRange(9, 17); return true })()`)
	b.Do(chromedp.Click(chromedp.CSS(`#detail [data-template-key="1"]`)))
	boxIs(b, "Thanks!  The blue one is €39.")
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid=template-undo-button]`)))
	boxIs(b, "Thanks!  See you.")
	if got := Eval[string](b, `(() => { const x = document.querySelector("`+replyBox+`"); return x.selectionStart + "-" + x.selectionEnd })()`); got != "9-17" {
		t.Errorf("after Undo the selection is %s, want 9-17", got)
	}

	// "/" after a space opens the picker: type to filter, arrows and Enter
	// insert, Esc closes it and leaves the "/".
	Eval[bool](b, `(() => { const x = document.querySelector("`+replyBox+`"); x.value = ""; x.focus(); return true })()`)
	b.Do(chromedp.SendKeys(chromedp.CSS(replyBox), "Hi /"))
	b.WaitFor(`!document.querySelector("[data-testid=template-picker]").hidden`, 2*time.Second)
	state := func() string {
		return Eval[string](b, `(() => {
			const x = document.querySelector("`+replyBox+`"), a = x.getAttribute("aria-activedescendant");
			const shown = [...document.querySelectorAll("[data-testid=template-option]:not([hidden])")].map(o => o.querySelector(".option-name").textContent);
			const sel = [...document.querySelectorAll("[role=option][aria-selected=true]")].map(o => o.id);
			return shown.join(",") + " | " + (a ? document.getElementById(a).querySelector(".option-name").textContent : "none") + " | " + sel.join(",") + " | " + x.getAttribute("aria-controls") + " " + document.getElementById(x.getAttribute("aria-controls")).getAttribute("role");
		})()`)
	}
	if got := state(); got != "Price list,Shipping,Hello | Price list | template-option-"+strconv.FormatInt(ids["Price list"], 10)+" | template-options listbox" {
		t.Errorf("picker opened: %q", got)
	}
	b.Do(chromedp.SendKeys(chromedp.CSS(replyBox), "sh"))
	b.WaitFor(`document.querySelectorAll("[data-testid=template-option]:not([hidden])").length === 1`, 2*time.Second)
	if got := state(); !strings.HasPrefix(got, "Shipping | Shipping | ") {
		t.Errorf("filtered by \"sh\": %q", got)
	}
	b.LookEverywhere("composer-slash-picker", "composer-slash-picker")
	Eval[bool](b, `(document.querySelector("`+replyBox+`").focus(), true)`)
	b.Do(chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace))
	b.WaitFor(`document.querySelectorAll("[data-testid=template-option]:not([hidden])").length === 3`, 2*time.Second)
	b.Do(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowUp))
	if got := state(); !strings.HasPrefix(got, "Price list,Shipping,Hello | Shipping | ") {
		t.Errorf("after down, down, up: %q", got)
	}
	b.Do(chromedp.KeyEvent(kb.Enter))
	boxIs(b, "Hi We ship worldwide, mallory.")
	if Eval[bool](b, `!document.querySelector("[data-testid=template-picker]").hidden || document.querySelector("`+replyBox+`").hasAttribute("aria-activedescendant")`) {
		t.Error("the picker stays open after Enter")
	}
	b.Do(chromedp.SendKeys(chromedp.CSS(replyBox), " /"))
	b.WaitFor(`!document.querySelector("[data-testid=template-picker]").hidden`, 2*time.Second)
	b.Do(chromedp.KeyEvent(kb.Escape))
	b.WaitFor(`document.querySelector("[data-testid=template-picker]").hidden`, 2*time.Second)
	b.Do(chromedp.SendKeys(chromedp.CSS(replyBox), "x"))
	boxIs(b, "Hi We ship worldwide, mallory. /x")
	if Eval[bool](b, `!document.querySelector("[data-testid=template-picker]").hidden || document.activeElement !== document.querySelector("`+replyBox+`") || !!document.querySelector("#detail:not(.open)")`) {
		t.Error("Esc did not just close the picker (it reopened, or the box or the panel lost focus)")
	}

	// The template editor: a refused template lists every problem, and the
	// page opens on that list.
	b.Navigate(w.App.URL + "/templates/new")
	Eval[bool](b, `(() => { document.querySelector("#shortcut").value = "no spaces"; document.querySelector("#name").removeAttribute("required"); document.querySelector("#shortcut").removeAttribute("pattern");
		const body = document.querySelector("#body"); body.value = "Hi {{usrname}}!\nPrice: {{price}} and {{account|}}"; return true })()`)
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid=template-save]`)))
	b.WaitFor(`!!document.querySelector("[data-testid=error-summary]") && document.activeElement === document.querySelector("[data-testid=error-summary]")`, 5*time.Second)
	if got := Eval[string](b, `[...document.querySelectorAll("[data-testid=error-summary-item]")].map(a => a.dataset.field).join(",")`); got != "name,shortcut,body,body,body" {
		t.Errorf("the summary lists %q", got)
	}
	b.LookEverywhere("template-editor-every-error", "template-editor-every-error")
}

// TestBrowser_panelHeadlineLocalTimesSentReplyAndPublicReply (issue 20,
// item 12, the rest): the time left to reply is the panel's headline
// (first, large); the panel's times are in the viewer's time zone; once a
// reply is sent the composer gives way to the sent reply; "Reply publicly"
// is visibly disabled, with the reason as its description, on a hidden
// comment and on a Live one.
func TestBrowser_panelHeadlineLocalTimesSentReplyAndPublicReply(t *testing.T) {
	t.Parallel() // its own world and browser
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	acct := d.Account("acme.coffee")
	b := NewBrowser(t)
	b.TimeZone("Asia/Tokyo")
	w.BrowserLogin(t, b, d.User("Ava").ID)
	api := w.Login(t, d.User("Ava").ID)
	id := w.comment(t, map[string]any{"account": acct.ID, "username": "mallory", "text": "Ships to Canada?", "age": "30h"})
	c := waitComment(t, api, id)
	b.Navigate(w.App.URL + "/inbox/comments/" + id)
	b.WaitFor(`!!document.querySelector("`+replyBox+`")`, 10*time.Second)

	// The headline: first in the card, large, with the words.
	if got := Eval[string](b, `(() => {
		const card = document.querySelector("#detail .detail-card");
		const first = [...card.children].find(el => el.offsetParent !== null && !el.matches("[data-testid=detail-close]")); // the way back is a control, not content
		const chip = document.querySelector("#detail [data-testid=detail-countdown]");
		return first.dataset.testid + " " + parseFloat(getComputedStyle(chip).fontSize) + " " + first.textContent.replace(/\s+/g, " ").trim();
	})()`); !strings.HasPrefix(got, "detail-deadline 20 ") || !strings.HasSuffix(got, "h left to reply") {
		t.Errorf("the panel starts with %q, want the time left, large", got)
	}
	// Times in the viewer's zone (Tokyo, UTC+9).
	tokyo := time.FixedZone("JST", 9*3600)
	local := Eval[string](b, `document.querySelector("[data-testid=detail-deadline-text] time").textContent`)
	if want := c.Deadline.In(tokyo).Format("03:04"); !strings.Contains(local, "GMT+9") || !strings.Contains(local, want) {
		t.Errorf("the deadline reads %q, want Tokyo's %s", local, want)
	}
	if strings.Contains(b.Text("#detail"), "UTC") {
		t.Errorf("the panel still shows UTC: %q", b.Text("[data-testid=detail-deadline-text]"))
	}

	// Sent: the composer gives way to the sent reply.
	b.Do(chromedp.SendKeys(chromedp.CSS(replyBox), "Yes, we ship to Canada!"))
	b.Do(chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(kb.ModifierCtrl)))
	b.WaitFor(`!!document.querySelector("#detail [data-testid=reply-status][data-state=sent]")`, 10*time.Second)
	if got := Eval[string](b, `(() => {
		const shown = s => { const el = document.querySelector(s); return !!el && el.offsetParent !== null; };
		return [shown("#detail [data-testid=reply-text]"), shown("#detail [data-testid=reply-send]"), shown("#detail [data-testid=template-picks]"),
			document.querySelector("#detail [data-testid=reply-status] .reply-card-text").textContent].join(" ");
	})()`); got != "false false false Yes, we ship to Canada!" {
		t.Errorf("after sending (box, send, templates shown; reply): %q", got)
	}

	// Hidden: "Reply publicly" is disabled and says why.
	if r := api.PostJSON(t, "/api/v1/comments/"+id+"/hide", map[string]any{"hidden": true}); r.Status >= 300 {
		t.Fatalf("hide: %d %s", r.Status, r.Body)
	}
	b.WaitFor(`!!document.querySelector("#detail [data-testid=hidden-badge]")`, 10*time.Second)
	publicOff := func(want string) {
		t.Helper()
		got := Eval[string](b, `(() => {
			const btn = document.querySelector("#detail [data-testid=public-reply-open]");
			const why = document.getElementById(btn.getAttribute("aria-describedby") || "none");
			return btn.tagName + " " + btn.getAttribute("aria-disabled") + " " + (parseFloat(getComputedStyle(btn).opacity) < 1) + " " + (why ? why.textContent : "");
		})()`)
		if !strings.HasPrefix(got, "BUTTON true true ") || !strings.Contains(got, want) {
			t.Errorf("Reply publicly: %q, want disabled and described by %q", got, want)
		}
	}
	publicOff("hidden")
	b.Do(chromedp.Click(chromedp.CSS("#detail [data-testid=public-reply-open]")))
	if Eval[bool](b, `!!document.querySelector("#detail [data-testid=public-reply-form]")`) {
		t.Error("a click opened the public reply box of a hidden comment")
	}

	// Live: the same, with the headline counting to the broadcast's end.
	var live struct {
		MediaID string `json:"media_id"`
	}
	w.Control(t, "POST", "/control/live/start", map[string]string{"account": acct.ID}, &live)
	lid := w.comment(t, map[string]any{"account": acct.ID, "text": "Is the green one back?", "media": live.MediaID, "username": "river.walks"})
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodGet, api.Base+"/api/v1/comments/"+lid, nil)
		if r := api.Do(t, req); r.Status == http.StatusOK || time.Now().After(end) {
			break
		}
	}
	b.Navigate(w.App.URL + "/inbox/comments/" + lid)
	b.WaitFor(`!!document.querySelector("#detail [data-testid=public-reply-open]")`, 10*time.Second)
	publicOff("Live")
	if got := strings.Join(strings.Fields(b.Text("#detail [data-testid=detail-deadline]")), " "); got != "LIVE until the broadcast ends" {
		t.Errorf("the Live headline reads %q", got)
	}
	b.TimeZone("")
	b.LookEverywhere("live-panel", "live-panel")
}
