package setup

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/replydesk/replydesk/internal/meta"
)

// userAgent is what Meta's webhook requests carry; the checks send it too,
// so a proxy that treats Meta specially treats them the same.
const userAgent = "facebookexternalua"

// installation checks what the whole installation needs.
func (c *Checker) installation(ctx context.Context) Section {
	s := Section{Title: "This installation"}
	s.Checks = append(s.Checks, c.checkHTTPS())
	hs, reached := c.checkHandshake(ctx)
	s.Checks = append(s.Checks, hs)
	if reached {
		s.Checks = append(s.Checks, c.checkSignedPost(ctx))
	} else {
		s.Checks = append(s.Checks, Check{Key: "signed_delivery", Title: "Signed webhook deliveries get through",
			Status: Unknown, Found: "Not checked: the public address did not answer."})
	}
	subs, subErr := c.graph.AppSubscriptions(ctx)
	s.Checks = append(s.Checks, c.checkCredentials(subErr), c.checkAppSubscription(subs, subErr), c.checkVersion())
	return s
}

func (c *Checker) callbackURL() string {
	return strings.TrimRight(c.opt.BaseURL, "/") + "/webhooks/instagram"
}

func (c *Checker) checkHTTPS() Check {
	ch := Check{Key: "https", Title: "The public address uses https"}
	u, _ := url.Parse(c.opt.BaseURL)
	switch {
	case u != nil && u.Scheme == "https":
		ch.Status, ch.Found = OK, "REPLYDESK_BASE_URL is "+c.opt.BaseURL+"."
	case c.opt.Demo:
		ch.Status, ch.Found = OK, "Demo mode: the simulated Meta platform calls "+c.opt.BaseURL+" directly."
	default:
		ch.Status, ch.Found = Fail, "REPLYDESK_BASE_URL is "+c.opt.BaseURL+", which is not https."
		ch.Fix = "Meta only calls https addresses with a valid certificate. Serve Replydesk behind a TLS proxy " +
			"(Caddy, nginx or your load balancer), set REPLYDESK_BASE_URL to its https:// address, then in Meta's " +
			"App Dashboard → Webhooks → Instagram, set the callback URL to that address + /webhooks/instagram. " +
			"Also add that address + /auth/facebook/callback under Facebook Login → Settings → Valid OAuth Redirect URIs."
	}
	return ch
}

// checkHandshake runs Meta's verification handshake against the public
// address, as Meta does when the callback is saved. reached reports whether
// the address answered at all.
func (c *Checker) checkHandshake(ctx context.Context) (ch Check, reached bool) {
	ch = Check{Key: "handshake", Title: "Meta's webhook handshake works"}
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<40))
	challenge := n.String()
	q := url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {challenge}, "hub.verify_token": {c.opt.VerifyToken}}
	target := c.callbackURL()
	status, body, loc, err := c.request(ctx, http.MethodGet, target+"?"+q.Encode(), nil, nil)
	switch {
	case err != nil:
		ch.Status, ch.Found = Fail, "Replydesk could not reach itself at "+target+": "+err.Error()+"."
		ch.Fix = "Make sure this address reaches this server from the internet: DNS, firewall and proxy must pass " +
			"requests for /webhooks/instagram to Replydesk."
		if strings.Contains(err.Error(), "certificate") {
			ch.Fix = "Meta rejects self-signed, expired and mismatched certificates. Give the proxy a certificate " +
				"from a public authority (Let's Encrypt, for one) for this host name."
		}
		return ch, false
	case status >= 300 && status < 400:
		ch.Status, ch.Found = Fail, fmt.Sprintf("%s answers with a redirect (%d to %s).", target, status, loc)
		ch.Fix = "Meta does not follow redirects, and a redirect on the callback stops webhooks. Make the proxy pass " +
			"/webhooks/instagram to Replydesk as it is (no http→https or trailing-slash redirects), and set " +
			"REPLYDESK_BASE_URL to the address that answers directly."
	case status == http.StatusForbidden:
		ch.Status, ch.Found = Fail, target+" refused this installation's verify token."
		ch.Fix = "Another server, or a Replydesk with another META_VERIFY_TOKEN, answers at this address. " +
			"Point the address at this installation."
	case status != http.StatusOK || strings.TrimSpace(body) != challenge:
		ch.Status, ch.Found = Fail, fmt.Sprintf("%s answered %d without the challenge.", target, status)
		ch.Fix = "Something other than Replydesk answers at this address (a proxy's error page, another app). " +
			"Make the proxy pass /webhooks/instagram to Replydesk."
	default:
		ch.Status, ch.Found = OK, target+" answers the handshake with the challenge, as Meta expects."
	}
	return ch, true
}

