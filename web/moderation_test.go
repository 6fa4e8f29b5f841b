package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/web/webtest"
)

func atMeta(t *testing.T, h *webtest.Harness, id string) webtest.SimComment {
	t.Helper()
	return h.Sim.CommentState(t, id)
}

// delivered waits until the simulator has delivered the webhook of comment
// id and the app answered 200 (so it is committed).
func delivered(t *testing.T, h *webtest.Harness, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var out struct {
			Deliveries []struct {
				Outcome  string   `json:"outcome"`
				Comments []string `json:"comment_ids"`
			} `json:"deliveries"`
		}
		h.Sim.Control(t, http.MethodGet, "/control/deliveries", nil, &out)
		for _, d := range out.Deliveries {
			if d.Outcome == "delivered" && slices.Contains(d.Comments, id) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the webhook of %s was not delivered", id)
}

// htmxPost posts a form as htmx does (CSRF header, HX-Request).
func htmxPost(t *testing.T, c *webtest.Client, path string, vals url.Values) *webtest.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	return c.Do(t, req)
}

type apiComment struct {
	ID                string  `json:"id"`
	Hidden            bool    `json:"hidden"`
	Deleted           bool    `json:"deleted"`
	PendingModeration *string `json:"pending_moderation"`
	PublicReplies     []struct {
		ID        string    `json:"id"`
		Text      string    `json:"text"`
		By        string    `json:"by"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"public_replies"`
}

func moderationWorld(t *testing.T) (*webtest.Harness, *webtest.Client, string) {
	t.Helper()
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	return h, ava, w.Account("acme.coffee").ID
}

// TestAPI_moderation: public reply (201 with DESIGN §8's shape), hide,
// unhide and delete through the JSON API, each checked at the simulator;
// the account's own reply comes back by webhook and stays out of the
// inbox; a deleted comment stays in the record, leaves the open views and
// can no longer get a private reply, in plain words.
func TestAPI_moderation(t *testing.T) {
	h, ava, acct := moderationWorld(t)
	id := h.Sim.Comment(t, map[string]any{"account": acct, "username": "river.walks", "text": "How much is the blue one?"})
	stored(t, h, acct, id)

	r := ava.PostJSON(t, "/api/v1/comments/"+id+"/public-reply", map[string]any{"text": "€39 — check your DMs ✉️"})
	var pub struct {
		ID, Text, By string
		CreatedAt    time.Time `json:"created_at"`
	}
	if r.Status != http.StatusCreated || json.Unmarshal([]byte(r.Body), &pub) != nil || pub.ID == "" || pub.By == "" || pub.CreatedAt.IsZero() {
		t.Fatalf("public reply = %d %s", r.Status, r.Body)
	}
	if got := atMeta(t, h, id).Replies; len(got) != 1 || got[0].ID != pub.ID || got[0].Text != "€39 — check your DMs ✉️" {
		t.Fatalf("Meta holds %+v", got)
	}
	delivered(t, h, pub.ID) // the account's own comment, by webhook
	var list struct{ Data []apiComment }
	ava.GetJSON(t, "/api/v1/comments?status=all", &list)
	if len(list.Data) != 1 || list.Data[0].ID != id || len(list.Data[0].PublicReplies) != 1 || list.Data[0].PublicReplies[0].ID != pub.ID {
		t.Fatalf("inbox after the reply's webhook: %+v", list.Data)
	}

	hide := func(hidden bool) apiComment {
		t.Helper()
		r := ava.PostJSON(t, "/api/v1/comments/"+id+"/hide", map[string]any{"hidden": hidden})
		var c apiComment
		if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &c) != nil {
			t.Fatalf("hide %v = %d %s", hidden, r.Status, r.Body)
		}
		return c
	}
	if c := hide(true); !c.Hidden || !atMeta(t, h, id).Hidden {
		t.Fatalf("after hide: %+v", c)
	}
	if c := hide(true); !c.Hidden { // asked twice: as asked, nothing more sent
		t.Fatalf("after a second hide: %+v", c)
	}
	if c := hide(false); c.Hidden || atMeta(t, h, id).Hidden {
		t.Fatalf("after unhide: %+v", c)
	}
	if r := ava.PostJSON(t, "/api/v1/comments/"+id+"/hide", map[string]any{}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("hide without hidden = %d", r.Status)
	}

	req, _ := http.NewRequest(http.MethodDelete, ava.Base+"/api/v1/comments/"+id, nil)
	req.Header.Set("X-CSRF-Token", ava.CSRF)
	req.Header.Set("Accept", "application/json")
	r = ava.Do(t, req)
	var del apiComment
	if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &del) != nil || !del.Deleted || !atMeta(t, h, id).Deleted {
		t.Fatalf("delete = %d %s", r.Status, r.Body)
	}
	var open struct{ Data []apiComment }
	ava.GetJSON(t, "/api/v1/comments", &open)
	if len(open.Data) != 0 {
		t.Errorf("the open view still lists %+v", open.Data)
	}
	var kept apiComment
	ava.GetJSON(t, "/api/v1/comments/"+id, &kept)
	if !kept.Deleted || len(kept.PublicReplies) != 1 {
		t.Errorf("the record: %+v", kept)
	}
	r = ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]any{"text": "Hi!"})
	var e struct {
		Error struct{ Code, Message string }
	}
	if r.Status != http.StatusUnprocessableEntity || json.Unmarshal([]byte(r.Body), &e) != nil ||
		!strings.Contains(e.Error.Message, "deleted on Instagram") || strings.Contains(r.Body, "#100") {
		t.Errorf("private reply to a deleted comment = %d %s", r.Status, r.Body)
	}
	r = ava.PostJSON(t, "/api/v1/comments/"+id+"/public-reply", map[string]any{"text": "again"})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "deleted") {
		t.Errorf("public reply to a deleted comment = %d %s", r.Status, r.Body)
	}
}

