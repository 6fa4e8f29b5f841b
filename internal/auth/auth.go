// Package auth is Facebook Login for Replydesk: goth's facebook provider and
// gothic's OAuth state cookie, the login's completion (long-lived token,
// Page discovery, encrypted Page tokens, access from Page tasks, webhook
// subscriptions), sessions, roles, the Page token source other packages
// send with, and the reconciler that keeps tokens and subscriptions honest.
//
// goth.UseProviders and gothic.Store are process globals: New sets them, and
// only New. A process therefore has one Service; tests that build several
// must not run in parallel.
package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/markbates/goth"
	"github.com/markbates/goth/gothic"
	"github.com/markbates/goth/providers/facebook"

	"github.com/replydesk/replydesk/internal/crypt"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/store"
)

// ProviderName is goth's name of the Facebook provider.
const ProviderName = "facebook"

// Options configure the Service.
type Options struct {
	BaseURL      string // public URL; the callback is BaseURL + CallbackPath
	AppID        string
	AppSecret    string
	GraphURL     string // META_GRAPH_URL, e.g. https://graph.facebook.com
	DialogURL    string // META_DIALOG_URL, e.g. https://www.facebook.com
	GraphVersion string // e.g. v25.0
	// LoginConfigID is a Facebook Login for Business configuration
	// (META_LOGIN_CONFIG_ID): the dialog gets config_id instead of scope.
	LoginConfigID string
	Secure        bool // cookies carry Secure (https base URL)
	// ReconcileEvery is how often RunReconciler re-checks tokens,
	// subscriptions and Page roles; default 5 minutes.
	ReconcileEvery time.Duration
	Now            func() time.Time
	Logger         *slog.Logger
}

// CallbackPath is where Facebook sends the browser back after the dialog.
const CallbackPath = "/auth/facebook/callback"

// Service runs logins, sessions and roles.
type Service struct {
	opt      Options
	store    *store.Store
	meta     *meta.Client
	tokens   *Tokens
	sealer   *crypt.Sealer
	provider *facebook.Provider
	log      *slog.Logger
	now      func() time.Time
}

// New builds the Service and installs goth's provider and gothic's cookie
// store (process globals; see the package doc).
func New(opt Options, st *store.Store, mc *meta.Client, keys crypt.Keys) (*Service, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.ReconcileEvery <= 0 {
		opt.ReconcileEvery = 5 * time.Minute
	}
	for _, v := range []struct{ name, val string }{{"BaseURL", opt.BaseURL}, {"GraphURL", opt.GraphURL}, {"DialogURL", opt.DialogURL}} {
		if u, err := url.Parse(v.val); err != nil || u.Host == "" {
			return nil, fmt.Errorf("auth: %s %q is not an absolute URL", v.name, v.val)
		}
	}
	if opt.AppID == "" || opt.AppSecret == "" || keys.PageTokens == nil {
		return nil, errors.New("auth: app id, app secret and keys are required")
	}
	graph, err := newGraphRewrite(opt.GraphURL, http.DefaultTransport)
	if err != nil {
		return nil, err
	}
	p := facebook.New(opt.AppID, opt.AppSecret, strings.TrimRight(opt.BaseURL, "/")+CallbackPath, meta.Scopes()...)
	p.SetCustomFields([]string{"id", "name", "email", "picture"})
	p.HTTPClient = &http.Client{Timeout: 15 * time.Second, Transport: graph}
	goth.UseProviders(p)

	cs := sessions.NewCookieStore(keys.CookieHash, keys.CookieBlock)
	cs.Options = &sessions.Options{Path: "/", MaxAge: 15 * 60, HttpOnly: true, Secure: opt.Secure, SameSite: http.SameSiteLaxMode}
	cs.MaxAge(cs.Options.MaxAge)
	gothic.Store = cs

	return &Service{
		opt: opt, store: st, meta: mc, sealer: keys.PageTokens, provider: p, log: opt.Logger, now: opt.Now,
		tokens: NewTokens(st, keys.PageTokens, opt.Logger),
	}, nil
}

// Tokens is the Page token source for webhooks, enrichment and replies.
func (s *Service) Tokens() *Tokens { return s.tokens }

// BeginLogin stores the OAuth state in gothic's cookie and answers the
// Facebook dialog URL to send the browser to. With rerequest the dialog asks
// again for permissions the user declined before (auth_type=rerequest).
func (s *Service) BeginLogin(w http.ResponseWriter, r *http.Request, rerequest bool) (string, error) {
	r = withoutQuery(r) // gothic would take a "state" from the query
	raw, err := gothic.GetAuthURL(w, gothic.GetContextWithProvider(r, ProviderName))
	if err != nil {
		return "", fmt.Errorf("auth: begin login: %w", err)
	}
	return s.dialogURL(raw, rerequest)
}

// dialogURL moves goth's hard-coded https://www.facebook.com/dialog/oauth to
// META_DIALOG_URL's /{version}/dialog/oauth, keeping every parameter.
func (s *Service) dialogURL(raw string, rerequest bool) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("auth: dialog URL: %w", err)
	}
	d, _ := url.Parse(s.opt.DialogURL)
	u.Scheme, u.Host = d.Scheme, d.Host
	u.Path = strings.TrimRight(d.Path, "/") + "/" + s.opt.GraphVersion + "/dialog/oauth"
	if rerequest {
		q := u.Query()
		q.Set("auth_type", "rerequest")
		u.RawQuery = q.Encode()
	}
	if s.opt.LoginConfigID != "" {
		// Login for Business: the saved configuration decides the
		// permissions, granted all at once.
		return meta.BusinessLoginURL(u.String(), s.opt.LoginConfigID)
	}
	return u.String(), nil
}

func withoutQuery(r *http.Request) *http.Request {
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.RawQuery = ""
	r2.URL = &u
	return r2
}

// graphRewrite sends goth's calls to graph.facebook.com (token exchange,
// /me) to META_GRAPH_URL, keeping its path prefix (such as /_sim).
type graphRewrite struct {
	base *url.URL
	next http.RoundTripper
}

func newGraphRewrite(graphURL string, next http.RoundTripper) (graphRewrite, error) {
	u, err := url.Parse(strings.TrimRight(graphURL, "/"))
	if err != nil || u.Host == "" {
		return graphRewrite{}, fmt.Errorf("auth: graph URL %q is not an absolute URL", graphURL)
	}
	return graphRewrite{base: u, next: next}, nil
}

// RoundTrip rewrites graph.facebook.com requests and passes the rest on.
func (g graphRewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != "graph.facebook.com" || (g.base.Host == "graph.facebook.com" && g.base.Path == "") {
		return g.next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = g.base.Scheme, g.base.Host, ""
	r.URL.Path = g.base.Path + r.URL.Path
	if r.URL.RawPath != "" {
		r.URL.RawPath = g.base.Path + r.URL.RawPath
	}
	return g.next.RoundTrip(r)
}
