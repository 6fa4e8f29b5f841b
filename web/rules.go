package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/templates"
	"github.com/replydesk/replydesk/views"
)

// rulesPage is GET /rules: the rules in order, with a week of results.
func (s *Server) rulesPage(c echo.Context) error {
	ctx := c.Request().Context()
	list, stats, err := s.deps.Rules.List(ctx)
	if err != nil {
		return err
	}
	names, err := s.ruleNames(c)
	if err != nil {
		return err
	}
	layout := s.layout(c, "Rules")
	layout.Nav = "rules"
	vm := views.RulesVM{Layout: layout, CanEdit: userOf(c).IsAdmin()}
	for i, r := range list {
		vm.Rows = append(vm.Rows, toRuleRowVM(r, stats[r.ID], names, i == 0, i == len(list)-1))
	}
	return render(c, http.StatusOK, views.RulesPage(vm))
}

// newRulePage is GET /rules/new (admins).
func (s *Server) newRulePage(c echo.Context) error {
	vm, err := s.ruleEditVM(c, 0, rules.Input{Enabled: true, Action: rules.Suggest, Match: rules.MatchAny})
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.RuleEditPage(vm))
}

// rulePage is GET /rules/:id: the editor (read-only for agents).
func (s *Server) rulePage(c echo.Context) error {
	r, err := s.ruleParam(c)
	if err != nil {
		return err
	}
	vm, err := s.ruleEditVM(c, r.ID, rules.InputOf(r))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.RuleEditPage(vm))
}

// createRule is POST /rules (admins).
func (s *Server) createRule(c echo.Context) error {
	in := ruleForm(c)
	if _, err := s.deps.Rules.Create(c.Request().Context(), *userOf(c), in); err != nil {
		return s.ruleFormError(c, 0, in, err)
	}
	s.setFlash(c, "rule_created")
	return redirect(c, "/rules")
}

// updateRule is POST /rules/:id (admins).
func (s *Server) updateRule(c echo.Context) error {
	r, err := s.ruleParam(c)
	if err != nil {
		return err
	}
	in := ruleForm(c)
	if _, err := s.deps.Rules.Update(c.Request().Context(), *userOf(c), r.ID, in); err != nil {
		return s.ruleFormError(c, r.ID, in, err)
	}
	s.setFlash(c, "rule_saved")
	return redirect(c, "/rules")
}

// deleteRule is POST /rules/:id/delete (admins).
func (s *Server) deleteRule(c echo.Context) error {
	r, err := s.ruleParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Rules.Delete(c.Request().Context(), r.ID); err != nil {
		return err
	}
	s.setFlash(c, "rule_deleted")
	return redirect(c, "/rules")
}

// setRuleEnabled is POST /rules/:id/enabled (enabled=true|false, admins).
func (s *Server) setRuleEnabled(c echo.Context) error {
	r, err := s.ruleParam(c)
	if err != nil {
		return err
	}
	on := c.FormValue("enabled") == "true"
	if _, err := s.deps.Rules.SetEnabled(c.Request().Context(), r.ID, on); err != nil {
		return err
	}
	s.setFlash(c, map[bool]string{true: "rule_on", false: "rule_off"}[on])
	return redirect(c, "/rules")
}

// moveRule is POST /rules/:id/move (to=up|down, or position=N; admins).
func (s *Server) moveRule(c echo.Context) error {
	r, err := s.ruleParam(c)
	if err != nil {
		return err
	}
	pos := r.Position
	switch c.FormValue("to") {
	case "up":
		pos--
	case "down":
		pos++
	default:
		if pos, err = strconv.Atoi(c.FormValue("position")); err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "Say where to move the rule: up, down, or a position.")
		}
	}
	if err := s.deps.Rules.Move(c.Request().Context(), r.ID, pos); err != nil {
		return err
	}
	return redirect(c, "/rules#rule-"+strconv.FormatInt(r.ID, 10))
}

// testRule is POST /rules/:id/test: the last week's comments the saved rule
// would match, as a fragment for htmx or in its editor.
func (s *Server) testRule(c echo.Context) error {
	r, err := s.ruleParam(c)
	if err != nil {
		return err
	}
	test, err := s.ruleTestVM(c, r)
	if err != nil {
		return err
	}
	if isHTMX(c) {
		return render(c, http.StatusOK, views.RuleTest(test))
	}
	vm, err := s.ruleEditVM(c, r.ID, rules.InputOf(r))
	if err != nil {
		return err
	}
	vm.Test = &test
	return render(c, http.StatusOK, views.RuleEditPage(vm))
}

// testDraftRule is POST /rules/test: the same for the editor's fields as
// typed, saved or not (admins).
func (s *Server) testDraftRule(c echo.Context) error {
	in := ruleForm(c)
	id, _ := strconv.ParseInt(c.FormValue("rule_id"), 10, 64)
	var test views.RuleTestVM
	checked, err := rules.Validate(in)
	fields := templates.FieldErrors(err)
	if msg := firstOf(fields, "keywords", "exclude_keywords", "match", "surfaces", "media_ids"); msg != "" {
		test.Error = msg // only the conditions matter to a test
	} else if test, err = s.ruleTestVM(c, checked.Rule()); err != nil {
		return err
	}
	if isHTMX(c) {
		return render(c, http.StatusOK, views.RuleTest(test))
	}
	vm, err := s.ruleEditVM(c, id, in)
	if err != nil {
		return err
	}
	vm.Test = &test
	return render(c, http.StatusOK, views.RuleEditPage(vm))
}

func firstOf(fields map[string]string, names ...string) string {
	for _, n := range names {
		if fields[n] != "" {
			return fields[n]
		}
	}
	return ""
}

func (s *Server) ruleParam(c echo.Context) (rules.Rule, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return rules.Rule{}, echo.ErrNotFound
	}
	return s.deps.Rules.Rule(c.Request().Context(), id)
}

// ruleForm reads the editor's fields.
func ruleForm(c echo.Context) rules.Input {
	form, _ := c.FormParams()
	in := rules.Input{
		Name: form.Get("name"), Enabled: form.Get("enabled") == "true", Match: rules.Match(form.Get("match")),
		Keywords: rules.SplitKeywords(form.Get("keywords")), ExcludeKeywords: rules.SplitKeywords(form.Get("exclude_keywords")),
		Accounts: form["accounts"], MediaIDs: append(form["media_ids"], splitIDs(form.Get("media_ids_more"))...),
		Action:      rules.Action(form.Get("action")),
		OncePerUser: form.Get("once_per_user") == "true",
	}
	for _, v := range form["surfaces"] {
		in.Surfaces = append(in.Surfaces, inbox.Surface(v))
	}
	in.TemplateID, _ = strconv.ParseInt(form.Get("template_id"), 10, 64)
	in.AssigneeID, _ = strconv.ParseInt(form.Get("assignee_id"), 10, 64)
	return in
}

func splitIDs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// ruleFormError re-renders the editor with the fields' errors (422), or
// passes on an error that is not about the form.
func (s *Server) ruleFormError(c echo.Context, id int64, in rules.Input, err error) error {
	fields := templates.FieldErrors(err)
	if len(fields) == 0 {
		return err
	}
	vm, verr := s.ruleEditVM(c, id, in)
	if verr != nil {
		return verr
	}
	vm.Errors = fields
	return render(c, http.StatusUnprocessableEntity, views.RuleEditPage(vm))
}
