// Package library is the team's shared reply templates as a service: it
// checks what people write (templates.Validate), keeps names and shortcuts
// unique in plain words, and stores, lists and deletes templates. Who may
// change them is decided by the routes (admins only).
package library

import (
	"context"
	"errors"
	"fmt"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/templates"
)

// Store keeps templates (store.Store).
type Store interface {
	ListTemplates(ctx context.Context, q templates.Query) ([]templates.Template, error)
	TemplateFolders(ctx context.Context) ([]string, error)
	Template(ctx context.Context, id int64) (templates.Template, error)
	CreateTemplate(ctx context.Context, in templates.Input, byID int64, byName string) (templates.Template, error)
	UpdateTemplate(ctx context.Context, id int64, in templates.Input, byID int64, byName string) (templates.Template, error)
	DeleteTemplate(ctx context.Context, id int64) error
	Rules(ctx context.Context) ([]rules.Rule, error)
}

// Library manages the shared templates.
type Library struct{ st Store }

// New makes a Library over st.
func New(st Store) *Library { return &Library{st: st} }

// ListTemplates lists the templates matching q, in q's order.
func (l *Library) ListTemplates(ctx context.Context, q templates.Query) ([]templates.Template, error) {
	return l.st.ListTemplates(ctx, q)
}

// TemplateFolders lists the folders in use.
func (l *Library) TemplateFolders(ctx context.Context) ([]string, error) {
	return l.st.TemplateFolders(ctx)
}

// Template reads one template.
func (l *Library) Template(ctx context.Context, id int64) (templates.Template, error) {
	return l.st.Template(ctx, id)
}

// CreateTemplate checks and stores a new template, saved by the user byID
// (0 when none) named byName. Invalid input gives templates.Validate's field
// errors; a taken name or shortcut a field error on "name" or "shortcut".
func (l *Library) CreateTemplate(ctx context.Context, in templates.Input, byID int64, byName string) (templates.Template, error) {
	in, err := templates.Validate(in)
	if err != nil {
		return templates.Template{}, err
	}
	t, err := l.st.CreateTemplate(ctx, in, byID, byName)
	return t, explain(in, err)
}

// UpdateTemplate checks and saves new fields for template id, keeping its
// usage. Errors as CreateTemplate, plus the store's not-found error.
func (l *Library) UpdateTemplate(ctx context.Context, id int64, in templates.Input, byID int64, byName string) (templates.Template, error) {
	in, err := templates.Validate(in)
	if err != nil {
		return templates.Template{}, err
	}
	if err := l.checkRulesFit(ctx, id, in); err != nil {
		return templates.Template{}, err
	}
	t, err := l.st.UpdateTemplate(ctx, id, in, byID, byName)
	return t, explain(in, err)
}

// checkRulesFit refuses a new body for template id that a rule sending it
// on its own could no longer use: one that could exceed Instagram's limit.
func (l *Library) checkRulesFit(ctx context.Context, id int64, in templates.Input) error {
	list, err := l.st.Rules(ctx)
	if err != nil {
		return err
	}
	for _, r := range list {
		if r.TemplateID != id || r.Action != rules.Send {
			continue
		}
		if err := rules.CheckTemplate(rules.Send, templates.Template{Name: in.Name, Body: in.Body}); err != nil {
			ae, _ := apperr.As(err)
			return &apperr.Error{Kind: apperr.Unprocessable, Code: ae.Code, Field: "body", Err: err,
				Message: "The rule “" + r.Name + "” sends this template on its own, so it must always fit: " + ae.Message}
		}
	}
	return nil
}

// DeleteTemplate removes template id for good. One a rule uses stays, with
// a conflict error naming the rule.
func (l *Library) DeleteTemplate(ctx context.Context, id int64) error {
	err := l.st.DeleteTemplate(ctx, id)
	if !errors.Is(err, store.ErrInUse) {
		return err
	}
	name := "a rule"
	if list, lerr := l.st.Rules(ctx); lerr == nil {
		for _, r := range list {
			if r.TemplateID == id {
				name = "the rule “" + r.Name + "”"
				break
			}
		}
	}
	return &apperr.Error{Kind: apperr.Conflict, Code: "template_in_use", Err: err,
		Message: "This template is used by " + name + ". Pick another template for the rule, or delete the rule, first."}
}

// explain says in plain words which unique field a save collided on.
func explain(in templates.Input, err error) error {
	var c *store.Conflict
	if !errors.As(err, &c) {
		return err
	}
	if c.Column == "name" {
		return &apperr.Error{Kind: apperr.Unprocessable, Code: "name_taken", Field: "name", Err: err,
			Message: "A template named “" + c.Holder + "” already exists. Choose another name."}
	}
	msg := "The shortcut /" + in.Shortcut + " is already taken. Choose another one."
	if c.Holder != "" {
		msg = "The shortcut /" + in.Shortcut + " is already used by “" + c.Holder + "”. Choose another one."
	}
	return &apperr.Error{Kind: apperr.Unprocessable, Code: "shortcut_taken", Field: "shortcut", Err: err, Message: msg}
}

// Seeder stores a starter set once (store.Store).
type Seeder interface {
	SeedTemplates(ctx context.Context, ins []templates.Input) (int, error)
}

// Seed checks a starter set (templates.Demo in demo mode) and stores it the
// first time it runs on a database without templates; it reports how many
// it stored. An invalid template is an error, and nothing is stored.
func Seed(ctx context.Context, st Seeder, ins []templates.Input) (int, error) {
	checked := make([]templates.Input, len(ins))
	for i, in := range ins {
		v, err := templates.Validate(in)
		if err != nil {
			return 0, fmt.Errorf("library: starter template %q: %w", in.Name, err)
		}
		checked[i] = v
	}
	return st.SeedTemplates(ctx, checked)
}
