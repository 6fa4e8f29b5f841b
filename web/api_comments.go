package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
)

// apiComment is DESIGN §6's Comment.
type apiComment struct {
	ID              string     `json:"id"`
	AccountID       string     `json:"account_id"`
	AccountUsername string     `json:"account_username"`
	MediaID         string     `json:"media_id"`
	Surface         string     `json:"surface"`
	AdID            string     `json:"ad_id"`
	AdTitle         string     `json:"ad_title"`
	ParentID        string     `json:"parent_id"`
	Username        string     `json:"username"`
	Text            string     `json:"text"`
	Status          string     `json:"status"`
	Deadline        time.Time  `json:"deadline"`
	DeadlineExact   bool       `json:"deadline_exact"`
	Live            bool       `json:"live"`
	ReceivedAt      time.Time  `json:"received_at"`
	Reply           *apiReply  `json:"reply"`
	Assignee        *apiPerson `json:"assignee"`
	// What a rule did (DESIGN §8): the rule that applied and the template
	// it suggests; null when none.
	RuleID              *int64 `json:"rule_id"`
	SuggestedTemplateID *int64 `json:"suggested_template_id"`
	// Moderation (DESIGN §8).
	Hidden            bool             `json:"hidden"`
	Deleted           bool             `json:"deleted"`
	PublicReplies     []apiPublicReply `json:"public_replies"`
	PendingModeration *string          `json:"pending_moderation"` // "hide", "unhide" or "delete" while Instagram works on it
}

// apiReply is DESIGN §6's Reply.
type apiReply struct {
	ID         int64     `json:"id"`
	State      string    `json:"state"`
	Text       string    `json:"text"`
	TemplateID *int64    `json:"template_id"`
	MessageID  string    `json:"message_id"`
	Error      string    `json:"error"`
	By         string    `json:"by"`
	CreatedAt  time.Time `json:"created_at"`
}

func toAPIComment(it inbox.Item) apiComment {
	c := apiComment{
		ID: it.ID, AccountID: it.AccountID, AccountUsername: it.AccountUsername, MediaID: it.MediaID,
		Surface: string(it.Surface), AdID: it.AdID, AdTitle: it.AdTitle, ParentID: it.ParentID,
		Username: it.Username, Text: it.Text, Status: string(it.Status), Deadline: it.Deadline.UTC(),
		DeadlineExact: it.DeadlineExact, Live: it.Live, ReceivedAt: it.ReceivedAt.UTC(),
		Assignee: toAPIPerson(it.Assignee),
		RuleID:   optionalID(it.RuleID), SuggestedTemplateID: optionalID(it.SuggestedTemplateID),
		Hidden: it.Hidden, Deleted: it.Deleted, PublicReplies: []apiPublicReply{},
	}
	if it.PendingModeration != "" {
		p := it.PendingModeration
		c.PendingModeration = &p
	}
	return c
}

func toAPIPerson(p inbox.Person) *apiPerson {
	if p.ID == 0 {
		return nil
	}
	return &apiPerson{ID: p.ID, Name: p.Name}
}

// apiListComments is GET /api/v1/comments: the inbox's filters plus cursor
// and limit (1–200, default 50).
func (s *Server) apiListComments(c echo.Context) error {
	f, cur, err := s.listParams(c)
	if err != nil {
		return err
	}
	limit := pageSize
	if v := c.QueryParam("limit"); v != "" {
		if err := echo.QueryParamsBinder(c).Int("limit", &limit).BindError(); err != nil || limit < 1 || limit > 200 {
			return apperr.Param("limit", "bad_limit", "limit must be a whole number from 1 to 200.")
		}
	}
	page, err := s.deps.Inbox.ListInbox(c.Request().Context(), userOf(c).ID, f, cur, limit)
	if err != nil {
		return err
	}
	out := struct {
		Data       []apiComment `json:"data"`
		NextCursor *string      `json:"next_cursor"`
	}{Data: make([]apiComment, len(page.Items))}
	ids := make([]string, len(page.Items))
	for i, it := range page.Items {
		if out.Data[i], err = s.apiCommentWithReply(c, it); err != nil {
			return err
		}
		ids[i] = it.ID
	}
	public, err := s.deps.Moderation.PublicReplies(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	for i := range out.Data {
		out.Data[i].PublicReplies = toAPIPublicReplies(public[out.Data[i].ID])
	}
	if page.Next != nil {
		n := page.Next.Encode()
		out.NextCursor = &n
	}
	return c.JSON(http.StatusOK, out)
}

// apiGetComment is GET /api/v1/comments/:id.
func (s *Server) apiGetComment(c echo.Context) error {
	it, err := s.deps.Inbox.InboxItem(c.Request().Context(), userOf(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	out, err := s.apiCommentOf(c, it)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// apiCommentOf is the API shape of a comment with its latest reply and
// its public replies.
func (s *Server) apiCommentOf(c echo.Context, it inbox.Item) (apiComment, error) {
	out, err := s.apiCommentWithReply(c, it)
	if err != nil {
		return out, err
	}
	public, err := s.deps.Moderation.PublicReplies(c.Request().Context(), []string{it.ID})
	if err != nil {
		return out, err
	}
	out.PublicReplies = toAPIPublicReplies(public[it.ID])
	return out, nil
}

// apiCommentWithReply is the API shape of a comment with its latest reply.
func (s *Server) apiCommentWithReply(c echo.Context, it inbox.Item) (apiComment, error) {
	out := toAPIComment(it)
	p, err := s.deps.Replies.Panel(c.Request().Context(), userOf(c).ID, it)
	if err != nil {
		return out, err
	}
	if r := reply.Latest(p.History); r != nil {
		rep := toAPIReply(*r)
		out.Reply = &rep
	}
	return out, nil
}

// apiSetStatus is POST /api/v1/comments/:id/status {"status": ...}.
func (s *Server) apiSetStatus(c echo.Context) error {
	var in struct {
		Status string `json:"status"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	id := c.Param("id")
	if _, err := s.deps.Inbox.SetStatus(c.Request().Context(), userOf(c).ID, []string{id}, inbox.Status(in.Status)); err != nil {
		return err
	}
	return s.apiGetComment(c)
}
