package web

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/moderator"
	"github.com/replydesk/replydesk/views"
)

func authorOf(u *identity.User) moderation.Author { return moderation.Author{ID: u.ID, Name: u.Name} }

// postPublicReply is POST /inbox/comments/:id/public-reply (form text,
// template_id): the panel with the reply posted (or on its way, or why
// not), the row, and a toast. A refused reply keeps its text in the
// composer, with the reason.
func (s *Server) postPublicReply(c echo.Context) error {
	tid, err := replyRequest(c.Param("id"), "", c.FormValue("template_id"))
	if err != nil {
		return err
	}
	text := c.FormValue("text")
	a, it, err := s.deps.Moderation.PublicReply(c.Request().Context(), authorOf(userOf(c)), c.Param("id"), text, tid.TemplateID)
	return s.moderationAnswer(c, a, it, err, func(d *views.CommentDetailVM, msg string) {
		d.Moderation.Composer.Text, d.Moderation.Composer.Error, d.Moderation.Composer.Open = text, msg, true
	})
}

// hideComment is POST /inbox/comments/:id/hide (form hidden=true|false).
func (s *Server) hideComment(c echo.Context) error {
	hidden, err := boolForm(c.FormValue("hidden"), "hidden")
	if err != nil {
		return err
	}
	a, it, err := s.deps.Moderation.SetHidden(c.Request().Context(), authorOf(userOf(c)), c.Param("id"), hidden)
	return s.moderationAnswer(c, a, it, err, nil)
}

// deleteComment is POST /inbox/comments/:id/delete, after the panel's
// confirmation. The comment leaves the list (unless it shows All).
func (s *Server) deleteComment(c echo.Context) error {
	a, it, err := s.deps.Moderation.Delete(c.Request().Context(), authorOf(userOf(c)), c.Param("id"))
	return s.moderationAnswer(c, a, it, err, nil)
}

// moderationAnswer renders the outcome of a moderation action: the panel,
// the row (taken out of the list once deleted, unless the list shows All)
// and a toast saying what happened in plain words. A request the rules
// refuse is shown in the panel by keep, or as a toast.
func (s *Server) moderationAnswer(c echo.Context, a moderation.Action, it inbox.Item, err error, keep func(*views.CommentDetailVM, string)) error {
	ae, refused := apperr.As(err)
	if err != nil && (!refused || it.ID == "" || keep == nil) {
		return err
	}
	f, _ := inbox.ParseFilter(c.QueryParams())
	detail, derr := s.detailVM(c, it, f)
	if derr != nil {
		return derr
	}
	status := http.StatusOK
	var toast *views.ToastVM
	if refused {
		keep(&detail, ae.Message)
		status = kindStatus[ae.Kind]
	} else {
		t := actionToast(a)
		toast = &t
	}
	if !isHTMX(c) {
		if !refused {
			return c.Redirect(http.StatusSeeOther, "/inbox/comments/"+it.ID)
		}
		vm, err := s.inboxVM(c, f, it.ID)
		if err != nil {
			return err
		}
		vm.Detail = &detail
		return render(c, status, views.InboxPage(vm))
	}
	row := toRowVM(it, f, s.now())
	row.Selected, row.OOB = true, true
	return render(c, status, views.ModerationAnswer(detail, row, it.Deleted && !f.Matches(it.Comment, s.now()), toast))
}

// actionToast says what an action did, or that it is on its way.
func actionToast(a moderation.Action) views.ToastVM {
	done := map[moderation.Kind]string{
		moderation.PublicReply: "Public reply posted", moderation.Hide: "Comment hidden on Instagram",
		moderation.Unhide: "Comment shown again on Instagram", moderation.Delete: "Comment deleted on Instagram",
	}
	switch {
	case a.State == moderation.Done:
		return views.ToastVM{Message: done[a.Kind], Kind: "ok"}
	case a.State == moderation.Failed:
		return views.ToastVM{Message: a.Error, Kind: "error"}
	case a.Error != "":
		return views.ToastVM{Message: a.Error}
	}
	return views.ToastVM{Message: moderation.PendingLabel(a.Kind) + " Instagram has not answered yet; the change shows here when it does."}
}

// bulkHide is POST /inbox/moderation/hide (form ids): each comment that can
// be hidden is queued and hidden at Instagram's pace, and a toast says how
// long it takes and what was left alone. The rows change over the live
// stream, in the feed's order ("Hiding…", then "Hidden"): rows rendered
// here could arrive after fresher ones and undo them.
func (s *Server) bulkHide(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.Invalid, "bad_form", "The form could not be read.")
	}
	res, err := s.deps.Moderation.BulkHide(c.Request().Context(), authorOf(userOf(c)), form["ids"])
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/inbox")
	}
	return render(c, http.StatusOK, views.Toast(bulkToast(res)))
}

// bulkToast says what a bulk hide does and how long it takes.
func bulkToast(res moderation.BulkResult) views.ToastVM {
	n := len(res.Queued)
	t := views.ToastVM{Kind: "ok"}
	switch n {
	case 0:
		t.Kind, t.Message = "error", "Nothing to hide."
	case 1:
		t.Message = "Hiding 1 comment."
	default:
		t.Message = fmt.Sprintf("Hiding %d comments at Instagram's pace: %s.", n, aboutDuration(float64(n)/moderator.DefaultRate))
	}
	if len(res.Skipped) > 0 {
		why := ""
		for _, w := range res.Skipped {
			why = w
			break
		}
		if len(res.Skipped) == 1 {
			t.Message += " 1 left alone: " + why
		} else {
			t.Message += fmt.Sprintf(" %d left alone (for example: %s)", len(res.Skipped), why)
		}
	}
	return t
}

