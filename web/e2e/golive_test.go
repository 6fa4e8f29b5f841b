package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/signedreq"
	"github.com/replydesk/replydesk/web/webtest"
)

// callback POSTs a signed_request to one of the app's Meta callbacks, as
// Meta (or a forger) would.
func callback(t *testing.T, appURL, path, signed string) (int, string) {
	t.Helper()
	resp, err := http.PostForm(appURL+path, url.Values{"signed_request": {signed}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// bearer calls the API with a personal API token and nothing else: no
// cookie, no CSRF token.
func bearer(t *testing.T, base, token, method, path string, body any) *Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return webtest.NewClient(base).Do(t, req)
}

func errorCode(r *Response) string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal([]byte(r.Body), &e)
	return e.Error.Code
}

type callbackResult struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
	Body   string `json:"body"`
}

// TestMetaCallbacks_forgedChangesNothingThenDeauthorizeAndDataDeletion:
// forged or malformed signed_requests get 400 and change nothing; Meta's
// deauthorize (sent by the simulator, signed as Meta signs) ends the
// person's sessions, API tokens and access; its data deletion erases them
// and answers a status page that says what was deleted.
func TestMetaCallbacks_forgedChangesNothingThenDeauthorizeAndDataDeletion(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	benID := d.User("Ben").ID
	ava := w.Login(t, d.User("Ava").ID)
	ben := w.Login(t, benID) // outdoor's Page token now comes from Ben's login
	r := ben.PostJSON(t, "/api/v1/tokens", map[string]string{"name": "ben's script"})
	var tok struct{ Token string }
	if json.Unmarshal([]byte(r.Body), &tok); r.Status != http.StatusCreated || tok.Token == "" {
		t.Fatalf("token = %d %s", r.Status, r.Body)
	}

	payload := fmt.Sprintf(`{"algorithm":"HMAC-SHA256","issued_at":%d,"user_id":"%s"}`, time.Now().Unix(), benID)
	good := signedreq.Sign(w.AppSecret, []byte(payload))
	sig, _, _ := strings.Cut(good, ".")
	forged := map[string]string{
		"wrong secret":    signedreq.Sign("not-the-app-secret", []byte(payload)),
		"payload swapped": sig + "." + strings.Split(signedreq.Sign(w.AppSecret, []byte(strings.Replace(payload, benID, d.User("Ava").ID, 1))), ".")[1],
		"not a request":   "hello",
		"missing":         "",
		"other algorithm": signedreq.Sign(w.AppSecret, []byte(strings.Replace(payload, "HMAC-SHA256", "none", 1))),
	}
	for name, signed := range forged {
		for _, path := range []string{"/meta/deauthorize", "/meta/data-deletion"} {
			if status, body := callback(t, w.App.URL, path, signed); status != http.StatusBadRequest || !strings.Contains(body, "bad_signed_request") {
				t.Errorf("%s to %s: %d %s", name, path, status, body)
			}
		}
	}
	if r := ben.Get(t, "/inbox"); r.Status != http.StatusOK {
		t.Fatalf("after forged callbacks ben's session: %d", r.Status)
	}
	if r := bearer(t, w.App.URL, tok.Token, "GET", "/api/v1/accounts", nil); r.Status != http.StatusOK {
		t.Fatalf("after forged callbacks ben's token: %d %s", r.Status, r.Body)
	}

	var res callbackResult
	w.Control(t, http.MethodPost, "/control/deauthorize", map[string]string{"user": benID}, &res)
	if res.Status != http.StatusOK || res.URL != w.App.URL+"/meta/deauthorize" {
		t.Fatalf("deauthorize callback = %+v", res)
	}
	if r := ben.Get(t, "/inbox"); r.Status != http.StatusSeeOther || r.Location() != "/login" {
		t.Errorf("ben's session after deauthorize: %d %s", r.Status, r.Location())
	}
	if r := bearer(t, w.App.URL, tok.Token, "GET", "/api/v1/accounts", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("ben's token after deauthorize: %d", r.Status)
	}
	var accts struct {
		Data []struct {
			Username   string `json:"username"`
			TokenState string `json:"token_state"`
		} `json:"data"`
	}
	ava.GetJSON(t, "/api/v1/accounts", &accts)
	for _, a := range accts.Data {
		if want := map[string]string{"acme.coffee": "ok", "acme.outdoor": "needs_reconnect"}[a.Username]; a.TokenState != want {
			t.Errorf("%s is %s, want %s (Meta revoked the Page token Ben's login got)", a.Username, a.TokenState, want)
		}
	}
	if page := ava.Get(t, "/team"); !strings.Contains(page.Body, "Ben ") {
		t.Error("deauthorize removed Ben from the team; only data deletion does")
	}

	w.Control(t, http.MethodPost, "/control/data-deletion", map[string]string{"user": benID}, &res)
	var answer struct {
		URL  string `json:"url"`
		Code string `json:"confirmation_code"`
	}
	if err := json.Unmarshal([]byte(res.Body), &answer); err != nil || res.Status != http.StatusOK ||
		answer.Code == "" || answer.URL != w.App.URL+"/meta/deletion/"+answer.Code {
		t.Fatalf("data deletion answer = %+v (%s)", res, res.Body)
	}
	status := w.NewClient().Get(t, answer.URL)
	if status.Status != http.StatusOK || status.Find("[data-testid=deletion-code]").Text() != answer.Code {
		t.Fatalf("status page = %d %.300s", status.Status, status.Body)
	}
	if lines := status.Find("[data-testid=deletion-lines]").Text(); !strings.Contains(lines, "user record") || !strings.Contains(lines, "Facebook access token") {
		t.Errorf("status page says %q", lines)
	}
	if page := ava.Get(t, "/team"); strings.Contains(page.Find("[data-testid=team-name]").Text(), "Ben") {
		t.Error("Ben is still on the team after data deletion")
	}
	if r := w.NewClient().Get(t, "/meta/deletion/0123456789abcdef0123"); r.Status != http.StatusNotFound {
		t.Errorf("unknown code: %d", r.Status)
	}
	// Meta may ask again about someone already erased: still an answer.
	w.Control(t, http.MethodPost, "/control/data-deletion", map[string]string{"user": benID}, &res)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "confirmation_code") {
		t.Errorf("second data deletion = %+v", res)
	}
}

