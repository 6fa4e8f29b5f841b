package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/views"
)

// pageSize is how many rows one inbox page shows.
const pageSize = 50

// listParams reads the inbox's filter and page cursor from the query, for
// the page and the JSON API alike.
func (s *Server) listParams(c echo.Context) (inbox.Filter, *inbox.Cursor, error) {
	f, err := s.inboxFilter(c)
	if err != nil {
		return f, nil, err
	}
	cur, err := inbox.ParseCursor(c.QueryParam("cursor"))
	return f, cur, err
}

// inboxPage is GET /inbox: the list, filtered by the query parameters; with
// a cursor from htmx's "Load more", only the next rows.
func (s *Server) inboxPage(c echo.Context) error {
	f, cur, err := s.listParams(c)
	if err != nil {
		return err
	}
	if cur != nil && isHTMX(c) {
		rows, next, err := s.listRows(c, f, cur, "")
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, views.InboxMore(rows, next))
	}
	vm, err := s.inboxVM(c, f, "")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.InboxPage(vm))
}

// listRows reads one page of the list as rows (selected marks the open
// comment's row) and the URL of the next page ("" on the last).
func (s *Server) listRows(c echo.Context, f inbox.Filter, cur *inbox.Cursor, selected string) ([]views.CommentRowVM, string, error) {
	page, err := s.deps.Inbox.ListInbox(c.Request().Context(), userOf(c).ID, f, cur, pageSize)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	rows := make([]views.CommentRowVM, len(page.Items))
	for i, it := range page.Items {
		rows[i] = toRowVM(it, f, now)
		rows[i].Selected = it.ID == selected
	}
	next := ""
	if page.Next != nil {
		v := f.Values()
		v.Set("cursor", page.Next.Encode())
		next = "/inbox?" + v.Encode()
	}
	return rows, next, nil
}

// commentPage is GET /inbox/comments/:id: the detail panel (htmx), or the
// inbox with the panel open.
func (s *Server) commentPage(c echo.Context) error {
	f, err := s.inboxFilter(c)
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
	vm, err := s.inboxVM(c, f, it.ID)
	if err != nil {
		return err
	}
	vm.Detail = &detail
	return render(c, http.StatusOK, views.InboxPage(vm))
}

// setCommentStatus is POST /inbox/comments/:id/status (done, dismissed,
// open) from the detail panel: the panel again, the row swapped in by id,
// and a toast.
func (s *Server) setCommentStatus(c echo.Context) error {
	to := inbox.Status(c.FormValue("status"))
	id := c.Param("id")
	ctx := c.Request().Context()
	if _, err := s.deps.Inbox.SetStatus(ctx, userOf(c).ID, []string{id}, to); err != nil {
		return err
	}
	if !isHTMX(c) {
		f, _ := inbox.ParseFilter(c.QueryParams())
		return c.Redirect(http.StatusSeeOther, commentURL(id, f))
	}
	it, err := s.deps.Inbox.InboxItem(ctx, userOf(c).ID, id)
	if err != nil {
		return err
	}
	f, _ := inbox.ParseFilter(c.QueryParams())
	detail, err := s.detailVM(c, it, f)
	if err != nil {
		return err
	}
	row := toRowVM(it, f, s.now())
	row.Selected, row.OOB = true, true
	toast := statusToast(to, []string{id})
	return render(c, http.StatusOK, views.DetailWithRow(detail, row, &toast))
}

// selection reads a form that acts on several comments: its values and
// the comment ids (form values ids, 1 to inbox.MaxBulk of them).
func selection(c echo.Context) (url.Values, []string, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, nil, apperr.New(apperr.Invalid, "bad_form", "The form could not be read.")
	}
	ids := form["ids"]
	if len(ids) == 0 || len(ids) > inbox.MaxBulk {
		return nil, nil, apperr.Field("ids", "bad_selection", fmt.Sprintf("Select between 1 and %d comments.", inbox.MaxBulk))
	}
	return form, ids, nil
}

// setStatuses is POST /inbox/status: a status change for several comments
// (form values ids, status), from the bulk bar, a key, or a toast's Undo.
// The answer is their rows, swapped in by id, and a toast.
func (s *Server) setStatuses(c echo.Context) error {
	form, ids, err := selection(c)
	if err != nil {
		return err
	}
	to := inbox.Status(form.Get("status"))
	u := userOf(c)
	ctx := c.Request().Context()
	if _, err := s.deps.Inbox.SetStatus(ctx, u.ID, ids, to); err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/inbox")
	}
	f, _ := inbox.ParseFilter(c.QueryParams())
	rows := make([]views.CommentRowVM, 0, len(ids))
	for _, id := range ids {
		it, err := s.deps.Inbox.InboxItem(ctx, u.ID, id)
		if err != nil {
			return err
		}
		row := toRowVM(it, f, s.now())
		row.OOB = true
		rows = append(rows, row)
	}
	return render(c, http.StatusOK, views.StatusChanged(rows, statusToast(to, ids)))
}

// statusToast says what a status change did, with Undo for done and
// dismiss.
func statusToast(to inbox.Status, ids []string) views.ToastVM {
	what := "comment"
	if len(ids) != 1 {
		what = fmt.Sprintf("%d comments", len(ids))
	}
	t := views.ToastVM{Message: "Reopened " + what}
	switch to {
	case inbox.StatusDone:
		t.Message = "Marked " + what + " done"
	case inbox.StatusDismissed:
		t.Message = "Dismissed " + what
	}
	if to != inbox.StatusOpen {
		t.Undo = &views.UndoVM{IDs: ids, Status: string(inbox.StatusOpen)}
	}
	return t
}
