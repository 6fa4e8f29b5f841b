package e2e

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/replydesk/replydesk/internal/outbound/outboundtest"
)

// userID is a client's own id (GET /api/v1/me).
func userID(t *testing.T, c *Client) int64 {
	t.Helper()
	var me struct {
		ID int64 `json:"id"`
	}
	c.GetJSON(t, "/api/v1/me", &me)
	return me.ID
}

// visible is a JavaScript test that css matches an element that shows.
func visible(css string) string {
	return `(function(){var e=document.querySelector(` + strconv.Quote(css) + `);return !!e && !e.closest("[hidden]") && e.getClientRects().length>0})()`
}

// TestBrowser_assignmentAndPresenceLive: two people in two browsers on the
// same account. Eli takes a comment with a; Ava assigns two with x and A;
// each sees the other's assignments arrive live, and the rail counts Mine
// and Unassigned. Ava writing a reply shows as "Ava is replying" on Eli's
// row and panel (not on her own); Eli sending is warned first; the
// presence disappears when Ava moves on, and within 30 s when her browser
// dies. An assignment made through the API reaches the open inbox too.
func TestBrowser_assignmentAndPresenceLive(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	acct := d.Account("acme.coffee")
	ava, eli := NewBrowser(t), NewBrowser(t)
	w.BrowserLogin(t, ava, d.User("Ava").ID) // connects the accounts: webhooks flow from now on
	w.BrowserLogin(t, eli, d.User("Eli").ID)
	avaAPI, eliAPI := w.Login(t, d.User("Ava").ID), w.Login(t, d.User("Eli").ID)
	eliID, avaID := userID(t, eliAPI), userID(t, avaAPI)
	var ids []string
	for _, c := range []struct{ user, text, age string }{
		{"river.walks", "How much is the blue one?", "150h"}, {"north.buyer", "Do you ship to Canada? 🇨🇦", "120h"},
		{"kai_m", "Is the green one back in stock?", "90h"}, {"lena.b", "Love this colour!", "60h"},
		{"sam.o", "What size is the model wearing?", "30h"},
	} {
		ids = append(ids, w.comment(t, map[string]any{"account": acct.ID, "username": c.user, "text": c.text, "age": c.age}))
	}
	for _, id := range ids {
		waitComment(t, avaAPI, id) // stored with its exact deadline: the order is final
	}
	for _, b := range []*Browser{ava, eli} {
		b.Navigate(w.App.URL + "/inbox")
		b.WaitFor(`document.querySelectorAll("[data-testid=comment-row]").length === 5`, 10*time.Second)
		b.WaitLive()
	}
	assignee := func(id string) string { return rowSel(id) + " [data-testid=row-assignee]" }

	// Eli takes the first comment with j, a.
	eli.Do(chromedp.KeyEvent("j"))
	eli.WaitFor(`document.querySelector(".row.cursor") && document.querySelector(".row.cursor").id === "comment-`+ids[0]+`"`, 2*time.Second)
	eli.Do(chromedp.KeyEvent("a"))
	ava.WaitFor(`!!document.querySelector("`+assignee(ids[0])+`")`, 5*time.Second)
	if got := Eval[string](ava, `document.querySelector("`+assignee(ids[0])+`").title`); got != "Assigned to Eli Navarro" {
		t.Errorf("Ava sees %q on the first row", got)
	}
	if got := Eval[string](ava, `document.querySelector("`+assignee(ids[0])+`").firstChild.textContent.trim()`); got != "EN" {
		t.Errorf("initials %q", got)
	}

	// Ava opens the third comment (its composer offers a template on 1),
	// selects it and the fourth with x, and gives both to herself in the
	// picker with 1: the digit picks her, not the template.
	if r := avaAPI.PostJSON(t, "/api/v1/templates", map[string]any{"name": "Shipping", "body": "Hi {{username}}! We ship everywhere."}); r.Status != http.StatusCreated {
		t.Fatalf("template = %d %s", r.Status, r.Body)
	}
	openRow(ava, ids[2])
	ava.WaitFor(`!!document.querySelector("[data-testid=comment-detail][data-id='`+ids[2]+`'] [data-template-key='1']")`, 5*time.Second)
	for _, k := range []string{"x", "j", "x"} {
		ava.Do(chromedp.KeyEvent(k))
	}
	ava.WaitFor(`document.querySelectorAll(".row.checked").length === 2`, 2*time.Second)
	ava.Do(chromedp.KeyEvent("A"))
	ava.WaitFor(`document.getElementById("assign-picker").open`, 2*time.Second)
	if got := Eval[string](ava, `document.querySelector("#assign-picker [data-assign-to]").innerText`); !strings.Contains(got, "Ava Martin") {
		t.Errorf("the picker starts with %q, not the viewer", got)
	}
	ava.Screenshot("ava-picker")
	ava.Do(chromedp.KeyEvent("1"))
	for _, id := range ids[2:4] {
		eli.WaitFor(`(document.querySelector("`+assignee(id)+`")||{}).title === "Assigned to Ava Martin"`, 5*time.Second)
	}
	ava.WaitFor(`document.querySelectorAll(".row.checked").length === 0 && document.querySelector("[data-testid=bulkbar]").hidden`, 3*time.Second)
	ava.WaitFor(`(document.querySelector("#detail [data-testid=detail-assignee]")||{}).dataset.assignee === "`+strconv.FormatInt(avaID, 10)+`"`, 3*time.Second)
	if got := Eval[string](ava, `document.querySelector("[data-testid=reply-text]").value`); got != "" {
		t.Errorf("a digit in the picker also picked a template: %q", got)
	}
	// An assignment through the API reaches both inboxes.
	r := eliAPI.PostJSON(t, "/api/v1/comments/"+ids[4]+"/assign", map[string]any{"user_id": eliID})
	if r.Status != http.StatusOK {
		t.Fatalf("API assign = %d %s", r.Status, r.Body)
	}
	ava.WaitFor(`(document.querySelector("`+assignee(ids[4])+`")||{}).title === "Assigned to Eli Navarro"`, 5*time.Second)
	// The rails: Ava has two, Eli two, one is left.
	ava.WaitFor(`document.querySelector("[data-testid=view-mine] .rail-count").textContent === "2" && document.querySelector("[data-testid=view-unassigned] .rail-count").textContent === "1"`, 5*time.Second)
	eli.WaitFor(`document.querySelector("[data-testid=view-mine] .rail-count").textContent === "2"`, 5*time.Second)

	// Ava writes a reply to the second comment: Eli sees her replying.
	openRow(ava, ids[1])
	ava.WaitFor(`!!document.querySelector("[data-testid=comment-detail][data-id='`+ids[1]+`'] [data-testid=reply-text]")`, 5*time.Second)
	ava.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-text]")))
	ava.Do(chromedp.SendKeys(chromedp.CSS("[data-testid=reply-text]"), "Hi! It ships to Canada in 5 days"))
	avas := `[data-user='` + strconv.FormatInt(avaID, 10) + `']`
	presence := rowSel(ids[1]) + " [data-testid=row-presence]" + avas
	eli.WaitFor(visible(presence), 10*time.Second)
	if got := eli.Text(presence); got != "Ava is replying" {
		t.Errorf("Eli sees %q", got)
	}
	ava.WaitFor(`!!document.querySelector("`+presence+`")`, 5*time.Second)
	if Eval[bool](ava, visible(presence)) {
		t.Error("Ava sees her own presence")
	}
	// Eli opens it: the panel says so, and sending is warned first.
	openRow(eli, ids[1])
	eli.WaitFor(visible("#detail [data-testid=detail-presence]"), 5*time.Second)
	if got := eli.Text("#detail [data-testid=detail-presence]"); !strings.HasPrefix(got, "Ava Martin is replying") {
		t.Errorf("Eli's panel says %q", got)
	}
	// Eli takes it from the panel's assignee control.
	Eval[bool](eli, `(function(){var s=document.querySelector("#detail [data-testid=assign-select]");s.value="`+strconv.FormatInt(eliID, 10)+`";
		s.dispatchEvent(new Event("change",{bubbles:true}));return true})()`)
	ava.WaitFor(`(document.querySelector("`+assignee(ids[1])+`")||{}).title === "Assigned to Eli Navarro"`, 5*time.Second)
	eli.WaitFor(`document.querySelector("#detail [data-testid=detail-assignee]").dataset.assignee === "`+strconv.FormatInt(eliID, 10)+`"`, 5*time.Second)
	eli.WaitFor(visible("#detail [data-testid=detail-presence]"), 5*time.Second)
	eli.WaitFor(`document.querySelector("[data-testid=view-mine] .rail-count").textContent === "3" && document.querySelector("[data-testid=view-unassigned] .rail-count").textContent === "0"`, 5*time.Second)
	eli.Screenshot("eli-inbox-assignments-presence")
	eli.ColorScheme("dark")
	eli.Screenshot("eli-inbox-assignments-presence-dark")
	eli.ColorScheme("")
	ava.Screenshot("ava-inbox-writing")
	eli.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-text]")), chromedp.SendKeys(chromedp.CSS("[data-testid=reply-text]"), "Yes, we do!"))
	eli.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-send]")))
	eli.WaitFor(visible("[data-testid=reply-warning]"), 5*time.Second)
	if got := eli.Text("[data-testid=reply-warning]"); !strings.HasPrefix(got, "Ava Martin is replying to this comment right now") {
		t.Errorf("warning %q", got)
	}
	if got := Eval[string](eli, `document.querySelector("[data-testid=reply-text]").value`); got != "Yes, we do!" {
		t.Errorf("the warning lost the text: %q", got)
	}
	eli.Screenshot("eli-send-warning")
	var replies struct {
		Replies []json.RawMessage `json:"replies"`
	}
	w.Control(t, http.MethodGet, "/control/replies", nil, &replies)
	if len(replies.Replies) != 0 {
		t.Fatal("the warning sent a reply")
	}

	// Ava moves on: her presence goes at once (the page says goodbye).
	start := time.Now()
	ava.Navigate(w.App.URL + "/templates")
	eli.WaitFor(`!document.querySelector("`+presence+`") && !document.querySelector("#detail [data-testid=detail-presence]`+avas+`")`, 30*time.Second)
	t.Logf("presence gone %v after Ava left the inbox", time.Since(start).Round(10*time.Millisecond))

	// Eli sends anyway: one reply, the comment is replied.
	// (The panel may be swapping in its refresh after Ava left: the button
	// is clicked again only while it is still there to click.)
	eli.ClickUntil("[data-testid=reply-send]", `!!document.querySelector("#detail [data-testid=reply-status]")`)
	eli.WaitFor(`document.querySelector("`+rowSel(ids[1])+`").dataset.status === "replied"`, 10*time.Second)

	// Ava writes on her own comment, then her browser dies without a word
	// (no page can say goodbye): the sweep takes her presence within 30 s.
	ava.Navigate(w.App.URL + "/inbox/comments/" + ids[2])
	ava.WaitFor(`!!document.querySelector("[data-testid=reply-text]")`, 5*time.Second)
	ava.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-text]")), chromedp.SendKeys(chromedp.CSS("[data-testid=reply-text]"), "On it"))
	dying := rowSel(ids[2]) + " [data-testid=row-presence]" + avas
	eli.WaitFor(visible(dying), 10*time.Second)
	start = time.Now()
	ava.Kill()
	eli.WaitFor(`!document.querySelector("`+dying+`")`, 30*time.Second)
	gone := time.Since(start)
	t.Logf("presence gone %v after Ava's browser died", gone.Round(10*time.Millisecond))
	if gone > 30*time.Second {
		t.Errorf("presence outlived the browser by %v", gone)
	}

	// On a phone, the list keeps who is on each comment under its text.
	eli.Do(chromedp.EmulateViewport(390, 844))
	eli.Navigate(w.App.URL + "/inbox")
	eli.WaitLive()
	eli.WaitFor(visible(assignee(ids[0]))+` && `+visible(assignee(ids[4])), 5*time.Second)
	eli.Screenshot("eli-inbox-phone")
}

