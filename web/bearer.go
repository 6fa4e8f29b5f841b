package web

import (
	"errors"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/auth"
)

// ctxBearer marks a request authenticated by a personal API token: only
// such a request may go without the CSRF token.
const ctxBearer = "bearer"

var (
	errBadAuthorization = apperr.New(apperr.Unauthorized, "bad_authorization",
		"Send a personal API token as Authorization: Bearer <token>.")
	errBadToken = apperr.New(apperr.Unauthorized, "invalid_token",
		"This API token does not work: it was revoked, or it never existed. Create a new one under Settings → API tokens.")
	errTokenNoAccess = apperr.New(apperr.Unauthorized, "token_user_no_access",
		"The person this API token belongs to can no longer answer any Instagram account in Replydesk, so the token does not work.")
)

// bearer authenticates API requests that carry `Authorization: Bearer
// <token>`: the request acts as the token's user, whose access is checked
// now (a user who lost every account gets 401, like a revoked token). A
// request without the header goes on to the session cookie.
func (s *Server) bearer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			return next(c)
		}
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return errBadAuthorization
		}
		u, err := s.deps.Tokens.TokenUser(c.Request().Context(), strings.TrimSpace(token))
		switch {
		case errors.Is(err, auth.ErrNoToken):
			return errBadToken
		case err != nil:
			return err
		}
		c.Set(ctxUser, &u)
		accts, err := s.userAccounts(c)
		if err != nil {
			return err
		}
		if len(accts) == 0 {
			return errTokenNoAccess
		}
		c.Set(ctxBearer, true)
		return next(c)
	}
}

// viaBearer reports whether a valid API token authenticated the request.
func viaBearer(c echo.Context) bool {
	b, _ := c.Get(ctxBearer).(bool)
	return b
}
