package metasim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/markbates/goth/providers/facebook"
)

// rewriteTransport sends facebook.com requests to the simulator, as the app
// does when META_GRAPH_URL points at it.
type rewriteTransport struct{ target *url.URL }

func (rt rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rt.target.Scheme, rt.target.Host, ""
	return http.DefaultTransport.RoundTrip(r)
}

// TestOAuth_gothFacebookProvider logs in through goth's real Facebook
// provider: its dialog URL, x/oauth2's code exchange and the /me call with
// appsecret_proof (TOOLING.md §2).
func TestOAuth_gothFacebookProvider(t *testing.T) {
	h := newHarness(t)
	target, _ := url.Parse(h.srv.URL)
	p := facebook.New(testAppID, testAppSecret, testRedirect, strings.Split(allScopes, ",")...)
	p.SetCustomFields([]string{"id", "name", "email", "picture"})
	p.HTTPClient = &http.Client{Transport: rewriteTransport{target}}
	sess, err := p.BeginAuth("state-123")
	if err != nil {
		t.Fatal(err)
	}
	authURL, _ := sess.GetAuthURL()
	u, _ := url.Parse(authURL)
	q := u.Query()
	q.Set("sim_user", h.user(0))
	r := h.get(u.Path + "?" + q.Encode())
	h.wantStatus(r, http.StatusFound)
	back, _ := url.Parse(r.header.Get("Location"))
	if back.Query().Get("state") != "state-123" {
		t.Fatalf("redirect %s", back)
	}
	if _, err := sess.Authorize(p, back.Query()); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	user, err := p.FetchUser(sess)
	if err != nil {
		t.Fatalf("FetchUser: %v", err)
	}
	if user.UserID != h.user(0) || user.Name != "Ava Martin" || user.Email != "ava.martin@example.com" ||
		!strings.HasSuffix(user.AvatarURL, "/avatars/"+h.user(0)+".svg") || user.AccessToken == "" {
		t.Fatalf("user %+v", user)
	}
}
