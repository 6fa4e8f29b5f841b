package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// rowOrder is the ids of the list's rows, top to bottom.
const rowOrder = `[...document.querySelectorAll("#rows > .row")].map(r => r.dataset.id)`

// overlapping lists, at the current size, the rows where one label covers
// another (the chip, the username, the text, badges, markers, times) or a
// chip's text does not fit it.
const overlapping = `[...document.querySelectorAll("#rows > .row")].filter(r => {
	const chip = r.querySelector("[data-testid=countdown]");
	if (chip.scrollWidth > chip.clientWidth + 1) return true;
	const els = [chip, ...r.querySelectorAll(".row-user, .row-text, .row-meta .badge, .row-meta .marker, .row-time, .row-account, .row-people > *")]
		.map(e => e.getBoundingClientRect()).filter(b => b.width > 0 && b.height > 0);
	for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
		const a = els[i], b = els[j];
		if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) return true;
	}
	return false;
}).map(r => r.id)`

// TestBrowser_liveCommentsSortFirst (issue 20, item 4): while a broadcast
// runs its open comments sort above everything else, even a post's comment
// due in two hours, each with the LIVE chip that says it lasts until the
// broadcast ends; a Live comment arriving while the list is held behind the
// "N new" pill takes its place among the Live ones when the pill is clicked,
// the same place the server gives it on a reload; no label overlaps another
// at 1024, 1280 and 390 px; when the broadcast ends its comments fall back
// into the deadline order.
func TestBrowser_liveCommentsSortFirst(t *testing.T) {
	t.Parallel() // its own world and browser
	w := NewWorld(t, WorldOptions{Env: map[string]string{"REPLYDESK_LIVE_POLL": "1s"}})
	d := w.World()
	acct := d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	api := w.Login(t, d.User("Ava").ID)
	soon := w.comment(t, map[string]any{"account": acct.ID, "text": "Is this still available? Closing soon", "username": "north.buyer", "age": "166h"})
	later := w.comment(t, map[string]any{"account": acct.ID, "text": "Do you ship to Canada?", "age": "30h"})
	waitComment(t, api, soon)
	waitComment(t, api, later)
	var live struct {
		MediaID string `json:"media_id"`
	}
	w.Control(t, "POST", "/control/live/start", map[string]string{"account": acct.ID}, &live)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	if got := Eval[[]string](b, rowOrder); strings.Join(got, " ") != soon+" "+later {
		t.Fatalf("before the broadcast's comments: %v, want the deadline order %s %s", got, soon, later)
	}
	var lives []string
	for i, text := range []string{"Is the blue one in stock?", "😍 where is this jacket from?"} {
		id := w.comment(t, map[string]any{"account": acct.ID, "text": text, "media": live.MediaID, "username": []string{"mallory", "river.walks"}[i]})
		lives = append(lives, id)
		b.WaitFor(`!!document.querySelector("`+rowSel(id)+`[data-live]")`, 10*time.Second) // the list is at the top: no pill
	}
	want := strings.Join([]string{lives[0], lives[1], soon, later}, " ")
	if got := Eval[[]string](b, rowOrder); strings.Join(got, " ") != want {
		t.Errorf("during the broadcast: %v, want the Live comments first: %s", got, want)
	}
	chip := Eval[string](b, `document.querySelector("`+rowSel(lives[0])+` [data-testid=countdown]").textContent.replace(/\s+/g, " ").trim()`)
	if chip != "LIVE (can be answered until the broadcast ends)" {
		t.Errorf("a Live row's chip reads %q", chip)
	}
	// With a current row, a new Live comment waits behind the pill; the
	// pill puts it among the Live comments, where the server puts it too.
	b.Do(chromedp.KeyEvent("j"))
	b.WaitFor(`!!document.querySelector("#rows > .row.cursor")`, 5*time.Second)
	third := w.comment(t, map[string]any{"account": acct.ID, "text": "Price of the mug?", "media": live.MediaID, "username": "kai_m"})
	b.WaitFor(`(document.querySelector("[data-testid=new-pill]:not([hidden])")||{}).textContent === "1 new"`, 10*time.Second)
	b.ClickUntil("[data-testid=new-pill]", pillGone)
	b.WaitFor(`!!document.querySelector("`+rowSel(third)+`")`, 5*time.Second)
	want = strings.Join([]string{lives[0], lives[1], third, soon, later}, " ")
	if got := Eval[[]string](b, rowOrder); strings.Join(got, " ") != want {
		t.Errorf("after the pill: %v, want %s", got, want)
	}
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	if got := Eval[[]string](b, rowOrder); strings.Join(got, " ") != want {
		t.Errorf("the server's order %v differs from the live stream's %s", got, want)
	}
	// No label overlaps another, on a laptop, a desktop and a phone.
	for _, v := range []struct {
		width, height int
		phone         bool
	}{{1024, 768, false}, {DesktopWidth, DesktopHeight, false}, {PhoneWidth, PhoneHeight, true}} {
		b.Viewport(v.width, v.height, v.phone)
		b.Screenshot(fmt.Sprintf("live-first-list-%d", v.width))
		if bad := Eval[[]string](b, overlapping); len(bad) > 0 {
			t.Errorf("at %d px, rows whose labels overlap: %v", v.width, bad)
		}
	}
	// The inbox with the panel open during the broadcast.
	b.Viewport(DesktopWidth, DesktopHeight, false)
	openRow(b, lives[1])
	b.WaitFor(`(document.querySelector("#detail .detail-card")||{dataset:{}}).dataset.id === "`+lives[1]+`"`, 5*time.Second)
	b.LookEverywhere("live-first", "inbox with Live comments first")
	b.Navigate(w.App.URL + "/inbox") // the list with no current row (that one never moves)
	b.WaitLive()

	// The broadcast ends: its comments expire and fall back into the
	// deadline order (their 4-hour bound comes after the post due in 2 h).
	w.Control(t, "POST", "/control/live/end", map[string]string{"account": acct.ID}, nil)
	b.WaitFor(`[...document.querySelectorAll("#rows > .row[data-live]")].every(r => r.dataset.status === "expired")`, 15*time.Second)
	want = strings.Join([]string{soon, lives[0], lives[1], third, later}, " ")
	b.WaitFor(`(`+rowOrder+`).join(" ") === "`+want+`"`, 5*time.Second)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	if got := Eval[[]string](b, rowOrder); strings.Join(got, " ") != soon+" "+later {
		t.Errorf("the Open view after the broadcast: %v", got)
	}
}

