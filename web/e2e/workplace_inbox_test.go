package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// panelIs waits until the panel shows comment id and its row is the cursor.
func panelIs(b *Browser, id string) {
	b.t.Helper()
	cond := `(document.querySelector("#detail .detail-card")||{dataset:{}}).dataset.id === "` + id + `" &&
		(document.querySelector(".row.cursor")||{}).id === "comment-` + id + `" &&
		(document.querySelector(".row.selected")||{}).id === "comment-` + id + `"`
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if Eval[bool](b, "!!("+cond+")") {
			return
		}
	}
	b.t.Fatalf("panel is not %s: %s", id, Eval[string](b, `JSON.stringify({card: (document.querySelector("#detail .detail-card")||{dataset:{}}).dataset.id, cursor: (document.querySelector(".row.cursor")||{}).id, sel: (document.querySelector(".row.selected")||{}).id, url: location.href})`))
}

// TestBrowser_oneCurrentCommentDeepLinksAndBack (issue 20, items 1 and 3):
// the cursor row is the panel's comment whatever moves it (enter, j, k, a
// click), keys act on that one, done moves on to the next open comment with
// Undo in the toast; the URL names the open comment with the list's
// filters, survives a login, Esc and the panel's Back control close it, and
// the browser's Back returns to the list, on a desktop and on a phone.
func TestBrowser_oneCurrentCommentDeepLinksAndBack(t *testing.T) {
	t.Parallel() // its own world and browser
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	acct := d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	api := w.Login(t, d.User("Ava").ID)
	var ids []string // oldest first: soonest deadline first in the list
	for _, c := range []struct{ text, age string }{{"first", "100h"}, {"second", "50h"}, {"third", "20h"}, {"fourth", "10h"}} {
		id := w.comment(t, map[string]any{"account": acct.ID, "text": c.text, "age": c.age})
		waitComment(t, api, id)
		ids = append(ids, id)
	}
	list := w.App.URL + "/inbox?account=" + acct.ID
	b.Navigate(list)
	b.WaitFor(`!!document.querySelector("`+rowSel(ids[3])+`")`, 10*time.Second)
	b.WaitLive()
	path := func() string {
		u, err := url.Parse(b.Location())
		if err != nil {
			t.Fatal(err)
		}
		return u.Path + "?" + u.RawQuery
	}

	// Enter opens the cursor's comment; the URL names it, with the filter.
	b.Do(chromedp.KeyEvent("j"), chromedp.KeyEvent(kb.Enter))
	panelIs(b, ids[0])
	if got, want := path(), "/inbox/comments/"+ids[0]+"?account="+acct.ID; got != want {
		t.Errorf("after enter the URL is %s, want %s", got, want)
	}
	// j moves the panel with the cursor; k back; j again.
	b.Do(chromedp.KeyEvent("j"))
	panelIs(b, ids[1])
	b.Do(chromedp.KeyEvent("k"))
	panelIs(b, ids[0])
	b.Do(chromedp.KeyEvent("j"))
	panelIs(b, ids[1])
	if got, want := path(), "/inbox/comments/"+ids[1]+"?account="+acct.ID; got != want {
		t.Errorf("after j the URL is %s, want %s", got, want)
	}
	// e marks the current comment (the panel's) done, and moves on to the
	// next open one, with Undo in the toast.
	b.Do(chromedp.KeyEvent("e"))
	b.WaitFor(`document.querySelector("`+rowSel(ids[1])+`").dataset.status === "done"`, 5*time.Second)
	panelIs(b, ids[2])
	if st := Eval[string](b, `document.querySelector("`+rowSel(ids[0])+`").dataset.status`); st != "open" {
		t.Errorf("the comment before the cursor became %q", st)
	}
	if got := b.Text(`[data-testid=toast]`); !strings.Contains(got, "Marked comment done") || !strings.Contains(got, "Undo") {
		t.Errorf("toast %q", got)
	}
	// r writes the reply to the panel's comment.
	b.Do(chromedp.KeyEvent("r"))
	if !Eval[bool](b, `document.activeElement.matches("[data-testid=reply-text]") && document.activeElement.closest(".detail-card").dataset.id === "`+ids[2]+`"`) {
		t.Error("r did not focus the current comment's reply box")
	}
	// The panel's Dismiss button also moves on, even clicked the instant a
	// refresh (the live stream's) has swapped the panel in: the new
	// buttons are htmx's at once, not a form that posts a whole page.
	b.Do(chromedp.KeyEvent(kb.Escape)) // leaves the reply box
	Eval[bool](b, `(() => {
		window.samePage = true;
		document.addEventListener("htmx:afterSwap", function first(e) {
			if (e.detail.target.id !== "detail") return;
			document.removeEventListener("htmx:afterSwap", first);
			setTimeout(() => document.querySelector("#detail [data-status-action=dismissed]").click(), 0);
		});
		htmx.ajax("GET", document.querySelector("#detail .detail-card").dataset.url, {target: "#detail", swap: "innerHTML"});
		return true;
	})()`)
	b.WaitFor(`document.querySelector("`+rowSel(ids[2])+`").dataset.status === "dismissed"`, 5*time.Second)
	panelIs(b, ids[3])
	if !Eval[bool](b, `window.samePage === true`) {
		t.Error("Dismiss, clicked as the panel was swapped in, loaded a new page")
	}
	// Esc closes the panel: the URL is the list's again, with its filter.
	b.Do(chromedp.KeyEvent(kb.Escape))
	b.WaitFor(`!document.querySelector("#detail .detail-card") && location.pathname === "/inbox"`, 5*time.Second)
	if got, want := path(), "/inbox?account="+acct.ID; got != want {
		t.Errorf("after Esc the URL is %s, want %s", got, want)
	}
	// A click opens a comment; the browser's Back returns to the list, and
	// Forward opens it again.
	openRow(b, ids[0])
	panelIs(b, ids[0])
	Eval[bool](b, "history.back(), true")
	b.WaitFor(`!document.querySelector("#detail .detail-card") && location.pathname === "/inbox"`, 5*time.Second)
	Eval[bool](b, "history.forward(), true")
	panelIs(b, ids[0])

	// On a phone the panel covers the list and has a Back control.
	b.Viewport(PhoneWidth, PhoneHeight, true)
	closeBtn := `[data-testid=detail-close]`
	if !Eval[bool](b, `(() => { const r = document.querySelector("`+closeBtn+`").getBoundingClientRect(); return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight; })()`) {
		t.Error("the phone's Back control is not on screen")
	}
	b.Do(chromedp.Click(chromedp.CSS(closeBtn)))
	b.WaitFor(`!document.querySelector("#detail .detail-card") && location.pathname === "/inbox"`, 5*time.Second)
	openRow(b, ids[3])
	panelIs(b, ids[3])
	Eval[bool](b, "history.back(), true")
	b.WaitFor(`!document.querySelector("#detail .detail-card") && location.pathname === "/inbox"`, 5*time.Second)
	if !Eval[bool](b, `getComputedStyle(document.getElementById("detail")).display === "none"`) {
		t.Error("after Back the phone still shows the panel")
	}

	// A deep link survives Facebook Login: a logged-out browser asked for a
	// comment, and lands on it after logging in.
	b2 := NewBrowser(t)
	deep := "/inbox/comments/" + ids[3] + "?account=" + acct.ID
	b2.Navigate(w.App.URL + deep)
	if loc := b2.Location(); !strings.HasPrefix(loc, w.App.URL+"/login") {
		t.Fatalf("logged out, the deep link went to %s", loc)
	}
	w.BrowserLogin(t, b2, d.User("Ava").ID)
	if got := b2.Location(); got != w.App.URL+deep {
		t.Errorf("after login the browser is at %s, want %s", got, w.App.URL+deep)
	}
	b2.WaitFor(`(document.querySelector("#detail .detail-card")||{dataset:{}}).dataset.id === "`+ids[3]+`"`, 5*time.Second)
	// Opened from a link, Esc still closes it (to the list, not to the login).
	b2.Do(chromedp.KeyEvent(kb.Escape))
	b2.WaitFor(`!document.querySelector("#detail .detail-card") && location.pathname === "/inbox" && location.search === "?account=`+acct.ID+`"`, 5*time.Second)
}

