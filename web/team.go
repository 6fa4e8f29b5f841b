package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/views"
)

// teamPage lists users with role, reach and last visit.
func (s *Server) teamPage(c echo.Context) error {
	ctx := c.Request().Context()
	users, err := s.deps.Accounts.Users(ctx)
	if err != nil {
		return err
	}
	reach, err := s.reachByUser(c)
	if err != nil {
		return err
	}
	me := userOf(c)
	vm := views.TeamVM{Layout: s.layout(c, "Team"), CanEdit: me.IsAdmin()}
	vm.Layout.Nav = "team"
	now := s.now()
	for _, u := range users {
		row := views.TeamRowVM{
			ID: strconv.FormatInt(u.ID, 10), Name: u.Name, Initials: u.Initials(), AvatarURL: u.AvatarURL,
			Role: u.Role, RoleLabel: "Agent", Accounts: reach[u.ID], LastSeen: ago(u.LastSeenAt, now), IsSelf: u.ID == me.ID,
			ActionURL: "/team/" + strconv.FormatInt(u.ID, 10) + "/role", NextRole: identity.RoleAdmin, NextLabel: "Make admin",
		}
		if u.IsAdmin() {
			row.RoleLabel, row.NextRole, row.NextLabel = "Admin", identity.RoleAgent, "Make agent"
			if row.IsSelf {
				row.NextLabel = "Step down to agent"
			}
		}
		vm.Rows = append(vm.Rows, row)
	}
	if vm.Workload, err = s.workloadVM(c); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.TeamPage(vm))
}

// reachByUser maps each user to the usernames of the accounts they can
// reply on.
func (s *Server) reachByUser(c echo.Context) (map[int64][]string, error) {
	list, err := s.deps.Accounts.AccessList(c.Request().Context())
	if err != nil {
		return nil, err
	}
	accts, err := s.userAccounts(c)
	if err != nil {
		return nil, err
	}
	// Only accounts the viewer can see are named.
	names := map[string]string{}
	for _, a := range accts {
		names[a.ID] = a.Username
	}
	out := map[int64][]string{}
	for _, a := range list {
		if n, ok := names[a.AccountID]; ok && a.CanReply {
			out[a.UserID] = append(out[a.UserID], n)
		}
	}
	return out, nil
}

// setRole changes a user's role (admins only), then back to the team page.
func (s *Server) setRole(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "not_found", "That user does not exist.")
	}
	err = s.deps.Auth.SetRole(c.Request().Context(), *userOf(c), id, c.FormValue("role"))
	if ae, ok := apperr.As(err); ok && ae.Code == "last_admin" {
		s.setFlash(c, "last_admin")
		return redirect(c, "/team")
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "role_changed")
	return redirect(c, "/team")
}
