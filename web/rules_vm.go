package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/automation"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/templates"
	"github.com/replydesk/replydesk/views"
)

// ruleNamesVM are the names a rule's summary shows: templates and accounts
// by id.
type ruleNamesVM struct {
	templates map[int64]string
	accounts  map[string]string
	users     map[int64]string
}

func (s *Server) ruleNames(c echo.Context) (ruleNamesVM, error) {
	out := ruleNamesVM{templates: map[int64]string{}, accounts: map[string]string{}, users: map[int64]string{}}
	list, err := s.deps.Library.ListTemplates(c.Request().Context(), templates.Query{})
	if err != nil {
		return out, err
	}
	for _, t := range list {
		out.templates[t.ID] = t.Name
	}
	accts, err := s.userAccounts(c)
	if err != nil {
		return out, err
	}
	for _, a := range accts {
		out.accounts[a.ID] = "@" + a.Username
	}
	users, err := s.deps.Accounts.Users(c.Request().Context())
	if err != nil {
		return out, err
	}
	for _, u := range users {
		out.users[u.ID] = u.Name
	}
	return out, nil
}

var ruleSurfaces = map[inbox.Surface]string{
	inbox.SurfacePost: "posts", inbox.SurfaceReel: "reels", inbox.SurfaceStory: "stories",
	inbox.SurfaceAd: "ads", inbox.SurfaceLive: "Live",
}

var actionTags = map[rules.Action]string{rules.Suggest: "Suggest", rules.Send: "Send", rules.Assign: "Assign", rules.Dismiss: "Dismiss"}

func quoted(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = "“" + s + "”"
	}
	return strings.Join(q, ", ")
}

func toRuleRowVM(r rules.Rule, st rules.Stats, names ruleNamesVM, first, last bool) views.RuleRowVM {
	id := strconv.FormatInt(r.ID, 10)
	vm := views.RuleRowVM{
		ID: id, Position: strconv.Itoa(r.Position), Name: r.Name, Enabled: r.Enabled, Action: string(r.Action),
		ActionTag: actionTags[r.Action], Matched: strconv.Itoa(st.Matched), By: r.CreatedByName,
		URL: "/rules/" + id, TestURL: "/rules/" + id + "/test", EnabledURL: "/rules/" + id + "/enabled",
		MoveURL: "/rules/" + id + "/move", DeleteURL: "/rules/" + id + "/delete", First: first, Last: last,
		When: ruleConditions(r, names), Then: ruleAction(r, names),
	}
	if r.Action == rules.Send {
		vm.Sent = strconv.Itoa(st.Sent)
	}
	return vm
}

// ruleConditions says what a rule looks for, a phrase per condition.
func ruleConditions(r rules.Rule, names ruleNamesVM) []string {
	var out []string
	switch {
	case len(r.Keywords) == 0:
		out = append(out, "any comment")
	case len(r.Keywords) == 1:
		out = append(out, "a comment says "+quoted(r.Keywords))
	case r.Match == rules.MatchAll:
		out = append(out, "a comment says all of "+quoted(r.Keywords))
	default:
		out = append(out, "a comment says any of "+quoted(r.Keywords))
	}
	if len(r.ExcludeKeywords) > 0 {
		out = append(out, "not "+quoted(r.ExcludeKeywords))
	}
	if len(r.Surfaces) > 0 {
		var labels []string
		for _, sf := range r.Surfaces {
			labels = append(labels, ruleSurfaces[sf])
		}
		out = append(out, "on "+strings.Join(labels, " or "))
	}
	if len(r.Accounts) > 0 {
		var labels []string
		for _, a := range r.Accounts {
			labels = append(labels, orValue(names.accounts[a], a))
		}
		out = append(out, "on "+strings.Join(labels, " or "))
	}
	switch n := len(r.MediaIDs); {
	case n == 1:
		out = append(out, "on post "+r.MediaIDs[0])
	case n > 1:
		out = append(out, "on "+strconv.Itoa(n)+" chosen posts")
	}
	return out
}

// ruleAction says what a rule does.
func ruleAction(r rules.Rule, names ruleNamesVM) string {
	tpl := "“" + orValue(names.templates[r.TemplateID], "a deleted template") + "”"
	switch r.Action {
	case rules.Suggest:
		return "suggest " + tpl + " in the reply box"
	case rules.Send:
		s := "send " + tpl + " as the private reply, automatically"
		if r.OncePerUser {
			s += " — once per person per post"
		}
		return s
	case rules.Assign:
		return "assign it to " + orValue(names.users[r.AssigneeID], "a teammate no longer on the team")
	case rules.Dismiss:
		return "dismiss it as spam"
	}
	return string(r.Action)
}

