package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/replydesk/replydesk/web/webtest"
)

// htmx sends a request as htmx does from the page (partial answers).
func htmx(t *testing.T, c *webtest.Client, method, path string, form url.Values) *webtest.Response {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, c.Base+path, body)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.Do(t, req)
}

// TestInbox_pageRowsPanelAndActions: the inbox page, its next page, a
// comment's panel (partial and whole page), a status change from the
// panel and from the list, each answering what htmx swaps.
func TestInbox_pageRowsPanelAndActions(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	acct := w.Account("acme.coffee").ID
	ava := h.Login(t, w.User("Ava").ID)
	var ids []string
	for i := range 52 { // one more than a page and a bit
		id := h.Sim.Comment(t, map[string]any{"account": acct, "text": fmt.Sprintf("question %d <b>?</b>", i)})
		ids = append(ids, id)
	}
	for _, id := range ids { // deliveries arrive in any order
		stored(t, h, acct, id)
	}
	waitFor(t, 10*time.Second, "52 comments", func() bool {
		return ava.Get(t, "/inbox?sort=newest").Find("[data-testid=comment-row]").Length() == 50
	})

	page := ava.Get(t, "/inbox?sort=newest")
	rows := page.Find("[data-testid=comment-row]")
	more, ok := page.Find("[data-testid=load-more]").Attr("hx-get")
	if page.Status != 200 || rows.Length() != 50 || !ok {
		t.Fatalf("page: %d, %d rows, load more %q", page.Status, rows.Length(), more)
	}
	if rows.First().AttrOr("hx-swap-oob", "") != "" {
		t.Error("rows of the page are marked out of band")
	}
	if strings.Contains(page.Body, "<b>?</b>") {
		t.Error("comment text was not escaped")
	}
	next := htmx(t, ava, "GET", more, nil)
	if n := next.Find("[data-testid=comment-row]").Length(); next.Status != 200 || n != 2 {
		t.Errorf("next page: %d, %d rows", next.Status, n)
	}
	if next.Find("#more[hx-swap-oob]").Length() != 1 || next.Find("[data-testid=load-more]").Length() != 0 {
		t.Errorf("the last page's more link: %.300s", next.Body)
	}

	id := ids[0]
	if r := ava.Get(t, "/inbox/comments/"+id); r.Status != 200 || r.Find("[data-testid=comment-detail][data-id='"+id+"']").Length() != 1 || r.Find("[data-testid=inbox-page]").Length() != 1 {
		t.Errorf("the panel as a page: %d", r.Status)
	}
	if r := htmx(t, ava, "GET", "/inbox/comments/"+id, nil); r.Find("[data-testid=comment-detail]").Length() != 1 || r.Find("[data-testid=inbox-page]").Length() != 0 {
		t.Errorf("the panel as a partial: %.200s", r.Body)
	}

	r := htmx(t, ava, "POST", "/inbox/comments/"+id+"/status", url.Values{"status": {"done"}})
	row := r.Find("#comment-" + id)
	if r.Status != 200 || row.AttrOr("hx-swap-oob", "") != "true" || row.AttrOr("data-status", "") != "done" {
		t.Errorf("done from the panel: %d row %s", r.Status, row.AttrOr("data-status", "?"))
	}
	if r.Find("[data-testid=comment-detail]").Length() != 1 || r.Find("#toasts [data-testid=toast-undo]").Length() != 1 {
		t.Errorf("done from the panel: no panel or no undo toast: %.400s", r.Body)
	}

	r = htmx(t, ava, "POST", "/inbox/status", url.Values{"ids": {ids[1], ids[2]}, "status": {"dismissed"}})
	if r.Status != 200 || r.Find("[hx-swap-oob=true][data-status=dismissed]").Length() != 2 || !strings.Contains(r.Find("[data-testid=toast]").Text(), "Dismissed 2 comments") {
		t.Errorf("bulk dismiss: %d %.400s", r.Status, r.Body)
	}
	undo := r.Find("[data-testid=toast] form")
	if undo.AttrOr("hx-post", "") != "/inbox/status" || undo.Find("input[name=ids]").Length() != 2 {
		t.Errorf("undo form: %.300s", r.Body)
	}
	r = htmx(t, ava, "POST", "/inbox/status", url.Values{"ids": {ids[1], ids[2]}, "status": {"open"}})
	if r.Find("[data-status=open]").Length() != 2 {
		t.Errorf("undo: %.300s", r.Body)
	}
	r = htmx(t, ava, "POST", "/inbox/status", url.Values{"ids": {"nope"}, "status": {"done"}})
	if r.Status != 404 || r.Find("[data-testid=toast]").Length() != 1 || r.Header.Get("HX-Reswap") != "none" {
		t.Errorf("an unknown comment: %d %.300s", r.Status, r.Body)
	}
	if r := htmx(t, ava, "POST", "/inbox/status", url.Values{"status": {"done"}}); r.Status != 422 {
		t.Errorf("no selection: %d", r.Status)
	}
}

