package metasim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

const testConfigID = "998877665544332"

func withLoginConfig(scopes ...string) harnessOpt {
	return withConfig(func(c *Config) { c.LoginConfigID, c.LoginConfigScopes = testConfigID, scopes })
}

// dialogQuery is a dialog request with config_id instead of scope.
func dialogQuery(configID string, extra url.Values) string {
	q := url.Values{"client_id": {testAppID}, "redirect_uri": {testRedirect}, "state": {"st"},
		"response_type": {"code"}, "config_id": {configID}}
	for k, v := range extra {
		q[k] = v
	}
	return "/v25.0/dialog/oauth?" + q.Encode()
}

// grantedBy exchanges the dialog's code and lists the granted permissions.
func (h *harness) grantedBy(r response) []string {
	h.t.Helper()
	h.wantStatus(r, http.StatusFound)
	loc, _ := url.Parse(r.header.Get("Location"))
	tr := h.postForm("/oauth/access_token", url.Values{"client_id": {testAppID}, "client_secret": {testAppSecret},
		"redirect_uri": {testRedirect}, "code": {loc.Query().Get("code")}})
	h.wantStatus(tr, http.StatusOK)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	h.decode(tr, &tok)
	var perms struct {
		Data []struct{ Permission, Status string }
	}
	h.decode(h.get("/me/permissions?access_token="+tok.AccessToken), &perms)
	var out []string
	for _, p := range perms.Data {
		if p.Status == "granted" {
			out = append(out, p.Permission)
		}
	}
	slices.Sort(out)
	return out
}

func TestLoginForBusiness_allOrNothing(t *testing.T) {
	h := newHarness(t, withLoginConfig())
	want := slices.Clone(defaultLoginConfigScopes)
	slices.Sort(want)
	// A permission declined earlier in a classic login is granted with the configuration.
	q := url.Values{"client_id": {testAppID}, "redirect_uri": {testRedirect}, "scope": {allScopes},
		"sim_user": {h.user(0)}, "sim_decline": {"pages_messaging"}}
	if got := h.grantedBy(h.get("/dialog/oauth?" + q.Encode())); slices.Contains(got, "pages_messaging") {
		t.Fatalf("classic login granted a declined permission: %v", got)
	}
	// sim_decline cannot take anything out of a configuration; scope is ignored.
	r := h.get(dialogQuery(testConfigID, url.Values{"sim_user": {h.user(0)}, "sim_decline": {"instagram_manage_comments"}, "scope": {"email"}}))
	if got := h.grantedBy(r); !slices.Equal(got, want) {
		t.Fatalf("granted %v, want %v", got, want)
	}
	// Cancelling grants nothing.
	r = h.get(dialogQuery(testConfigID, url.Values{"sim_cancel": {"1"}}))
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusFound || loc.Query().Get("error") != "access_denied" || loc.Query().Get("code") != "" {
		t.Fatalf("cancel %d %s", r.status, loc)
	}
	// The page shows the set without per-permission checkboxes.
	page := h.get(dialogQuery(testConfigID, nil))
	h.wantStatus(page, http.StatusOK)
	if body := string(page.body); !strings.Contains(body, `data-testid="business-config"`) || strings.Contains(body, "sim_allow") ||
		!strings.Contains(body, "instagram_manage_comments") {
		t.Fatalf("dialog page %s", body)
	}
}

func TestLoginForBusiness_configuredScopesAndUnknownConfig(t *testing.T) {
	h := newHarness(t, withLoginConfig("pages_show_list", "instagram_basic"))
	got := h.grantedBy(h.get(dialogQuery(testConfigID, url.Values{"sim_user": {h.user(1)}})))
	if !slices.Equal(got, []string{"instagram_basic", "pages_show_list", "public_profile"}) {
		t.Fatalf("granted %v", got)
	}
	for _, tt := range []struct{ name, configID string }{{"unknown", "123"}, {"other app's", testConfigID + "0"}} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.get(dialogQuery(tt.configID, url.Values{"sim_user": {h.user(1)}}))
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `data-testid="dialog-error"`) ||
				!strings.Contains(string(r.body), "config_id") {
				t.Fatalf("got %d %s", r.status, r.body)
			}
		})
	}
	none := newHarness(t) // no configuration at all
	if r := none.get(dialogQuery(testConfigID, url.Values{"sim_user": {none.user(0)}})); r.status != http.StatusBadRequest {
		t.Fatalf("a simulator without a configuration answered %d", r.status)
	}
}

func TestDebugToken_dataAccessAndErrors(t *testing.T) {
	h := newHarness(t)
	app := testAppID + "|" + testAppSecret
	debug := func(input string) map[string]any {
		t.Helper()
		r := h.get("/debug_token?" + url.Values{"input_token": {input}, "access_token": {app}}.Encode())
		h.wantStatus(r, http.StatusOK)
		var out struct{ Data map[string]any }
		h.decode(r, &out)
		return out.Data
	}
	long := h.longToken(h.login(h.user(0), allScopes))
	d := debug(long)
	issued := float64(testEpoch.Unix())
	if d["is_valid"] != true || d["type"] != "USER" || d["user_id"] != h.user(0) || d["issued_at"] != issued ||
		d["data_access_expires_at"] != float64(testEpoch.Add(90*24*time.Hour).Unix()) ||
		d["expires_at"] != float64(testEpoch.Add(longTokenTTL).Unix()) || len(d["scopes"].([]any)) < 8 {
		t.Fatalf("long-lived token %v", d)
	}
	page := h.pageToken(long, h.page(0))
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "token_revoked", "account": h.account(0)}), http.StatusOK)
	d = debug(page)
	e, _ := d["error"].(map[string]any)
	if d["is_valid"] != false || d["type"] != "PAGE" || e["code"] != float64(190) || e["subcode"] != float64(460) {
		t.Fatalf("revoked Page token %v", d)
	}
	d = debug("EAAgarbage")
	if d["is_valid"] != false || d["type"] != nil || len(d["scopes"].([]any)) != 0 || d["error"] == nil {
		t.Fatalf("garbage token %v", d)
	}
}

func TestAppSubscriptions(t *testing.T) {
	h := newHarness(t, withWebhook())
	app := testAppID + "|" + testAppSecret
	r := h.get("/v25.0/" + testAppID + "/subscriptions?access_token=" + url.QueryEscape(app))
	h.wantStatus(r, http.StatusOK)
	want := `{"data":[{"object":"instagram","callback_url":"` + strings.ReplaceAll(h.sim.cfg.WebhookURL, "/", `\/`) +
		`","active":true,"fields":[{"name":"comments","version":"v25.0"},{"name":"live_comments","version":"v25.0"}]}]}`
	if string(r.body) != want {
		t.Fatalf("got  %s\nwant %s", r.body, want)
	}
	h.wantGraphError(h.get("/v25.0/"+testAppID+"/subscriptions?access_token="+url.QueryEscape(h.avaPage(0))), 400, 100, 33)
	h.wantGraphError(h.get("/v25.0/"+testAppID+"/roles?access_token="+url.QueryEscape(app)), 400, 100, 0)
	bare := newHarness(t)
	if r := bare.get("/v25.0/" + testAppID + "/subscriptions?access_token=" + url.QueryEscape(app)); string(r.body) != `{"data":[]}` {
		t.Fatalf("without a webhook URL: %s", r.body)
	}
}