// checkSignedPost sends an empty delivery signed as Meta signs them: a
// proxy that alters bodies or drops the signature header shows up here.
func (c *Checker) checkSignedPost(ctx context.Context) Check {
	ch := Check{Key: "signed_delivery", Title: "Signed webhook deliveries get through"}
	body := []byte(`{"object":"instagram","entry":[]}`)
	mac := hmac.New(sha256.New, []byte(c.opt.AppSecret))
	mac.Write(body)
	h := http.Header{"Content-Type": {"application/json"}, "X-Hub-Signature-256": {"sha256=" + hex.EncodeToString(mac.Sum(nil))}}
	status, _, loc, err := c.request(ctx, http.MethodPost, c.callbackURL(), body, h)
	switch {
	case err != nil:
		ch.Status, ch.Found = Fail, "A signed test delivery did not get an answer: "+err.Error()+"."
		ch.Fix = "Check that the proxy passes POST requests to /webhooks/instagram and answers within 5 seconds."
	case status == http.StatusOK:
		ch.Status, ch.Found = OK, "A signed test delivery was accepted."
	case status == http.StatusUnauthorized:
		ch.Status, ch.Found = Fail, "A signed test delivery was refused: the signature did not match on arrival."
		ch.Fix = "The proxy changes request bodies or drops the X-Hub-Signature-256 header. Pass both through unchanged " +
			"(no re-encoding, no compression, no body rewriting)."
	case status >= 300 && status < 400:
		ch.Status, ch.Found = Fail, fmt.Sprintf("A signed test delivery was redirected (%d to %s).", status, loc)
		ch.Fix = "Meta does not follow redirects for deliveries either. Pass POST /webhooks/instagram to Replydesk as it is."
	default:
		ch.Status, ch.Found = Fail, fmt.Sprintf("A signed test delivery got %d.", status)
		ch.Fix = "Check the proxy's limits: Meta's deliveries can be up to 1 MiB and must get 200 within 5 seconds."
	}
	return ch
}

// request sends one outside-shaped request (no cookies, Meta's user agent)
// and answers the status, the start of the body and any redirect target.
func (c *Checker) request(ctx context.Context, method, target string, body []byte, h http.Header) (int, string, string, error) {
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, "", "", err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(b), resp.Header.Get("Location"), nil
}

func (c *Checker) checkCredentials(subErr error) Check {
	ch := Check{Key: "credentials", Title: "App ID, app secret and verify token"}
	switch {
	case c.opt.VerifyToken == "" || c.opt.AppSecret == "":
		ch.Status, ch.Found = Fail, "META_APP_SECRET or META_VERIFY_TOKEN is empty."
		ch.Fix = "Set META_APP_SECRET from App Dashboard → App settings → Basic, and META_VERIFY_TOKEN to the string you " +
			"enter under Webhooks → Instagram."
	case subErr != nil && meta.Classify(subErr) != meta.ClassTransient && meta.Classify(subErr) != meta.ClassThrottled:
		ch.Status, ch.Found = Fail, "Meta refused the app's credentials: "+subErr.Error()+"."
		ch.Fix = "Check META_APP_ID and META_APP_SECRET against App Dashboard → App settings → Basic (reset the secret there if it leaked)."
	case subErr != nil:
		ch.Status, ch.Found = Unknown, "Meta did not answer: "+subErr.Error()+"."
	case len(c.opt.VerifyToken) < 12:
		ch.Status, ch.Found = Warn, "The verify token is short, so anyone could guess it."
		ch.Fix = "Use a long random verify token (openssl rand -hex 16) in META_VERIFY_TOKEN and under Webhooks → Instagram."
	default:
		ch.Status, ch.Found = OK, "Meta accepts the app's credentials; the secret and verify token are set."
	}
	return ch
}

