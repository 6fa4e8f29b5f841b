// Package moderator moderates comments on Instagram: public replies, hiding,
// unhiding, deleting, bulk hiding, and the "check your DMs" nudge. The
// Service is where a request enters: it checks access and the rules
// (moderation.Blocker), records the action with who asked, and waits
// briefly for the Worker, which works the queue per account, paced within
// Meta's limits, retrying what is transient and saying in plain words what
// is not. Every change shown about a comment is the store's to publish.
package moderator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/templates"
)

// Records is the storage the Service needs (store.Store).
type Records interface {
	InboxItem(ctx context.Context, userID int64, id string) (inbox.Item, error)
	VisibleItems(ctx context.Context, userID int64, ids []string) ([]inbox.Item, error)
	PendingVisibility(ctx context.Context, ids []string) (map[string]moderation.Action, error)
	QueueActions(ctx context.Context, as []moderation.Action) ([]moderation.Action, []string, error)
	QueueNudge(ctx context.Context, a moderation.Action, failedReason string) (moderation.Action, error)
	Action(ctx context.Context, id int64) (moderation.Action, error)
	CommentActions(ctx context.Context, commentID string) ([]moderation.Action, error)
	PublicReplies(ctx context.Context, commentIDs []string) (map[string][]moderation.Reply, error)
	Template(ctx context.Context, id int64) (templates.Template, error)
	MarkTemplateUsed(ctx context.Context, id int64, at time.Time) error
	NudgeTemplate(ctx context.Context, accountID string) (int64, error)
	SetNudgeTemplate(ctx context.Context, accountID string, templateID int64, byName string) error
}

// Service is where people's moderation requests enter.
type Service struct {
	st      Records
	worker  *Worker
	now     func() time.Time
	waitFor time.Duration
}

// NewService makes a Service.
func NewService(st Records, worker *Worker, now func() time.Time) *Service {
	return &Service{st: st, worker: worker, now: now, waitFor: 3 * time.Second}
}

// Reasons a nudge is not posted, in plain words.
const (
	nudgeReplyFailed = "the private reply was not delivered, so there is nothing to point to."
)

// PublicReply posts text (or public template templateID rendered for the
// comment, when text is empty) as a public reply under the comment, then
// waits briefly for Instagram's answer. The action answered may still be
// pending (rate limited, retrying) or failed, with its error in plain words.
func (s *Service) PublicReply(ctx context.Context, by moderation.Author, commentID, text string, templateID int64) (moderation.Action, inbox.Item, error) {
	it, err := s.st.InboxItem(ctx, by.ID, commentID)
	if err != nil {
		return moderation.Action{}, it, err
	}
	name := ""
	if templateID != 0 {
		rendered, tname, err := s.renderPublic(ctx, templateID, it)
		if err != nil {
			return moderation.Action{}, it, err
		}
		name = tname
		if text == "" {
			text = rendered
		}
	}
	if err := moderation.CheckPublicText(text); err != nil {
		return moderation.Action{}, it, err
	}
	a := moderation.Action{CommentID: it.ID, AccountID: it.AccountID, Kind: moderation.PublicReply, Text: text,
		TemplateID: templateID, TemplateName: name, UserID: by.ID, UserName: by.Name}
	a, err = s.queueOne(ctx, it, a)
	if err != nil {
		return a, it, err
	}
	if templateID != 0 {
		s.st.MarkTemplateUsed(ctx, templateID, s.now()) // a missed count is not worth failing the reply
	}
	return s.settle(ctx, by, a, it)
}

// SetHidden hides the comment on Instagram (or shows it again), then waits
// briefly for Instagram's answer.
func (s *Service) SetHidden(ctx context.Context, by moderation.Author, commentID string, hidden bool) (moderation.Action, inbox.Item, error) {
	kind := moderation.Unhide
	if hidden {
		kind = moderation.Hide
	}
	return s.visibility(ctx, by, commentID, kind)
}

// Delete deletes the comment on Instagram for good, then waits briefly for
// Instagram's answer. The comment stays in Replydesk's record.
func (s *Service) Delete(ctx context.Context, by moderation.Author, commentID string) (moderation.Action, inbox.Item, error) {
	return s.visibility(ctx, by, commentID, moderation.Delete)
}

func (s *Service) visibility(ctx context.Context, by moderation.Author, commentID string, kind moderation.Kind) (moderation.Action, inbox.Item, error) {
	it, err := s.st.InboxItem(ctx, by.ID, commentID)
	if err != nil {
		return moderation.Action{}, it, err
	}
	a := moderation.Action{CommentID: it.ID, AccountID: it.AccountID, Kind: kind, UserID: by.ID, UserName: by.Name}
	if already := (kind == moderation.Hide) == it.Hidden && kind != moderation.Delete; already &&
		it.PendingModeration == "" && !it.Deleted && !it.Live {
		a.State = moderation.Done // as asked already (a second click, a stale page): nothing to send
		return a, it, nil
	}
	if a, err = s.queueOne(ctx, it, a); err != nil {
		return a, it, err
	}
	return s.settle(ctx, by, a, it)
}

