package setup

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/meta"
)

// The simulator covers the checks' happy paths end to end (web/e2e); these
// fakes give the failure shapes a simulator does not produce: proxies that
// redirect or rewrite, a subscription aimed elsewhere, dates near their end.

type fakeStore struct {
	accounts []account.Account
	since    func(createdAfter, receivedAfter time.Time) int
}

func (f fakeStore) ConnectedAccounts(context.Context) ([]account.Account, error) {
	return f.accounts, nil
}
func (f fakeStore) CommentsReceived(_ context.Context, _ string, c, r time.Time) (int, error) {
	return f.since(c, r), nil
}

type fakeGraph struct {
	subs      []meta.AppSubscription
	subsErr   error
	info      meta.TokenInfo
	installed bool
}

func (f fakeGraph) AppSubscriptions(context.Context) ([]meta.AppSubscription, error) {
	return f.subs, f.subsErr
}
func (f fakeGraph) DebugToken(context.Context, string) (meta.TokenInfo, error) { return f.info, nil }
func (f fakeGraph) AppSubscribed(context.Context, string, string) (bool, error) {
	return f.installed, nil
}

type fakeTokens struct{}

func (fakeTokens) PageToken(context.Context, string) (string, string, error) {
	return "page", "tok", nil
}

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func checkOf(r Report, section, key string) Check {
	for _, s := range r.Sections {
		if s.Title != section {
			continue
		}
		for _, c := range s.Checks {
			if c.Key == key {
				return c
			}
		}
	}
	return Check{}
}

func checker(t *testing.T, base string, g fakeGraph, st fakeStore, version string) *Checker {
	t.Helper()
	return New(Options{BaseURL: base, AppSecret: "secret", VerifyToken: "a-long-verify-token", GraphVersion: version,
		ReconcileEach: 5 * time.Minute, Now: func() time.Time { return now }}, st, g, fakeTokens{})
}

func TestInstallation_proxyShapes(t *testing.T) {
	cases := []struct {
		name            string
		handler         http.HandlerFunc
		handshake, post Status
		words           string
	}{
		{"redirects to https", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/webhooks/instagram", http.StatusTemporaryRedirect)
		}, Fail, Fail, "redirect (307"},
		{"drops the signature", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				w.Write([]byte(r.URL.Query().Get("hub.challenge")))
				return
			}
			w.WriteHeader(http.StatusUnauthorized)
		}, OK, Fail, "X-Hub-Signature-256"},
		{"another app answers", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<html>Welcome to nginx</html>"))
		}, Fail, OK, "without the challenge"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			g := fakeGraph{subs: []meta.AppSubscription{{Object: "instagram", Active: true, CallbackURL: srv.URL + "/webhooks/instagram",
				Fields: []string{"comments", "live_comments"}}}}
			r := checker(t, srv.URL, g, fakeStore{}, "v25.0").Run(context.Background())
			hs, post := checkOf(r, "This installation", "handshake"), checkOf(r, "This installation", "signed_delivery")
			if hs.Status != tc.handshake || post.Status != tc.post {
				t.Errorf("handshake %s (%s), post %s (%s)", hs.Status, hs.Found, post.Status, post.Found)
			}
			if all := hs.Found + hs.Fix + post.Found + post.Fix; !strings.Contains(all, tc.words) {
				t.Errorf("the checks do not say %q: %s", tc.words, all)
			}
		})
	}
}

func TestInstallation_subscriptionCredentialsAndVersion(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.URL.Query().Get("hub.challenge")))
	}))
	defer srv.Close()
	cases := []struct {
		name, version string
		g             fakeGraph
		key           string
		want          Status
		words         string
	}{
		{"callback elsewhere", "v25.0", fakeGraph{subs: []meta.AppSubscription{{Object: "instagram", Active: true,
			CallbackURL: "https://old.example/webhooks/instagram", Fields: []string{"comments", "live_comments"}}}},
			"app_subscription", Fail, "https://old.example"},
		{"live_comments missing", "v25.0", fakeGraph{subs: []meta.AppSubscription{{Object: "instagram", Active: true,
			CallbackURL: srv.URL + "/webhooks/instagram", Fields: []string{"comments"}}}}, "app_subscription", Fail, "live_comments"},
		{"no instagram object", "v25.0", fakeGraph{subs: []meta.AppSubscription{{Object: "page"}}}, "app_subscription", Fail, "no Instagram"},
		{"secret refused", "v25.0", fakeGraph{subsErr: &meta.Error{Code: 190, Message: "Invalid OAuth access token"}}, "credentials", Fail, "META_APP_SECRET"},
		{"version ended", "v20.0", fakeGraph{}, "graph_version", Fail, "ended on 24 September 2026"},
		{"version ending", "v21.0", fakeGraph{}, "graph_version", Warn, "21 January 2027"},
		{"version unknown", "v99.0", fakeGraph{}, "graph_version", Warn, "does not know"},
		{"version current", "v27.0", fakeGraph{}, "graph_version", OK, "current"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := checker(t, srv.URL, tc.g, fakeStore{}, tc.version).Run(context.Background())
			c := checkOf(r, "This installation", tc.key)
			if c.Status != tc.want || !strings.Contains(c.Found+" "+c.Fix, tc.words) {
				t.Errorf("%s = %s: %s / %s", tc.key, c.Status, c.Found, c.Fix)
			}
		})
	}
}