// TestBrowser_panelFollowsTheChangeFeed (issue 20, item 2): the open panel
// updates when a teammate acts on its comment: a status change shows at
// once, and a reply sent first by a teammate shows with its state and who
// sent it, while the draft being written stays visible, read-only, with the
// reason it can no longer be sent.
func TestBrowser_panelFollowsTheChangeFeed(t *testing.T) {
	t.Parallel() // its own world and browser
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	acct := d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	ava := w.Login(t, d.User("Ava").ID)
	eli := w.Login(t, d.User("Eli").ID)
	x := w.comment(t, map[string]any{"account": acct.ID, "text": "Is the blue one back?", "age": "50h"})
	y := w.comment(t, map[string]any{"account": acct.ID, "text": "Ships to Canada?", "age": "20h"})
	waitComment(t, ava, x)
	waitComment(t, ava, y)
	b.Navigate(w.App.URL + "/inbox/comments/" + y)
	b.WaitFor(`(document.querySelector("#detail .detail-card")||{dataset:{}}).dataset.id === "`+y+`"`, 10*time.Second)
	b.WaitLive()

	// A teammate marks it done: the open panel says so.
	if r := eli.PostJSON(t, "/api/v1/comments/"+y+"/status", map[string]string{"status": "done"}); r.Status != 200 {
		t.Fatalf("eli marks done: %d %s", r.Status, r.Body)
	}
	b.WaitFor(`document.querySelector("#detail .detail-card").dataset.status === "done" && !!document.querySelector("#detail [data-status-action=open]")`, 5*time.Second)
	if got := b.Text(`#detail [data-testid=history]`); !strings.Contains(got, "Done by Eli Navarro") {
		t.Errorf("the panel's history after Eli's done: %q", got)
	}

	// Ava writes a reply to x; Eli replies first.
	openRow(b, x)
	b.WaitFor(`(document.querySelector("#detail .detail-card")||{dataset:{}}).dataset.id === "`+x+`"`, 5*time.Second)
	draft := "Hi! The blue one is back on Friday."
	b.Do(chromedp.SendKeys(chromedp.CSS("[data-testid=reply-text]"), draft))
	if r := eli.PostJSON(t, "/api/v1/comments/"+x+"/reply", map[string]string{"text": "Back on Friday!"}); r.Status != 200 && r.Status != 202 {
		t.Fatalf("eli replies: %d %s", r.Status, r.Body)
	}
	b.WaitFor(`(document.querySelector("#detail [data-testid=reply-state]")||{}).textContent === "Sent"`, 10*time.Second)
	if got := b.Text(`#detail [data-testid=reply-status]`); !strings.Contains(got, "Eli Navarro") || !strings.Contains(got, "Back on Friday!") {
		t.Errorf("the panel's reply card: %q", got)
	}
	b.WaitFor(`!!document.querySelector("#detail [data-testid=draft-kept]")`, 5*time.Second)
	if got := Eval[string](b, `document.querySelector("#detail [data-testid=reply-text]").value`); got != draft {
		t.Errorf("the draft became %q, want %q", got, draft)
	}
	if !Eval[bool](b, `document.querySelector("#detail [data-testid=reply-text]").readOnly && document.querySelector("#detail [data-testid=reply-send]").disabled`) {
		t.Error("the kept draft can still be sent")
	}
	if got := b.Text(`#detail [data-testid=reply-disabled-reason]`); got == "" {
		t.Error("no reason why the draft can no longer be sent")
	}
	b.Screenshot("panel-teammate-replied-first")
}

