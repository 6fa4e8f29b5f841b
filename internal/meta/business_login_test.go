package meta

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/metasim"
)

func TestBusinessLoginURL_grantsTheConfiguration(t *testing.T) {
	const configID = "1122334455667788"
	sim, err := metasim.New(metasim.Config{AppID: testAppID, AppSecret: testAppSecret, Seed: 7,
		LoginConfigID: configID, LoginConfigScopes: Scopes()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	w := &simWorld{srv: srv, client: New(Options{GraphURL: srv.URL, Version: "v25.0", AppID: testAppID, AppSecret: testAppSecret})}
	var world struct {
		Users []struct{ ID string } `json:"users"`
	}
	w.control(t, http.MethodGet, "/control/world", "", &world)

	// The URL goth makes asks for email only; the configuration decides.
	gothURL := srv.URL + "/dialog/oauth?" + url.Values{"client_id": {testAppID}, "redirect_uri": {testRedirect},
		"response_type": {"code"}, "scope": {"email"}, "state": {"xyz"}}.Encode()
	tests := []struct {
		name, configID string
		wantCode       bool
	}{
		{"known configuration", configID, true},
		{"unknown configuration", "999", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := BusinessLoginURL(gothURL, tt.configID)
			if err != nil || strings.Contains(u, "scope=") || !strings.Contains(u, "state=xyz") {
				t.Fatalf("url %s, %v", u, err)
			}
			noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noFollow.Get(u + "&sim_user=" + world.Users[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			code := loc.Query().Get("code")
			if (code != "") != tt.wantCode {
				t.Fatalf("dialog answered %d %s", resp.StatusCode, loc)
			}
			if !tt.wantCode {
				return
			}
			tq := url.Values{"client_id": {testAppID}, "client_secret": {testAppSecret}, "redirect_uri": {testRedirect}, "code": {code}}
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			if _, err := w.client.call(context.Background(), http.MethodGet, "", srv.URL+"/oauth/access_token", tq, nil, &tok); err != nil {
				t.Fatal(err)
			}
			perms, err := w.client.Permissions(context.Background(), tok.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			granted := map[string]bool{}
			for _, p := range perms {
				granted[p.Name] = p.Status == "granted"
			}
			for _, s := range Scopes() {
				if !granted[s] {
					t.Errorf("%s not granted: %v", s, perms)
				}
			}
		})
	}
	if _, err := BusinessLoginURL(gothURL, ""); err == nil {
		t.Error("an empty config_id was accepted")
	}
}
