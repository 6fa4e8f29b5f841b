package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// TestCSRF_formsAndWritesNeedTheToken: every unsafe request without the
// session's token is refused with 403 and changes nothing.
func TestCSRF_formsAndWritesNeedTheToken(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID)
	w.Login(t, d.User("Ben").ID)
	benID := teamUserID(t, ava, "Ben Okafor")
	for name, vals := range map[string]url.Values{
		"no token":    {"role": {"admin"}, "csrf": {""}},
		"wrong token": {"role": {"admin"}, "csrf": {"not-the-token"}},
	} {
		r := ava.PostForm(t, "/team/"+benID+"/role", vals)
		if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "did not come from Replydesk") {
			t.Errorf("%s: status %d", name, r.Status)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, w.App.URL+"/team/"+benID+"/role", strings.NewReader(`{"role":"admin"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if r := ava.Do(t, req); r.Status != http.StatusForbidden || !strings.Contains(r.Body, `"code":"csrf_failed"`) {
		t.Errorf("JSON write without the header = %d %s", r.Status, r.Body)
	}
	if r := ava.PostForm(t, "/logout", url.Values{"csrf": {""}}); r.Status != http.StatusForbidden {
		t.Errorf("logout without the token = %d", r.Status)
	}
	if role := teamRole(t, ava, "Ben Okafor"); role != "agent" {
		t.Fatalf("a refused request changed Ben's role to %s", role)
	}
	// With the token, the same form works (Post/Redirect/Get with a message).
	r := ava.PostForm(t, "/team/"+benID+"/role", url.Values{"role": {"admin"}})
	if r.Status != http.StatusSeeOther || r.Location() != "/team" {
		t.Fatalf("role change = %d %s", r.Status, r.Location())
	}
	team := ava.Get(t, "/team")
	if !strings.Contains(team.Find(`[data-testid=toasts]`).Text(), "Role updated") || teamRole(t, ava, "Ben Okafor") != "admin" {
		t.Errorf("after the change: toast %q", team.Find(`[data-testid=toasts]`).Text())
	}
	// Logout is a POST with the token; the session is gone afterwards.
	if r := ava.PostForm(t, "/logout", nil); r.Status != http.StatusSeeOther || r.Location() != "/login" {
		t.Fatalf("logout = %d %s", r.Status, r.Location())
	}
	if r := ava.Get(t, "/accounts"); r.Status != http.StatusSeeOther || r.Location() != "/login" {
		t.Errorf("/accounts after logout = %d %s", r.Status, r.Location())
	}
	if r := ava.Get(t, "/logout"); r.Status != http.StatusMethodNotAllowed && r.Status != http.StatusNotFound {
		t.Errorf("GET /logout = %d", r.Status)
	}
}

// TestTeam_rolesOnlyAdminsAndNeverTheLastOne: agents cannot change roles;
// the last admin cannot step down.
func TestTeam_rolesOnlyAdminsAndNeverTheLastOne(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID)
	ben := w.Login(t, d.User("Ben").ID)
	avaID := teamUserID(t, ava, "Ava Martin")
	if r := ben.PostForm(t, "/team/"+avaID+"/role", url.Values{"role": {"agent"}}); r.Status != http.StatusForbidden {
		t.Errorf("agent changes a role = %d", r.Status)
	}
	if ben.Get(t, "/team").Find(`[data-testid=team-set-role]`).Length() != 0 {
		t.Error("agents see role buttons")
	}
	r := ava.PostForm(t, "/team/"+avaID+"/role", url.Values{"role": {"agent"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("last admin steps down = %d", r.Status)
	}
	team := ava.Get(t, "/team")
	if !strings.Contains(team.Find(`[data-testid=toasts]`).Text(), "only admin") || teamRole(t, ava, "Ava Martin") != "admin" {
		t.Errorf("toast %q, role %s", team.Find(`[data-testid=toasts]`).Text(), teamRole(t, ava, "Ava Martin"))
	}
	if r := ava.PostForm(t, "/team/9999/role", url.Values{"role": {"admin"}}); r.Status != http.StatusNotFound {
		t.Errorf("unknown user = %d", r.Status)
	}
	if r := ava.PostForm(t, "/team/"+avaID+"/role", url.Values{"role": {"owner"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown role = %d", r.Status)
	}
}

// TestSessionCookies_attributes: the app's session cookie and gothic's OAuth
// cookie are HttpOnly, SameSite=Lax, Path=/, and Secure exactly when the
// base URL is https.
func TestSessionCookies_attributes(t *testing.T) {
	t.Parallel()
	for _, https := range []bool{false, true} {
		w := NewWorld(t, WorldOptions{HTTPS: https})
		ava := w.World().User("Ava")
		// Cookies are carried by hand: a jar would not send Secure cookies over
		// the plain HTTP the test server speaks.
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(w.App.URL + "/auth/facebook")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		gothic := cookieNamed(t, resp, "_gothic_session")
		checkCookie(t, gothic, https)
		dialog, _ := url.Parse(resp.Header.Get("Location"))
		c := w.NewClient()
		cb := c.Dialog(t, dialog, ava.ID, nil)
		cb.Scheme, cb.Host = "http", strings.TrimPrefix(w.App.URL, "http://")
		req, _ := http.NewRequest(http.MethodGet, cb.String(), nil)
		req.AddCookie(&http.Cookie{Name: gothic.Name, Value: gothic.Value})
		resp, err = noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("https=%v: callback = %d", https, resp.StatusCode)
		}
		sess := cookieNamed(t, resp, "replydesk_session")
		checkCookie(t, sess, https)
		if len(sess.Value) < 40 || sess.MaxAge < int((29*24*time.Hour).Seconds()) {
			t.Errorf("session cookie value %d chars, max-age %d", len(sess.Value), sess.MaxAge)
		}
	}
}

func cookieNamed(t *testing.T, resp *http.Response, name string) *http.Cookie {
	t.Helper()
	var found *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == name && ck.MaxAge >= 0 {
			found = ck
		}
	}
	if found == nil {
		t.Fatalf("no %s cookie in %v", name, resp.Header.Values("Set-Cookie"))
	}
	return found
}

func checkCookie(t *testing.T, ck *http.Cookie, secure bool) {
	t.Helper()
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure != secure {
		t.Errorf("%s: HttpOnly=%v SameSite=%v Path=%q Secure=%v (want Secure=%v): %s",
			ck.Name, ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure, secure, ck.Raw)
	}
}

func teamUserID(t *testing.T, c *Client, name string) string {
	t.Helper()
	id := ""
	c.Get(t, "/team").Find(`[data-testid=team-row]`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Find(`[data-testid=team-name]`).Text()) == name {
			id = s.AttrOr("data-user-id", "")
		}
	})
	if id == "" {
		t.Fatalf("%s is not on the team page", name)
	}
	return id
}

func teamRole(t *testing.T, c *Client, name string) string {
	t.Helper()
	role := ""
	c.Get(t, "/team").Find(`[data-testid=team-row]`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Find(`[data-testid=team-name]`).Text()) == name {
			role = s.AttrOr("data-role", "")
		}
	})
	return role
}
