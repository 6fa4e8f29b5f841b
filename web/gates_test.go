package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/web/webtest"
)

// gate is who may use a route.
type gate int

const (
	member gate = iota + 1 // logged in, with at least one account
	admin                  // a member who is an admin
)

// gatedRoutes pairs every JSON API route with the page (or page action)
// that does the same thing, and the gate both must have (DESIGN §3: the API
// has the same permissions as the pages). "" is a side without a twin.
var gatedRoutes = []struct {
	api, page string
	gate      gate
}{
	{"GET /api/v1/accounts", "GET /accounts", member},
	{"GET /api/v1/accounts/:id", "GET /accounts/:id", member},
	{"GET /api/v1/comments", "GET /inbox", member},
	{"GET /api/v1/comments/:id", "GET /inbox/comments/:id", member},
	{"POST /api/v1/comments/:id/status", "POST /inbox/comments/:id/status", member},
	{"", "POST /inbox/status", member},
	{"POST /api/v1/comments/:id/reply", "POST /inbox/comments/:id/reply", member},
	{"POST /api/v1/comments/:id/public-reply", "POST /inbox/comments/:id/public-reply", member},
	{"POST /api/v1/comments/:id/hide", "POST /inbox/comments/:id/hide", member},
	{"DELETE /api/v1/comments/:id", "POST /inbox/comments/:id/delete", member},
	{"", "POST /inbox/moderation/hide", member},
	{"", "POST /accounts/:id/nudge", admin},
	{"POST /api/v1/comments/:id/assign", "POST /inbox/assign", member},
	{"", "POST /inbox/comments/:id/presence", member},
	{"", "GET /inbox/media/:id/picture", member},
	{"", "POST /accounts/:id/auto-assign", admin},
	{"GET /api/v1/me", "", member},
	{"GET /api/v1/users", "", member},
	{"GET /api/v1/templates", "GET /templates", member},
	{"GET /api/v1/templates/:id", "GET /templates/:id", member},
	{"", "POST /templates/preview", member},
	{"POST /api/v1/templates", "POST /templates", admin},
	{"", "GET /templates/new", admin},
	{"PUT /api/v1/templates/:id", "POST /templates/:id", admin},
	{"DELETE /api/v1/templates/:id", "POST /templates/:id/delete", admin},
	{"GET /api/v1/rules", "GET /rules", member},
	{"GET /api/v1/rules/:id", "GET /rules/:id", member},
	{"POST /api/v1/rules", "POST /rules", admin},
	{"", "GET /rules/new", admin},
	{"PUT /api/v1/rules/:id", "POST /rules/:id", admin},
	{"DELETE /api/v1/rules/:id", "POST /rules/:id/delete", admin},
	{"", "POST /rules/:id/enabled", admin},
	{"", "POST /rules/:id/move", admin},
	{"POST /api/v1/rules/:id/test", "POST /rules/:id/test", member},
	{"", "POST /rules/test", admin},
	{"", "GET /team", member},
	{"", "POST /team/:id/role", admin},
	{"POST /api/v1/accounts/:id/disconnect", "POST /accounts/:id/disconnect", admin},
	{"POST /api/v1/accounts/:id/resume", "POST /accounts/:id/resume", admin},
	{"", "GET /accounts/:id/disconnect", admin},
	{"", "POST /accounts/:id/reconnect", admin},
	{"", "GET /setup", admin},
	{"GET /api/v1/tokens", "GET /settings/tokens", member},
	{"POST /api/v1/tokens", "POST /settings/tokens", member},
	{"DELETE /api/v1/tokens/:id", "POST /settings/tokens/:id/delete", member},
	{"GET /api/v1/webhooks", "GET /settings/webhooks", admin},
	{"POST /api/v1/webhooks", "POST /settings/webhooks", admin},
	{"DELETE /api/v1/webhooks/:id", "POST /settings/webhooks/:id/delete", admin},
}

// ungated are the routes open without an account: operations, assets,
// Meta's webhooks, login and logout, and the live stream (which refuses a
// user without accounts itself: TestNoAccounts).
var ungated = []string{
	"GET /", "GET /healthz", "GET /static/*", "GET /favicon.ico",
	"GET /webhooks/instagram", "POST /webhooks/instagram",
	"GET /login", "GET /auth/facebook", "GET /auth/facebook/callback", "POST /logout",
	"GET /inbox/events",
	// Meta's signed callbacks, and the deletion status page Meta links to.
	"POST /meta/deauthorize", "POST /meta/data-deletion", "GET /meta/deletion/:code",
}

