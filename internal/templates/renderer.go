package templates

import (
	"context"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/replytmpl"
)

// Store is what rendering templates for replies needs (store.Store).
type Store interface {
	Template(ctx context.Context, id int64) (Template, error)
	MarkTemplateUsed(ctx context.Context, id int64, at time.Time) error
}

// Renderer renders templates for real comments (reply.Templates).
type Renderer struct {
	st  Store
	now func() time.Time
}

// NewRenderer makes a Renderer.
func NewRenderer(st Store, now func() time.Time) *Renderer { return &Renderer{st: st, now: now} }

// VarsFor are a comment's template variables.
func VarsFor(it inbox.Item) replytmpl.Vars {
	return replytmpl.Vars{Username: it.Username, CommentText: it.Text, Account: it.AccountUsername}
}

// RenderFor renders template id for the comment, returning the text and the
// template's name. A template that no longer exists is a field error.
func (r *Renderer) RenderFor(ctx context.Context, id int64, it inbox.Item) (string, string, error) {
	t, err := r.st.Template(ctx, id)
	if err != nil {
		return "", "", apperr.Field("template_id", "unknown_template", "That template no longer exists. Pick another one.")
	}
	text, err := t.Render(VarsFor(it))
	if err != nil {
		return "", "", apperr.Field("template_id", "broken_template", "That template cannot be used: "+err.Error())
	}
	return text, t.Name, nil
}

// MarkUsed counts one use of the template, now.
func (r *Renderer) MarkUsed(ctx context.Context, id int64) error {
	return r.st.MarkTemplateUsed(ctx, id, r.now())
}