// queueOne checks the rules for one action and records it.
func (s *Service) queueOne(ctx context.Context, it inbox.Item, a moderation.Action) (moderation.Action, error) {
	pending, err := s.st.PendingVisibility(ctx, []string{it.ID})
	if err != nil {
		return a, err
	}
	var p *moderation.Action
	if v, ok := pending[it.ID]; ok {
		p = &v
	}
	if why := moderation.Blocker(it.Comment, a.Kind, p); why != "" {
		return a, apperr.New(blockerKind(it.Comment, p), "cannot_"+string(a.Kind), why)
	}
	queued, dup, err := s.st.QueueActions(ctx, []moderation.Action{a})
	if err != nil {
		return a, err
	}
	if len(dup) > 0 {
		if a.Kind == moderation.PublicReply {
			return a, apperr.New(apperr.Conflict, "duplicate_public_reply",
				"This exact public reply is already under the comment (or on its way). Instagram would show it twice.")
		}
		return a, apperr.New(apperr.Conflict, "moderation_pending",
			"Instagram is still working on the last change to this comment. Try again in a moment.")
	}
	s.worker.Kick()
	return queued[0], nil
}

// blockerKind is the status a refusal takes: a change racing another one
// is a conflict, a rule a validation error.
func blockerKind(c inbox.Comment, pending *moderation.Action) apperr.Kind {
	if pending != nil && !c.Deleted && !c.Live {
		return apperr.Conflict
	}
	return apperr.Unprocessable
}

// settle waits briefly for the action's outcome and answers it with the
// comment as it now stands.
func (s *Service) settle(ctx context.Context, by moderation.Author, a moderation.Action, it inbox.Item) (moderation.Action, inbox.Item, error) {
	s.worker.waits.Wait(ctx, a.ID, s.waitFor)
	if latest, err := s.st.Action(ctx, a.ID); err == nil {
		a = latest
	}
	if latest, err := s.st.InboxItem(ctx, by.ID, it.ID); err == nil {
		it = latest
	}
	return a, it, nil
}

// BulkHide hides many comments, paced within Meta's limits: it queues one
// action per comment that can be hidden and says why it left the others
// alone. It does not wait: the inbox shows each row as it changes.
func (s *Service) BulkHide(ctx context.Context, by moderation.Author, ids []string) (moderation.BulkResult, error) {
	res := moderation.BulkResult{Skipped: map[string]string{}}
	if len(ids) == 0 || len(ids) > moderation.MaxBulk {
		return res, apperr.Field("ids", "bad_selection", fmt.Sprintf("Select between 1 and %d comments.", moderation.MaxBulk))
	}
	items, err := s.st.VisibleItems(ctx, by.ID, ids)
	if err != nil {
		return res, err
	}
	found := make(map[string]inbox.Item, len(items))
	for _, it := range items {
		found[it.ID] = it
	}
	pending, err := s.st.PendingVisibility(ctx, ids)
	if err != nil {
		return res, err
	}
	var as []moderation.Action
	seen := map[string]bool{}
	for _, id := range ids {
		it, ok := found[id]
		switch {
		case seen[id]:
			continue
		case !ok:
			res.Skipped[id] = "This comment was not found among those you can see."
			continue
		}
		seen[id] = true
		var p *moderation.Action
		if v, ok := pending[id]; ok {
			p = &v
		}
		if why := moderation.Blocker(it.Comment, moderation.Hide, p); why != "" {
			res.Skipped[id] = why
			continue
		}
		as = append(as, moderation.Action{CommentID: id, AccountID: it.AccountID, Kind: moderation.Hide, Bulk: true,
			UserID: by.ID, UserName: by.Name})
	}
	if len(as) == 0 {
		return res, nil
	}
	queued, dup, err := s.st.QueueActions(ctx, as)
	if err != nil {
		return res, err
	}
	for _, id := range dup {
		res.Skipped[id] = "Instagram is still working on the last change to this comment."
	}
	res.Queued = queued
	s.worker.Kick()
	return res, nil
}