// TestAPI_privateReplyToACommentDeletedOnInstagram: when the comment's
// author deleted it on Instagram, the reply is refused before it is sent
// (while its deadline is still approximate, the check reads the comment
// and finds it gone) or, once the deadline was confirmed earlier, Meta
// refuses it and it fails: plain words either way, never Meta's payload.
func TestAPI_privateReplyToACommentDeletedOnInstagram(t *testing.T) {
	h, ava, acct := moderationWorld(t)
	id := h.Sim.Comment(t, map[string]any{"account": acct, "text": "nvm"})
	stored(t, h, acct, id)
	h.Sim.Control(t, http.MethodPost, "/control/comments/delete", map[string]any{"id": id}, nil)
	r := ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]any{"text": "Hi!"})
	if strings.Contains(r.Body, "#100") || strings.Contains(r.Body, "2018292") {
		t.Fatalf("reply = %d %s: Meta's payload shown", r.Status, r.Body)
	}
	if r.Status == http.StatusUnprocessableEntity {
		var out struct {
			Error struct{ Code, Message string }
		}
		if json.Unmarshal([]byte(r.Body), &out) != nil || out.Error.Code != "comment_unreadable" || !strings.Contains(out.Error.Message, "deleted") {
			t.Fatalf("reply = %d %s", r.Status, r.Body)
		}
		return
	}
	if r.Status != http.StatusOK && r.Status != http.StatusAccepted {
		t.Fatalf("reply = %d %s", r.Status, r.Body)
	}
	var cm struct {
		Reply *struct{ State, Error string }
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ava.GetJSON(t, "/api/v1/comments/"+id, &cm)
		if cm.Reply != nil && cm.Reply.State == "failed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reply to a deleted comment never failed: %+v", cm.Reply)
		}
	}
	if !strings.Contains(cm.Reply.Error, "deleted") || strings.Contains(cm.Reply.Error, "#100") {
		t.Errorf("the failed reply says %q", cm.Reply.Error)
	}
}