// TestLoginForBusiness_configIDInsteadOfScope: with META_LOGIN_CONFIG_ID
// the dialog gets config_id and no scope, the simulator grants the
// configuration's whole set, and the login works as usual.
func TestLoginForBusiness_configIDInsteadOfScope(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{LoginConfigID: "981234567890"})
	d := w.World()
	c := w.NewClient()
	dialog := c.StartLogin(t, "")
	q := dialog.Query()
	if q.Get("config_id") != "981234567890" || q.Has("scope") {
		t.Fatalf("dialog URL %s: want config_id and no scope", dialog)
	}
	resp := c.Callback(t, c.Dialog(t, dialog, d.User("Ava").ID, nil))
	if resp.Status != http.StatusSeeOther {
		t.Fatalf("callback = %d %.300s", resp.Status, resp.Body)
	}
	c.Get(t, resp.Location())
	var accts struct {
		Data []struct{ Username string } `json:"data"`
	}
	c.GetJSON(t, "/api/v1/accounts", &accts)
	if len(accts.Data) != 2 {
		t.Errorf("accounts after a Login for Business: %+v", accts.Data)
	}
	if page := c.Get(t, "/inbox"); page.Find("[data-testid=banner]").Length() != 0 {
		t.Errorf("banners after an all-or-nothing consent: %s", page.Find("[data-testid=banner]").Text())
	}
}