// aboutDuration is a wait in words: "a few seconds", "about 40 s", "about 4 min".
func aboutDuration(seconds float64) string {
	switch {
	case seconds < 10:
		return "a few seconds"
	case seconds < 90:
		return fmt.Sprintf("about %d s", int(math.Round(seconds/10)*10))
	}
	return fmt.Sprintf("about %d min", int(math.Round(seconds/60)))
}

// setNudgeDefault is POST /accounts/:id/nudge (admins; form template_id,
// "" for none): the account's default "check your DMs" reply.
func (s *Server) setNudgeDefault(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.deps.Accounts.AccountForUser(ctx, userOf(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	req, err := replyRequest(a.ID, "", c.FormValue("template_id"))
	if err != nil {
		return err
	}
	if err := s.deps.Moderation.SetNudgeDefault(ctx, authorOf(userOf(c)), a.ID, req.TemplateID); err != nil {
		return err
	}
	s.setFlash(c, "nudge_saved")
	return redirect(c, "/accounts/"+a.ID)
}

// boolForm reads "true" or "false".
func boolForm(v, field string) (bool, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, apperr.Field(field, "bad_"+field, field+" must be true or false.")
}

// apiPublicReply is DESIGN §8's public reply: what it is, who posted it, when.
type apiPublicReply struct {
	ID        string    `json:"id"` // Meta's id; "" while it is on its way
	Text      string    `json:"text"`
	By        string    `json:"by"` // "" when posted outside Replydesk
	CreatedAt time.Time `json:"created_at"`
	State     string    `json:"state,omitempty"` // an answer to a request: done, queued, retrying…
	Error     string    `json:"error,omitempty"`
}

func toAPIPublicReplies(rs []moderation.Reply) []apiPublicReply {
	out := make([]apiPublicReply, len(rs))
	for i, r := range rs {
		out[i] = apiPublicReply{ID: r.ID, Text: r.Text, By: r.By, CreatedAt: r.CreatedAt.UTC()}
	}
	return out
}

// apiPostPublicReply is POST /api/v1/comments/:id/public-reply {"text"} (or
// {"template_id"} of a public template): 201 once posted, 202 while
// Instagram has not answered (rate limited, retrying).
func (s *Server) apiPostPublicReply(c echo.Context) error {
	var in struct {
		Text       string `json:"text"`
		TemplateID int64  `json:"template_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	a, _, err := s.deps.Moderation.PublicReply(c.Request().Context(), authorOf(userOf(c)), c.Param("id"), in.Text, in.TemplateID)
	if err != nil {
		return err
	}
	if err := actionError(a); err != nil {
		return err
	}
	out := apiPublicReply{ID: a.ResultID, Text: a.Text, By: a.UserName, CreatedAt: a.CreatedAt.UTC(), State: string(a.State), Error: a.Error}
	if a.State != moderation.Done {
		return c.JSON(http.StatusAccepted, out)
	}
	return c.JSON(http.StatusCreated, out)
}

// apiHideComment is POST /api/v1/comments/:id/hide {"hidden": bool}:
// Comment, 202 while Instagram has not answered.
func (s *Server) apiHideComment(c echo.Context) error {
	var in struct {
		Hidden *bool `json:"hidden"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Hidden == nil {
		return apperr.Field("hidden", "bad_hidden", "hidden must be true or false.")
	}
	a, it, err := s.deps.Moderation.SetHidden(c.Request().Context(), authorOf(userOf(c)), c.Param("id"), *in.Hidden)
	return s.apiActionAnswer(c, a, it, err)
}

// apiDeleteComment is DELETE /api/v1/comments/:id: the Comment with
// deleted true (kept for the record), 202 while Instagram has not answered.
func (s *Server) apiDeleteComment(c echo.Context) error {
	a, it, err := s.deps.Moderation.Delete(c.Request().Context(), authorOf(userOf(c)), c.Param("id"))
	return s.apiActionAnswer(c, a, it, err)
}

func (s *Server) apiActionAnswer(c echo.Context, a moderation.Action, it inbox.Item, err error) error {
	if err != nil {
		return err
	}
	if err := actionError(a); err != nil {
		return err
	}
	out, err := s.apiCommentOf(c, it)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if a.State != moderation.Done {
		status = http.StatusAccepted
	}
	return c.JSON(status, out)
}

// actionStatus is the API's status for each way an action fails.
var actionStatus = map[moderation.ErrorKind]apperr.Kind{
	moderation.ErrPermission: apperr.Forbidden, moderation.ErrGone: apperr.NotFound, moderation.ErrToken: apperr.Conflict,
	moderation.ErrRateLimited: apperr.Unavailable, moderation.ErrTemporary: apperr.Unavailable, moderation.ErrRejected: apperr.Unprocessable,
}

// actionError is a failed action as the API's error, in its plain words.
func actionError(a moderation.Action) error {
	if a.State != moderation.Failed {
		return nil
	}
	kind, ok := actionStatus[a.ErrorKind]
	if !ok {
		kind = apperr.Unprocessable
	}
	return apperr.New(kind, string(a.ErrorKind), a.Error)
}
