package web

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/moderator"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/templates"
	"github.com/replydesk/replydesk/views"
)

// pendingLabels are the row's words while Instagram works on a change.
var pendingLabels = map[string]string{
	string(moderation.Hide): moderation.PendingLabel(moderation.Hide), string(moderation.Unhide): moderation.PendingLabel(moderation.Unhide),
	string(moderation.Delete): moderation.PendingLabel(moderation.Delete),
}

// maxChars is Instagram's limit on a public reply, in the composer's words.
var maxChars = reply.Thousands(moderation.MaxPublicChars)

// moderationVM shapes the moderation part of the detail panel: state,
// public replies (posted, on their way, failed), buttons and the public
// composer with the public templates rendered for the comment.
func (s *Server) moderationVM(c echo.Context, it inbox.Item, p moderator.Panel, f inbox.Filter) (views.ModerationVM, error) {
	now := s.now()
	vm := views.ModerationVM{CommentID: it.ID, CSRF: csrfOf(c), FilterQuery: f.Values().Encode(), Hidden: it.Hidden, Deleted: it.Deleted}
	if p.Pending != nil {
		vm.Pending = moderation.PendingLabel(p.Pending.Kind)
	}
	// The last confirmed change of visibility says who and when.
	for _, a := range p.Actions {
		if a.State == moderation.Done && a.Kind.Visibility() {
			verb := map[moderation.Kind]string{moderation.Hide: "Hidden", moderation.Unhide: "Shown again", moderation.Delete: "Deleted"}[a.Kind]
			vm.StateNote = verb + " by " + orSystem(a.UserName) + " · " + ago(a.DoneAt, now)
		}
	}
	if !it.Hidden && !it.Deleted {
		vm.StateNote = ""
	}
	account := "@" + it.AccountUsername
	posted := map[int64]bool{}
	for _, r := range p.Replies {
		by := r.By
		if r.ActionID == 0 {
			by = "on Instagram"
		}
		posted[r.ActionID] = true
		vm.Replies = append(vm.Replies, views.PublicReplyVM{ID: r.ID, Account: account, Text: r.Text, By: by,
			When: ago(r.CreatedAt, now), WhenISO: isoMS(r.CreatedAt), State: "posted", Label: nudgeLabel(p.Actions, r.ActionID)})
	}
	for _, a := range p.Actions {
		if a.Kind != moderation.PublicReply || posted[a.ID] || a.State == moderation.Done {
			continue
		}
		r := views.PublicReplyVM{Account: account, Text: a.Text, By: orSystem(a.UserName), When: ago(a.CreatedAt, now),
			WhenISO: isoMS(a.CreatedAt), State: "pending", Label: "Posting…"}
		switch {
		case a.State == moderation.Waiting:
			r.Label = "After the private reply"
		case a.State == moderation.Retrying:
			r.Label, r.Error = "Waiting to retry", a.Error
		case !a.State.Pending():
			r.State, r.Label, r.Error = "failed", "Not posted", a.Error
		}
		vm.Replies = append(vm.Replies, r)
	}
	for _, a := range p.Actions {
		vm.Waiting = vm.Waiting || a.State.Pending()
	}
	vm.Hide = views.ModButtonVM{Label: "Hide", Key: "h", Value: "true", Reason: p.Blockers[moderation.Hide]}
	if it.Hidden {
		vm.Hide = views.ModButtonVM{Label: "Unhide", Key: "h", Value: "false", Reason: p.Blockers[moderation.Unhide]}
	}
	vm.Delete = views.ModButtonVM{Label: "Delete", Reason: p.Blockers[moderation.Delete]}
	if it.Live {
		vm.Reason = p.Blockers[moderation.Delete] // the same for every action, and not said elsewhere
	}
	vm.Composer = views.PublicComposerVM{
		CommentID: it.ID, CSRF: csrfOf(c), Account: it.AccountUsername, Enabled: p.Blockers[moderation.PublicReply] == "",
		Reason: p.Blockers[moderation.PublicReply], MaxChars: moderation.MaxPublicChars,
		CountText: "0 / " + maxChars + " characters", CountFormat: "{n} / " + maxChars + " characters",
		CountOver: "{n} / " + maxChars + " characters — {over} too many",
	}
	vm.Composer.ReasonShown = vm.Composer.Reason != "" && vm.Composer.Reason == vm.Reason
	if vm.Composer.Enabled {
		var err error
		if vm.Composer.Templates, err = s.publicTemplates(c, it); err != nil {
			return vm, err
		}
	}
	return vm, nil
}

