package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/views"
)

// loginMessages are the login page's messages, by the code in ?error=.
// Only codes travel in URLs; raw error text never does.
var loginMessages = map[string]string{
	"session_expired": "Your session ended. Please log in again.",
	"login_state":     auth.ErrLoginState.Message,
	"login_expired":   auth.ErrLoginExpired.Message,
	"login_cancelled": auth.ErrLoginCancelled.Message,
	"login_refused":   auth.ErrLoginRefused.Message,
}

// loginPage shows the "Continue with Facebook" button, or sends a logged-in
// visitor to the inbox.
func (s *Server) loginPage(c echo.Context) error {
	if userOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/inbox")
	}
	return s.renderLogin(c, http.StatusOK, loginMessages[c.QueryParam("error")])
}

func (s *Server) renderLogin(c echo.Context, status int, msg string) error {
	vm := views.LoginVM{Layout: s.layout(c, "Log in"), AuthURL: "/auth/facebook", Error: msg}
	return render(c, status, views.LoginPage(vm))
}

// beginLogin sends the browser to Facebook's login dialog; ?rerequest=1
// asks again for declined permissions.
func (s *Server) beginLogin(c echo.Context) error {
	u, err := s.deps.Auth.BeginLogin(c.Response(), c.Request(), c.QueryParam("rerequest") == "1")
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, u)
}

// loginCallback completes the login Facebook sent the browser back from,
// starts a new session (a fresh id at every login) and goes to the page
// asked for before the login (only a local path), else the inbox.
// A refused login shows the login page with the reason and the button.
func (s *Server) loginCallback(c echo.Context) error {
	res, err := s.deps.Auth.CompleteLogin(c.Response(), c.Request())
	if ae, ok := apperr.As(err); ok {
		s.log.Warn("login refused", "request_id", requestID(c), "code", ae.Code, "error", ae.Err)
		return s.renderLogin(c, kindStatus[ae.Kind], ae.Message)
	}
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if ck, err := c.Cookie(auth.SessionCookie); err == nil && ck.Value != "" {
		if err := s.deps.Auth.EndSession(ctx, ck.Value); err != nil {
			return err
		}
	}
	ns, err := s.deps.Auth.StartSession(ctx, res.User.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, ns.Cookie, ns.Expires)
	c.Set(ctxUser, &res.User) // the request log names who logged in
	return c.Redirect(http.StatusSeeOther, s.takeReturn(c))
}

// logout ends the session and its cookie.
func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(auth.SessionCookie); err == nil && ck.Value != "" {
		if err := s.deps.Auth.EndSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	s.setFlash(c, "logged_out")
	return redirect(c, "/login")
}