// TestPanel_publicReplyHideDeleteAndLiveRemoval: the panel's forms, as
// htmx posts them: a public reply shows under the comment; hide marks the
// row and the panel; delete asks (the confirmation is in the panel) and
// then takes the row out of the open view, in the answer and over every
// open stream.
func TestPanel_publicReplyHideDeleteAndLiveRemoval(t *testing.T) {
	h, ava, acct := moderationWorld(t)
	id := h.Sim.Comment(t, map[string]any{"account": acct, "username": "kai_m", "text": "spam spam"})
	stored(t, h, acct, id)
	stream := ava.OpenStream(t, eventsURL(t, ava), nil)

	page := ava.Get(t, "/inbox/comments/"+id)
	if page.Find("[data-testid=public-reply-form]").Length() != 1 || page.Find("[data-testid=action-hide]").Text() == "" ||
		page.Find("[data-testid=action-delete] [data-testid=action-delete-confirm]").Length() != 1 {
		t.Fatalf("panel lacks the moderation controls: %.500s", page.Find("[data-testid=comment-detail]").Text())
	}
	r := htmxPost(t, ava, "/inbox/comments/"+id+"/public-reply", url.Values{"text": {"Thanks kai_m!"}})
	if r.Status != 200 || strings.TrimSpace(r.Find("[data-testid=public-reply] [data-testid=public-reply-text]").Text()) != "Thanks kai_m!" ||
		!strings.Contains(r.Find("[data-testid=toast]").Text(), "Public reply posted") {
		t.Fatalf("public reply answer = %d %.600s", r.Status, r.Body)
	}
	// An empty one is refused in the composer, which stays open.
	r = htmxPost(t, ava, "/inbox/comments/"+id+"/public-reply", url.Values{"text": {"  "}})
	if r.Status != http.StatusUnprocessableEntity || r.Find("[data-testid=public-reply-form-error]").Text() == "" {
		t.Errorf("empty public reply = %d %.300s", r.Status, r.Body)
	}

	r = htmxPost(t, ava, "/inbox/comments/"+id+"/hide", url.Values{"hidden": {"true"}})
	if r.Status != 200 || r.Find("[data-testid=hidden-badge]").Length() != 1 || r.Find("#comment-"+id+" [data-testid=row-hidden]").Length() != 1 ||
		!strings.Contains(r.Find("[data-testid=history]").Text(), "Hidden by Ava") {
		t.Fatalf("hide answer = %d %.600s", r.Status, r.Body)
	}
	if !atMeta(t, h, id).Hidden {
		t.Fatal("not hidden at Meta")
	}
	if r.Find("[data-testid=public-reply-reason]").Text() == "" {
		t.Error("a hidden comment still offers a public reply")
	}
	r = htmxPost(t, ava, "/inbox/comments/"+id+"/delete", url.Values{})
	if r.Status != 200 || r.Find("[data-testid=deleted-badge]").Length() != 1 {
		t.Fatalf("delete answer = %d %.600s", r.Status, r.Body)
	}
	if row := r.Find("#comment-" + id); row.AttrOr("hx-swap-oob", "") != "delete" {
		t.Errorf("the answer does not take the row out: %.300s", r.Body)
	}
	if !atMeta(t, h, id).Deleted {
		t.Fatal("not deleted at Meta")
	}
	e, _, ok := stream.Until(5*time.Second, func(e webtest.Event) bool {
		return rowOf(id)(e) && strings.Contains(e.Data, `hx-swap-oob="delete"`)
	})
	if !ok || e.Name != "update" {
		t.Fatalf("the open stream did not take the row out: %+v", e)
	}
	if got := ava.Get(t, "/inbox").Find("#comment-" + id).Length(); got != 0 {
		t.Error("the open view still lists the deleted comment")
	}
	if got := ava.Get(t, "/inbox?status=all").Find("#comment-" + id + " [data-testid=row-deleted]").Length(); got != 1 {
		t.Error("the All view does not keep the deleted comment")
	}
}

