package web_test

import (
	"bytes"
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

type apiRule struct {
	ID              int64    `json:"id"`
	Name            string   `json:"name"`
	Enabled         bool     `json:"enabled"`
	Position        int      `json:"position"`
	Accounts        []string `json:"accounts"`
	Surfaces        []string `json:"surfaces"`
	MediaIDs        []string `json:"media_ids"`
	Keywords        []string `json:"keywords"`
	Match           string   `json:"match"`
	ExcludeKeywords []string `json:"exclude_keywords"`
	Action          string   `json:"action"`
	TemplateID      *int64   `json:"template_id"`
	AssigneeID      *int64   `json:"assignee_id"`
	OncePerUser     bool     `json:"once_per_user"`
	CreatedBy       string   `json:"created_by"`
	Last7Days       *struct {
		Matched int `json:"matched"`
		Sent    int `json:"sent"`
	} `json:"last_7_days"`
}

type apiErr struct {
	Error struct{ Code, Message, Field string } `json:"error"`
}

// sendJSON sends a JSON API request with the client's CSRF token.
func sendJSON(t *testing.T, c *webtest.Client, method, path string, body any) *webtest.Response {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, c.Base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	return c.Do(t, req)
}

func decode[T any](t *testing.T, r *webtest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("decoding %d %s: %v", r.Status, r.Body, err)
	}
	return v
}

// template creates a template through the API and answers its id.
func template(t *testing.T, c *webtest.Client, name, body string) int64 {
	t.Helper()
	r := c.PostJSON(t, "/api/v1/templates", map[string]any{"name": name, "body": body})
	if r.Status != http.StatusCreated {
		t.Fatalf("create template %q = %d %s", name, r.Status, r.Body)
	}
	return decode[struct {
		ID int64 `json:"id"`
	}](t, r).ID
}

