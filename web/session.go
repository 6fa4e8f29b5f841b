package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/internal/identity"
)

// echo.Context keys set by loadSession.
const (
	ctxUser     = "user"     // *identity.User
	ctxSession  = "session"  // identity.Session
	ctxAccounts = "accounts" // []account.Account, loaded once per request
)

// userOf is the logged-in user, or nil when logged out.
func userOf(c echo.Context) *identity.User {
	u, _ := c.Get(ctxUser).(*identity.User)
	return u
}

// csrfOf is the session's CSRF token ("" when logged out).
func csrfOf(c echo.Context) string {
	sess, _ := c.Get(ctxSession).(identity.Session)
	return sess.CSRF
}

// loadSession finds the session the cookie names and puts its user on the
// context; a stale cookie is cleared.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if viaBearer(c) {
			return next(c) // an API token, not the cookie, says who this is
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
		c.Set(ctxSession, sess)
		return next(c)
	}
}

// errCSRF is the refusal of a form or write without the session's token.
var errCSRF = apperr.New(apperr.Forbidden, "csrf_failed",
	"This form expired or did not come from Replydesk, so nothing was changed. Reload the page and try again.")

// checkCSRF refuses unsafe requests (POST, PUT, PATCH, DELETE) that lack
// the session's CSRF token in the form field "csrf" or the X-CSRF-Token
// header. It runs after requireUser and capBody, so no body is read for a
// request without a session (a logout without one has nothing to protect),
// and none beyond the group's cap. Only a valid API token (bearer) replaces
// it: a browser cannot send one on its own, while it sends cookies with any
// cross-site form.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			return next(c)
		}
		if viaBearer(c) {
			if err := readForm(c); err != nil {
				return err
			}
			return next(c)
		}
		want := csrfOf(c)
		if want == "" && userOf(c) == nil && c.Path() == "/logout" {
			return next(c)
		}
		// The form is read here, the first time anything reads the body,
		// within the group's cap (capBody).
		if err := readForm(c); err != nil {
			return err
		}
		got := c.Request().Header.Get("X-CSRF-Token")
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
		s.rememberReturn(c)
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
// user who may reply on no account, and refuses the API to them (403). Use
// it after requireUser.
func (s *Server) requireAccounts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		accts, err := s.userAccounts(c)
		if err != nil {
			return err
		}
		switch {
		case len(accts) > 0:
			return next(c)
		case wantsJSON(c):
			return apperr.New(apperr.Forbidden, "no_accounts",
				"You cannot reply on any Instagram account yet: someone must give you the Messages task on its Facebook Page.")
		}
		return s.noAccessPage(c)
	}
}

// requireAccountsOrAdmin is requireAccounts, but lets admins through:
// an admin who disconnected every account must still reach the accounts
// page (to connect one again), the setup check and the settings.
func (s *Server) requireAccountsOrAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	gate := s.requireAccounts(next)
	return func(c echo.Context) error {
		if u := userOf(c); u != nil && u.IsAdmin() {
			return next(c)
		}
		return gate(c)
	}
}

// userAccounts lists the accounts the logged-in user may reply on, read once
// per request.
func (s *Server) userAccounts(c echo.Context) ([]account.Account, error) {
	if v, ok := c.Get(ctxAccounts).([]account.Account); ok {
		return v, nil
	}
	u := userOf(c)
	if u == nil {
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