// TestAPITokens_actAsTheirUserUntilRevoked: a token made on the settings
// page or through the API works as its user with no CSRF token and the
// same permissions; a cookie write without the CSRF token is still
// refused; a revoked token, and the token of a user who lost access, get 401.
func TestAPITokens_actAsTheirUserUntilRevoked(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	coffee, outdoor := d.Account("acme.coffee"), d.Account("acme.outdoor")
	ava := w.Login(t, d.User("Ava").ID)
	ben := w.Login(t, d.User("Ben").ID)
	onCoffee := w.comment(t, map[string]any{"account": coffee.ID, "text": "price?"})
	onOutdoor := w.comment(t, map[string]any{"account": outdoor.ID, "text": "size?"})
	waitComment(t, ava, onCoffee)
	waitComment(t, ava, onOutdoor)

	page := ava.PostForm(t, "/settings/tokens", url.Values{"name": {"Nightly export"}})
	avaTok := page.Find("[data-testid=new-token-value]").AttrOr("value", "")
	if page.Status != http.StatusOK || !strings.HasPrefix(avaTok, "rdk_") {
		t.Fatalf("settings page token = %d %q", page.Status, avaTok)
	}
	if again := ava.Get(t, "/settings/tokens"); strings.Contains(again.Body, avaTok) || again.Find("[data-testid=token-row]").Length() != 1 {
		t.Error("the token is shown again, or not listed")
	}
	r := ben.PostJSON(t, "/api/v1/tokens", map[string]string{"name": "ben"})
	var created struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	json.Unmarshal([]byte(r.Body), &created)
	benTok := created.Token
	if r.Status != http.StatusCreated || !strings.HasPrefix(benTok, "rdk_") {
		t.Fatalf("API token = %d %s", r.Status, r.Body)
	}
	if r := ava.PostJSON(t, "/api/v1/tokens", map[string]string{"name": " "}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty name: %d", r.Status)
	}

	// The token acts as its user: writes without any CSRF token.
	if r := bearer(t, w.App.URL, avaTok, "POST", "/api/v1/comments/"+onCoffee+"/status", map[string]string{"status": "done"}); r.Status != http.StatusOK {
		t.Errorf("bearer write: %d %s", r.Status, r.Body)
	}
	// ...with the same permissions: Ben cannot reach coffee, nor make webhooks.
	if r := bearer(t, w.App.URL, benTok, "GET", "/api/v1/comments/"+onCoffee, nil); r.Status != http.StatusNotFound {
		t.Errorf("ben's token reads coffee: %d", r.Status)
	}
	if r := bearer(t, w.App.URL, benTok, "POST", "/api/v1/webhooks", map[string]any{"url": "https://x.example", "events": []string{"comment.created"}}); r.Status != http.StatusForbidden {
		t.Errorf("ben's token makes a webhook: %d", r.Status)
	}
	// A cookie still needs the CSRF token, even beside a token header that is bad.
	req, _ := http.NewRequest("POST", w.App.URL+"/api/v1/comments/"+onCoffee+"/status", strings.NewReader(`{"status":"open"}`))
	req.Header.Set("Content-Type", "application/json")
	if r := ava.Do(t, req); r.Status != http.StatusForbidden || errorCode(r) != "csrf_failed" {
		t.Errorf("cookie write without CSRF: %d %s", r.Status, r.Body)
	}
	req, _ = http.NewRequest("POST", w.App.URL+"/api/v1/comments/"+onCoffee+"/status", strings.NewReader(`{"status":"open"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+avaTok+"x")
	if r := ava.Do(t, req); r.Status != http.StatusUnauthorized {
		t.Errorf("cookie with a bad token: %d %s", r.Status, r.Body)
	}

	var list struct {
		Data []map[string]any `json:"data"`
	}
	if bearer(t, w.App.URL, benTok, "GET", "/api/v1/tokens", nil).Status != http.StatusOK {
		t.Error("listing tokens with a token")
	}
	ben.GetJSON(t, "/api/v1/tokens", &list)
	if len(list.Data) != 1 || list.Data[0]["token"] != nil || list.Data[0]["last_used_at"] == nil {
		t.Errorf("ben's tokens = %+v", list.Data)
	}

	// Revoked: 401 at once.
	if r := bearer(t, w.App.URL, avaTok, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), nil); r.Status != http.StatusNotFound {
		t.Errorf("ava revokes ben's token: %d", r.Status)
	}
	rows := ava.Get(t, "/settings/tokens").Find("[data-testid=token-row]")
	id, _ := rows.Attr("data-token-id")
	if r := ava.PostForm(t, "/settings/tokens/"+id+"/delete", nil); r.Status != http.StatusSeeOther {
		t.Errorf("revoke on the page: %d", r.Status)
	}
	if r := bearer(t, w.App.URL, avaTok, "GET", "/api/v1/comments", nil); r.Status != http.StatusUnauthorized || errorCode(r) != "invalid_token" {
		t.Errorf("revoked token: %d %s", r.Status, r.Body)
	}
	// Ben loses his only account (an admin disconnects it): his token stops.
	if r := ava.PostJSON(t, "/api/v1/accounts/"+outdoor.ID+"/disconnect", map[string]bool{"purge": false}); r.Status != http.StatusOK {
		t.Fatalf("disconnect: %d %s", r.Status, r.Body)
	}
	if r := bearer(t, w.App.URL, benTok, "GET", "/api/v1/comments", nil); r.Status != http.StatusUnauthorized || errorCode(r) != "token_user_no_access" {
		t.Errorf("token of a user without access: %d %s", r.Status, r.Body)
	}
}