func TestAPIRules_createReadUpdateDelete(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	ben := h.Login(t, w.User("Ben").ID)
	price := template(t, ava, "Price list", "Hi {{username|there}}! Prices: https://acme.example/prices")
	echo := template(t, ava, "Echo", "You asked: {{comment_text}}")
	coffee := w.Account("acme.coffee").ID

	r := ava.PostJSON(t, "/api/v1/rules", map[string]any{"name": "Price DM", "keywords": []string{"price", "how much"},
		"exclude_keywords": []string{"wholesale"}, "surfaces": []string{"reel", "post"}, "accounts": []string{coffee},
		"action": "send", "template_id": price, "once_per_user": true})
	if r.Status != http.StatusCreated {
		t.Fatalf("create = %d %s", r.Status, r.Body)
	}
	created := decode[apiRule](t, r)
	if created.ID == 0 || !created.Enabled || created.Position != 1 || created.Match != "any" || !strings.HasPrefix(created.CreatedBy, "Ava") ||
		!slices.Equal(created.Surfaces, []string{"post", "reel"}) || created.TemplateID == nil || *created.TemplateID != price ||
		created.AssigneeID != nil || !created.OncePerUser || created.MediaIDs == nil || created.Last7Days == nil {
		t.Errorf("created = %+v", created)
	}
	second := decode[apiRule](t, ava.PostJSON(t, "/api/v1/rules", map[string]any{"name": "Spam", "keywords": []string{"crypto"},
		"action": "dismiss", "enabled": false, "position": 1}))
	if second.Position != 1 || second.Enabled {
		t.Errorf("second = %+v, want first and off", second)
	}

	var list struct{ Data []apiRule }
	ben.GetJSON(t, "/api/v1/rules", &list) // agents may read
	if len(list.Data) != 2 || list.Data[0].Name != "Spam" || list.Data[1].Name != "Price DM" || list.Data[1].Position != 2 {
		t.Errorf("list = %+v", list.Data)
	}

	// A PUT of only some fields keeps the others; the object read back can
	// be sent back as it is.
	up := sendJSON(t, ava, http.MethodPut, "/api/v1/rules/"+itoa(created.ID), map[string]any{"enabled": false, "position": 1})
	got := decode[apiRule](t, up)
	if up.Status != http.StatusOK || got.Enabled || got.Position != 1 || got.Name != "Price DM" || !slices.Equal(got.Keywords, created.Keywords) {
		t.Errorf("partial put = %d %+v", up.Status, got)
	}
	var raw map[string]any
	ava.GetJSON(t, "/api/v1/rules/"+itoa(created.ID), &raw)
	raw["name"] = "Price DM (all)"
	if r := sendJSON(t, ava, http.MethodPut, "/api/v1/rules/"+itoa(created.ID), raw); r.Status != http.StatusOK {
		t.Errorf("round trip put = %d %s", r.Status, r.Body)
	}

	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"send a template that could exceed", map[string]any{"name": "x", "keywords": []string{"a"}, "action": "send", "template_id": echo}, 422, "template_id"},
		{"no name", map[string]any{"keywords": []string{"a"}, "action": "suggest", "template_id": price}, 422, "name"},
		{"unknown action", map[string]any{"name": "x", "action": "reply"}, 422, "action"},
		{"bad surface", map[string]any{"name": "x", "action": "suggest", "template_id": price, "surfaces": []string{"tiktok"}}, 422, "surfaces"},
		{"send aimed at nothing", map[string]any{"name": "x", "action": "send", "template_id": price}, 422, "keywords"},
		{"unknown field", map[string]any{"name": "x", "action": "suggest", "template_id": price, "color": "red"}, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ava.PostJSON(t, "/api/v1/rules", tc.body)
			e := decode[apiErr](t, r)
			if r.Status != tc.status || e.Error.Field != tc.field || e.Error.Message == "" {
				t.Errorf("= %d %s", r.Status, r.Body)
			}
		})
	}

	if r := ben.PostJSON(t, "/api/v1/rules", map[string]any{"name": "x", "action": "dismiss", "keywords": []string{"a"}}); r.Status != http.StatusForbidden {
		t.Errorf("agent create = %d", r.Status)
	}
	req, _ := http.NewRequest(http.MethodDelete, ava.Base+"/api/v1/rules/"+itoa(created.ID), nil)
	if r := ava.Do(t, req); r.Status != http.StatusForbidden {
		t.Errorf("delete without the CSRF token = %d", r.Status)
	}
	if r := sendJSON(t, ava, http.MethodDelete, "/api/v1/rules/"+itoa(created.ID), nil); r.Status != http.StatusNoContent {
		t.Errorf("delete = %d %s", r.Status, r.Body)
	}
	if r := sendJSON(t, ava, http.MethodGet, "/api/v1/rules/"+itoa(created.ID), nil); r.Status != http.StatusNotFound {
		t.Errorf("read after delete = %d", r.Status)
	}
	// The template a rule uses cannot go.
	ava.PostJSON(t, "/api/v1/rules", map[string]any{"name": "Uses price", "action": "suggest", "template_id": price})
	if r := sendJSON(t, ava, http.MethodDelete, "/api/v1/templates/"+itoa(price), nil); r.Status != http.StatusConflict || !strings.Contains(r.Body, "Uses price") {
		t.Errorf("deleting a template in use = %d %s", r.Status, r.Body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// waitJSON polls an API path until ok accepts its answer.
func waitJSON[T any](t *testing.T, c *webtest.Client, path string, ok func(T) bool) T {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, c.Base+path, nil)
		req.Header.Set("Accept", "application/json")
		r := c.Do(t, req)
		var v T
		if r.Status == http.StatusOK && json.Unmarshal([]byte(r.Body), &v) == nil && ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never became as expected: %d %s", path, r.Status, r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type ruledComment struct {
	ID                  string `json:"id"`
	Text                string `json:"text"`
	Status              string `json:"status"`
	RuleID              *int64 `json:"rule_id"`
	SuggestedTemplateID *int64 `json:"suggested_template_id"`
	Reply               *struct {
		State string `json:"state"`
		By    string `json:"by"`
		Text  string `json:"text"`
	} `json:"reply"`
}

// TestRules_suggestOnArrival: a suggest rule marks an arriving comment, the
// API says so, and the panel opens with the template rendered and the
// rule named; a comment no rule matches has nulls.
func TestRules_suggestOnArrival(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	coffee := w.Account("acme.coffee").ID
	price := template(t, ava, "Price list", "Hi {{username|there}}! Prices: https://acme.example/prices")
	rule := decode[apiRule](t, ava.PostJSON(t, "/api/v1/rules", map[string]any{"name": "Prices", "keywords": []string{"precio", "price"},
		"action": "suggest", "template_id": price}))
	id := h.Sim.Comment(t, map[string]any{"account": coffee, "username": "zoe_b", "text": "¿Qué PRECIO tiene?"})
	other := h.Sim.Comment(t, map[string]any{"account": coffee, "username": "lee", "text": "love it"})
	c := waitJSON(t, ava, "/api/v1/comments/"+id, func(c ruledComment) bool { return c.RuleID != nil })
	if *c.RuleID != rule.ID || c.SuggestedTemplateID == nil || *c.SuggestedTemplateID != price || c.Status != "open" || c.Reply != nil {
		t.Errorf("comment = %+v", c)
	}
	// Rules run in arrival order: once the later comment is looked at too,
	// it is unmarked.
	waitJSON(t, ava, "/api/v1/rules/"+itoa(rule.ID), func(r apiRule) bool { return r.Last7Days.Matched == 1 })
	o := decode[ruledComment](t, sendJSON(t, ava, http.MethodGet, "/api/v1/comments/"+other, nil))
	if o.RuleID != nil || o.SuggestedTemplateID != nil {
		t.Errorf("unmatched comment = %+v", o)
	}
	page := ava.Get(t, "/inbox/comments/"+id)
	if got := page.Find("[data-testid=reply-text]").Text(); got != "Hi zoe_b! Prices: https://acme.example/prices" {
		t.Errorf("composer text = %q", got)
	}
	if v, _ := page.Find("[data-testid=reply-template-id]").Attr("value"); v != itoa(price) {
		t.Errorf("template id = %q", v)
	}
	if got := page.Find("[data-testid=reply-suggestion]").Text(); !strings.Contains(got, "Suggested by rule") || !strings.Contains(got, "Prices") {
		t.Errorf("suggestion note = %q", got)
	}
	if got := page.Find("[data-testid=history]").Text(); !strings.Contains(got, "Matched rule “Prices”") {
		t.Errorf("history = %q", got)
	}
	if page := ava.Get(t, "/inbox/comments/"+other); page.Find("[data-testid=reply-suggestion]").Length() != 0 ||
		page.Find("[data-testid=reply-text]").Text() != "" {
		t.Error("a comment no rule matched opens with a suggestion")
	}
}

// TestRules_sendOnArrival: a send rule answers a matching comment once,
// through the sender, by "rule:<name>", and leaves others alone.
func TestRules_sendOnArrival(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	coffee := w.Account("acme.coffee").ID
	link := template(t, ava, "Shop link", "Hi {{username|there}}! Here is the shop: https://acme.example/shop")
	ava.PostJSON(t, "/api/v1/rules", map[string]any{"name": "Link DM", "keywords": []string{"link"}, "action": "send", "template_id": link})
	id := h.Sim.Comment(t, map[string]any{"account": coffee, "username": "kai_m", "text": "LINK please 🙏"})
	c := waitJSON(t, ava, "/api/v1/comments/"+id, func(c ruledComment) bool { return c.Reply != nil && c.Reply.State == "sent" && c.Status == "replied" })
	if c.Reply.By != "rule:Link DM" || c.Reply.Text != "Hi kai_m! Here is the shop: https://acme.example/shop" || c.Status != "replied" {
		t.Errorf("comment = %+v, reply %+v", c, c.Reply)
	}
	var sim struct {
		Replies []struct {
			CommentID string `json:"comment_id"`
		} `json:"replies"`
	}
	h.Sim.Control(t, http.MethodGet, "/control/replies", nil, &sim)
	n := 0
	for _, r := range sim.Replies {
		if r.CommentID == id {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the simulator holds %d replies to the comment, want 1", n)
	}
	page := ava.Get(t, "/inbox/comments/"+id)
	if got := page.Find("[data-testid=reply-status]").Text(); !strings.Contains(got, "by rule “Link DM”") {
		t.Errorf("reply card = %q", got)
	}
}

// TestRulesPages: admins create, reorder, switch off and delete rules
// through the pages; a form error keeps what was typed; agents read only.
func TestRulesPages(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	ben := h.Login(t, w.User("Ben").ID)
	price := template(t, ava, "Price list", "Hi {{username|there}}!")
	echo := template(t, ava, "Echo", "You said {{comment_text}}")

	if r := ava.Get(t, "/rules"); r.Status != 200 || r.Find("[data-testid=rules-empty]").Length() != 1 || r.Find("[data-testid=nav-rules][aria-current=page]").Length() != 1 {
		t.Errorf("empty rules page = %d", r.Status)
	}
	form := url.Values{"name": {"Price DM"}, "enabled": {"true"}, "keywords": {"price, how much"}, "match": {"any"},
		"exclude_keywords": {"wholesale"}, "surfaces": {"reel", "post"}, "action": {"send"}, "template_id": {itoa(echo)}, "once_per_user": {"true"}}
	r := ava.PostForm(t, "/rules", form)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Find("#template_id").Parent().Text(), "could reach") {
		t.Fatalf("send with a long template = %d %.300s", r.Status, r.Find("[data-testid=rule-form]").Text())
	}
	if v, _ := r.Find("[data-testid=field-keywords]").Attr("value"); v != "price, how much" {
		t.Errorf("typed keywords lost: %q", v)
	}
	form.Set("template_id", itoa(price))
	if r := ava.PostForm(t, "/rules", form); r.Status != http.StatusSeeOther || r.Location() != "/rules" {
		t.Fatalf("create = %d %s", r.Status, r.Body)
	}
	ava.PostForm(t, "/rules", url.Values{"name": {"Spam"}, "enabled": {"true"}, "keywords": {"crypto"}, "action": {"dismiss"}})
	page := ava.Get(t, "/rules")
	rows := page.Find("[data-testid=rule-row]")
	if rows.Length() != 2 || rows.First().Find("[data-testid=rule-name]").Text() != "Price DM" {
		t.Fatalf("rows = %d %q", rows.Length(), rows.First().Text())
	}
	then := rows.First().Find("[data-testid=rule-then]").Text()
	if !strings.Contains(then, "“Price list”") || !strings.Contains(then, "once per person per post") {
		t.Errorf("then = %q", then)
	}
	if got := rows.First().Find(".rule-sentence").Text(); !strings.Contains(got, "“price”, “how much”") || !strings.Contains(got, "not “wholesale”") || !strings.Contains(got, "posts or reels") {
		t.Errorf("when = %q", got)
	}
	spam, _ := rows.Last().Attr("data-rule-id")
	if r := ava.PostForm(t, "/rules/"+spam+"/move", url.Values{"to": {"up"}}); r.Status != http.StatusSeeOther {
		t.Errorf("move = %d", r.Status)
	}
	if r := ava.PostForm(t, "/rules/"+spam+"/enabled", url.Values{"enabled": {"false"}}); r.Status != http.StatusSeeOther {
		t.Errorf("turn off = %d", r.Status)
	}
	page = ava.Get(t, "/rules")
	first := page.Find("[data-testid=rule-row]").First()
	if id, _ := first.Attr("data-rule-id"); id != spam || first.AttrOr("data-enabled", "") != "false" {
		t.Errorf("first row = %s enabled=%s", id, first.AttrOr("data-enabled", ""))
	}
	// Agents read, without the controls, and cannot post.
	bp := ben.Get(t, "/rules")
	if bp.Status != 200 || bp.Find("[data-testid=rule-new]").Length() != 0 || bp.Find("[data-testid=rule-toggle]").Length() != 0 || bp.Find("[data-testid=rule-row]").Length() != 2 {
		t.Errorf("agent page = %d", bp.Status)
	}
	if r := ben.PostForm(t, "/rules/"+spam+"/delete", nil); r.Status != http.StatusForbidden {
		t.Errorf("agent delete = %d", r.Status)
	}
	if r := ben.Get(t, "/rules/"+spam); r.Find("[data-testid=rule-readonly]").Length() != 1 {
		t.Error("agent editor is not read-only")
	}
	if r := ava.PostForm(t, "/rules/"+spam+"/delete", nil); r.Status != http.StatusSeeOther {
		t.Errorf("delete = %d", r.Status)
	}
	if n := ava.Get(t, "/rules").Find("[data-testid=rule-row]").Length(); n != 1 {
		t.Errorf("%d rows after delete", n)
	}
}

// TestRules_testListsTheRightComments: the API test and the page's Test
// list the last week's comments the rule would match, newest first, and
// change nothing; a draft can be tested before it is saved.
func TestRules_testListsTheRightComments(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	coffee := w.Account("acme.coffee").ID
	price := template(t, ava, "Price list", "Hi!")
	// One at a time, so that they arrive in this order.
	arrive := func(in map[string]any) string {
		in["account"] = coffee
		id := h.Sim.Comment(t, in)
		waitJSON(t, ava, "/api/v1/comments/"+id, func(ruledComment) bool { return true })
		return id
	}
	a := arrive(map[string]any{"text": "How much is shipping to Spain?"})
	b := arrive(map[string]any{"text": "shipping??", "age": "30h"})
	arrive(map[string]any{"text": "free shipping scam"})
	arrive(map[string]any{"text": "gorgeous"})
	rule := decode[apiRule](t, ava.PostJSON(t, "/api/v1/rules", map[string]any{"name": "Shipping", "keywords": []string{"shipping"},
		"exclude_keywords": []string{"scam"}, "action": "suggest", "template_id": price, "enabled": false}))
	r := ava.PostJSON(t, "/api/v1/rules/"+itoa(rule.ID)+"/test", nil)
	out := decode[struct {
		Data []ruledComment `json:"data"`
		More bool           `json:"more"`
	}](t, r)
	var got []string
	for _, cm := range out.Data {
		got = append(got, cm.ID)
		if cm.RuleID != nil {
			t.Errorf("the test changed %s", cm.ID)
		}
	}
	if r.Status != 200 || !slices.Equal(got, []string{b, a}) || out.More {
		t.Errorf("test = %d %q, want %q", r.Status, got, []string{b, a})
	}
	// The page's Test button, as htmx sends it.
	req, _ := http.NewRequest(http.MethodPost, ava.Base+"/rules/"+itoa(rule.ID)+"/test", strings.NewReader("csrf="+url.QueryEscape(ava.CSRF)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	frag := ava.Do(t, req)
	if frag.Find("[data-testid=rule-test-row]").Length() != 2 || !strings.Contains(frag.Find("[data-testid=rule-test-summary]").Text(), "2 comments") {
		t.Errorf("test fragment = %d %s", frag.Status, frag.Body)
	}
	// A draft, unsaved and without a name or template, with other keywords.
	draft := ava.PostForm(t, "/rules/test", url.Values{"keywords": {"gorgeous"}, "action": {"suggest"}})
	if draft.Status != 200 || draft.Find("[data-testid=rule-test-row]").Length() != 1 || draft.Find("[data-testid=rule-edit-page]").Length() != 1 {
		t.Errorf("draft test (no script) = %d %s", draft.Status, draft.Find("[data-testid=rule-test-results]").Text())
	}
	bad := ava.PostForm(t, "/rules/test", url.Values{"keywords": {"?!"}, "action": {"suggest"}})
	if bad.Find("[data-testid=rule-test-error]").Length() != 1 {
		t.Errorf("draft with a keyword of punctuation = %s", bad.Find("[data-testid=rule-test-results]").Text())
	}
}

// TestRules_assignOnArrival: an assign rule names a teammate who may reply
// on its accounts (refused in plain words otherwise); a matching comment on
// an account they can see becomes theirs, saying so in its history; one on
// an account they cannot see is left alone.
func TestRules_assignOnArrival(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	ben := h.Login(t, w.User("Ben").ID) // acme.outdoor only
	var me struct {
		ID int64 `json:"id"`
	}
	ben.GetJSON(t, "/api/v1/me", &me)
	coffee, outdoor := w.Account("acme.coffee").ID, w.Account("acme.outdoor").ID
	r := sendJSON(t, ava, http.MethodPost, "/api/v1/rules", map[string]any{"name": "Wholesale to Ben", "keywords": []string{"wholesale"},
		"action": "assign", "assignee_id": me.ID, "accounts": []string{coffee}})
	if e := decode[apiErr](t, r); r.Status != http.StatusUnprocessableEntity || e.Error.Field != "assignee_id" ||
		!strings.Contains(e.Error.Message, "Ben Okafor cannot see @acme.coffee") {
		t.Errorf("assign on acme.coffee to Ben = %d %s", r.Status, r.Body)
	}
	rule := decode[apiRule](t, ava.PostJSON(t, "/api/v1/rules", map[string]any{"name": "Wholesale to Ben", "keywords": []string{"wholesale"},
		"action": "assign", "assignee_id": me.ID}))
	if rule.AssigneeID == nil || *rule.AssigneeID != me.ID {
		t.Fatalf("rule = %+v", rule)
	}
	theirs := h.Sim.Comment(t, map[string]any{"account": outdoor, "username": "shop.owner", "text": "Wholesale prices?"})
	notTheirs := h.Sim.Comment(t, map[string]any{"account": coffee, "username": "cafe.owner", "text": "wholesale?"})
	type assigned struct {
		RuleID   *int64 `json:"rule_id"`
		Assignee *struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"assignee"`
	}
	c := waitJSON(t, ava, "/api/v1/comments/"+theirs, func(c assigned) bool { return c.Assignee != nil })
	if c.Assignee.ID != me.ID || c.Assignee.Name != "Ben Okafor" || c.RuleID == nil || *c.RuleID != rule.ID {
		t.Errorf("comment = %+v", c)
	}
	// Rules run in arrival order: once the later comment was looked at,
	// it is still nobody's.
	waitJSON(t, ava, "/api/v1/rules/"+itoa(rule.ID), func(r apiRule) bool { return r.Last7Days.Matched == 1 })
	if o := decode[assigned](t, sendJSON(t, ava, http.MethodGet, "/api/v1/comments/"+notTheirs, nil)); o.Assignee != nil || o.RuleID != nil {
		t.Errorf("the comment Ben cannot see = %+v", o)
	}
	page := ben.Get(t, "/inbox/comments/"+theirs)
	if got := page.Find("[data-testid=history]").Text(); !strings.Contains(got, "Assigned to Ben Okafor by rule “Wholesale to Ben”") {
		t.Errorf("history = %q", got)
	}
	if got := ava.Get(t, "/rules").Find("[data-testid=rule-then]").Text(); !strings.Contains(got, "assign it to Ben Okafor") {
		t.Errorf("rules page says %q", got)
	}
}
