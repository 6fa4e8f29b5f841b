package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/views"
)

// home sends the visitor to the inbox, or to the login page when logged out.
func (s *Server) home(c echo.Context) error {
	if userOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/inbox")
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

// layout builds the page frame for the current request: the user, the CSRF
// token, one-time messages, and standing banners (accounts that need
// reconnecting, permissions the user declined).
func (s *Server) layout(c echo.Context, title string) views.LayoutVM {
	vm := views.LayoutVM{Title: title, Demo: s.opt.Demo, Flashes: s.takeFlash(c)}
	if s.opt.Demo {
		vm.SimURL = "/_sim/"
	}
	u := userOf(c)
	if u == nil {
		return vm
	}
	vm.CSRF = csrfOf(c)
	vm.User = &views.UserVM{Name: u.Name, Initials: u.Initials(), AvatarURL: u.AvatarURL, Role: u.Role, IsAdmin: u.IsAdmin()}
	accts, err := s.userAccounts(c)
	if err != nil {
		s.log.Error("layout: reading accounts", "request_id", requestID(c), "error", err)
	}
	for _, a := range accts {
		if a.NeedsReconnect() {
			vm.Banners = append(vm.Banners, views.Banner{
				Kind:        "error",
				Message:     "@" + a.Username + " needs reconnecting: Facebook no longer accepts its access, so comments cannot be answered.",
				ActionLabel: "Reconnect", ActionURL: "/auth/facebook",
			})
		}
	}
	if len(u.DeclinedPermissions) > 0 && len(accts) > 0 {
		vm.Banners = append(vm.Banners, views.Banner{
			Kind:        "warn",
			Message:     declinedSentence(u.DeclinedPermissions),
			ActionLabel: "Grant again", ActionURL: "/auth/facebook?rerequest=1",
		})
	}
	return vm
}

// declinedSentence names declined permissions and what each is for.
func declinedSentence(perms []string) string {
	parts := make([]string, len(perms))
	for i, p := range perms {
		parts[i] = p + " (to " + auth.PermissionUse(p) + ")"
	}
	return "You did not grant Replydesk " + strings.Join(parts, ", ") + ". Some things will not work until you grant it."
}