// TestBrowser_panelShowsContext (issue 20, item 6): a reply's panel shows
// the comment it answers (author and text, as text, dir=auto), the post it
// is on (the picture Replydesk keeps and serves itself, caption, link to
// Instagram) and "posted 2 h ago" with the exact time in the viewer's time
// zone; someone without the account gets no picture; when Graph is down
// the panel shows the post's id without a picture, never an error.
func TestBrowser_panelShowsContext(t *testing.T) {
	t.Parallel() // its own world and browser
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	coffee, outdoor := d.Account("acme.coffee"), d.Account("acme.outdoor")
	mediaOf := func(acct string) string {
		for _, m := range d.Media {
			if m.AccountID == acct && m.MediaProductType == "FEED" && m.AdID == "" {
				return m.ID
			}
		}
		t.Fatalf("no feed post on %s", acct)
		return ""
	}
	post := mediaOf(coffee.ID)
	b := NewBrowser(t)
	b.TimeZone("Asia/Tokyo")
	w.BrowserLogin(t, b, d.User("Ava").ID)
	api := w.Login(t, d.User("Ava").ID)
	parent := w.comment(t, map[string]any{"account": coffee.ID, "media": post, "username": "kai_m", "text": "<b>Which size</b> is the blue one? שלום", "age": "3h"})
	waitComment(t, api, parent)
	reply := w.comment(t, map[string]any{"account": coffee.ID, "media": post, "username": "river.walks", "parent_id": parent, "text": "same question here", "age": "2h"})
	waitComment(t, api, reply)
	b.Navigate(w.App.URL + "/inbox/comments/" + reply)
	// The post was read as the first comment on it arrived (off the
	// request path), so the panel shows its picture.
	b.WaitFor(`(() => { const i = document.querySelector("#detail [data-testid=post-thumb]"); return !!i && i.complete && i.naturalWidth > 0; })()`, 15*time.Second)
	if got := b.Text(`#detail [data-testid=parent-author]`); got != "@kai_m" {
		t.Errorf("parent author %q", got)
	}
	if got := b.Text(`#detail [data-testid=parent-text]`); got != "<b>Which size</b> is the blue one? שלום" {
		t.Errorf("parent text %q", got)
	}
	if Eval[bool](b, `!!document.querySelector("#detail [data-testid=parent-text] b") || document.querySelector("#detail [data-testid=parent-text]").getAttribute("dir") !== "auto"`) {
		t.Error("the parent's text is not plain text with dir=auto")
	}
	if href := Eval[string](b, `document.querySelector("#detail [data-testid=post-link]").href`); !strings.HasPrefix(href, "https://www.instagram.com/p/") {
		t.Errorf("post link %q", href)
	}
	if got := b.Text(`#detail [data-testid=post-caption]`); got == "" {
		t.Error("no caption")
	}
	src := Eval[string](b, `document.querySelector("#detail [data-testid=post-thumb]").getAttribute("src")`)
	if !strings.HasPrefix(src, "/inbox/media/"+post+"/picture") {
		t.Errorf("the picture is not the app's own copy: %q", src)
	}
	if got := b.Text(`#detail [data-testid=posted-time]`); got != "posted 2 h ago" {
		t.Errorf("posted: %q", got)
	}
	iso := Eval[string](b, `document.querySelector("#detail [data-testid=local-time]").getAttribute("datetime")`)
	at, err := time.Parse(time.RFC3339, iso)
	if err != nil {
		t.Fatalf("datetime %q: %v", iso, err)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	if got, want := b.Text(`#detail [data-testid=local-time]`), at.In(tokyo).Format("03:04 PM"); !strings.Contains(got, want) {
		t.Errorf("local time %q, want Tokyo's %s", got, want)
	}
	for _, scheme := range []string{"light", "dark"} {
		b.ColorScheme(scheme)
		b.Screenshot("reply-context-desktop-" + scheme)
		b.CheckAxe("a reply's panel with its context, " + scheme)
	}
	b.ColorScheme("")
	b.Viewport(PhoneWidth, PhoneHeight, true)
	b.Screenshot("reply-context-phone")
	b.Viewport(DesktopWidth, DesktopHeight, false)
	// Ben has no role on @acme.coffee's Page: no picture for him.
	ben := w.Login(t, d.User("Ben").ID)
	req, _ := http.NewRequest(http.MethodGet, w.App.URL+src, nil)
	if r := ben.Do(t, req); r.Status != http.StatusNotFound {
		t.Errorf("Ben fetching the picture: %d", r.Status)
	}
	req, _ = http.NewRequest(http.MethodGet, w.App.URL+src, nil)
	if r := api.Do(t, req); r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "image/jpeg") {
		t.Errorf("Ava fetching the picture: %d %s", r.Status, r.Header.Get("Content-Type"))
	}

	// Meta is down for @acme.outdoor: the panel shows the post's id.
	w.Control(t, "POST", "/control/faults", map[string]any{"kind": "graph_5xx", "count": 1000, "account": outdoor.ID}, nil)
	other := mediaOf(outdoor.ID)
	down := w.comment(t, map[string]any{"account": outdoor.ID, "media": other, "text": "Tent size?"})
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(w.App.Logs(), "post read failed") || !strings.Contains(w.App.Logs(), other) {
		if time.Now().After(deadline) {
			t.Fatalf("the post read never failed:\n%s", w.App.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Navigate(w.App.URL + "/inbox/comments/" + down)
	b.WaitFor(`!!document.querySelector("#detail [data-testid=post-id]")`, 10*time.Second)
	if got := b.Text(`#detail [data-testid=post-id]`); !strings.Contains(got, other) {
		t.Errorf("without Graph the post reads %q, want its id %s", got, other)
	}
	if txt := b.Text(`#detail [data-testid=context]`); strings.Contains(strings.ToLower(txt), "error") || strings.Contains(txt, "{") {
		t.Errorf("the context shows an error: %q", txt)
	}
	if Eval[bool](b, `!!document.querySelector("#detail [data-testid=post-thumb]")`) {
		t.Error("a picture without Graph")
	}
	b.Screenshot("context-graph-down")
}
