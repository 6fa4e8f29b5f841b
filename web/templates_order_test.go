package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/replydesk/replydesk/web/webtest"
)

type orderedTemplate struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Position int    `json:"position"`
}

// TestTemplates_positionsThroughTheAPIAndPages (issue 20, item 5): a new
// template goes last; an admin moves one with "position" in the API or
// "Place in the reply box" in the editor; the list's "order" sort and its
// Key column follow; an agent cannot move one.
func TestTemplates_positionsThroughTheAPIAndPages(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	ben := h.Login(t, w.User("Ben").ID)
	ids := map[string]int64{}
	for i, name := range []string{"Shipping", "Price", "Hello"} {
		var got orderedTemplate
		r := ava.PostJSON(t, "/api/v1/templates", map[string]any{"name": name, "body": name + ", {{username}}"})
		if r.Status != http.StatusCreated || json.Unmarshal([]byte(r.Body), &got) != nil || got.Position != i+1 {
			t.Fatalf("create %s: %d %s", name, r.Status, r.Body)
		}
		ids[name] = got.ID
	}
	order := func() string {
		t.Helper()
		var list struct{ Data []orderedTemplate }
		ava.GetJSON(t, "/api/v1/templates?sort=order", &list)
		var names []string
		for _, tm := range list.Data {
			names = append(names, tm.Name+"@"+strconv.Itoa(tm.Position))
		}
		return strings.Join(names, " ")
	}
	put := func(c *webtest.Client, id int64, body map[string]any) *webtest.Response {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPut, h.URL+"/api/v1/templates/"+strconv.FormatInt(id, 10), bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", c.CSRF)
		return c.Do(t, req)
	}
	if r := put(ava, ids["Hello"], map[string]any{"name": "Hello", "body": "Hi!", "position": 1}); r.Status != http.StatusOK || !strings.Contains(r.Body, `"position":1`) {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	if got := order(); got != "Hello@1 Shipping@2 Price@3" {
		t.Errorf("after the move: %s", got)
	}
	if r := put(ben, ids["Price"], map[string]any{"name": "Price", "body": "€39", "position": 1}); r.Status != http.StatusForbidden {
		t.Errorf("an agent moving a template: %d", r.Status)
	}
	// The editor's field moves it too; a blank place keeps it.
	edit := "/templates/" + strconv.FormatInt(ids["Price"], 10)
	page := ava.Get(t, edit)
	if v := page.Find("[data-testid=field-position]").AttrOr("value", ""); v != "3" {
		t.Errorf("the editor shows place %q", v)
	}
	if r := ava.PostForm(t, edit, url.Values{"name": {"Price"}, "body": {"€39"}, "position": {"2"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("save with a place: %d", r.Status)
	}
	if r := ava.PostForm(t, edit, url.Values{"name": {"Price"}, "body": {"€39"}, "position": {""}}); r.Status != http.StatusSeeOther {
		t.Fatalf("save without a place: %d", r.Status)
	}
	if got := order(); got != "Hello@1 Price@2 Shipping@3" {
		t.Errorf("after the editor: %s", got)
	}
	list := ava.Get(t, "/templates?sort=order")
	var keys []string
	list.Find("[data-testid=template-row]").Each(func(_ int, s *goquery.Selection) {
		keys = append(keys, s.Find("[data-testid=template-name]").Text()+"="+s.Find("[data-testid=template-key]").Text())
	})
	if got := strings.Join(keys, " "); got != "Hello=1 Price=2 Shipping=3" {
		t.Errorf("the list in order, with keys: %s", got)
	}
	if r := ava.PostForm(t, edit, url.Values{"name": {"Price"}, "body": {"€39"}, "position": {"first"}}); r.Status != 422 ||
		!strings.Contains(r.Find("[data-testid=error-position]").Text(), "whole number") {
		t.Errorf("a place that is not a number: %d", r.Status)
	}
}

// TestTemplates_everyErrorListed (issue 20, item 12): a refused template
// names every problem, in the editor's summary (which takes the focus)
// and in the API's answer, not only the first.
func TestTemplates_everyErrorListed(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	body := "Hi {{usrname}}!\nPrice: {{price}} and {{account|}}"
	r := ava.PostForm(t, "/templates", url.Values{"name": {""}, "shortcut": {"no spaces"}, "body": {body}})
	if r.Status != 422 {
		t.Fatalf("refused form: %d", r.Status)
	}
	sum := r.Find("[data-testid=error-summary]")
	if sum.Length() != 1 || sum.AttrOr("tabindex", "") != "-1" || sum.AttrOr("role", "") != "alert" {
		t.Fatalf("no focusable summary: %.400s", r.Body)
	}
	var items []string
	sum.Find("[data-testid=error-summary-item]").Each(func(_ int, s *goquery.Selection) {
		items = append(items, s.AttrOr("href", "")+" "+s.Text())
	})
	want := []string{"#name Name: Give", "#shortcut Shortcut: A shortcut", "#body Reply text: Unknown variable {{usrname}} at line 1",
		"#body Reply text: Unknown variable {{price}} at line 2", "#body Reply text: Empty fallback"}
	if len(items) != len(want) {
		t.Fatalf("summary items:\n%s", strings.Join(items, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(items[i], want[i]) {
			t.Errorf("item %d = %q, want %q…", i+1, items[i], want[i])
		}
	}
	if !strings.Contains(sum.Find("h2").Text(), "5 problems") {
		t.Errorf("summary heading %q", sum.Find("h2").Text())
	}

	api := ava.PostJSON(t, "/api/v1/templates", map[string]any{"name": "", "body": body})
	var e struct {
		Error struct {
			Code, Field string
			Errors      []struct{ Field, Code, Message string }
		}
	}
	if api.Status != 422 || json.Unmarshal([]byte(api.Body), &e) != nil || e.Error.Field != "name" || len(e.Error.Errors) != 4 ||
		e.Error.Errors[3].Field != "body" || e.Error.Errors[3].Code != "bad_fallback" {
		t.Errorf("API: %d %s", api.Status, api.Body)
	}
}
