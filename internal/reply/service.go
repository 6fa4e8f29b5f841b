package reply

import (
	"context"
	"errors"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/live"
)

// Records is the storage the Service needs (store.Store).
type Records interface {
	InboxItem(ctx context.Context, userID int64, id string) (inbox.Item, error)
	Replies(ctx context.Context, commentID string) ([]Reply, error)
	CreateReply(ctx context.Context, r Reply) (Reply, error)
	Reply(ctx context.Context, id int64) (Reply, error)
}

// AccountOK reports whether an account can send (its token works), as seen
// by userID.
type AccountOK func(ctx context.Context, userID int64, accountID string) (bool, error)

// Templates renders a reply template for a comment and counts its use.
type Templates interface {
	RenderFor(ctx context.Context, templateID int64, it inbox.Item) (text, name string, err error)
	MarkUsed(ctx context.Context, templateID int64) error
}

// ErrDuplicate is returned by Records.CreateReply when the comment already
// has a live reply (the uniqueness rule that makes sending exactly once).
var ErrDuplicate = errors.New("reply: the comment already has a live reply")

// Service is where people's replies enter: it validates, records the reply
// once, and hands it to the Sender.
type Service struct {
	st        Records
	accountOK AccountOK
	templates Templates
	sender    *Sender
	hub       live.Hub
	now       func() time.Time
	waitFor   time.Duration
}

// NewService makes a Service. templates may be nil (no templates yet).
func NewService(st Records, accountOK AccountOK, templates Templates, sender *Sender, hub live.Hub, now func() time.Time) *Service {
	return &Service{st: st, accountOK: accountOK, templates: templates, sender: sender, hub: hub, now: now, waitFor: 3 * time.Second}
}

// Request is a person's reply: text, or a template rendered for the
// comment (the text, when given, is the template's edited rendering).
type Request struct {
	CommentID  string
	Text       string
	TemplateID int64
}

// Send validates and queues the reply, then waits briefly for Meta's answer
// so that most sends come back final. A comment the author may not see is
// store.ErrNotFound; a reply that cannot be sent is an *apperr.Error and
// leaves no record.
func (s *Service) Send(ctx context.Context, by Author, req Request) (Reply, inbox.Item, error) {
	it, err := s.st.InboxItem(ctx, by.ID, req.CommentID)
	if err != nil {
		return Reply{}, inbox.Item{}, err
	}
	text, name := req.Text, ""
	if req.TemplateID != 0 {
		if s.templates == nil {
			return Reply{}, it, apperr.Field("template_id", "no_templates", "Templates are not available.")
		}
		rendered, tname, err := s.templates.RenderFor(ctx, req.TemplateID, it)
		if err != nil {
			return Reply{}, it, err
		}
		name = tname
		if text == "" {
			text = rendered
		}
	}
	if err := CheckText(text); err != nil {
		return Reply{}, it, err
	}
	state, err := s.Panel(ctx, by.ID, it)
	if err != nil {
		return Reply{}, it, err
	}
	if state.Blocker != "" {
		kind := apperr.Unprocessable
		if state.Active != nil || it.Status == inbox.StatusReplied {
			kind = apperr.Conflict
		}
		return Reply{}, it, apperr.New(kind, "cannot_reply", state.Blocker)
	}
	r, err := s.st.CreateReply(ctx, Reply{
		CommentID: it.ID, AccountID: it.AccountID, Text: text, TemplateID: req.TemplateID, TemplateName: name,
		UserID: by.ID, UserName: by.Name, Live: it.Live, Deadline: it.Deadline,
	})
	if errors.Is(err, ErrDuplicate) {
		return Reply{}, it, apperr.New(apperr.Conflict, "already_replied",
			"Someone already sent (or is sending) a reply to this comment. Instagram allows one per comment.")
	}
	if err != nil {
		return Reply{}, it, err
	}
	if req.TemplateID != 0 {
		s.templates.MarkUsed(ctx, req.TemplateID)
	}
	s.hub.Publish(ctx, live.Event{Kind: live.CommentChanged, CommentID: it.ID, AccountID: it.AccountID, At: s.now()})
	s.sender.Kick()
	s.sender.wait(ctx, r.ID, s.waitFor)
	if latest, err := s.st.Reply(ctx, r.ID); err == nil {
		r = latest
	}
	if latest, err := s.st.InboxItem(ctx, by.ID, it.ID); err == nil {
		it = latest
	}
	return r, it, nil
}

// PanelState is what the composer shows for a comment.
type PanelState struct {
	Active    *Reply  // the live reply, if one exists
	History   []Reply // every reply, oldest first
	Blocker   string  // why no reply can be sent now; "" when one can
	EstimateQ time.Time
}

// Panel reads a comment's replies and says whether a new one is possible.
func (s *Service) Panel(ctx context.Context, userID int64, it inbox.Item) (PanelState, error) {
	hist, err := s.st.Replies(ctx, it.ID)
	if err != nil {
		return PanelState{}, err
	}
	ps := PanelState{History: hist}
	for i := range hist {
		if hist[i].State != Failed {
			ps.Active = &hist[i]
		}
	}
	ok := true
	if s.accountOK != nil {
		if ok, err = s.accountOK(ctx, userID, it.AccountID); err != nil {
			return PanelState{}, err
		}
	}
	if own := it.FromID != "" && it.FromID == it.AccountID; own {
		ps.Blocker = "This is the account's own comment: there is no one to send a private reply to."
	} else {
		ps.Blocker = Blocker(it.Comment, ok, ps.Active, s.now())
	}
	if ps.Active != nil && ps.Active.State == Queued {
		ps.EstimateQ = s.sender.EstimatedStart(it.AccountID)
	}
	return ps, nil
}

// Latest is the comment's live reply, or its last failed one (nil if none).
func Latest(hist []Reply) *Reply {
	var last *Reply
	for i := range hist {
		if hist[i].State != Failed || last == nil || last.State == Failed {
			last = &hist[i]
		}
	}
	return last
}