// TestBrowser_firstMinutesConnectionBarAndTitle (issue 20, item 8): the
// first login on a fresh database says the comments are being fetched
// instead of "All caught up"; the tab title carries the open count and
// follows it live; a bar shows while the live connection is down and goes
// when it is back.
func TestBrowser_firstMinutesConnectionBarAndTitle(t *testing.T) {
	t.Parallel() // its own world and browser
	w := NewWorld(t, WorldOptions{Env: map[string]string{"REPLYDESK_BACKFILL_INTERVAL": "1h"}})
	d := w.World()
	acct := d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID) // lands on the inbox before the first backfill ran
	if got := b.Text(`[data-testid=empty]`); !strings.Contains(got, "Fetching the last 7 days of comments from Instagram") {
		t.Errorf("the first inbox says %q", got)
	}
	b.WaitLive()
	if bar := Eval[bool](b, `getComputedStyle(document.querySelector("[data-testid=connection-bar]")).display === "none"`); !bar {
		t.Error("the connection bar shows while the stream is open")
	}
	b.WaitFor(`/^Inbox \(\d+ open\) · Replydesk$/.test(document.title)`, 5*time.Second)
	before := Eval[string](b, `document.title`)
	api := w.Login(t, d.User("Ava").ID)
	id := w.comment(t, map[string]any{"account": acct.ID, "text": "one more"})
	waitComment(t, api, id)
	b.WaitFor(`document.title !== "`+before+`" && /^Inbox \(\d+ open\) · Replydesk$/.test(document.title)`, 10*time.Second)

	// The app goes away: the bar says so; it comes back: the bar goes.
	w.App.Kill()
	b.WaitFor(`getComputedStyle(document.querySelector("[data-testid=connection-bar]")).display !== "none"`, 10*time.Second)
	if got := b.Text(`[data-testid=connection-bar]`); !strings.Contains(got, "reconnecting") {
		t.Errorf("connection bar %q", got)
	}
	b.Screenshot("connection-bar")
	w.App.Restart()
	b.WaitFor(`document.querySelector("[data-testid=inbox-page]").dataset.live === "open" &&
		getComputedStyle(document.querySelector("[data-testid=connection-bar]")).display === "none"`, 30*time.Second)
}

