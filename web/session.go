package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/auth"
)

// echo.Context keys set by loadSession.
const (
	ctxUser     = "user"     // *auth.User
	ctxSession  = "session"  // account.Session
	ctxAccounts = "accounts" // []account.Account, loaded once per request
)

// userOf is the logged-in user, or nil when logged out.
func userOf(c echo.Context) *auth.User {
	u, _ := c.Get(ctxUser).(*auth.User)
	return u
}

// csrfOf is the session's CSRF token ("" when logged out).
func csrfOf(c echo.Context) string {
	sess, _ := c.Get(ctxSession).(account.Session)
	return sess.CSRF
}

// noSessionPath reports paths that never carry a session: assets, health,
// Meta's webhooks and the demo simulator.
func noSessionPath(p string) bool {
	return strings.HasPrefix(p, "/static/") || p == "/healthz" || p == "/favicon.ico" ||
		strings.HasPrefix(p, "/webhooks/") || p == "/_sim" || strings.HasPrefix(p, "/_sim/")
}

// loadSession finds the session the cookie names and puts its user on the
// context; a stale cookie is cleared.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.deps.Auth == nil || noSessionPath(c.Request().URL.Path) {
			return next(c)
		}
		ck, err := c.Cookie(auth.SessionCookie)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		sess, user, err := s.deps.Auth.Session(c.Request().Context(), ck.Value)
		switch {
		case errors.Is(err, auth.ErrNoSession):
			s.clearSessionCookie(c)
			return next(c)
		case err != nil:
			return err
		}
		c.Set(ctxUser, &user)
		c.Set(ctxUserID, user.ID)
		c.Set(ctxSession, sess)
		return next(c)
	}
}

// errCSRF is the refusal of a form or write without the session's token.
var errCSRF = apperr.New(apperr.Forbidden, "csrf_failed",
	"This form expired or did not come from Replydesk, so nothing was changed. Reload the page and try again.")

// checkCSRF refuses unsafe requests (POST, PUT, PATCH, DELETE) that lack the
// session's CSRF token in the form field "csrf" or the X-CSRF-Token header.
// Meta's webhooks, the demo simulator and Bearer-token API calls are exempt.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			return next(c)
		}
		p := r.URL.Path
		if strings.HasPrefix(p, "/webhooks/") || p == "/_sim" || strings.HasPrefix(p, "/_sim/") ||
			strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			return next(c)
		}
		want := csrfOf(c)
		if want == "" && p == "/logout" {
			return next(c) // no session to protect: logout just clears the cookie
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.FormValue("csrf")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

// requireUser lets logged-in users through; others go to /login (pages) or
// get 401 (the JSON API).
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if userOf(c) != nil {
			return next(c)
		}
		if wantsJSON(c) {
			return apperr.New(apperr.Unauthorized, "unauthorized", "Log in first.")
		}
		return redirect(c, "/login")
	}
}

// requireAdmin lets admins through and refuses everyone else with 403. Use
// it after requireUser.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := userOf(c); u == nil || !u.IsAdmin() {
			return apperr.New(apperr.Forbidden, "admin_only", "Only admins can do this. Ask an admin on the Team page.")
		}
		return next(c)
	}
}

// requireAccounts shows the friendly no-access page (200) to a logged-in
// user who may reply on no account. Use it after requireUser on pages.
func (s *Server) requireAccounts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		accts, err := s.userAccounts(c)
		if err != nil {
			return err
		}
		if len(accts) == 0 && !wantsJSON(c) {
			return s.noAccessPage(c)
		}
		return next(c)
	}
}

// userAccounts lists the accounts the logged-in user may reply on, read once
// per request.
func (s *Server) userAccounts(c echo.Context) ([]account.Account, error) {
	if v, ok := c.Get(ctxAccounts).([]account.Account); ok {
		return v, nil
	}
	u := userOf(c)
	if u == nil || s.deps.Accounts == nil {
		return nil, nil
	}
	accts, err := s.deps.Accounts.AccountsForUser(c.Request().Context(), u.ID)
	if err != nil {
		return nil, err
	}
	if accts == nil {
		accts = []account.Account{}
	}
	c.Set(ctxAccounts, accts)
	return accts, nil
}

// setSessionCookie sets the session cookie: HttpOnly, SameSite=Lax, Path=/,
// Secure when the base URL is https.
func (s *Server) setSessionCookie(c echo.Context, value string, expires time.Time) {
	c.SetCookie(&http.Cookie{
		Name: auth.SessionCookie, Value: value, Path: "/", Expires: expires, MaxAge: int(time.Until(expires).Seconds()),
		HttpOnly: true, Secure: s.opt.Secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: auth.SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.opt.Secure, SameSite: http.SameSiteLaxMode,
	})
}
