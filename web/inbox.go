package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/views"
)

// pageSize is how many rows one inbox page shows.
const pageSize = 50

// listParams reads the inbox's filter and page cursor from the query, for
// the page and the JSON API alike.
func listParams(c echo.Context) (inbox.Filter, *inbox.Cursor, error) {
	f, err := inbox.ParseFilter(c.QueryParams())
	if err != nil {
		return f, nil, err
	}
	cur, err := inbox.ParseCursor(c.QueryParam("cursor"))
	return f, cur, err
}

// inboxPage is GET /inbox: the list, filtered by the query parameters; with
// a cursor from htmx's "Load more", only the next rows.
func (s *Server) inboxPage(c echo.Context) error {
	f, cur, err := listParams(c)
	if err != nil {
		return err
	}
	u := userOf(c)
	ctx := c.Request().Context()
	page, err := s.deps.Inbox.ListInbox(ctx, u.ID, f, cur, pageSize)
	if err != nil {
		return err
	}
	now := s.now()
	rows := make([]views.CommentRowVM, len(page.Items))
	for i, it := range page.Items {
		rows[i] = toRowVM(it, f, now)
	}
	next := ""
	if page.Next != nil {
		v := f.Values()
		v.Set("cursor", page.Next.Encode())
		next = "/inbox?" + v.Encode()
	}
	if cur != nil && isHTMX(c) {
		return render(c, http.StatusOK, views.InboxMore(rows, next))
	}
	vm, err := s.inboxVM(c, f, rows, next)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.InboxPage(vm))
}

// commentPage is GET /inbox/comments/:id: the detail panel (htmx), or the
// inbox with the panel open.
func (s *Server) commentPage(c echo.Context) error {
	f, err := inbox.ParseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	it, err := s.deps.Inbox.InboxItem(c.Request().Context(), userOf(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	detail, err := s.detailVM(c, it, f)
	if err != nil {
		return err
	}
	if isHTMX(c) {
		return render(c, http.StatusOK, views.CommentDetail(detail))
	}
	page, err := s.deps.Inbox.ListInbox(c.Request().Context(), userOf(c).ID, f, nil, pageSize)
	if err != nil {
		return err
	}
	rows := make([]views.CommentRowVM, len(page.Items))
	for i, x := range page.Items {
		rows[i] = toRowVM(x, f, s.now())
		rows[i].Selected = x.ID == it.ID
	}
	vm, err := s.inboxVM(c, f, rows, "")
	if err != nil {
		return err
	}
	vm.Detail = &detail
	return render(c, http.StatusOK, views.InboxPage(vm))
}

// setCommentStatus is POST /inbox/comments/:id/status (done, dismissed, open).
func (s *Server) setCommentStatus(c echo.Context) error {
	to := inbox.Status(c.FormValue("status"))
	id := c.Param("id")
	if _, err := s.deps.Triage.SetStatus(c.Request().Context(), userOf(c).ID, []string{id}, to); err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/inbox/comments/"+id)
	}
	it, err := s.deps.Inbox.InboxItem(c.Request().Context(), userOf(c).ID, id)
	if err != nil {
		return err
	}
	f, _ := inbox.ParseFilter(c.QueryParams())
	row := toRowVM(it, f, s.now())
	row.Selected = true
	s.toast(c, statusToast(to, 1), []string{id}, previous(to))
	detail, err := s.detailVM(c, it, f)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.DetailWithRow(detail, row))
}

// setStatuses is POST /inbox/status: a bulk action (form values ids, status).
func (s *Server) setStatuses(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.Invalid, "bad_form", "The form could not be read.")
	}
	ids := form["ids"]
	if len(ids) == 0 || len(ids) > 500 {
		return apperr.Field("ids", "bad_selection", "Select between 1 and 500 comments.")
	}
	to := inbox.Status(form.Get("status"))
	changed, err := s.deps.Triage.SetStatus(c.Request().Context(), userOf(c).ID, ids, to)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/inbox")
	}
	var rows []views.CommentRowVM
	for _, ch := range changed {
		it, err := s.deps.Inbox.InboxItem(c.Request().Context(), userOf(c).ID, ch.ID)
		if err != nil {
			continue
		}
		rows = append(rows, toRowVM(it, inbox.Filter{}, s.now()))
	}
	s.toast(c, statusToast(to, len(ids)), ids, previous(to))
	return render(c, http.StatusOK, views.CommentRows(rows))
}

// inboxChanges is GET /inbox/changes?since=: what a reconnecting browser
// missed, as rows (new matches, and updates to rows it may show).
func (s *Server) inboxChanges(c echo.Context) error {
	f, err := inbox.ParseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	ms, err := strconv.ParseInt(c.QueryParam("since"), 10, 64)
	if err != nil || ms <= 0 {
		return apperr.Field("since", "bad_since", "since must be a time in unix milliseconds.")
	}
	since := time.UnixMilli(ms).Add(-time.Second) // margin for changes committed out of order
	items, err := s.deps.Inbox.ChangedSince(c.Request().Context(), userOf(c).ID, since, 500)
	if err != nil {
		return err
	}
	now := s.now()
	var matching, others []views.CommentRowVM
	last := ms
	for _, it := range items {
		if it.UpdatedAt.UnixMilli() > last {
			last = it.UpdatedAt.UnixMilli()
		}
		if f.Matches(it.Comment, now) {
			matching = append(matching, toRowVM(it, f, now))
		} else {
			others = append(others, toRowVM(it, f, now))
		}
	}
	return render(c, http.StatusOK, views.InboxChanges(matching, others, strconv.FormatInt(last, 10)))
}

func previous(to inbox.Status) inbox.Status {
	if to == inbox.StatusOpen {
		return ""
	}
	return inbox.StatusOpen
}

func statusToast(to inbox.Status, n int) string {
	what := "comment"
	if n != 1 {
		what = fmt.Sprintf("%d comments", n)
	}
	switch to {
	case inbox.StatusDone:
		return "Marked " + what + " done"
	case inbox.StatusDismissed:
		return "Dismissed " + what
	}
	return "Reopened " + what
}

// toast asks the page to show a message, with Undo when undoTo is set.
func (s *Server) toast(c echo.Context, msg string, ids []string, undoTo inbox.Status) {
	payload := map[string]any{"message": msg}
	if undoTo != "" {
		payload["undo"] = map[string]any{"ids": ids, "status": string(undoTo)}
	}
	setTrigger(c, "toast", payload)
}

// inboxRail is GET /inbox/rail: the rail with fresh counts (htmx fragment).
func (s *Server) inboxRail(c echo.Context) error {
	f, err := inbox.ParseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	vm, err := s.inboxVM(c, f, nil, "")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.InboxRail(vm))
}
