package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/views"
)

// home sends the visitor to the inbox, or to the login page when logged out.
func (s *Server) home(c echo.Context) error {
	if _, ok := c.Get(ctxUserID).(int64); ok {
		return c.Redirect(http.StatusSeeOther, "/inbox")
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

// loginPage shows the "Continue with Facebook" button.
func (s *Server) loginPage(c echo.Context) error {
	vm := views.LoginVM{
		Layout:  s.layout(c, "Log in"),
		AuthURL: "/auth/facebook",
		Error:   c.QueryParam("error"),
	}
	return render(c, http.StatusOK, views.LoginPage(vm))
}

// layout builds the page frame for the current request.
func (s *Server) layout(c echo.Context, title string) views.LayoutVM {
	vm := views.LayoutVM{Title: title, Demo: s.opt.Demo}
	if s.opt.Demo {
		vm.SimURL = "/_sim/"
	}
	return vm
}