// nudgeLabel marks a posted reply that was a "check your DMs" nudge.
func nudgeLabel(acts []moderation.Action, id int64) string {
	for _, a := range acts {
		if a.ID == id && a.Nudge {
			return "After the private reply"
		}
	}
	return ""
}

// publicTemplates are the public templates rendered for the comment.
func (s *Server) publicTemplates(c echo.Context, it inbox.Item) ([]views.ReplyTemplateVM, error) {
	return s.renderedTemplates(c, it, templates.AudiencePublic, func(text string) bool { return moderation.CheckPublicText(text) != nil })
}

// nudgeVM is the private composer's nudge option, while a private reply can
// be sent: the public templates, the account's default preselected (and
// checked).
func (s *Server) nudgeVM(c echo.Context, it inbox.Item, p moderator.Panel, public []views.ReplyTemplateVM, replyEnabled bool) (views.NudgeVM, error) {
	var vm views.NudgeVM
	if !replyEnabled || p.Blockers[moderation.PublicReply] != "" || len(public) == 0 {
		return vm, nil
	}
	def, err := s.deps.Moderation.NudgeDefault(c.Request().Context(), it.AccountID)
	if err != nil {
		return vm, err
	}
	vm.Available, vm.Checked = true, def != 0
	for i, t := range public {
		sel := t.ID == def || (def == 0 && i == 0)
		vm.Templates = append(vm.Templates, views.Option{Value: int64s(t.ID), Label: t.Name, Selected: sel})
		vm.Previews = append(vm.Previews, views.NudgePreviewVM{ID: int64s(t.ID), Text: t.Text})
	}
	return vm, nil
}

// moderationHistory is the comment's moderation, as lines of its history.
func moderationHistory(acts []moderation.Action, now time.Time) []views.HistoryItem {
	out := make([]views.HistoryItem, 0, len(acts))
	for _, a := range acts {
		at := a.CreatedAt
		if !a.DoneAt.IsZero() {
			at = a.DoneAt
		}
		out = append(out, views.HistoryItem{When: ago(at, now), WhenISO: isoMS(at), Text: moderation.Describe(a), Kind: "moderation"})
	}
	return out
}

// nudgeSettingVM is an account's default nudge, chosen among the public
// templates (admins change it).
func (s *Server) nudgeSettingVM(c echo.Context, a account.Account) (views.NudgeSettingVM, error) {
	ctx := c.Request().Context()
	vm := views.NudgeSettingVM{AccountID: a.ID, Account: a.Username, CSRF: csrfOf(c), CanEdit: userOf(c).IsAdmin(), Current: "Off"}
	def, err := s.deps.Moderation.NudgeDefault(ctx, a.ID)
	if err != nil {
		return vm, err
	}
	list, err := s.deps.Library.ListTemplates(ctx, templates.Query{Audience: templates.AudiencePublic})
	if err != nil {
		return vm, err
	}
	vm.Templates = []views.Option{{Value: "", Label: "Off: not ticked by default", Selected: def == 0}}
	for _, t := range list {
		vm.Templates = append(vm.Templates, views.Option{Value: int64s(t.ID), Label: t.Name, Selected: t.ID == def})
		if t.ID == def {
			vm.Current = t.Name
		}
	}
	return vm, nil
}

func int64s(n int64) string { return strconv.FormatInt(n, 10) }
