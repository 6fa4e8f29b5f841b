package metasim

import (
	"crypto/subtle"
	"net/url"
	"time"
)

// authCode is a dialog's authorization code: single use, bound to the
// client and redirect_uri, valid for ten minutes.
type authCode struct {
	clientID, redirectURI, userID string
	scopes                        uint64
	created                       time.Time
	used                          bool
}

const authCodeTTL = 10 * time.Minute

// accessToken answers /oauth/access_token: the code exchange,
// fb_exchange_token, and client_credentials.
func (s *Sim) accessToken(c *graphCall) {
	if aerr := s.checkClient(c); aerr != nil {
		c.fail(aerr)
		return
	}
	switch grant := c.params.Get("grant_type"); grant {
	case "", "authorization_code":
		s.exchangeCode(c)
	case "fb_exchange_token":
		s.exchangeLongLived(c)
	case "client_credentials":
		c.ok(obj{{"access_token", s.cfg.AppID + "|" + s.cfg.AppSecret}, {"token_type", "bearer"}})
	default:
		c.fail(apiErr(errUnsupportedGrantType, grant))
	}
}

// checkClient validates the client credentials, sent as HTTP Basic (as
// x/oauth2 first tries) or as form values.
func (s *Sim) checkClient(c *graphCall) *apiError {
	id, secret := c.params.Get("client_id"), c.params.Get("client_secret")
	if u, p, ok := c.r.BasicAuth(); ok {
		// x/oauth2 query-escapes both parts of Basic credentials.
		if v, err := url.QueryUnescape(u); err == nil {
			u = v
		}
		if v, err := url.QueryUnescape(p); err == nil {
			p = v
		}
		id, secret = u, p
	}
	if id != s.cfg.AppID {
		return apiErr(errClientID)
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.AppSecret)) != 1 {
		return apiErr(errClientSecret)
	}
	return nil
}

func (s *Sim) exchangeCode(c *graphCall) {
	raw := c.params.Get("code")
	if raw == "" {
		c.fail(apiErr(errParamRequired, "code"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	code := s.codes[raw]
	switch {
	case code == nil || code.clientID != s.cfg.AppID:
		c.fail(apiErr(errCodeInvalid))
		return
	case code.used:
		c.fail(apiErr(errCodeUsed))
		return
	case !s.clock.now().Before(code.created.Add(authCodeTTL)):
		c.fail(apiErr(errCodeExpired))
		return
	case c.params.Get("redirect_uri") != code.redirectURI:
		c.fail(apiErr(errCodeRedirect))
		return
	}
	code.used = true
	tok := s.newTokenLocked(tokenShortUser, code.userID, "", shortTokenTTL, code.scopes)
	c.ok(obj{{"access_token", tok}, {"token_type", "bearer"}, {"expires_in", int(shortTokenTTL.Seconds())}})
}

func (s *Sim) exchangeLongLived(c *graphCall) {
	t, aerr := s.checkToken(c.params.Get("fb_exchange_token"))
	if aerr != nil {
		c.fail(aerr)
		return
	}
	if t.kind != tokenShortUser && t.kind != tokenLongUser {
		c.fail(apiErr(errExchangeTokenRequired))
		return
	}
	s.mu.Lock()
	tok := s.newTokenLocked(tokenLongUser, t.userID, "", longTokenTTL, t.scopes)
	s.mu.Unlock()
	c.ok(obj{{"access_token", tok}, {"token_type", "bearer"}, {"expires_in", int(longTokenTTL.Seconds())}})
}

// debugToken answers /debug_token?input_token=... for an app token or any
// valid token, in Meta's shape: data.is_valid, type, scopes, expires_at (0:
// never), and data_access_expires_at, when the 90-day data access ends; the
// simulator counts it from the token's issue (Meta counts from the person's
// last use of the app). A token that cannot be parsed answers only the
// error, is_valid false and no scopes, as Meta does.
func (s *Sim) debugToken(c *graphCall) {
	if _, aerr := s.authenticate(c.r, c.params); aerr != nil {
		c.fail(aerr)
		return
	}
	input := c.params.Get("input_token")
	if input == "" {
		c.fail(apiErr(errParamRequired, "input_token"))
		return
	}
	t, aerr := s.checkToken(input)
	data := obj{}
	if t.kind != 0 {
		typ := map[tokenKind]string{tokenPage: "PAGE", tokenApp: "APP"}[t.kind]
		if typ == "" {
			typ = "USER"
		}
		data = obj{{"app_id", s.cfg.AppID}, {"type", typ}, {"application", "Replydesk"}}
		if !t.issued.IsZero() {
			data.set("data_access_expires_at", t.issued.Add(dataAccessTTL).Unix())
		}
		var exp int64
		if !t.expires.IsZero() {
			exp = t.expires.Unix()
		}
		data.set("expires_at", exp)
	}
	if aerr != nil {
		_, body := newGraphError(aerr.name, aerr.args...)
		e := obj{{"code", body.Error.Code}, {"message", body.Error.Message}}
		if body.Error.ErrorSubcode != 0 {
			e.set("subcode", body.Error.ErrorSubcode)
		}
		data.set("error", e)
	}
	data.set("is_valid", aerr == nil)
	if !t.issued.IsZero() {
		data.set("issued_at", t.issued.Unix())
	}
	data.set("scopes", append([]string{}, scopeNames(t.scopes)...))
	if t.userID != "" {
		data.set("user_id", t.userID)
	}
	if t.pageID != "" {
		data.set("profile_id", t.pageID)
	}
	c.ok(obj{{"data", data}})
}

// dataAccessTTL is how long an app may read a person's data after they last
// used it (meta-platform.md §10, "Data access").
const dataAccessTTL = 90 * 24 * time.Hour

// meAccounts answers /me/accounts: the Pages on which the user has a task,
// with Page tokens, tasks and linked Instagram accounts.
func (s *Sim) meAccounts(c *graphCall) {
	sel, ok := c.selection("access_token", "category", "name", "id", "tasks")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	type item struct {
		i int
		p *fbPage
	}
	var pages []item
	if c.tok.has("pages_show_list") {
		for i, p := range s.world.pages {
			if len(s.userTasks(c.tok, p.ID)) > 0 {
				pages = append(pages, item{i, p})
			}
		}
	}
	window, paging, aerr := paginate(c, pages, func(it item) string { return pageKey(it.i) }, pageLimits{25, 100})
	if aerr != nil {
		c.fail(aerr)
		return
	}
	data := make([]obj, 0, len(window))
	for _, it := range window {
		o, aerr := s.renderPage(c, it.p, sel)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		data = append(data, o)
	}
	c.ok(listBody(data, paging))
}

func pageKey(i int) string { return string(rune('A'+i/26)) + string(rune('A'+i%26)) }