func TestAccount_accessPermissionsDataAccessAndActivity(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.URL.Query().Get("hub.challenge")))
	}))
	defer srv.Close()
	all := append(meta.Scopes(), "public_profile")
	acct := account.Account{ID: "111", Username: "acme.coffee", PageName: "Acme Coffee", ConnectedAt: now.Add(-30 * 24 * time.Hour)}
	cases := []struct {
		name  string
		info  meta.TokenInfo
		inst  bool
		last  time.Time
		since func(c, r time.Time) int
		key   string
		want  Status
		words string
	}{
		{"unsubscribed page", meta.TokenInfo{Valid: true, Scopes: all}, false, now, nil, "page_subscription", Fail, "Webhooks Disabled"},
		{"permission missing", meta.TokenInfo{Valid: true, Scopes: []string{"instagram_basic"}}, true, now, nil, "permissions", Fail, "pages_messaging"},
		{"optional permission missing", meta.TokenInfo{Valid: true, Scopes: without(all, "business_management")}, true, now, nil, "permissions", Warn, "business_management"},
		{"data access ends soon", meta.TokenInfo{Valid: true, Scopes: all, DataAccessExpiresAt: now.Add(5 * 24 * time.Hour)}, true, now, nil, "data_access", Warn, "6 December 2026"},
		{"data access ended", meta.TokenInfo{Valid: true, Scopes: all, DataAccessExpiresAt: now.Add(-time.Hour)}, true, now, nil, "data_access", Fail, "Ended"},
		{"token invalid", meta.TokenInfo{Valid: false, ErrorMessage: "The user has not authorized application."}, true, now, nil, "token", Fail, "not authorized"},
		{"token expiring", meta.TokenInfo{Valid: true, Scopes: all, ExpiresAt: now.Add(2 * 24 * time.Hour)}, true, now, nil, "token", Warn, "3 December 2026"},
		{"comments only through the catch-up", meta.TokenInfo{Valid: true, Scopes: all}, true, now.Add(-3 * time.Hour),
			func(c, r time.Time) int { return 4 }, "webhook_activity", Fail, "4 comments arrived only through"},
		{"silence against the usual volume", meta.TokenInfo{Valid: true, Scopes: all}, true, now.Add(-5 * time.Hour),
			func(c, r time.Time) int {
				if r.Equal(now.Add(-5 * time.Hour)) {
					return 0
				}
				return 700 // a comment every 15 min this week
			}, "webhook_activity", Warn, "usually gets a comment every 14 min"},
		{"no webhook ever", meta.TokenInfo{Valid: true, Scopes: all}, true, time.Time{}, nil, "webhook_activity", Warn, "account must be public"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := acct
			a.LastWebhookAt = tc.last
			since := tc.since
			if since == nil {
				since = func(time.Time, time.Time) int { return 0 }
			}
			g := fakeGraph{info: tc.info, installed: tc.inst, subsErr: errors.New("skip")}
			r := checker(t, srv.URL, g, fakeStore{accounts: []account.Account{a}, since: since}, "v25.0").Run(context.Background())
			c := checkOf(r, "@acme.coffee", tc.key)
			if c.Status != tc.want || !strings.Contains(c.Found+" "+c.Fix, tc.words) {
				t.Errorf("%s = %s: %s / %s", tc.key, c.Status, c.Found, c.Fix)
			}
		})
	}
}

func without(list []string, x string) []string {
	var out []string
	for _, s := range list {
		if s != x {
			out = append(out, s)
		}
	}
	return out
}