func orValue(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// ruleEditVM builds the editor for rule id (0: a new one) showing in.
func (s *Server) ruleEditVM(c echo.Context, id int64, in rules.Input) (views.RuleEditVM, error) {
	ctx := c.Request().Context()
	layout := s.layout(c, "Rule")
	layout.Nav = "rules"
	vm := views.RuleEditVM{Layout: layout, IsNew: id == 0, ReadOnly: !userOf(c).IsAdmin(), Action: "/rules",
		Form: views.RuleFormVM{
			Name: in.Name, Enabled: in.Enabled, Keywords: strings.Join(in.Keywords, ", "), Match: string(in.Match),
			ExcludeKeywords: strings.Join(in.ExcludeKeywords, ", "),
			Action:          string(in.Action), TemplateID: strconv.FormatInt(in.TemplateID, 10),
			AssigneeID: strconv.FormatInt(in.AssigneeID, 10), OncePerUser: in.OncePerUser,
		}}
	if id != 0 {
		sid := strconv.FormatInt(id, 10)
		vm.Action, vm.DeleteURL, vm.Form.ID = "/rules/"+sid, "/rules/"+sid+"/delete", sid
		if _, stats, err := s.deps.Rules.List(ctx); err == nil {
			st := stats[id]
			vm.Stats = "Matched " + plural(st.Matched, "comment") + " in the last 7 days"
			if in.Action == rules.Send {
				vm.Stats += ", and sent " + plural(st.Sent, "reply")
			}
			vm.Stats += "."
		}
	}
	accts, err := s.userAccounts(c)
	if err != nil {
		return vm, err
	}
	for _, a := range accts {
		vm.Accounts = append(vm.Accounts, views.Choice{Value: a.ID, Label: "@" + a.Username, Checked: slices.Contains(in.Accounts, a.ID)})
	}
	for _, sf := range inbox.Surfaces {
		vm.Surfaces = append(vm.Surfaces, views.Choice{Value: string(sf), Label: surfaceLabels[sf], Checked: slices.Contains(in.Surfaces, sf)})
	}
	media, err := s.deps.Rules.RecentMedia(ctx, userOf(c).ID)
	if err != nil {
		return vm, err
	}
	var others []string
	for _, id := range in.MediaIDs {
		if !slices.ContainsFunc(media, func(m inbox.Media) bool { return m.ID == id }) {
			others = append(others, id)
		}
	}
	vm.Form.MediaIDs = strings.Join(others, ", ")
	now := s.now()
	for _, m := range media {
		label := surfaceLabels[m.Surface] + " on @" + m.AccountUsername
		if m.AdTitle != "" {
			label += " “" + m.AdTitle + "”"
		}
		vm.Media = append(vm.Media, views.Choice{Value: m.ID, Label: label, Checked: slices.Contains(in.MediaIDs, m.ID),
			Hint: "Latest comment " + ago(m.LastAt, now) + ": “" + excerpt(m.LastText, 60) + "” · " + m.ID})
	}
	for _, a := range []struct {
		action      rules.Action
		label, hint string
	}{
		{rules.Suggest, "Suggest the template", "The reply box opens with it; a teammate reads, edits and sends."},
		{rules.Send, "Send the template automatically", "Within the hourly budget, closest deadline first; never after a teammate handled the comment."},
		{rules.Dismiss, "Dismiss the comment", "For spam: it leaves the open list."},
		{rules.Assign, "Assign to a teammate", "The comment lands in their Mine list, unless someone already has it."},
	} {
		vm.Actions = append(vm.Actions, views.Choice{Value: string(a.action), Label: a.label, Hint: a.hint,
			Checked: in.Action == a.action})
	}
	list, err := s.deps.Library.ListTemplates(ctx, templates.Query{})
	if err != nil {
		return vm, err
	}
	for _, t := range list {
		label := t.Name
		if rules.CheckTemplate(rules.Send, t) != nil {
			label += " (suggest only: could exceed 1,000 bytes)"
		}
		vm.Templates = append(vm.Templates, views.Option{Value: strconv.FormatInt(t.ID, 10), Label: label, Selected: t.ID == in.TemplateID})
	}
	users, err := s.deps.Accounts.Users(ctx)
	if err != nil {
		return vm, err
	}
	for _, u := range users {
		vm.Assignees = append(vm.Assignees, views.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Selected: u.ID == in.AssigneeID})
	}
	return vm, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return strconv.Itoa(n) + " " + strings.TrimSuffix(word, "y") + "ies"
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// ruleTestVM lists what rule r would match among the last week's comments
// the user may see.
func (s *Server) ruleTestVM(c echo.Context, r rules.Rule) (views.RuleTestVM, error) {
	res, err := s.deps.Rules.Test(c.Request().Context(), userOf(c).ID, r)
	if err != nil {
		return views.RuleTestVM{}, err
	}
	now := s.now()
	var vm views.RuleTestVM
	found := res.Items
	partial := "among the newest " + reply.Thousands(res.Checked) + " comments (back to " +
		res.Oldest.UTC().Format("Mon 2 Jan, 15:04 UTC") + "; a busy week is read that far)"
	switch {
	case res.More:
		vm.Summary = "More than " + strconv.Itoa(automation.TestLimit) + " comments from the last 7 days would match. The newest " +
			strconv.Itoa(automation.TestLimit) + ":"
	case !res.Complete && len(found) == 0:
		vm.Summary = "No match " + partial + ". Try other keywords, or fewer conditions."
	case !res.Complete:
		vm.Summary = plural(len(found), "comment") + " would match " + partial + ":"
	case len(found) == 0:
		vm.Summary = "No comment from the last 7 days matches. Try other keywords, or fewer conditions."
	default:
		vm.Summary = plural(len(found), "comment") + " from the last 7 days would match:"
	}
	for _, it := range found {
		vm.Rows = append(vm.Rows, views.RuleTestRowVM{
			Username: orDash(it.Username), Text: excerpt(it.Text, 140), Account: it.AccountUsername,
			Surface: surfaceLabels[it.Surface], SurfaceKey: string(it.Surface), Ago: ago(it.ReceivedAt, now),
			AgoISO: isoMS(it.ReceivedAt), URL: commentURL(it.ID, inbox.Filter{}), Status: statusLabels[it.Status],
		})
	}
	return vm, nil
}
