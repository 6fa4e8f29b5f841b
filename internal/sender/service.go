// Package sender queues private replies and sends them exactly once. The
// Service is where a reply enters: it validates, renders a template, and
// records the reply (unique per comment among live states) before Meta is
// called. The Worker works the queue per account within the hourly budget,
// closest deadline first, classifying Meta's answers into plain words and
// retrying what is transient until the comment's deadline.
package sender

import (
	"context"
	"errors"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/templates"
)

// Records is the storage the Service needs (store.Store).
type Records interface {
	InboxItem(ctx context.Context, userID int64, id string) (inbox.Item, error)
	Replies(ctx context.Context, commentID string) ([]reply.Reply, error)
	CreateReply(ctx context.Context, r reply.Reply) (reply.Reply, error)
	Reply(ctx context.Context, id int64) (reply.Reply, error)
	Template(ctx context.Context, id int64) (templates.Template, error)
	MarkTemplateUsed(ctx context.Context, id int64, at time.Time) error
}

// AccountOK reports whether an account can send (its token works), as seen
// by userID.
type AccountOK func(ctx context.Context, userID int64, accountID string) (bool, error)

// Service is where people's replies enter: it validates, records the reply
// once, and hands it to the Worker.
type Service struct {
	st        Records
	accountOK AccountOK
	worker    *Worker
	now       func() time.Time
	waitFor   time.Duration
}

// NewService makes a Service. accountOK may be nil (every account can send).
func NewService(st Records, accountOK AccountOK, worker *Worker, now func() time.Time) *Service {
	return &Service{st: st, accountOK: accountOK, worker: worker, now: now, waitFor: 3 * time.Second}
}

// Send validates and queues the reply, then waits briefly for Meta's answer
// so that most sends come back final. A comment the author may not see is
// the store's not-found error; a reply that cannot be sent is an
// *apperr.Error and leaves no record.
func (s *Service) Send(ctx context.Context, by reply.Author, req reply.Request) (reply.Reply, inbox.Item, error) {
	it, err := s.st.InboxItem(ctx, by.ID, req.CommentID)
	if err != nil {
		return reply.Reply{}, inbox.Item{}, err
	}
	text, name := req.Text, ""
	if req.TemplateID != 0 {
		rendered, tname, err := s.renderTemplate(ctx, req.TemplateID, it)
		if err != nil {
			return reply.Reply{}, it, err
		}
		name = tname
		if text == "" {
			text = rendered
		}
	}
	if err := reply.CheckText(text); err != nil {
		return reply.Reply{}, it, err
	}
	state, err := s.Panel(ctx, by.ID, it)
	if err != nil {
		return reply.Reply{}, it, err
	}
	if state.Blocker != "" {
		kind := apperr.Unprocessable
		if state.Active != nil || it.Status == inbox.StatusReplied {
			kind = apperr.Conflict
		}
		return reply.Reply{}, it, apperr.New(kind, "cannot_reply", state.Blocker)
	}
	r, err := s.st.CreateReply(ctx, reply.Reply{
		CommentID: it.ID, AccountID: it.AccountID, Text: text, TemplateID: req.TemplateID, TemplateName: name,
		UserID: by.ID, UserName: by.Name, Live: it.Live, Deadline: it.Deadline,
	})
	if errors.Is(err, reply.ErrDuplicate) {
		return reply.Reply{}, it, apperr.New(apperr.Conflict, "already_replied",
			"Someone already sent (or is sending) a reply to this comment. Instagram allows one per comment.")
	}
	if err != nil {
		return reply.Reply{}, it, err
	}
	if req.TemplateID != 0 {
		s.st.MarkTemplateUsed(ctx, req.TemplateID, s.now()) // a missed count is not worth failing the reply
	}
	s.worker.Kick()
	s.worker.wait(ctx, r.ID, s.waitFor)
	if latest, err := s.st.Reply(ctx, r.ID); err == nil {
		r = latest
	}
	if latest, err := s.st.InboxItem(ctx, by.ID, it.ID); err == nil {
		it = latest
	}
	return r, it, nil
}

