package metasim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// dialogCode runs the dialog with extra query parameters and answers the code.
func (h *harness) dialogCode(extra url.Values) string {
	h.t.Helper()
	q := url.Values{"client_id": {testAppID}, "redirect_uri": {testRedirect}, "state": {"s1"}, "scope": {allScopes}}
	for k, v := range extra {
		q[k] = v
	}
	r := h.get("/v25.0/dialog/oauth?" + q.Encode())
	h.wantStatus(r, http.StatusFound)
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil || loc.Query().Get("state") != "s1" || !strings.HasPrefix(loc.String(), testRedirect+"?") {
		h.t.Fatalf("redirect %q", r.header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func TestOAuth_codeExchangeCredentials(t *testing.T) {
	h := newHarness(t)
	exchange := func(code string, basic bool, secret string) response {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}}
		if basic {
			req := h.do("POST", "/oauth/access_token", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded",
				"Authorization", "Basic "+basicAuth(testAppID, secret))
			return req
		}
		form.Set("client_id", testAppID)
		form.Set("client_secret", secret)
		return h.postForm("/oauth/access_token", form)
	}
	for _, basic := range []bool{true, false} {
		code := h.dialogCode(url.Values{"sim_user": {h.user(1)}})
		h.wantGraphError(exchange(code, basic, "wrong"), 400, 1, 0)
		r := exchange(code, basic, testAppSecret)
		h.wantStatus(r, http.StatusOK)
		var tok map[string]any
		h.decode(r, &tok)
		if tok["token_type"] != "bearer" || tok["expires_in"] != float64(5183) || !strings.HasPrefix(tok["access_token"].(string), "EAA") {
			t.Fatalf("token %s", r.body)
		}
		h.wantGraphError(exchange(code, basic, testAppSecret), 400, 100, 36009) // single use
	}
	code := h.dialogCode(url.Values{"sim_user": {h.user(1)}})
	r := h.postForm("/oauth/access_token", url.Values{"client_id": {testAppID}, "client_secret": {testAppSecret},
		"code": {code}, "redirect_uri": {"http://evil.example/cb"}})
	h.wantGraphError(r, 400, 100, 36008)
	code = h.dialogCode(url.Values{"sim_user": {h.user(1)}})
	h.advance("11m")
	h.wantGraphError(exchange(code, false, testAppSecret), 400, 100, 36007)
	h.wantGraphError(exchange("nope", false, testAppSecret), 400, 100, 36008)
	r = h.postForm("/oauth/access_token", url.Values{"client_id": {"999"}, "client_secret": {testAppSecret}, "code": {code}})
	h.wantGraphError(r, 400, 101, 0)
}

func basicAuth(id, secret string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

func TestOAuth_tokensExpireAndExchange(t *testing.T) {
	h := newHarness(t)
	short := h.login(h.user(0), allScopes)
	r := h.get("/oauth/access_token?" + url.Values{"grant_type": {"fb_exchange_token"}, "client_id": {testAppID},
		"client_secret": {testAppSecret}, "fb_exchange_token": {short}}.Encode())
	h.wantStatus(r, http.StatusOK)
	var long struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	h.decode(r, &long)
	if long.ExpiresIn != 5183944 {
		t.Fatalf("long-lived %s", r.body)
	}
	shortPage := h.pageToken(short, h.page(0))
	longPage := h.pageToken(long.AccessToken, h.page(0))
	h.advance("2h")
	h.wantGraphError(h.get("/me?access_token="+short), 400, 190, 463)
	h.wantGraphError(h.get("/me?access_token="+shortPage), 400, 190, 463)
	h.wantStatus(h.get("/me?access_token="+long.AccessToken), http.StatusOK)
	h.advance("90d")
	h.wantGraphError(h.get("/me?access_token="+long.AccessToken), 400, 190, 463)
	h.wantStatus(h.get("/me?access_token="+longPage), http.StatusOK) // Page tokens from long-lived ones never expire
	h.wantGraphError(h.get("/oauth/access_token?"+url.Values{"grant_type": {"fb_exchange_token"}, "client_id": {testAppID},
		"client_secret": {testAppSecret}, "fb_exchange_token": {short}}.Encode()), 400, 190, 463)
}

func TestOAuth_meFieldsProofAndBearer(t *testing.T) {
	h := newHarness(t)
	tok := h.login(h.user(2), "email")
	r := h.get("/me?fields=id,name,email,picture&access_token=" + tok + "&appsecret_proof=" + appsecretProof(testAppSecret, tok))
	h.wantStatus(r, http.StatusOK)
	if want := `{"id":"` + h.user(2) + `","name":"Chlo\u00e9 Dubois","email":"chloe.dubois@example.com","picture":{"data":`; !strings.HasPrefix(string(r.body), want) {
		t.Fatalf("me %s", r.body)
	}
	h.wantGraphError(h.get("/me?access_token="+tok+"&appsecret_proof=00ff"), 400, 100, 0)
	r = h.do("GET", "/v25.0/me", nil, "", "Authorization", "Bearer "+tok)
	h.wantStatus(r, http.StatusOK)
	if string(r.body) != `{"id":"`+h.user(2)+`","name":"Chlo\u00e9 Dubois"}` {
		t.Fatalf("default fields %s", r.body)
	}
	h.wantGraphError(h.get("/me?fields=id,nonsense&access_token="+tok), 400, 100, 0)
	h.wantGraphError(h.get("/me?fields=id,picture{url&access_token="+tok), 400, 2500, 0)
	h.wantGraphError(h.get("/me?access_token=EAAgarbage"), 400, 190, 0)
	// Without the email permission Meta leaves the field out.
	noEmail := h.login(h.user(3), "pages_show_list")
	if r := h.get("/me?fields=id,email&access_token=" + noEmail); strings.Contains(string(r.body), "email") {
		t.Fatalf("email without permission: %s", r.body)
	}
}

func TestOAuth_meAccountsPaging(t *testing.T) {
	h := newHarness(t)
	tok := h.login(h.user(0), allScopes)
	next := h.srv.URL + "/v25.0/me/accounts?fields=id,name,access_token,tasks,instagram_business_account{id,username,profile_picture_url}&limit=1&access_token=" + tok
	var pages []map[string]any
	for next != "" {
		r := h.get(strings.TrimPrefix(next, h.srv.URL))
		h.wantStatus(r, http.StatusOK)
		var page struct {
			Data   []map[string]any `json:"data"`
			Paging struct {
				Cursors struct{ Before, After string }
				Next    string
			}
		}
		h.decode(r, &page)
		if len(page.Data) > 0 && page.Paging.Cursors.After == "" {
			t.Fatalf("no cursors: %s", r.body)
		}
		pages = append(pages, page.Data...)
		next = page.Paging.Next
	}
	if len(pages) != 2 || pages[0]["id"] != h.page(0) || pages[1]["id"] != h.page(1) {
		t.Fatalf("pages %v", pages)
	}
	ig := pages[1]["instagram_business_account"].(map[string]any)
	if ig["id"] != h.account(1) || ig["username"] != "acme.outdoor" || pages[0]["access_token"] == "" || len(pages[0]["tasks"].([]any)) == 0 {
		t.Fatalf("page %v", pages[1])
	}
	for i, want := range []int{2, 1, 0, 1, 1} { // Ava, Ben, Chloé, Dana, Eli
		var list struct{ Data []json.RawMessage }
		h.decode(h.get("/me/accounts?access_token="+h.login(h.user(i), allScopes)), &list)
		if len(list.Data) != want {
			t.Errorf("user %d sees %d Pages, want %d", i, len(list.Data), want)
		}
	}
}

func TestOAuth_declineAndRerequest(t *testing.T) {
	h := newHarness(t)
	exchange := func(code string) string {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		h.decode(h.postForm("/oauth/access_token", url.Values{"client_id": {testAppID}, "client_secret": {testAppSecret},
			"redirect_uri": {testRedirect}, "code": {code}}), &tok)
		return tok.AccessToken
	}
	perms := func(tok string) map[string]string {
		var out struct {
			Data []struct{ Permission, Status string }
		}
		h.decode(h.get("/me/permissions?access_token="+tok), &out)
		m := map[string]string{}
		for _, p := range out.Data {
			m[p.Permission] = p.Status
		}
		return m
	}
	tok := exchange(h.dialogCode(url.Values{"sim_user": {h.user(0)}, "sim_decline": {"pages_messaging,instagram_manage_messages"}}))
	if p := perms(tok); p["pages_messaging"] != "declined" || p["instagram_manage_messages"] != "declined" || p["pages_show_list"] != "granted" {
		t.Fatalf("permissions %v", p)
	}
	tok = exchange(h.dialogCode(url.Values{"sim_user": {h.user(0)}}))
	if p := perms(tok); p["pages_messaging"] != "declined" {
		t.Fatalf("declined permission came back without rerequest: %v", p)
	}
	tok = exchange(h.dialogCode(url.Values{"sim_user": {h.user(0)}, "auth_type": {"rerequest"}}))
	if p := perms(tok); p["pages_messaging"] != "granted" || p["instagram_manage_messages"] != "granted" {
		t.Fatalf("after rerequest: %v", p)
	}
	// The dialog page's checkboxes decline whatever is left unticked.
	tok = exchange(h.dialogCode(url.Values{"sim_user": {h.user(1)}, "sim_choose": {"1"}, "sim_allow": {"email", "pages_show_list"}}))
	if p := perms(tok); p["email"] != "granted" || p["pages_messaging"] != "declined" {
		t.Fatalf("checkbox permissions %v", p)
	}
	var list struct{ Data []json.RawMessage }
	none := exchange(h.dialogCode(url.Values{"sim_user": {h.user(4)}, "scope": {"email,pages_show_list"}, "sim_decline": {"pages_show_list"}}))
	h.decode(h.get("/me/accounts?access_token="+none), &list)
	if len(list.Data) != 0 {
		t.Fatalf("Pages without pages_show_list: %d", len(list.Data))
	}
}

func TestOAuth_dialogPageAndErrors(t *testing.T) {
	h := newHarness(t)
	q := url.Values{"client_id": {testAppID}, "redirect_uri": {testRedirect}, "state": {`"><script>x</script>`}, "scope": {"email"}}
	r := h.get("/dialog/oauth?" + q.Encode())
	h.wantStatus(r, http.StatusOK)
	body := string(r.body)
	for _, want := range []string{"Ava Martin", "Chloé Dubois", "No Page roles", "sim_user=" + h.user(0), "Acme Outdoor"} {
		if !strings.Contains(body, want) {
			t.Errorf("dialog lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>x</script>") {
		t.Fatal("dialog does not escape the query")
	}
	for name, bad := range map[string]url.Values{
		"client_id":    {"client_id": {"999"}, "redirect_uri": {testRedirect}},
		"redirect_uri": {"client_id": {testAppID}},
		"scope":        {"client_id": {testAppID}, "redirect_uri": {testRedirect}, "scope": {"email,read_minds"}},
		"user":         {"client_id": {testAppID}, "redirect_uri": {testRedirect}, "sim_user": {"42"}},
	} {
		if r := h.get("/dialog/oauth?" + bad.Encode()); r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d", name, r.status)
		}
	}
	q.Set("sim_cancel", "1")
	loc, _ := url.Parse(h.get("/dialog/oauth?" + q.Encode()).header.Get("Location"))
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("error_reason") != "user_denied" {
		t.Fatalf("cancel redirect %s", loc)
	}
}

func TestOAuth_debugToken(t *testing.T) {
	h := newHarness(t)
	page := h.avaPage(0)
	r := h.get("/debug_token?" + url.Values{"input_token": {page}, "access_token": {testAppID + "|" + testAppSecret}}.Encode())
	h.wantStatus(r, http.StatusOK)
	var out struct {
		Data struct {
			Type      string   `json:"type"`
			IsValid   bool     `json:"is_valid"`
			ExpiresAt int64    `json:"expires_at"`
			Scopes    []string `json:"scopes"`
			ProfileID string   `json:"profile_id"`
		}
	}
	h.decode(r, &out)
	if out.Data.Type != "PAGE" || !out.Data.IsValid || out.Data.ExpiresAt != 0 || out.Data.ProfileID != h.page(0) || len(out.Data.Scopes) < 5 {
		t.Fatalf("debug %s", r.body)
	}
	h.wantGraphError(h.get("/debug_token?input_token=x&access_token="+testAppID+"|wrong"), 400, 190, 0)
}
