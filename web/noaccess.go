package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/views"
)

// noAccessPage tells a logged-in user without any account why, and how to
// get access (200: nothing failed).
func (s *Server) noAccessPage(c echo.Context) error {
	u := userOf(c)
	vm := views.NoAccessVM{
		Layout:      s.layout(c, "No accounts yet"),
		FirstName:   strings.SplitN(u.Name, " ", 2)[0],
		PagesHidden: auth.BlocksAccess(u.DeclinedPermissions),
		GrantURL:    "/auth/facebook?rerequest=1",
		RetryURL:    "/auth/facebook",
		Pages:       andList(u.PagesWithoutMessages),
	}
	for _, p := range u.DeclinedPermissions {
		vm.Declined = append(vm.Declined, views.PermissionVM{Name: p, Use: auth.PermissionUse(p)})
	}
	return render(c, http.StatusOK, views.NoAccessPage(vm))
}

// andList joins names in words: "A", "A and B", "A, B and C".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
