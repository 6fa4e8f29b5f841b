package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/team"
	"github.com/replydesk/replydesk/views"
)

// sendReply is POST /inbox/comments/:id/reply (form text, template_id): it
// answers with the detail panel showing the reply's state, and the row.
func (s *Server) sendReply(c echo.Context) error {
	req, err := replyRequest(c.Param("id"), c.FormValue("text"), c.FormValue("template_id"))
	if err != nil {
		return err
	}
	u := userOf(c)
	if c.FormValue("confirm") == "" {
		if warned, err := s.warnOthersReplying(c, req); warned || err != nil {
			return err
		}
	}
	r, it, err := s.deps.Replies.Send(c.Request().Context(), reply.Author{ID: u.ID, Name: u.Name}, req)
	ae, refused := apperr.As(err)
	if err != nil && (!refused || it.ID == "") {
		return err
	}
	if !refused {
		// Sent (or on its way): the person is no longer replying.
		if err := s.deps.Team.ClearPresence(c.Request().Context(), u.ID, it.ID); err != nil {
			s.log.Error("clearing presence after a reply", "request_id", requestID(c), "error", err)
		}
	}
	var toast *views.ToastVM
	if err == nil && c.FormValue("nudge") == "1" {
		toast = s.nudgeAfter(c, it.ID, r.ID, c.FormValue("nudge_template_id"))
	}
	f, _ := inbox.ParseFilter(c.QueryParams())
	detail, derr := s.detailVM(c, it, f)
	if derr != nil {
		return derr
	}
	status := http.StatusOK
	if refused {
		// Keep what was written, and say why it was refused (once: the
		// panel may already give the same reason for being closed now).
		detail.Reply.Text = req.Text
		if detail.Reply.Enabled || detail.Reply.Reason != ae.Message {
			detail.Reply.Error = ae.Message
		}
		status = kindStatus[ae.Kind]
	}
	if !isHTMX(c) {
		if refused {
			return render(c, status, views.CommentDetail(detail))
		}
		return c.Redirect(http.StatusSeeOther, "/inbox/comments/"+it.ID)
	}
	row := toRowVM(it, f, s.now())
	row.Selected, row.OOB = true, true
	if toast == nil && !refused && detail.Reply.Existing != nil {
		toast = &views.ToastVM{Message: "Private reply to @" + it.Username + ": " + detail.Reply.Existing.StateLabel}
	}
	return render(c, status, views.DetailWithRow(detail, row, toast))
}

// nudgeAfter queues the "check your DMs" public reply to follow private
// reply replyID; a toast when it could not be queued (the private reply
// itself went out).
func (s *Server) nudgeAfter(c echo.Context, commentID string, replyID int64, templateID string) *views.ToastVM {
	req, err := replyRequest(commentID, "", templateID)
	if err == nil {
		_, err = s.deps.Moderation.Nudge(c.Request().Context(), authorOf(userOf(c)), commentID, replyID, req.TemplateID)
	}
	if err == nil {
		return nil
	}
	msg := "The public reply was not posted."
	if ae, ok := apperr.As(err); ok {
		msg = "The public reply was not posted: " + ae.Message
	} else {
		s.log.Error("queueing a nudge", "comment_id", commentID, "error", err)
	}
	return &views.ToastVM{Message: msg, Kind: "error"}
}

// apiSendReply is POST /api/v1/comments/:id/reply {"text"} or
// {"template_id"}: {"reply","comment"}, 202 while the reply is on its way.
func (s *Server) apiSendReply(c echo.Context) error {
	var in struct {
		Text       string `json:"text"`
		TemplateID int64  `json:"template_id"`
		// Nudge posts a public reply (public template NudgeTemplateID, or
		// the account's default) once the private one is delivered.
		Nudge           bool  `json:"nudge"`
		NudgeTemplateID int64 `json:"nudge_template_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u := userOf(c)
	r, it, err := s.deps.Replies.Send(c.Request().Context(), reply.Author{ID: u.ID, Name: u.Name},
		reply.Request{CommentID: c.Param("id"), Text: in.Text, TemplateID: in.TemplateID})
	if err != nil {
		return err
	}
	var nudge *apiPublicReply
	if in.Nudge {
		a, err := s.deps.Moderation.Nudge(c.Request().Context(), authorOf(u), it.ID, r.ID, in.NudgeTemplateID)
		nudge = &apiPublicReply{Text: a.Text, By: a.UserName, CreatedAt: a.CreatedAt.UTC(), State: string(a.State)}
		if err != nil {
			// The private reply stands; the answer says why the public one is not coming.
			ae, ok := apperr.As(err)
			if !ok {
				return err
			}
			nudge.State, nudge.Error = string(moderation.Failed), ae.Message
		}
	}
	status := http.StatusOK
	if !r.State.Done() {
		status = http.StatusAccepted
	}
	comment := toAPIComment(it)
	rep := toAPIReply(r)
	comment.Reply = &rep
	out := map[string]any{"reply": rep, "comment": comment}
	if nudge != nil {
		out["nudge"] = nudge
	}
	return c.JSON(status, out)
}

// warnOthersReplying answers the composer again, with what was written and
// a warning, when someone else has the comment open in their composer: a
// courtesy before a second person sends (sending stays exactly once either
// way; the form then carries confirm and sends). It reports whether it
// answered.
func (s *Server) warnOthersReplying(c echo.Context, req reply.Request) (bool, error) {
	u := userOf(c)
	it, err := s.deps.Inbox.InboxItem(c.Request().Context(), u.ID, req.CommentID)
	if err != nil {
		return false, err
	}
	others := team.OthersReplying(it, u.ID)
	if len(others) == 0 {
		return false, nil
	}
	f, _ := inbox.ParseFilter(c.QueryParams())
	detail, err := s.detailVM(c, it, f)
	if err != nil {
		return false, err
	}
	names := make([]string, len(others))
	for i, p := range others {
		names[i] = p.Name
	}
	who := strings.Join(names, " and ") + " is"
	if len(names) > 1 {
		who = strings.Join(names, " and ") + " are"
	}
	detail.Reply.Text, detail.Reply.TemplateID = req.Text, req.TemplateID
	detail.Reply.Warning = who + " replying to this comment right now. Press Send again to send yours anyway: " +
		"only one private reply can go out, so if theirs goes first, yours is refused."
	// 409: nothing was sent (the page stays on this comment), and the panel
	// is swapped in with the warning.
	return true, render(c, http.StatusConflict, views.CommentDetail(detail))
}

func replyRequest(id, text, templateID string) (reply.Request, error) {
	req := reply.Request{CommentID: id, Text: text}
	if t := strings.TrimSpace(templateID); t != "" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n <= 0 {
			return req, apperr.Field("template_id", "bad_template", "Pick a template from the list.")
		}
		req.TemplateID = n
	}
	return req, nil
}

func toAPIReply(r reply.Reply) apiReply {
	out := apiReply{ID: r.ID, State: string(r.State), Text: r.Text, MessageID: r.MessageID, Error: r.Error,
		By: r.UserName, CreatedAt: r.CreatedAt.UTC()}
	if r.TemplateID != 0 {
		id := r.TemplateID
		out.TemplateID = &id
	}
	return out
}
