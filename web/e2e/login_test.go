package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// canReply mirrors the access rule: MESSAGING in either spelling.
func canReply(tasks []string) bool {
	return slices.Contains(tasks, "MESSAGING") || slices.Contains(tasks, "PROFILE_PLUS_MESSAGING")
}

// TestLogin_eachSeededUserSeesExactlyTheirAccounts logs in every seeded
// user and checks the accounts page and the API against their Page tasks;
// another account's page and API answer 404.
func TestLogin_eachSeededUserSeesExactlyTheirAccounts(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	wantCount := map[string]int{"Ava": 2, "Ben": 1, "Chloé": 0, "Dana": 0, "Eli": 1}
	for _, first := range []string{"Ava", "Ben", "Chloé", "Dana", "Eli"} {
		u := d.User(first)
		var want []string
		for _, p := range d.Pages {
			if canReply(u.Tasks[p.ID]) {
				want = append(want, p.InstagramAccountID)
			}
		}
		slices.Sort(want)
		if len(want) != wantCount[first] {
			t.Fatalf("%s: the seeded world changed: %d accounts, want %d", first, len(want), wantCount[first])
		}
		c := w.Login(t, u.ID)
		page := c.Get(t, "/accounts")
		if page.Status != http.StatusOK {
			t.Fatalf("%s: /accounts = %d", first, page.Status)
		}
		var got []string
		page.Find(`[data-testid=account-card]`).Each(func(_ int, s *goquery.Selection) {
			got = append(got, s.AttrOr("data-account-id", ""))
		})
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s sees %v, want %v", first, got, want)
		}
		if len(want) == 0 && page.Find(`[data-testid=no-access]`).Length() != 1 {
			t.Errorf("%s: no friendly no-access page:\n%.500s", first, page.Body)
		}
		var list struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if len(want) == 0 {
			// The API has the same gate as the pages: no account, no API.
			if r := c.Get(t, "/api/v1/accounts"); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "no_accounts") {
				t.Errorf("%s: API = %d %s", first, r.Status, r.Body)
			}
		} else if c.GetJSON(t, "/api/v1/accounts", &list); len(list.Data) != len(want) {
			t.Errorf("%s: API lists %v", first, list.Data)
		}
		for _, a := range d.Accounts {
			if slices.Contains(want, a.ID) {
				if r := c.Get(t, "/accounts/"+a.ID); r.Status != http.StatusOK {
					t.Errorf("%s: own account page = %d", first, r.Status)
				}
				continue
			}
			if r := c.Get(t, "/accounts/"+a.ID); r.Status != http.StatusNotFound && r.Find(`[data-testid=no-access]`).Length() == 0 {
				t.Errorf("%s: another account's page = %d", first, r.Status)
			}
			// 404 for a teammate; 403 (no API at all) for someone without accounts.
			if r := c.Get(t, "/api/v1/accounts/"+a.ID); r.Status != http.StatusNotFound && (len(want) > 0 || r.Status != http.StatusForbidden) {
				t.Errorf("%s: another account through the API = %d %s", first, r.Status, r.Body)
			}
		}
	}
	// Roles: Ava, the first to connect an account, is the admin.
	c := w.Login(t, d.User("Ava").ID)
	team := c.Get(t, "/team")
	roles := map[string]string{}
	team.Find(`[data-testid=team-row]`).Each(func(_ int, s *goquery.Selection) {
		roles[strings.TrimSpace(s.Find(`[data-testid=team-name]`).Text())] = s.AttrOr("data-role", "")
	})
	if roles["Ava Martin"] != "admin" || roles["Ben Okafor"] != "agent" || len(roles) != 5 {
		t.Errorf("roles = %v", roles)
	}
	// Who can answer each account: those with MESSAGING, not Dana (ANALYZE only).
	page := c.Get(t, "/accounts")
	people := func(username string) string {
		return page.Find(`#account-` + d.Account(username).ID + ` [data-testid=account-people]`).Text()
	}
	if p := people("acme.coffee"); !strings.Contains(p, "Ava Martin") || !strings.Contains(p, "Eli Navarro") || strings.Contains(p, "Dana") {
		t.Errorf("coffee people = %q", p)
	}
	if p := people("acme.outdoor"); !strings.Contains(p, "Ava Martin") || !strings.Contains(p, "Ben Okafor") || strings.Contains(p, "Eli") {
		t.Errorf("outdoor people = %q", p)
	}
}

