package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/team"
	"github.com/replydesk/replydesk/views"
)

// autoAssignVM is an account's auto-assignment on its card.
func (s *Server) autoAssignVM(c echo.Context, a account.Account) (*views.AutoAssignVM, error) {
	set, err := s.deps.Team.AutoAssignSetting(c.Request().Context(), a.ID)
	if err != nil {
		return nil, err
	}
	vm := &views.AutoAssignVM{
		AccountID: a.ID, CanEdit: userOf(c).IsAdmin(), Enabled: set.Enabled, Cap: strconv.Itoa(set.Cap),
		ActionURL: "/accounts/" + a.ID + "/auto-assign", CSRF: csrfOf(c),
		Summary: "Off: new comments wait under Unassigned until someone takes them.",
	}
	if set.Enabled {
		each := vm.Cap + " open comments each."
		if set.Cap == 1 {
			each = "1 open comment each."
		}
		vm.Summary = "On: each new comment goes, in turn, to a teammate who is online and can answer @" + a.Username +
			", up to " + each
	}
	return vm, nil
}

// setAutoAssign is POST /accounts/:id/auto-assign (admins; form enabled,
// cap), then back to the accounts page.
func (s *Server) setAutoAssign(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.deps.Accounts.AccountForUser(ctx, userOf(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("cap")))
	if err != nil {
		return apperr.Field("cap", "bad_cap", "The cap must be a whole number of open comments per person.")
	}
	if err := s.deps.Team.SetAutoAssign(ctx, userOf(c).ID, a.ID, c.FormValue("enabled") == "1", n); err != nil {
		return err
	}
	s.setFlash(c, "auto_assign_saved")
	return redirect(c, "/accounts")
}

// workloadVM is the Team page's per-person view: the viewer's teammates
// (those who share an account with them), counting only those accounts.
func (s *Server) workloadVM(c echo.Context) (views.WorkloadVM, error) {
	ctx := c.Request().Context()
	me := userOf(c)
	mates, err := s.deps.Team.Teammates(ctx, me.ID)
	if err != nil {
		return views.WorkloadVM{}, err
	}
	ids := make([]int64, len(mates))
	for i, m := range mates {
		ids[i] = m.ID
	}
	now := s.now()
	local := now.Local()
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, local.Location())
	stats, err := s.deps.Team.TeamStats(ctx, me.ID, ids, day)
	if err != nil {
		return views.WorkloadVM{}, err
	}
	vm := views.WorkloadVM{WindowText: "Open assigned: comments waiting on each person now. Answered in time: of the comments assigned to them " +
		"that got a private reply or ran out of time in the last 30 days, the share that got the reply."}
	for _, m := range mates {
		st := stats[m.ID]
		id := strconv.FormatInt(m.ID, 10)
		row := views.WorkloadRowVM{
			ID: id, Name: m.Name, Initials: initials(m.Name), AvatarURL: m.AvatarURL, IsSelf: m.ID == me.ID,
			Online: team.Online(m.LastSeenAt, now), OnlineText: "Last seen " + ago(m.LastSeenAt, now),
			Open: strconv.Itoa(st.Open), OpenURL: "/inbox?assignee=" + id, RepliesToday: strconv.Itoa(st.RepliesToday), Share: "—",
		}
		if row.Online {
			row.OnlineText = "Online"
		}
		if n := st.Answered + st.Missed; n > 0 {
			row.Share = strconv.Itoa(st.Answered*100/n) + "% (" + strconv.Itoa(st.Answered) + " of " + strconv.Itoa(n) + ")"
		}
		vm.Rows = append(vm.Rows, row)
	}
	return vm, nil
}
