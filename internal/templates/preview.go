package templates

import (
	"errors"

	"github.com/replydesk/replydesk/internal/reply"
)

// Preview is what the editor shows beside a body while it is typed.
type Preview struct {
	Body      string // the body as it would be stored (NormalizeBody)
	Text      string // the body rendered for the sample; "" when it does not parse
	Bytes     int    // len(Text)
	WorstCase int    // the longest rendering with Instagram's longest values
	TooLong   bool   // Text is over reply.MaxBytes
	MayExceed bool   // some comment could push the rendering over the limit
	Err       *SyntaxError
	// The error's line split around the offending text, for highlighting.
	ErrBefore, ErrAt, ErrAfter string
}

// SampleComment is the comment a preview is rendered for. account is the
// replying account's username; "" picks a demo one.
func SampleComment(account string) Vars {
	if account == "" {
		account = "acme.coffee"
	}
	return Vars{
		Username:    "river.walks",
		CommentText: "How much is the blue one? And do you ship to Canada? 🇨🇦",
		Account:     account,
	}
}

// PreviewBody renders body for sample and measures it. A body that does
// not parse gets Err and no text; one whose text alone is over the limit
// gets both.
func PreviewBody(body string, sample Vars) Preview {
	p := Preview{Body: NormalizeBody(body)}
	t, err := Parse(p.Body)
	if err == nil {
		p.Text = t.Render(sample)
		p.Bytes = len(p.Text)
		p.WorstCase = t.MaxRenderedBytes(InstagramLimits())
		p.TooLong = p.Bytes > reply.MaxBytes
		p.MayExceed = p.WorstCase > reply.MaxBytes
		err = ValidateBody(p.Body)
	}
	if errors.As(err, &p.Err) {
		p.ErrBefore, p.ErrAt, p.ErrAfter = p.Err.Excerpt(p.Body)
	}
	return p
}