// renderTemplate renders template id for the comment, returning the text
// and the template's name. A template that no longer exists is a field error.
func (s *Service) renderTemplate(ctx context.Context, id int64, it inbox.Item) (string, string, error) {
	t, err := s.st.Template(ctx, id)
	if err != nil {
		return "", "", apperr.Field("template_id", "unknown_template", "That template no longer exists. Pick another one.")
	}
	if t.Public {
		return "", "", apperr.Field("template_id", "public_template",
			"“"+t.Name+"” is a public reply template: it is posted under comments, not sent as a private message. Pick a private template.")
	}
	text, err := t.Render(templates.VarsFor(it))
	if err != nil {
		return "", "", apperr.Field("template_id", "broken_template", "That template cannot be used: "+err.Error())
	}
	return text, t.Name, nil
}

// Panel reads a comment's replies and says whether a new one is possible.
func (s *Service) Panel(ctx context.Context, userID int64, it inbox.Item) (reply.PanelState, error) {
	hist, err := s.st.Replies(ctx, it.ID)
	if err != nil {
		return reply.PanelState{}, err
	}
	ps := reply.PanelState{History: hist, Active: reply.Active(hist)}
	ok := true
	if s.accountOK != nil {
		if ok, err = s.accountOK(ctx, userID, it.AccountID); err != nil {
			return reply.PanelState{}, err
		}
	}
	if own := it.FromID != "" && it.FromID == it.AccountID; own {
		ps.Blocker = "This is the account's own comment: there is no one to send a private reply to."
	} else {
		ps.Blocker = reply.Blocker(it.Comment, ok, ps.Active, s.now())
	}
	if ps.Active != nil && ps.Active.State == reply.Queued {
		ps.EstimateQ = s.worker.EstimatedStart(it.AccountID)
	}
	return ps, nil
}

// RuleAuthor is the rule an automatic reply comes from.
type RuleAuthor struct {
	ID          int64
	Name        string
	OncePerUser bool // at most one automatic reply per commenter per media
}

// Automatic prepares a rule's reply to a comment as a person's would be:
// the template rendered for it, the same checks (the text limit, the
// deadline, Live, the account's health), never to the account's own
// comment. The reply is not recorded: the caller queues it (in the same
// transaction that records the rule's outcome), then calls Kick. An
// *apperr.Error says why the rule cannot send.
func (s *Service) Automatic(ctx context.Context, it inbox.Item, by RuleAuthor, t templates.Template) (reply.Reply, error) {
	if (it.FromID != "" && it.FromID == it.AccountID) || (it.Username != "" && it.Username == it.AccountUsername) {
		return reply.Reply{}, apperr.New(apperr.Unprocessable, "own_comment", "This is the account's own comment.")
	}
	if it.Status != inbox.StatusOpen {
		return reply.Reply{}, apperr.New(apperr.Conflict, "not_open", "The comment is no longer open.")
	}
	ok := true
	if s.accountOK != nil {
		var err error
		if ok, err = s.accountOK(ctx, 0, it.AccountID); err != nil {
			return reply.Reply{}, err
		}
	}
	if why := reply.Blocker(it.Comment, ok, nil, s.now()); why != "" {
		return reply.Reply{}, apperr.New(apperr.Unprocessable, "cannot_reply", why)
	}
	text, err := t.Render(templates.VarsFor(it))
	if err != nil {
		return reply.Reply{}, apperr.Field("template_id", "broken_template", "The template “"+t.Name+"” cannot be used.")
	}
	if err := reply.CheckText(text); err != nil {
		return reply.Reply{}, err
	}
	r := reply.Reply{
		CommentID: it.ID, AccountID: it.AccountID, Text: text, TemplateID: t.ID, TemplateName: t.Name,
		UserName: AutomaticBy(by.Name), RuleID: by.ID, Live: it.Live, Deadline: it.Deadline,
	}
	if by.OncePerUser {
		who := it.FromID
		if who == "" && it.Username != "" {
			who = "@" + it.Username
		}
		if who == "" {
			return reply.Reply{}, apperr.New(apperr.Unprocessable, "commenter_unknown",
				"Instagram did not say who wrote the comment, so the rule cannot tell whether it already answered them.")
		}
		r.OnceKey = it.AccountID + "/" + it.MediaID + "/" + who
	}
	return r, nil
}

// AutomaticBy is the Reply.by of a rule's reply: "rule:<name>".
func AutomaticBy(ruleName string) string { return "rule:" + ruleName }

// Kick tells the Worker replies were queued.
func (s *Service) Kick() { s.worker.Kick() }
