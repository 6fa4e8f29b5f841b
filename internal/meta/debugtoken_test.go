package meta

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/metasim"
)

func TestDebugToken_validRevokedAndGarbage(t *testing.T) {
	w := newSimWorld(t)
	ctx := context.Background()
	long, err := w.client.ExchangeToken(ctx, w.login(t, 0))
	if err != nil {
		t.Fatal(err)
	}
	info, err := w.client.DebugToken(ctx, long.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Valid || info.Type != "USER" || info.AppID != testAppID || info.UserID != w.users[0].ID ||
		!info.HasScope("instagram_manage_comments") || info.IssuedAt.IsZero() ||
		info.ExpiresAt.Sub(info.IssuedAt) < 59*24*time.Hour || info.DataAccessExpiresAt.Sub(info.IssuedAt) != 90*24*time.Hour {
		t.Fatalf("user token %+v", info)
	}
	p := w.page(t, 0)
	w.controlRaw(t, http.MethodPost, "/control/faults", `{"kind":"token_revoked","account":"`+p.Instagram.ID+`"}`, nil)
	info, err = w.client.DebugToken(ctx, p.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if info.Valid || info.Type != "PAGE" || info.ProfileID != p.ID || !info.ExpiresAt.IsZero() ||
		info.ErrorCode != 190 || info.ErrorSubcode != 460 || info.ErrorMessage == "" {
		t.Fatalf("revoked Page token %+v", info)
	}
	info, err = w.client.DebugToken(ctx, "EAAgarbage")
	if err != nil || info.Valid || info.Type != "" || info.ErrorCode != 190 {
		t.Fatalf("garbage token %+v, %v", info, err)
	}
	bad := New(Options{GraphURL: w.srv.URL, Version: "v25.0", AppID: testAppID, AppSecret: "wrong"})
	if _, err := bad.DebugToken(ctx, long.AccessToken); !IsTokenError(err) {
		t.Fatalf("wrong app secret: %v", err)
	}
}

func TestDebugToken_numericIDs(t *testing.T) {
	// Meta's own example sends app_id as a number.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v25.0/debug_token" || r.URL.Query().Get("access_token") != "1|s" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{
			"app_id": 138483919580948, "type": "USER", "is_valid": true, "expires_at": 1352419328,
			"data_access_expires_at": 1544920000, "scopes": []string{"email"}, "user_id": "1207059"}})
	}))
	defer srv.Close()
	c := New(Options{GraphURL: srv.URL, Version: "v25.0", AppID: "1", AppSecret: "s"})
	info, err := c.DebugToken(context.Background(), "tok")
	if err != nil || info.AppID != "138483919580948" || info.UserID != "1207059" ||
		info.DataAccessExpiresAt.Unix() != 1544920000 || !info.IssuedAt.IsZero() {
		t.Fatalf("%+v, %v", info, err)
	}
}

func TestAppSubscriptions_setupCheck(t *testing.T) {
	tests := []struct {
		name    string
		webhook string
		want    []AppSubscription
	}{
		{"subscribed", "http://app.test/webhooks/instagram", []AppSubscription{{Object: "instagram",
			CallbackURL: "http://app.test/webhooks/instagram", Active: true, Fields: []string{"comments", "live_comments"}}}},
		{"no callback", "", []AppSubscription{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, err := metasim.New(metasim.Config{AppID: testAppID, AppSecret: testAppSecret, WebhookURL: tt.webhook})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sim.Handler())
			defer srv.Close()
			c := New(Options{GraphURL: srv.URL, Version: "v25.0", AppID: testAppID, AppSecret: testAppSecret})
			got, err := c.AppSubscriptions(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, tt.want, func(a, b AppSubscription) bool {
				return a.Object == b.Object && a.CallbackURL == b.CallbackURL && a.Active == b.Active && slices.Equal(a.Fields, b.Fields)
			}) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