// TestPanel_nudgeAndTemplates: public templates are offered only in the
// public composer and the nudge; the account's default nudge is ticked;
// sending the private reply with it posts the public one once the private
// one is delivered.
func TestPanel_nudgeAndTemplates(t *testing.T) {
	h, ava, acct := moderationWorld(t)
	r := ava.PostForm(t, "/templates", url.Values{"name": {"Check your DMs"}, "body": {"Hi {{username|there}}! Check your DMs 💌"}, "public": {"1"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create public template = %d %.300s", r.Status, r.Body)
	}
	ava.PostForm(t, "/templates", url.Values{"name": {"Price"}, "body": {"It is €39."}, "public": {"0"}})
	var tpls struct {
		Data []struct {
			ID     int64
			Name   string
			Public bool
		}
	}
	ava.GetJSON(t, "/api/v1/templates?audience=public", &tpls)
	if len(tpls.Data) != 1 || !tpls.Data[0].Public {
		t.Fatalf("public templates: %+v", tpls.Data)
	}
	nudge := strconv.FormatInt(tpls.Data[0].ID, 10)
	if r := ava.PostForm(t, "/accounts/"+acct+"/nudge", url.Values{"template_id": {nudge}}); r.Status != http.StatusSeeOther {
		t.Fatalf("set default nudge = %d", r.Status)
	}
	id := h.Sim.Comment(t, map[string]any{"account": acct, "username": "river.walks", "text": "price?"})
	stored(t, h, acct, id)
	p := ava.Get(t, "/inbox/comments/"+id)
	private := p.Find("[data-testid=reply-form] [data-testid=template-pick]").Text()
	public := p.Find("[data-testid=public-reply-form] [data-testid=public-pick]").Text()
	if !strings.Contains(private, "Price") || strings.Contains(private, "Check your DMs") || !strings.Contains(public, "Check your DMs") || strings.Contains(public, "Price") {
		t.Fatalf("private picks %q, public picks %q", private, public)
	}
	if _, ok := p.Find("[data-testid=nudge-check]").Attr("checked"); !ok || p.Find("[data-testid=nudge-template] option[selected]").AttrOr("value", "") != nudge {
		t.Fatal("the account's default nudge is not ticked")
	}
	if got := p.Find("[data-testid=nudge-preview]").First().Text(); got != "Hi river.walks! Check your DMs 💌" {
		t.Errorf("nudge preview %q", got)
	}
	r = htmxPost(t, ava, "/inbox/comments/"+id+"/reply", url.Values{"text": {"It is €39."}, "nudge": {"1"}, "nudge_template_id": {nudge}})
	if r.Status != 200 {
		t.Fatalf("reply with nudge = %d %.300s", r.Status, r.Body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(atMeta(t, h, id).Replies) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := atMeta(t, h, id).Replies; len(got) != 1 || got[0].Text != "Hi river.walks! Check your DMs 💌" {
		t.Fatalf("Meta holds %+v", got)
	}
	// The nudge is in the history; no DM carried the public text.
	var replies struct {
		Replies []struct{ CommentID, Text string } `json:"replies"`
	}
	h.Sim.Control(t, http.MethodGet, "/control/replies", nil, &replies)
	for _, rep := range replies.Replies {
		if rep.Text != "It is €39." {
			t.Errorf("a private reply carried %q", rep.Text)
		}
	}
}

// TestBulkHide_form: the bulk bar's Hide queues the checked comments and
// says what it does; each is hidden at Meta; a Live one is left alone.
func TestBulkHide_form(t *testing.T) {
	h, ava, acct := moderationWorld(t)
	var ids []string
	for i := range 3 {
		id := h.Sim.Comment(t, map[string]any{"account": acct, "text": "cheap followers " + strconv.Itoa(i)})
		stored(t, h, acct, id)
		ids = append(ids, id)
	}
	live := h.Sim.Comment(t, map[string]any{"account": acct, "text": "spam", "live": true})
	stored(t, h, acct, live)
	r := htmxPost(t, ava, "/inbox/moderation/hide", url.Values{"ids": append(append([]string{}, ids...), live)})
	toast := r.Find("[data-testid=toast]").Text()
	if r.Status != 200 || !strings.Contains(toast, "Hiding 3 comments") || !strings.Contains(toast, "1 left alone") || !strings.Contains(toast, "Live") {
		t.Fatalf("bulk hide = %d %q", r.Status, toast)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, id := range ids {
		for !atMeta(t, h, id).Hidden {
			if time.Now().After(deadline) {
				t.Fatalf("%s not hidden at Meta", id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if atMeta(t, h, live).Hidden {
		t.Error("the Live comment was hidden")
	}
	if got := ava.Get(t, "/inbox/comments/"+live).Find("[data-testid=moderation-reason]").Text(); !strings.Contains(got, "Live comments") {
		t.Errorf("a Live comment's panel says %q", got)
	}
	if r := htmxPost(t, ava, "/inbox/moderation/hide", url.Values{}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty bulk hide = %d", r.Status)
	}
}

// TestModeration_onlyOwnAccounts: Ben cannot moderate comments of an
// account he cannot see (404, nothing reaches Meta), nor change nudge
// defaults (admins only).
func TestModeration_onlyOwnAccounts(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	h.Login(t, w.User("Ava").ID)
	ben := h.Login(t, w.User("Ben").ID)
	var other string
	for _, a := range w.Accounts {
		if _, ok := w.User("Ben").Tasks[a.PageID]; !ok {
			other = a.ID
		}
	}
	id := h.Sim.Comment(t, map[string]any{"account": other, "text": "not Ben's"})
	stored(t, h, other, id)
	for path, body := range map[string]any{"/public-reply": map[string]any{"text": "hi"}, "/hide": map[string]any{"hidden": true}} {
		if r := ben.PostJSON(t, "/api/v1/comments/"+id+path, body); r.Status != http.StatusNotFound {
			t.Errorf("%s = %d", path, r.Status)
		}
	}
	if got := atMeta(t, h, id); got.Hidden || len(got.Replies) != 0 {
		t.Errorf("Meta changed: %+v", got)
	}
	if r := ben.PostForm(t, "/accounts/"+other+"/nudge", url.Values{"template_id": {""}}); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Errorf("Ben sets a nudge default = %d", r.Status)
	}
}

// TestOwnReplyPostedOnInstagram: a reply the account posted on Instagram
// itself comes by webhook, shows under the comment it answers, and never
// enters the inbox.
func TestOwnReplyPostedOnInstagram(t *testing.T) {
	h, ava, acct := moderationWorld(t)
	id := h.Sim.Comment(t, map[string]any{"account": acct, "text": "love it"})
	stored(t, h, acct, id)
	own := h.Sim.Comment(t, map[string]any{"account": acct, "text": "Thank you!", "own": true, "parent_id": id})
	stored(t, h, acct, id) // a change to the comment it answers
	delivered(t, h, own)
	var c apiComment
	ava.GetJSON(t, "/api/v1/comments/"+id, &c)
	if len(c.PublicReplies) != 1 || c.PublicReplies[0].ID != own || c.PublicReplies[0].By != "" {
		t.Fatalf("public replies %+v", c.PublicReplies)
	}
	if r := ava.Get(t, "/api/v1/comments/"+own); r.Status != http.StatusNotFound {
		t.Errorf("the account's own reply is in the inbox: %d", r.Status)
	}
	p := ava.Get(t, "/inbox/comments/"+id)
	if got := p.Find("[data-testid=public-reply]").Text(); !strings.Contains(got, "Thank you!") || !strings.Contains(got, "on Instagram") {
		t.Errorf("panel shows %q", got)
	}
}

// TestPanel_failuresInPlainWords: Meta's refusals reach the panel and the
// toast in plain words, never its payload; a rate limit leaves the action
// waiting with words saying so.
func TestPanel_failuresInPlainWords(t *testing.T) {
	h, ava, acct := moderationWorld(t)
	id := h.Sim.Comment(t, map[string]any{"account": acct, "text": "?"})
	stored(t, h, acct, id)
	h.Sim.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "rate_limit", "account": acct}, nil)
	r := htmxPost(t, ava, "/inbox/comments/"+id+"/hide", url.Values{"hidden": {"true"}})
	if r.Status != 200 || !strings.Contains(r.Find("[data-testid=toast]").Text(), "slow down") ||
		r.Find("[data-testid=moderation-pending]").Text() != "Hiding…" || strings.Contains(r.Body, "613") {
		t.Fatalf("rate limited hide = %d %.600s", r.Status, r.Body)
	}

	// acme.coffee is held while Meta throttles it: the other account goes on.
	outdoor := h.World(t).Account("acme.outdoor").ID
	other := h.Sim.Comment(t, map[string]any{"account": outdoor, "text": "?"})
	stored(t, h, outdoor, other)
	h.Sim.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "token_revoked", "account": outdoor}, nil)
	r = htmxPost(t, ava, "/inbox/comments/"+other+"/public-reply", url.Values{"text": {"See DMs"}})
	failed := r.Find("[data-testid=public-reply][data-state=failed]")
	if r.Status != 200 || failed.Length() != 1 || !strings.Contains(failed.Find("[data-testid=public-reply-error]").Text(), "Reconnect the account") {
		t.Fatalf("public reply with a revoked token = %d %.800s", r.Status, r.Body)
	}
	if toast := r.Find("[data-testid=toast]"); !toast.HasClass("toast-error") || strings.Contains(toast.Text(), "OAuth") || strings.Contains(r.Body, "#190") {
		t.Errorf("toast %q", toast.Text())
	}
	if !strings.Contains(r.Find("[data-testid=history]").Text(), "Public reply by Ava Martin failed") {
		t.Errorf("history %q", r.Find("[data-testid=history]").Text())
	}
}
