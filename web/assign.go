package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/team"
	"github.com/replydesk/replydesk/views"
)

// inboxFilter reads the inbox's filter from the query for the viewer:
// assignee=me means them, and the "Due < 1 h" view looks
// REPLYDESK_ALERT_BEFORE ahead.
func (s *Server) inboxFilter(c echo.Context) (inbox.Filter, error) {
	f, err := inbox.ParseFilter(c.QueryParams())
	if u := userOf(c); u != nil {
		f.Me = u.ID
	}
	f.UrgentWithin = s.opt.AlertBefore
	return f, err
}

// assigneeParam reads a form's user_id: a teammate's id, "me", or "none"
// (or nothing) to unassign.
func assigneeParam(c echo.Context, v string) (int64, error) {
	switch v = strings.TrimSpace(v); v {
	case "", inbox.AssigneeNone:
		return 0, nil
	case inbox.AssigneeMe:
		return userOf(c).ID, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.Field("user_id", "bad_user_id", "Pick a teammate from the list.")
	}
	return n, nil
}

// assignComments is POST /inbox/assign (form ids, user_id: an id, "me" or
// "none"; panel: the comment whose panel is open), from the panel, the a
// and A keys, the picker or the bulk bar. The answer is the rows, swapped
// in by id, the panel when it shows one of them, and a toast.
func (s *Server) assignComments(c echo.Context) error {
	form, ids, err := selection(c)
	if err != nil {
		return err
	}
	to, err := assigneeParam(c, form.Get("user_id"))
	if err != nil {
		return err
	}
	u := userOf(c)
	ctx := c.Request().Context()
	changed, err := s.deps.Team.Assign(ctx, inbox.Person{ID: u.ID, Name: u.Name}, ids, to)
	if err != nil {
		return err
	}
	panel := form.Get("panel")
	if !isHTMX(c) {
		if panel != "" {
			return c.Redirect(http.StatusSeeOther, "/inbox/comments/"+panel)
		}
		return c.Redirect(http.StatusSeeOther, "/inbox")
	}
	f, _ := s.inboxFilter(c)
	now := s.now()
	rows := make([]views.CommentRowVM, 0, len(ids))
	var detail *views.CommentDetailVM
	name := ""
	for _, id := range ids {
		it, err := s.deps.Inbox.InboxItem(ctx, u.ID, id)
		if err != nil {
			return err
		}
		name = it.Assignee.Name
		row := toRowVM(it, f, now)
		row.OOB, row.Selected = true, id == panel
		rows = append(rows, row)
		if id == panel {
			d, err := s.detailVM(c, it, f)
			if err != nil {
				return err
			}
			detail = &d
		}
	}
	return render(c, http.StatusOK, views.Assigned(rows, detail, assignToast(len(ids), len(changed), to, u.ID, name)))
}

// assignToast says what an assignment did.
func assignToast(asked, changed int, to, me int64, name string) views.ToastVM {
	what := "the comment"
	if asked > 1 {
		what = fmt.Sprintf("%d comments", asked)
	}
	who := name
	if to == me {
		who = "you"
	}
	switch {
	case changed == 0 && to == 0:
		return views.ToastVM{Message: "Already unassigned"}
	case changed == 0:
		return views.ToastVM{Message: "Already assigned to " + who}
	case to == 0:
		return views.ToastVM{Message: "Unassigned " + what, Kind: "ok"}
	}
	return views.ToastVM{Message: "Assigned " + what + " to " + who, Kind: "ok"}
}

// apiAssign is POST /api/v1/comments/:id/assign {"user_id": N} or
// {"user_id": null}: the Comment. Someone who may not see its account is
// refused with 422.
func (s *Server) apiAssign(c echo.Context) error {
	var in struct {
		UserID json.RawMessage `json:"user_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	bad := &apperr.Error{Kind: apperr.Invalid, Code: "bad_user_id", Field: "user_id",
		Message: "user_id is required: a teammate's user id (see GET /api/v1/users), or null to unassign."}
	var to int64
	switch raw := strings.TrimSpace(string(in.UserID)); raw {
	case "":
		return bad
	case "null":
	default:
		if err := json.Unmarshal(in.UserID, &to); err != nil || to <= 0 {
			return bad
		}
	}
	u := userOf(c)
	if _, err := s.deps.Team.Assign(c.Request().Context(), inbox.Person{ID: u.ID, Name: u.Name}, []string{c.Param("id")}, to); err != nil {
		return err
	}
	return s.apiGetComment(c)
}

// apiPerson is DESIGN §8's {"id","name"}.
type apiPerson struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// apiMe is GET /api/v1/me: {"id","name","role"}.
func (s *Server) apiMe(c echo.Context) error {
	u := userOf(c)
	return c.JSON(http.StatusOK, struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Role string `json:"role"`
	}{u.ID, u.Name, u.Role})
}

// apiUsers is GET /api/v1/users: the teammates who share at least one
// account with the caller (the caller too), each with the accounts among
// the caller's that they may reply on.
func (s *Server) apiUsers(c echo.Context) error {
	mates, err := s.deps.Team.Teammates(c.Request().Context(), userOf(c).ID)
	if err != nil {
		return err
	}
	type user struct {
		ID         int64    `json:"id"`
		Name       string   `json:"name"`
		Role       string   `json:"role"`
		AccountIDs []string `json:"account_ids"`
	}
	out := struct {
		Data []user `json:"data"`
	}{Data: make([]user, len(mates))}
	for i, m := range mates {
		out.Data[i] = user{ID: m.ID, Name: m.Name, Role: m.Role, AccountIDs: m.AccountIDs}
	}
	return c.JSON(http.StatusOK, out)
}

// setPresence is POST /inbox/comments/:id/presence, form state "on" while
// the person's composer is open (the page's script refreshes it every
// team.PresenceRefresh) or "off" when they move on or close the tab.
func (s *Server) setPresence(c echo.Context) error {
	ctx, u, id := c.Request().Context(), userOf(c), c.Param("id")
	var err error
	switch c.FormValue("state") {
	case "on":
		err = s.deps.Team.SetPresence(ctx, u.ID, id, s.now().Add(team.PresenceTTL))
	case "off":
		err = s.deps.Team.ClearPresence(ctx, u.ID, id)
	default:
		err = apperr.Field("state", "bad_state", "state must be on or off.")
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
