package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/rules"
)

// apiRule is DESIGN §8's Rule, with what it did in the last 7 days.
type apiRule struct {
	ID              int64         `json:"id"`
	Name            string        `json:"name"`
	Enabled         bool          `json:"enabled"`
	Position        int           `json:"position"`
	Accounts        []string      `json:"accounts"`
	Surfaces        []string      `json:"surfaces"`
	MediaIDs        []string      `json:"media_ids"`
	Keywords        []string      `json:"keywords"`
	Match           string        `json:"match"`
	ExcludeKeywords []string      `json:"exclude_keywords"`
	Action          string        `json:"action"`
	TemplateID      *int64        `json:"template_id"`
	AssigneeID      *int64        `json:"assignee_id"`
	OncePerUser     bool          `json:"once_per_user"`
	CreatedBy       string        `json:"created_by"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	Last7Days       *apiRuleStats `json:"last_7_days,omitempty"`
}

type apiRuleStats struct {
	Matched int `json:"matched"`
	Sent    int `json:"sent"`
}

func toAPIRule(r rules.Rule, st *rules.Stats) apiRule {
	out := apiRule{
		ID: r.ID, Name: r.Name, Enabled: r.Enabled, Position: r.Position, Accounts: nonNil(r.Accounts),
		Surfaces: []string{}, MediaIDs: nonNil(r.MediaIDs), Keywords: nonNil(r.Keywords), Match: string(r.Match),
		ExcludeKeywords: nonNil(r.ExcludeKeywords), Action: string(r.Action), TemplateID: optionalID(r.TemplateID),
		AssigneeID: optionalID(r.AssigneeID), OncePerUser: r.OncePerUser, CreatedBy: r.CreatedByName,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	for _, sf := range r.Surfaces {
		out.Surfaces = append(out.Surfaces, string(sf))
	}
	if st != nil {
		out.Last7Days = &apiRuleStats{Matched: st.Matched, Sent: st.Sent}
	}
	return out
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func optionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// apiRuleIn is a rule as written to the API. A PUT starts from the stored
// rule, so fields left out keep their values; the read-only fields of a
// Rule may be sent back as they came and are ignored.
type apiRuleIn struct {
	Name            string          `json:"name"`
	Enabled         bool            `json:"enabled"`
	Position        int             `json:"position"`
	Accounts        []string        `json:"accounts"`
	Surfaces        []inbox.Surface `json:"surfaces"`
	MediaIDs        []string        `json:"media_ids"`
	Keywords        []string        `json:"keywords"`
	Match           rules.Match     `json:"match"`
	ExcludeKeywords []string        `json:"exclude_keywords"`
	Action          rules.Action    `json:"action"`
	TemplateID      *int64          `json:"template_id"`
	AssigneeID      *int64          `json:"assignee_id"`
	OncePerUser     bool            `json:"once_per_user"`
	// Read-only: accepted and ignored.
	ID        json.RawMessage `json:"id"`
	CreatedBy json.RawMessage `json:"created_by"`
	CreatedAt json.RawMessage `json:"created_at"`
	UpdatedAt json.RawMessage `json:"updated_at"`
	Last7Days json.RawMessage `json:"last_7_days"`
}

func apiRuleInOf(r rules.Rule) apiRuleIn {
	return apiRuleIn{
		Name: r.Name, Enabled: r.Enabled, Position: r.Position, Accounts: r.Accounts, Surfaces: r.Surfaces,
		MediaIDs: r.MediaIDs, Keywords: r.Keywords, Match: r.Match, ExcludeKeywords: r.ExcludeKeywords,
		Action: r.Action, TemplateID: optionalID(r.TemplateID), AssigneeID: optionalID(r.AssigneeID), OncePerUser: r.OncePerUser,
	}
}

func (in apiRuleIn) input() rules.Input {
	out := rules.Input{
		Name: in.Name, Enabled: in.Enabled, Accounts: in.Accounts, Surfaces: in.Surfaces, MediaIDs: in.MediaIDs,
		Keywords: in.Keywords, Match: in.Match, ExcludeKeywords: in.ExcludeKeywords, Action: in.Action, OncePerUser: in.OncePerUser,
	}
	if in.TemplateID != nil {
		out.TemplateID = *in.TemplateID
	}
	if in.AssigneeID != nil {
		out.AssigneeID = *in.AssigneeID
	}
	return out
}

// apiListRules is GET /api/v1/rules: every rule in order.
func (s *Server) apiListRules(c echo.Context) error {
	list, stats, err := s.deps.Rules.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]apiRule, len(list))
	for i, r := range list {
		st := stats[r.ID]
		out[i] = toAPIRule(r, &st)
	}
	return c.JSON(http.StatusOK, map[string]any{"data": out})
}

// apiGetRule is GET /api/v1/rules/:id.
func (s *Server) apiGetRule(c echo.Context) error {
	r, err := s.ruleParam(c)
	if err != nil {
		return err
	}
	return s.apiRuleAnswer(c, http.StatusOK, r)
}

func (s *Server) apiRuleAnswer(c echo.Context, status int, r rules.Rule) error {
	_, stats, err := s.deps.Rules.List(c.Request().Context())
	if err != nil {
		return err
	}
	st := stats[r.ID]
	return c.JSON(status, toAPIRule(r, &st))
}

// apiCreateRule is POST /api/v1/rules (admins): the new rule goes last
// (or at position), enabled unless "enabled": false.
func (s *Server) apiCreateRule(c echo.Context) error {
	in := apiRuleIn{Enabled: true}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.deps.Rules.Create(ctx, *userOf(c), in.input())
	if err != nil {
		return firstFieldError(err)
	}
	if r, err = s.moveTo(c, r, in.Position); err != nil {
		return err
	}
	return s.apiRuleAnswer(c, http.StatusCreated, r)
}

// apiUpdateRule is PUT /api/v1/rules/:id (admins): the fields sent replace
// the stored ones; "position" moves the rule.
func (s *Server) apiUpdateRule(c echo.Context) error {
	r, err := s.ruleParam(c)
	if err != nil {
		return err
	}
	in := apiRuleInOf(r)
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	saved, err := s.deps.Rules.Update(c.Request().Context(), *userOf(c), r.ID, in.input())
	if err != nil {
		return firstFieldError(err)
	}
	if saved, err = s.moveTo(c, saved, in.Position); err != nil {
		return err
	}
	return s.apiRuleAnswer(c, http.StatusOK, saved)
}

// moveTo moves r to position when one is given and differs.
func (s *Server) moveTo(c echo.Context, r rules.Rule, position int) (rules.Rule, error) {
	if position <= 0 || position == r.Position {
		return r, nil
	}
	ctx := c.Request().Context()
	if err := s.deps.Rules.Move(ctx, r.ID, position); err != nil {
		return r, err
	}
	return s.deps.Rules.Rule(ctx, r.ID)
}

// apiDeleteRule is DELETE /api/v1/rules/:id (admins).
func (s *Server) apiDeleteRule(c echo.Context) error {
	r, err := s.ruleParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Rules.Delete(c.Request().Context(), r.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiTestRule is POST /api/v1/rules/:id/test: the last 7 days' comments the
// caller may see that the rule would match, newest first, changing
// nothing. "more": more matched than listed; "checked": comments looked
// at; "complete": false when only the newest of a very busy week were.
func (s *Server) apiTestRule(c echo.Context) error {
	r, err := s.ruleParam(c)
	if err != nil {
		return err
	}
	res, err := s.deps.Rules.Test(c.Request().Context(), userOf(c).ID, r)
	if err != nil {
		return err
	}
	out := make([]apiComment, len(res.Items))
	for i, it := range res.Items {
		if out[i], err = s.apiCommentOf(c, it); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"data": out, "more": res.More, "checked": res.Checked, "complete": res.Complete})
}