// TestBrowser_liveBroadcastEndsAtOnce (issue 20, item 4): while a broadcast
// runs, the band counts its open comments live and its comments show LIVE,
// in the list and in the open panel; when it ends, the band, the rows and
// the open panel change at once and say what the end cost. Screenshots of
// the inbox with the panel open during the broadcast: desktop and phone,
// light and dark.
func TestBrowser_liveBroadcastEndsAtOnce(t *testing.T) {
	t.Parallel() // its own world and browser
	w := NewWorld(t, WorldOptions{Env: map[string]string{"REPLYDESK_LIVE_POLL": "1s"}})
	d := w.World()
	acct := d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	api := w.Login(t, d.User("Ava").ID)
	post := w.comment(t, map[string]any{"account": acct.ID, "text": "Do you ship to Canada?", "age": "30h"})
	waitComment(t, api, post)
	var live struct {
		MediaID string `json:"media_id"`
	}
	w.Control(t, "POST", "/control/live/start", map[string]string{"account": acct.ID}, &live)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	var ids []string
	for i, text := range []string{"Is the blue one in stock?", "😍 where is this jacket from?"} {
		id := w.comment(t, map[string]any{"account": acct.ID, "text": text, "media": live.MediaID, "username": []string{"mallory", "river.walks"}[i]})
		ids = append(ids, id)
		b.WaitFor(`!!document.querySelector("`+rowSel(id)+`[data-live]") || !!document.querySelector("[data-testid=new-pill]:not([hidden])")`, 10*time.Second)
		if Eval[bool](b, `!document.querySelector("`+rowSel(id)+`")`) {
			b.ClickUntil("[data-testid=new-pill]", pillGone)
		}
		// The band counts the broadcast's open comments, live.
		b.WaitFor(`((document.querySelector("[data-testid=live-band]")||{}).textContent||"").includes("`+[]string{"1 open comment ", "2 open comments"}[i]+`")`, 10*time.Second)
	}
	openRow(b, ids[0])
	b.WaitFor(`(document.querySelector("#detail .detail-card")||{dataset:{}}).dataset.id === "`+ids[0]+`"`, 5*time.Second)
	if got := b.Text(`#detail [data-testid=detail-countdown]`); got != "LIVE" {
		t.Errorf("the panel's chip says %q during the broadcast", got)
	}
	b.LookEverywhere("live-panel", "inbox during a broadcast")

	// The broadcast ends: band, rows and the open panel change at once.
	w.Control(t, "POST", "/control/live/end", map[string]string{"account": acct.ID}, nil)
	b.WaitFor(`((document.querySelector("[data-testid=live-ended-band]")||{}).textContent||"").includes("2 comments can no longer get a private reply") && !document.querySelector("[data-testid=live-band]")`, 15*time.Second)
	b.WaitFor(`document.querySelector("#detail .detail-card").dataset.status === "expired" && !!document.querySelector("#detail [data-testid=reply-disabled-reason]")`, 5*time.Second)
	for _, id := range ids {
		if st := Eval[string](b, `(document.querySelector("`+rowSel(id)+`")||{dataset:{status:"gone"}}).dataset.status`); st != "expired" && st != "gone" {
			t.Errorf("row %s is %q after the broadcast ended", id, st)
		}
	}
	if st := Eval[string](b, `document.querySelector("`+rowSel(post)+`").dataset.status`); st != "open" {
		t.Errorf("the post's comment became %q", st)
	}
	// No label overlaps another: each row's chip holds its text and ends
	// before the username starts.
	if bad := Eval[[]string](b, `[...document.querySelectorAll(".row")].filter(r => {
		const c = r.querySelector("[data-testid=countdown]"), u = r.querySelector(".row-user");
		return c.scrollWidth > c.clientWidth + 1 || c.getBoundingClientRect().right > u.getBoundingClientRect().left;
	}).map(r => r.id)`); len(bad) > 0 {
		t.Errorf("rows whose chip overflows or overlaps: %v", bad)
	}
	b.Screenshot("live-ended")
}

