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

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/meta"
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
	Account(ctx context.Context, id string) (account.Account, error)
	AccountForUser(ctx context.Context, userID int64, id string) (account.Account, error)
	ResumeAccount(ctx context.Context, accountID, by string) (bool, error)
}

// AccountOK reports whether an account can send (its token works), as seen
// by userID.
type AccountOK func(ctx context.Context, userID int64, accountID string) (bool, error)

// Deadlines confirms with Graph when a comment was written, storing its
// exact deadline (ingest.Enricher).
type Deadlines interface {
	Confirm(ctx context.Context, commentID string) error
}

// Service is where people's replies enter: it validates, records the reply
// once, and hands it to the Worker.
type Service struct {
	st        Records
	accountOK AccountOK
	worker    *Worker
	now       func() time.Time
	waitFor   time.Duration
	deadlines Deadlines
}

// confirmTimeout bounds the Graph call that confirms a deadline before a
// reply, which the person sending waits for.
const confirmTimeout = 10 * time.Second

// ConfirmDeadlines makes Send ask d for a comment's creation time before
// replying to a comment whose deadline is still approximate (DESIGN §5:
// a reply that cannot be sent leaves no record). Without it, approximate
// deadlines are taken as they are.
func (s *Service) ConfirmDeadlines(d Deadlines) { s.deadlines = d }

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
	state, err := s.check(ctx, by.ID, it)
	if err != nil {
		return reply.Reply{}, it, err
	}
	if !it.DeadlineExact && s.deadlines != nil && !it.Live {
		if it, err = s.confirmDeadline(ctx, by.ID, it); err != nil {
			return reply.Reply{}, it, err
		}
		if state, err = s.check(ctx, by.ID, it); err != nil {
			return reply.Reply{}, it, err
		}
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
	if state.Hold == nil && s.worker.EstimatedStart(it.AccountID).IsZero() {
		// It may go out at once: wait briefly for Meta's answer.
		s.worker.wait(ctx, r.ID, s.waitFor)
	}
	if latest, err := s.st.Reply(ctx, r.ID); err == nil {
		r = latest
	}
	if latest, err := s.st.InboxItem(ctx, by.ID, it.ID); err == nil {
		it = latest
	}
	return r, it, nil
}

// check refuses a reply the rules do not allow now (reply.Blocker), and
// answers the panel's state otherwise.
func (s *Service) check(ctx context.Context, userID int64, it inbox.Item) (reply.PanelState, error) {
	state, err := s.Panel(ctx, userID, it)
	if err != nil || state.Blocker == "" {
		return state, err
	}
	kind := apperr.Unprocessable
	if state.Active != nil || it.Status == inbox.StatusReplied {
		kind = apperr.Conflict
	}
	return state, apperr.New(kind, "cannot_reply", state.Blocker)
}

// confirmDeadline makes sure the comment's deadline is known before a
// reply is recorded. A webhook carries no creation time, so until Graph
// has said when the comment was written its deadline is its webhook's time
// plus 7 days, and the comment may in fact be older (a delivery Meta
// retried, a comment made before the account was connected): sending then
// would fail at Meta and leave a record. So an approximate deadline is
// confirmed first, and when Graph cannot say, the reply is refused with
// the reason (and no record).
func (s *Service) confirmDeadline(ctx context.Context, userID int64, it inbox.Item) (inbox.Item, error) {
	cctx, cancel := context.WithTimeout(ctx, confirmTimeout)
	err := s.deadlines.Confirm(cctx, it.ID)
	cancel()
	switch {
	case err == nil:
		return s.st.InboxItem(ctx, userID, it.ID)
	case ctx.Err() != nil:
		return it, ctx.Err()
	case meta.Classify(err) == meta.ClassPermanent:
		return it, apperr.New(apperr.Unprocessable, "comment_unreadable",
			"Instagram no longer shows this comment (it may have been deleted), so it cannot get a private reply.")
	case meta.Classify(err) == meta.ClassToken:
		return it, apperr.New(apperr.Unprocessable, "cannot_reply",
			"The account needs reconnecting before it can send replies. Use Reconnect at the top of the page.")
	}
	return it, &apperr.Error{Kind: apperr.Unavailable, Code: "deadline_unknown", Err: err,
		Message: "Instagram has not said yet when this comment was written, so Replydesk cannot tell whether its 7-day reply window is still open. Nothing was sent; try again in a minute."}
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
	acct, err := s.st.Account(ctx, it.AccountID)
	if err != nil {
		return reply.PanelState{}, err
	}
	if acct.Held() {
		ps.Hold = &acct.Hold
	} else if ps.Active != nil && ps.Active.State == reply.Queued {
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

// ResumeAccount lifts the hold of an account userID may see (admins only:
// the caller checks the role), in the name of byName, and wakes the
// Worker: the queued replies go out, deadline first. Resuming an account
// that is not on hold changes nothing but the refusal count.
func (s *Service) ResumeAccount(ctx context.Context, userID int64, byName, accountID string) (account.Account, error) {
	if _, err := s.st.AccountForUser(ctx, userID, accountID); err != nil {
		return account.Account{}, err
	}
	if _, err := s.st.ResumeAccount(ctx, accountID, byName); err != nil {
		return account.Account{}, err
	}
	s.worker.Kick()
	return s.st.AccountForUser(ctx, userID, accountID)
}