// Nudge posts a short public reply under the comment once its private reply
// replyID is delivered: public template templateID, or the account's
// default when 0. It does not wait for the private reply, only briefly for
// Instagram's answer when the private reply is already out.
func (s *Service) Nudge(ctx context.Context, by moderation.Author, commentID string, replyID, templateID int64) (moderation.Action, error) {
	it, err := s.st.InboxItem(ctx, by.ID, commentID)
	if err != nil {
		return moderation.Action{}, err
	}
	if templateID == 0 {
		if templateID, err = s.st.NudgeTemplate(ctx, it.AccountID); err != nil {
			return moderation.Action{}, err
		}
	}
	if templateID == 0 {
		return moderation.Action{}, apperr.Field("nudge_template_id", "no_nudge_template",
			"Pick the public reply to post after the private one.")
	}
	text, name, err := s.renderPublic(ctx, templateID, it)
	if err != nil {
		return moderation.Action{}, err
	}
	if err := moderation.CheckPublicText(text); err != nil {
		return moderation.Action{}, err
	}
	if why := moderation.Blocker(it.Comment, moderation.PublicReply, nil); why != "" {
		return moderation.Action{}, apperr.New(apperr.Unprocessable, "cannot_nudge", why)
	}
	a, err := s.st.QueueNudge(ctx, moderation.Action{CommentID: it.ID, AccountID: it.AccountID, Kind: moderation.PublicReply,
		Text: text, TemplateID: templateID, TemplateName: name, AfterReplyID: replyID, UserID: by.ID, UserName: by.Name},
		"Not posted: "+nudgeReplyFailed)
	switch {
	case errors.Is(err, moderation.ErrDuplicate):
		return a, apperr.New(apperr.Conflict, "duplicate_public_reply", "This public reply is already under the comment, so it was not posted again.")
	case errors.Is(err, store.ErrNotFound):
		return a, apperr.New(apperr.NotFound, "no_private_reply", "There is no private reply to post the public one after.")
	case err != nil:
		return a, err
	}
	s.st.MarkTemplateUsed(ctx, templateID, s.now())
	s.worker.Kick()
	if a.State == moderation.Queued { // its private reply is out: most come back posted
		s.worker.waits.Wait(ctx, a.ID, s.waitFor)
		if latest, err := s.st.Action(ctx, a.ID); err == nil {
			a = latest
		}
	}
	return a, nil
}

// renderPublic renders public template id for the comment; a private
// template is refused, so a direct message is never posted publicly.
func (s *Service) renderPublic(ctx context.Context, id int64, it inbox.Item) (string, string, error) {
	t, err := s.st.Template(ctx, id)
	if err != nil {
		return "", "", apperr.Field("template_id", "unknown_template", "That template no longer exists. Pick another one.")
	}
	if !t.Public {
		return "", "", apperr.Field("template_id", "private_template",
			"“"+t.Name+"” is a private reply template: it is meant for a direct message, not to be posted under the comment. Pick a public template.")
	}
	text, err := t.Render(templates.VarsFor(it))
	if err != nil {
		return "", "", apperr.Field("template_id", "broken_template", "That template cannot be used: "+err.Error())
	}
	return text, t.Name, nil
}

// Panel is what the inbox shows about a comment's moderation.
type Panel struct {
	Actions  []moderation.Action // the history, oldest first
	Replies  []moderation.Reply  // public replies under the comment, oldest first
	Pending  *moderation.Action  // the change of visibility in flight
	Blockers map[moderation.Kind]string
}

// Panel reads a comment's moderation state.
func (s *Service) Panel(ctx context.Context, it inbox.Item) (Panel, error) {
	acts, err := s.st.CommentActions(ctx, it.ID)
	if err != nil {
		return Panel{}, err
	}
	reps, err := s.st.PublicReplies(ctx, []string{it.ID})
	if err != nil {
		return Panel{}, err
	}
	p := Panel{Actions: acts, Replies: reps[it.ID], Blockers: map[moderation.Kind]string{}}
	for i := range acts {
		if acts[i].Kind.Visibility() && acts[i].State.Pending() {
			p.Pending = &acts[i]
		}
	}
	for _, k := range []moderation.Kind{moderation.PublicReply, moderation.Hide, moderation.Unhide, moderation.Delete} {
		p.Blockers[k] = moderation.Blocker(it.Comment, k, p.Pending)
	}
	return p, nil
}

// PublicReplies lists the public replies under each comment (the API's
// lists).
func (s *Service) PublicReplies(ctx context.Context, commentIDs []string) (map[string][]moderation.Reply, error) {
	return s.st.PublicReplies(ctx, commentIDs)
}

// NudgeDefault is the public template an account's composer offers as the
// nudge by default (0 when none).
func (s *Service) NudgeDefault(ctx context.Context, accountID string) (int64, error) {
	return s.st.NudgeTemplate(ctx, accountID)
}

// SetNudgeDefault sets an account's default nudge: a public template, or 0
// for none.
func (s *Service) SetNudgeDefault(ctx context.Context, by moderation.Author, accountID string, templateID int64) error {
	if templateID != 0 {
		t, err := s.st.Template(ctx, templateID)
		if err != nil || !t.Public {
			return apperr.Field("template_id", "not_public_template", "Pick one of the public reply templates.")
		}
	}
	return s.st.SetNudgeTemplate(ctx, accountID, templateID, by.Name)
}