// TestBrowser_phones (issue 20, item 9): on a 390 px phone the user menu
// (and Log out in it) and the account filter are on screen and work; the
// list rows keep their text readable; Templates and Team do not scroll
// sideways.
func TestBrowser_phones(t *testing.T) {
	t.Parallel() // its own world and browser
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	coffee, outdoor := d.Account("acme.coffee"), d.Account("acme.outdoor")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	api := w.Login(t, d.User("Ava").ID)
	a := w.comment(t, map[string]any{"account": coffee.ID, "text": "How long does shipping to Lisbon take these days?"})
	o := w.comment(t, map[string]any{"account": outdoor.ID, "text": "Tent size?"})
	waitComment(t, api, a)
	waitComment(t, api, o)
	b.Viewport(PhoneWidth, PhoneHeight, true)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitFor(`!!document.querySelector("`+rowSel(a)+`") && !!document.querySelector("`+rowSel(o)+`")`, 10*time.Second)
	onScreen := func(css string) bool {
		return Eval[bool](b, `(() => { const e = document.querySelector("`+css+`"); if (!e) return false; const r = e.getBoundingClientRect();
			return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight; })()`)
	}
	if w := Eval[float64](b, `document.querySelector("`+rowSel(a)+` [data-testid=comment-text]").getBoundingClientRect().width`); w < 150 {
		t.Errorf("a row's text is %.0f px wide on a phone", w)
	}
	// The account filter.
	if !onScreen(`[data-testid=account-filter]`) {
		t.Fatal("the account filter is not on a phone's screen")
	}
	b.Do(chromedp.SetValue(chromedp.CSS(`[data-testid=account-filter]`), outdoor.ID),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-testid=account-filter]").dispatchEvent(new Event("change", {bubbles: true}))`))
	b.WaitFor(`location.search.includes("account=`+outdoor.ID+`") && !document.querySelector("`+rowSel(a)+`") && !!document.querySelector("`+rowSel(o)+`")`, 10*time.Second)
	b.Screenshot("phone-inbox")
	// The user menu and Log out.
	if !onScreen(`[data-testid=usermenu] summary`) {
		t.Fatal("the user menu is not on a phone's screen")
	}
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid=usermenu] summary`)))
	if !onScreen(`[data-testid=logout]`) {
		t.Error("Log out is not on a phone's screen once the menu is open")
	}
	b.Screenshot("phone-usermenu")
	for _, p := range []string{"/templates", "/team", "/accounts"} {
		b.Navigate(w.App.URL + p)
		if sw := Eval[float64](b, `document.documentElement.scrollWidth - innerWidth`); sw > 0 {
			t.Errorf("%s scrolls sideways by %.0f px on a phone", p, sw)
			b.Screenshot("phone" + strings.ReplaceAll(p, "/", "-"))
		}
	}
	b.Navigate(w.App.URL + "/inbox")
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid=usermenu] summary`)))
	b.ClickNav(`[data-testid=logout]`)
	if loc := b.Location(); !strings.Contains(loc, "/login") {
		t.Errorf("after Log out on a phone the browser is at %s", loc)
	}
}