// TestBrowser_deadlineAlertNotifies: the inbox asks once, politely, about
// notifications ("No thanks" is remembered); turned on from the user menu,
// a comment made 6 days 23.5 hours ago that nobody is on raises a browser
// notification and a toast, and the rail's "Due < 1 h" count is red.
// Turned off, the next alert only toasts.
func TestBrowser_deadlineAlertNotifies(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	acct := d.Account("acme.coffee")
	b := NewDesktopBrowser(t) // a browser not yet asked about notifications
	w.BrowserLogin(t, b, d.User("Ava").ID)
	// An outbound webhook hears comment.expiring (Ava is an admin).
	rcv, srv := outboundtest.New(t, 0)
	r := w.Login(t, d.User("Ava").ID).PostJSON(t, "/api/v1/webhooks", map[string]any{"url": srv.URL, "events": []string{"comment.expiring"}})
	var hook struct {
		Secret string `json:"secret"`
	}
	if json.Unmarshal([]byte(r.Body), &hook); r.Status != http.StatusCreated {
		t.Fatalf("webhook = %d %s", r.Status, r.Body)
	}
	rcv.SetSecret(hook.Secret)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	b.WaitFor(visible("[data-testid=alerts-prompt]"), 5*time.Second)
	b.Screenshot("alerts-prompt")
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=alerts-off]")))
	b.WaitFor(`!`+visible("[data-testid=alerts-prompt]"), 2*time.Second)
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	if Eval[bool](b, visible("[data-testid=alerts-prompt]")) {
		t.Error("asked again after No thanks")
	}
	// Turned on from the user menu (the person says yes to the browser).
	b.GrantNotifications(w.App.URL)
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=usermenu] summary")))
	b.WaitFor(visible("[data-testid=alerts-setting]"), 2*time.Second)
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=alerts-setting]")))
	b.WaitFor(`localStorage.getItem("replydesk.alerts") === "on" && document.querySelector("[data-testid=alerts-setting]").checked`, 3*time.Second)
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=usermenu] summary")))
	// Record the notifications the page raises.
	Eval[bool](b, `(function(){var N=window.Notification;window.__notes=[];function W(t,o){window.__notes.push({title:t,body:o.body,tag:o.tag});return new N(t,o)}
		W.requestPermission=N.requestPermission.bind(N);Object.defineProperty(W,"permission",{get:function(){return N.permission}});window.Notification=W;return true})()`)

	id := w.comment(t, map[string]any{"account": acct.ID, "username": "last.minute", "text": "Can I still order for Friday?", "age": "167h30m"})
	b.WaitFor(`window.__notes.length === 1`, 30*time.Second)
	note := Eval[map[string]string](b, `window.__notes[0]`)
	if !strings.HasPrefix(note["title"], "@last.minute on @acme.coffee: reply by ") || note["body"] != "“Can I still order for Friday?” Nobody is assigned." || note["tag"] != "replydesk-"+id {
		t.Errorf("notification %+v", note)
	}
	b.WaitFor(visible("[data-testid=alert-toast]"), 2*time.Second)
	b.WaitFor(`(document.querySelector("[data-testid=view-urgent] .rail-count-alert")||{}).textContent === "1"`, 5*time.Second)
	if bg := Eval[string](b, `getComputedStyle(document.querySelector("[data-testid=view-urgent] .rail-count")).backgroundColor`); bg != "rgb(217, 45, 32)" {
		t.Errorf("Due < 1 h count background %s, want red", bg)
	}
	b.Screenshot("deadline-alert")

	// Off: the next alert toasts, without a notification.
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=usermenu] summary")))
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=alerts-setting]")))
	b.WaitFor(`localStorage.getItem("replydesk.alerts") === "off"`, 2*time.Second)
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=usermenu] summary")))
	w.comment(t, map[string]any{"account": acct.ID, "username": "late.too", "text": "Still there?", "age": "167h40m"})
	b.WaitFor(`Array.from(document.querySelectorAll("[data-testid=alert-toast]")).some(function(e){return e.textContent.indexOf("late.too")>=0})`, 30*time.Second)
	if n := Eval[int](b, `window.__notes.length`); n != 1 {
		t.Errorf("%d notifications with the setting off", n)
	}
	b.WaitFor(`(document.querySelector("[data-testid=view-urgent] .rail-count-alert")||{}).textContent === "2"`, 5*time.Second)

	// The webhook got comment.expiring for each comment, once, signed.
	rcv.WaitAccepted(t, "comment.expiring", 2)
	seen := map[string]int{}
	for _, e := range rcv.Events() {
		var p struct {
			Comment struct {
				Username string `json:"username"`
			} `json:"comment"`
		}
		json.Unmarshal(e.Body, &p)
		seen[e.Name+" "+p.Comment.Username] += e.Accepted
	}
	if len(seen) != 2 || seen["comment.expiring last.minute"] != 1 || seen["comment.expiring late.too"] != 1 || rcv.BadSignatures() != 0 {
		t.Errorf("webhook events %v, %d badly signed", seen, rcv.BadSignatures())
	}
	if n := len(rcv.Events()); n != 2 {
		t.Errorf("%d events, want 2", n)
	}
}