// TestLogin_forgedStateRefused: a callback whose state does not match the
// one this browser started with is refused, and nobody is logged in.
func TestLogin_forgedStateRefused(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	ava := w.World().User("Ava")
	c := w.NewClient()
	cb := c.Dialog(t, c.StartLogin(t, ""), ava.ID, nil)
	q := cb.Query()
	q.Set("state", "forged-by-someone-else")
	cb.RawQuery = q.Encode()
	resp := c.Callback(t, cb)
	if resp.Status != http.StatusForbidden {
		t.Fatalf("forged state = %d, want 403", resp.Status)
	}
	if msg := resp.Find(`[data-testid=login-error]`).Text(); !strings.Contains(msg, "state did not match") {
		t.Errorf("message = %q", msg)
	}
	if resp.Find(`[data-testid=login-button]`).Length() != 1 {
		t.Error("no way to try again on the refusal page")
	}
	for _, ck := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(ck, "replydesk_session=") && !strings.Contains(ck, "Max-Age=0") {
			t.Errorf("a session cookie was set: %s", ck)
		}
	}
	if r := c.Get(t, "/accounts"); r.Status != http.StatusSeeOther || r.Location() != "/login" {
		t.Errorf("/accounts after the refusal = %d %s", r.Status, r.Location())
	}
	// A callback from a browser that never started a login is refused too.
	other := w.NewClient()
	cb2 := c.Dialog(t, c.StartLogin(t, ""), ava.ID, nil)
	if r := other.Callback(t, cb2); r.Status != http.StatusForbidden || !strings.Contains(r.Find(`[data-testid=login-error]`).Text(), "Please try again") {
		t.Errorf("callback without a login in progress = %d", r.Status)
	}
	// Cancelling on Facebook's dialog says so.
	cb3 := c.Dialog(t, c.StartLogin(t, ""), ava.ID, url.Values{"sim_cancel": {"1"}})
	if r := c.Callback(t, cb3); r.Status != http.StatusUnauthorized || !strings.Contains(r.Find(`[data-testid=login-error]`).Text(), "cancelled") {
		t.Errorf("cancelled login = %d %s", r.Status, r.Find(`[data-testid=login-error]`).Text())
	}
}

// TestLogin_declinedPermission: a declined permission is named with a
// "Grant again" button that asks with auth_type=rerequest; declining
// pages_show_list explains the empty result.
func TestLogin_declinedPermission(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ben := d.User("Ben")
	c := w.LoginWith(t, ben.ID, url.Values{"sim_decline": {"pages_messaging"}})
	page := c.Get(t, "/accounts")
	banner := page.Find(`[data-testid=banner]`)
	if page.Status != http.StatusOK || !strings.Contains(banner.Text(), "pages_messaging") || !strings.Contains(banner.Text(), "send private replies") {
		t.Fatalf("banner = %q (status %d)", banner.Text(), page.Status)
	}
	if href := banner.Find("a").AttrOr("href", ""); href != "/auth/facebook?rerequest=1" {
		t.Errorf("grant-again link = %q", href)
	}
	if ok := page.Find(`[data-testid=check-permissions]`).AttrOr("data-ok", ""); ok != "false" {
		t.Errorf("permissions check ok = %q", ok)
	}
	dialog := c.StartLogin(t, "rerequest=1")
	if dialog.Query().Get("auth_type") != "rerequest" {
		t.Fatalf("dialog URL = %s", dialog)
	}
	if r := c.Callback(t, c.Dialog(t, dialog, ben.ID, nil)); r.Status != http.StatusSeeOther {
		t.Fatalf("rerequest callback = %d", r.Status)
	}
	page = c.Get(t, "/accounts")
	if page.Find(`[data-testid=banner]`).Length() != 0 || page.Find(`[data-testid=check-permissions]`).AttrOr("data-ok", "") != "true" {
		t.Errorf("after granting again: banner %q", page.Find(`[data-testid=banner]`).Text())
	}
	// Without pages_show_list no account can be found: the no-access page says why.
	eli := w.LoginWith(t, d.User("Eli").ID, url.Values{"sim_decline": {"pages_show_list"}})
	page = eli.Get(t, "/accounts")
	if page.Status != http.StatusOK || !strings.Contains(page.Find(`[data-testid=no-access-reason]`).Text(), "pages_show_list") {
		t.Fatalf("no-access = %d %q", page.Status, page.Find(`[data-testid=no-access-reason]`).Text())
	}
	if href := page.Find(`[data-testid=grant-again]`).AttrOr("href", ""); href != "/auth/facebook?rerequest=1" {
		t.Errorf("grant-again = %q", href)
	}
}