// TestGates_everyAPIRouteLikeItsPage checks, route by route, that each API
// route and its page let in and keep out the same people: nobody logged
// out, nobody without an account (the page explains, the API says
// no_accounts), and only admins where the page is for admins. Every route
// the server has must be in the table.
func TestGates_everyAPIRouteLikeItsPage(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID) // the first to connect: admin
	ben := h.Login(t, w.User("Ben").ID) // an agent with one account
	chloe := h.Login(t, w.User("Chloé").ID)
	anon := h.Client()

	listed := map[string]bool{}
	for _, r := range ungated {
		listed[r] = true
	}
	for _, r := range gatedRoutes {
		listed[r.api], listed[r.page] = true, true
	}
	for _, r := range h.Server.Routes() {
		if !listed[r] && !strings.HasPrefix(r, "GET /_sim") && !strings.Contains(r, " /_sim") {
			t.Errorf("route %s is not in gatedRoutes (or ungated): say who may use it", r)
		}
	}

	for _, r := range gatedRoutes {
		for _, route := range []string{r.api, r.page} {
			if route == "" {
				continue
			}
			if !slices.Contains(h.Server.Routes(), route) {
				t.Errorf("%s: no such route", route)
				continue
			}
			api := strings.Contains(route, " /api/")
			t.Run(route, func(t *testing.T) {
				// Logged out: the API says 401, a page sends to the login.
				got := call(t, anon, route)
				if api && (got.Status != 401 || apiCode(got) != "unauthorized") ||
					!api && (got.Status != 303 || got.Location() != "/login") {
					t.Errorf("logged out: %d %s %.200s", got.Status, got.Location(), got.Body)
				}
				// No account: the API says no_accounts, a page explains (200).
				got = call(t, chloe, route)
				if api && (got.Status != 403 || apiCode(got) != "no_accounts") ||
					!api && (got.Status != 200 || got.Find("[data-testid=no-access]").Length() != 1) {
					t.Errorf("without an account: %d %.200s", got.Status, got.Body)
				}
				// An agent: refused where only admins may go, let in elsewhere.
				got = call(t, ben, route)
				switch {
				case r.gate == admin && (got.Status != 403 || api && apiCode(got) != "admin_only"):
					t.Errorf("agent on an admin route: %d %.200s", got.Status, got.Body)
				case r.gate == member && (got.Status == 401 || got.Status == 403 || got.Find("[data-testid=no-access]").Length() > 0):
					t.Errorf("agent kept out: %d %.200s", got.Status, got.Body)
				}
				// The admin is let in everywhere.
				if got = call(t, ava, route); got.Status == 401 || got.Status == 403 || got.Find("[data-testid=no-access]").Length() > 0 {
					t.Errorf("admin kept out: %d %.200s", got.Status, got.Body)
				}
			})
		}
	}
}

// call requests route ("METHOD /path/:id") as c: ids are 1, writes carry
// c's CSRF token and an empty body of the route's kind.
func call(t *testing.T, c *webtest.Client, route string) *webtest.Response {
	t.Helper()
	method, path, _ := strings.Cut(route, " ")
	path = strings.ReplaceAll(path, ":id", "1")
	var req *http.Request
	switch {
	case method == http.MethodGet:
		req, _ = http.NewRequest(method, c.Base+path, nil)
	case strings.HasPrefix(path, "/api/"):
		req, _ = http.NewRequest(method, c.Base+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
	default:
		req, _ = http.NewRequest(method, c.Base+path, strings.NewReader(url.Values{"csrf": {c.CSRF}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-CSRF-Token", c.CSRF)
	return c.Do(t, req)
}

// apiCode is the code of a JSON API error ("" for anything else).
func apiCode(r *webtest.Response) string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal([]byte(r.Body), &e)
	return e.Error.Code
}

// adminWithoutAccounts are the pages (and their API twins) that stay open
// to an admin who has no account: to connect one again, check the setup,
// and manage tokens and webhooks.
var adminWithoutAccounts = []string{"/accounts", "/setup", "/settings/"}

// TestGates_adminWithoutAccounts: an admin who may reply on no account
// gets into the accounts, setup and settings pages and their API twins
// alike, and is kept out of the rest (the page explains, the API says
// no_accounts), page and API the same.
func TestGates_adminWithoutAccounts(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	chloe := h.Login(t, w.User("Chloé").ID) // no Page role: no account
	team := ava.Get(t, "/team")
	row := team.Find(`[data-testid=team-row]:contains("Chloé")`)
	id, ok := row.Attr("data-user-id")
	if !ok {
		t.Fatalf("Chloé is not on the team page: %.300s", team.Body)
	}
	if r := ava.PostForm(t, "/team/"+id+"/role", url.Values{"role": {"admin"}}); r.Status >= 400 {
		t.Fatalf("making Chloé an admin: %d %.200s", r.Status, r.Body)
	}
	for _, r := range gatedRoutes {
		path := r.page
		if path == "" {
			continue
		}
		_, path, _ = strings.Cut(path, " ")
		open := slices.ContainsFunc(adminWithoutAccounts, func(p string) bool { return strings.HasPrefix(path, p) })
		for _, route := range []string{r.api, r.page} {
			if route == "" {
				continue
			}
			t.Run(route, func(t *testing.T) {
				got := call(t, chloe, route)
				api := strings.Contains(route, " /api/")
				keptOut := api && got.Status == 403 && apiCode(got) == "no_accounts" ||
					!api && got.Find("[data-testid=no-access]").Length() == 1
				if open == keptOut {
					t.Errorf("admin without accounts (open to her: %v): %d %.200s", open, got.Status, got.Body)
				}
			})
		}
	}
}
