package web

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/templates"
	"github.com/replydesk/replydesk/views"
)

// ruleInDetail shows in a comment's panel what a rule did: a line in its
// history, and the composer opened with the template the rule suggested
// while a reply can still be written.
func (s *Server) ruleInDetail(c echo.Context, it inbox.Item, vm *views.CommentDetailVM) {
	if it.RuleID == 0 {
		return
	}
	ctx := c.Request().Context()
	ruleName := ""
	if r, err := s.deps.Rules.Rule(ctx, it.RuleID); err == nil {
		ruleName = r.Name
	}
	what := "Matched rule “" + orValue(ruleName, "deleted since") + "”"
	if it.Status == inbox.StatusDismissed && it.StatusBy == 0 {
		what += ", which dismissed it"
	}
	now := s.now()
	// Rules run on arrival: the line goes right after "Received".
	vm.History = slices.Insert(vm.History, min(1, len(vm.History)),
		views.HistoryItem{When: ago(it.ReceivedAt, now), WhenISO: isoMS(it.ReceivedAt), Text: what, Kind: "rule"})
	p := &vm.Reply
	if it.SuggestedTemplateID == 0 || !p.Enabled || p.Text != "" {
		return
	}
	var tpl views.ReplyTemplateVM
	for _, t := range p.Templates {
		if t.ID == it.SuggestedTemplateID {
			tpl = t
		}
	}
	if tpl.ID == 0 { // not among the templates offered
		t, err := s.deps.Library.Template(ctx, it.SuggestedTemplateID)
		if err != nil {
			return // deleted since: nothing to suggest
		}
		text, err := t.Render(templates.VarsFor(it))
		if err != nil {
			return
		}
		tpl = views.ReplyTemplateVM{ID: t.ID, Name: t.Name, Text: text}
	}
	p.Text, p.TemplateID = tpl.Text, tpl.ID
	p.CountText = strings.ReplaceAll(p.CountFormat, "{n}", reply.Thousands(len(tpl.Text)))
	p.Suggestion = &views.SuggestionVM{Rule: ruleName, Template: tpl.Name}
}

// replyBy is who a reply is by, in words: a rule's reply is
// "rule “Price DM”" (its Reply.by is "rule:Price DM").
func replyBy(r reply.Reply) string {
	if name, ok := strings.CutPrefix(r.UserName, "rule:"); ok && r.RuleID != 0 {
		return "rule “" + name + "”"
	}
	return r.UserName
}