// TestBrowser_smallThings (issue 20, item 12, in part): Hebrew and Arabic
// comments and replies read right to left (dir="auto"); a long comment is
// clamped with "Show more" so the composer stays in view; the bulk bar
// does not push the rows down; `?` opens the
// shortcuts on every page and names Ctrl on a system that is not a Mac;
// the surface filter reads "Stories" and "Live".
func TestBrowser_smallThings(t *testing.T) {
	t.Parallel() // its own world and browser
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	api := w.Login(t, d.User("Ava").ID)
	id := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "text": "כמה זה עולה?"})
	waitComment(t, api, id)
	b.Navigate(w.App.URL + "/inbox/comments/" + id)
	b.WaitFor(`!!document.querySelector("#detail [data-testid=reply-text]")`, 10*time.Second)
	for _, css := range []string{rowSel(id) + " [data-testid=comment-text]", "#detail [data-testid=detail-text]"} {
		if dir := Eval[string](b, `getComputedStyle(document.querySelector("`+css+`")).direction`); dir != "rtl" {
			t.Errorf("%s reads %s", css, dir)
		}
	}
	if got := Eval[string](b, `document.querySelector("#reply-text").getAttribute("dir")`); got != "auto" {
		t.Errorf("the composer's dir is %q", got)
	}
	if got := b.Text(`[data-testid=reply-send] kbd`); got != "Ctrl ↵" {
		t.Errorf("the send key reads %q on Linux", got)
	}
	opts := Eval[string](b, `[...document.querySelectorAll("#surface option")].map(o => o.textContent).join(",")`)
	if !strings.Contains(opts, "Stories") || !strings.Contains(opts, ",Live") || strings.Contains(opts, "Storys") || strings.Contains(opts, "Lives") {
		t.Errorf("surface options %q", opts)
	}
	// A long comment is clamped with "Show more": the composer stays in
	// view at 1280×800.
	long := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "text": strings.Repeat("A long story about the jacket I bought last winter, and the zip that broke. ", 28)})
	waitComment(t, api, long)
	b.Navigate(w.App.URL + "/inbox/comments/" + long)
	b.WaitFor(`!!document.querySelector("#detail [data-testid=reply-text]") && !document.querySelector("[data-testid=show-more]").hidden`, 10*time.Second)
	if bottom := Eval[float64](b, `document.querySelector("#detail [data-testid=reply-text]").getBoundingClientRect().top`); bottom > DesktopHeight-60 {
		t.Errorf("the composer starts at %.0f px, below the fold", bottom)
	}
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid=show-more]`)))
	b.WaitFor(`!document.querySelector("[data-testid=detail-text]").classList.contains("clamped") && document.querySelector("[data-testid=show-more]").textContent === "Show less"`, 3*time.Second)

	// Selecting a row shows the bulk bar without pushing the rows down.
	b.Navigate(w.App.URL + "/inbox")
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
	top := Eval[float64](b, `document.querySelector("#rows .row").getBoundingClientRect().top`)
	b.ClickUntil(rowSel(id)+" [data-testid=row-check]", `!document.querySelector("[data-testid=bulkbar]").hidden`)
	if now := Eval[float64](b, `document.querySelector("#rows .row").getBoundingClientRect().top`); now != top {
		t.Errorf("the bulk bar moved the first row from %.0f to %.0f px", top, now)
	}
	b.Screenshot("bulk-bar")

	for _, p := range []string{"/templates", "/team", "/accounts", "/settings/tokens"} {
		b.Navigate(w.App.URL + p)
		b.Do(chromedp.KeyEvent("?"))
		b.WaitFor(`!!document.getElementById("shortcuts") && document.getElementById("shortcuts").open`, 3*time.Second)
		if got := b.Text(`#shortcuts`); !strings.Contains(got, "Ctrl") || strings.Contains(got, "⌘") {
			t.Errorf("the shortcuts on %s read %q", p, got)
		}
	}
}
