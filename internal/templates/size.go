package templates

import (
	"unicode/utf8"

	"github.com/replydesk/replydesk/internal/reply"
)

// Size limits, in bytes: Instagram counts a message's length in UTF-8
// bytes, not characters ("á" is 2 bytes, most emoji 4, a ZWJ sequence 20+).
const (
	// MaxBodyBytes caps a stored body, variables and fallbacks included.
	MaxBodyBytes = 4 * reply.MaxBytes
	// MaxUsernameBytes is the longest Instagram username (30 ASCII characters).
	MaxUsernameBytes = 30
	// MaxCommentTextBytes is the longest comment text in the worst case:
	// 2,200 characters of 4 bytes each.
	MaxCommentTextBytes = 2200 * 4
	// MaxAccountBytes is the longest username of the replying account.
	MaxAccountBytes = MaxUsernameBytes
)

// Limits are the longest values, in bytes, a rendering must allow for.
type Limits struct {
	Username    int
	CommentText int
	Account     int
}

// InstagramLimits are the longest values Instagram allows.
func InstagramLimits() Limits {
	return Limits{Username: MaxUsernameBytes, CommentText: MaxCommentTextBytes, Account: MaxAccountBytes}
}

func (l Limits) of(v Var) int {
	switch v {
	case VarUsername:
		return l.Username
	case VarCommentText:
		return l.CommentText
	case VarAccount:
		return l.Account
	}
	return 0
}

// MaxRenderedBytes is the longest rendering possible when no value is
// longer than l allows: each variable counts as its longest value or its
// fallback, whichever is longer. An editor compares it with reply.MaxBytes
// to warn that a reply could be refused.
func (t *Parsed) MaxRenderedBytes(l Limits) int {
	n := 0
	for _, p := range t.parts {
		if p.v == "" {
			n += len(p.text)
		} else {
			n += max(l.of(p.v), len(p.fallback))
		}
	}
	return n
}

// LiteralBytes is the length of the text outside variables: the least any
// rendering can be.
func (t *Parsed) LiteralBytes() int {
	n := 0
	for _, p := range t.parts {
		if p.v == "" {
			n += len(p.text)
		}
	}
	return n
}

// ValidateBody checks a body as it will be stored: its first mistake (see
// BodyErrors), or nil.
func ValidateBody(body string) error {
	if errs := BodyErrors(body); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// BodyErrors lists everything wrong with a body, in order: a body over
// MaxBodyBytes, every syntax mistake (SyntaxErrors), and, when it parses,
// literal text that alone passes Instagram's limit.
func BodyErrors(body string) []*SyntaxError {
	var errs []*SyntaxError
	if len(body) > MaxBodyBytes {
		off := runeStart(body, MaxBodyBytes)
		errs = append(errs, newError(body, off, runeLen(body, off), "body_too_long",
			"The template passes its limit of "+reply.Thousands(MaxBodyBytes)+" bytes",
			"It is "+reply.Thousands(len(body))+" bytes, variables included; shorten it."))
	}
	if se := SyntaxErrors(body); len(se) > 0 || len(errs) > 0 {
		return append(errs, se...)
	}
	t, _ := Parse(body)
	lit := t.LiteralBytes()
	if lit <= reply.MaxBytes {
		return nil
	}
	// Find the byte where the literal text passes the limit.
	seen := 0
	for _, p := range t.parts {
		if p.v != "" {
			continue
		}
		if seen+len(p.text) > reply.MaxBytes {
			off := runeStart(body, p.off+reply.MaxBytes-seen)
			return []*SyntaxError{newError(body, off, runeLen(body, off), "body_too_long",
				"The text passes Instagram's limit of "+reply.Thousands(reply.MaxBytes)+" bytes",
				"It is "+reply.Thousands(lit)+" bytes without its variables; shorten it by at least "+reply.Thousands(lit-reply.MaxBytes)+" bytes.")}
		}
		seen += len(p.text)
	}
	return nil // unreachable: lit > reply.MaxBytes
}

// runeStart moves off back to the start of the character holding it.
func runeStart(s string, off int) int {
	for off > 0 && off < len(s) && !utf8.RuneStart(s[off]) {
		off--
	}
	return off
}

func runeLen(s string, off int) int {
	_, n := utf8.DecodeRuneInString(s[off:])
	return n
}