// TestReply_fromThePanel: a reply sent with the panel's form, a refused one
// keeping its text, and the reply at the simulator exactly once.
func TestReply_fromThePanel(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	acct := w.Account("acme.coffee").ID
	ava := h.Login(t, w.User("Ava").ID)
	id := h.Sim.Comment(t, map[string]any{"account": acct, "text": "price?", "username": "river.walks"})
	stored(t, h, acct, id)
	long := strings.Repeat("é", 501) // 1,002 bytes
	r := htmx(t, ava, "POST", "/inbox/comments/"+id+"/reply", url.Values{"text": {long}})
	if r.Status != 422 || r.Find("[data-testid=reply-text]").Text() != long || !strings.Contains(r.Find("[data-testid=reply-form-error]").Text(), "1,002 bytes") {
		t.Errorf("too long: %d %.300s", r.Status, r.Find("[data-testid=reply-form-error]").Text())
	}
	r = htmx(t, ava, "POST", "/inbox/comments/"+id+"/reply", url.Values{"text": {"Hi! €39, details in DMs"}})
	if r.Status != 200 || r.Find("[data-testid=reply-state]").Text() != "Sent" || r.Find("#comment-"+id+"[hx-swap-oob=true]").AttrOr("data-status", "") != "replied" {
		t.Errorf("send: %d %q", r.Status, r.Find("[data-testid=reply-state]").Text())
	}
	r = htmx(t, ava, "POST", "/inbox/comments/"+id+"/reply", url.Values{"text": {"again"}})
	if r.Status != 409 {
		t.Errorf("a second reply: %d", r.Status)
	}
	var sent struct {
		Replies []struct {
			CommentID string `json:"comment_id"`
		} `json:"replies"`
	}
	h.Sim.Control(t, "GET", "/control/replies", nil, &sent)
	n := 0
	for _, s := range sent.Replies {
		if s.CommentID == id {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d replies at the simulator, want 1", n)
	}
}

// TestTemplates_pagesAndForms: an admin creates, edits and deletes a
// template with the forms (a refused one keeps what was typed); an agent
// reads but cannot change.
func TestTemplates_pagesAndForms(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	ben := h.Login(t, w.User("Ben").ID)
	r := ava.PostForm(t, "/templates", url.Values{"name": {"Price"}, "body": {"Hi {{username|there}}"}, "shortcut": {"/price"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %.300s", r.Status, r.Body)
	}
	r = ava.PostForm(t, "/templates", url.Values{"name": {"Bad"}, "body": {"Hi {{price}}"}})
	if r.Status != 422 || r.Find("[data-testid=field-name]").AttrOr("value", "") != "Bad" || !strings.Contains(r.Body, "line 1, column 4") {
		t.Errorf("invalid body: %d", r.Status)
	}
	list := ava.Get(t, "/templates")
	link, _ := list.Find("[data-testid=template-name]").Attr("href")
	if list.Find("[data-testid=template-row]").Length() != 1 || link == "" {
		t.Fatalf("list: %.300s", list.Body)
	}
	if r := ava.PostForm(t, link, url.Values{"name": {"Prices"}, "body": {"See {{account}}"}}); r.Status != http.StatusSeeOther {
		t.Errorf("update: %d", r.Status)
	}
	if r := ava.PostForm(t, "/templates/preview", url.Values{"body": {"Hi {{username}}"}}); r.Status != 200 || !strings.Contains(r.Body, "river.walks") {
		t.Errorf("preview: %d %.200s", r.Status, r.Body)
	}
	if r := ben.Get(t, link); r.Status != 200 || r.Find("[data-testid=template-readonly]").Length() != 1 {
		t.Errorf("an agent's view: %d", r.Status)
	}
	if r := ben.PostForm(t, link+"/delete", nil); r.Status != http.StatusForbidden {
		t.Errorf("an agent deleting: %d", r.Status)
	}
	if r := ava.PostForm(t, link+"/delete", nil); r.Status != http.StatusSeeOther {
		t.Errorf("delete: %d", r.Status)
	}
	if n := ava.Get(t, "/templates").Find("[data-testid=template-row]").Length(); n != 0 {
		t.Errorf("%d templates after delete", n)
	}
}

// TestAccountsAndTeam_pages: the accounts page with health and the admin's
// webhook setup; the team page; a role change.
func TestAccountsAndTeam_pages(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	ben := h.Login(t, w.User("Ben").ID)
	r := ava.Get(t, "/accounts")
	if r.Status != 200 || r.Find("[data-testid=account-card]").Length() != 2 || !strings.Contains(r.Body, webtest.VerifyToken) {
		t.Errorf("accounts for the admin: %d", r.Status)
	}
	r = ben.Get(t, "/accounts")
	if r.Find("[data-testid=account-card]").Length() != 1 || strings.Contains(r.Body, webtest.VerifyToken) {
		t.Errorf("accounts for an agent: %d cards, verify token shown: %v", r.Find("[data-testid=account-card]").Length(), strings.Contains(r.Body, webtest.VerifyToken))
	}
	team := ava.Get(t, "/team")
	action := ""
	team.Find("form").Each(func(_ int, f *goquery.Selection) {
		if strings.HasSuffix(f.AttrOr("action", ""), "/role") {
			action = f.AttrOr("action", "")
		}
	})
	if team.Status != 200 || action == "" {
		t.Fatalf("team: %d, no role form", team.Status)
	}
	if r := ava.PostForm(t, action, url.Values{"role": {"admin"}}); r.Status != http.StatusSeeOther {
		t.Errorf("role change: %d", r.Status)
	}
}