// checkAppSubscription looks for the app-level subscription to the
// Instagram object's comments and live_comments at this address.
func (c *Checker) checkAppSubscription(subs []meta.AppSubscription, subErr error) Check {
	ch := Check{Key: "app_subscription", Title: "Instagram webhooks are subscribed in the App Dashboard"}
	fix := "In Meta's App Dashboard → Webhooks, choose Instagram and subscribe with callback URL " + c.callbackURL() +
		" and this installation's verify token (both are on the Accounts page), then subscribe to the comments and live_comments fields."
	if subErr != nil {
		ch.Status, ch.Found = Unknown, "Not checked: Meta did not list the app's subscriptions."
		return ch
	}
	i := slices.IndexFunc(subs, func(s meta.AppSubscription) bool { return s.Object == "instagram" })
	if i < 0 {
		ch.Status, ch.Found, ch.Fix = Fail, "The app has no Instagram webhook subscription.", fix
		return ch
	}
	sub := subs[i]
	var missing []string
	for _, f := range []string{"comments", "live_comments"} {
		if !slices.Contains(sub.Fields, f) {
			missing = append(missing, f)
		}
	}
	switch {
	case !sub.Active:
		ch.Status, ch.Found, ch.Fix = Fail, "The Instagram subscription is inactive.", fix
	case strings.TrimRight(sub.CallbackURL, "/") != c.callbackURL():
		ch.Status, ch.Found = Fail, "Meta sends Instagram webhooks to "+sub.CallbackURL+", not to this installation ("+c.callbackURL()+")."
		ch.Fix = fix
	case len(missing) > 0:
		ch.Status, ch.Found = Fail, "The Instagram subscription lacks "+strings.Join(missing, " and ")+"."
		ch.Fix = "In App Dashboard → Webhooks → Instagram, subscribe to " + strings.Join(missing, " and ") + "."
	default:
		ch.Status, ch.Found = OK, "comments and live_comments go to "+sub.CallbackURL+"."
	}
	return ch
}

func (c *Checker) checkVersion() Check {
	ch := Check{Key: "graph_version", Title: "Graph API version"}
	v := c.opt.GraphVersion
	end, known := meta.VersionEnd(v)
	now := c.opt.Now()
	fix := "Set META_GRAPH_VERSION to " + meta.LatestVersion + " (or the newest version Meta's changelog lists) and restart."
	switch {
	case !known:
		ch.Status, ch.Found = Warn, "Replydesk does not know when "+v+" ends."
		ch.Fix = "Check Meta's Graph API changelog for " + v + ", or " + fix
	case end.IsZero():
		ch.Status, ch.Found = OK, v+" is current; Meta has not announced its end yet."
	case !now.Before(end):
		ch.Status, ch.Found = Fail, v+" ended on "+dateOf(end)+": Meta now answers with an older behaviour or refuses calls."
		ch.Fix = fix
	case end.Sub(now) < 180*24*time.Hour:
		ch.Status, ch.Found = Warn, v+" ends on "+dateOf(end)+"."
		ch.Fix = fix
	default:
		ch.Status, ch.Found = OK, v+" is served until "+dateOf(end)+"."
	}
	return ch
}

func dateOf(t time.Time) string { return t.UTC().Format("2 January 2006") }