// TestBrowser_autoAssignAndWorkload: an admin turns auto-assignment on for
// acme.coffee on the accounts page; new comments go in turn to Ava and Eli
// (both online), which the inbox shows; the Team page counts each person's
// open assigned comments, replies today and share answered in time.
func TestBrowser_autoAssignAndWorkload(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	acct := d.Account("acme.coffee")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	eli := w.Login(t, d.User("Eli").ID) // online
	eliID := userID(t, eli)
	b.Navigate(w.App.URL + "/accounts")
	card := `[data-testid=account-card][data-account-id="` + acct.ID + `"] `
	b.WaitFor(`!!document.querySelector('`+card+`[data-testid=auto-assign-cap]')`, 5*time.Second)
	b.Do(chromedp.Click(chromedp.CSS(card+"[data-testid=auto-assign-enabled]")),
		chromedp.SetValue(chromedp.CSS(card+"[data-testid=auto-assign-cap]"), "2"))
	b.ClickNav(card + "[data-testid=auto-assign-save]")
	b.WaitFor(`(document.querySelector('`+card+`[data-testid=auto-assign-summary]')||{}).textContent.indexOf("On: ") === 0`, 5*time.Second)
	if got := b.Text(card + "[data-testid=auto-assign-summary]"); !strings.Contains(got, "up to 2 open comments each") {
		t.Errorf("summary %q", got)
	}
	b.Screenshot("accounts-auto-assign")

	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	var ids []string
	for i, text := range []string{"first?", "second?", "third?"} {
		ids = append(ids, w.comment(t, map[string]any{"account": acct.ID, "text": text, "age": strconv.Itoa(100-10*i) + "h"}))
		waitComment(t, eli, ids[i])
	}
	want := []string{"Assigned to Ava Martin", "Assigned to Eli Navarro", "Assigned to Ava Martin"}
	for i, id := range ids {
		b.WaitFor(`(document.querySelector("`+rowSel(id)+` [data-testid=row-assignee]")||{}).title === "`+want[i]+`"`, 10*time.Second)
	}
	b.WaitFor(`document.querySelector("[data-testid=view-mine] .rail-count").textContent === "2"`, 5*time.Second)
	// Eli answers his.
	if r := eli.PostJSON(t, "/api/v1/comments/"+ids[1]+"/reply", map[string]any{"text": "Yes, see DM"}); r.Status != http.StatusOK && r.Status != http.StatusAccepted {
		t.Fatalf("reply = %d %s", r.Status, r.Body)
	}
	b.WaitFor(`document.querySelector("`+rowSel(ids[1])+`").dataset.status === "replied"`, 10*time.Second)
	b.Navigate(w.App.URL + "/team")
	row := func(id int64) string {
		return `[data-testid=workload-row][data-user-id="` + strconv.FormatInt(id, 10) + `"] `
	}
	avaID := userID(t, w.Login(t, d.User("Ava").ID))
	for _, c := range []struct {
		id                   int64
		open, replies, share string
	}{{avaID, "2", "0", "—"}, {eliID, "0", "1", "100% (1 of 1)"}} {
		got := []string{b.Text(row(c.id) + "[data-testid=workload-open]"), b.Text(row(c.id) + "[data-testid=workload-replies]"), b.Text(row(c.id) + "[data-testid=workload-share]")}
		if got[0] != c.open || got[1] != c.replies || got[2] != c.share {
			t.Errorf("user %d: %v, want %s %s %s", c.id, got, c.open, c.replies, c.share)
		}
		if on := b.Text(row(c.id) + "[data-testid=workload-online]"); on != "Online" {
			t.Errorf("user %d: %q", c.id, on)
		}
	}
	b.Screenshot("team-workload")
}
