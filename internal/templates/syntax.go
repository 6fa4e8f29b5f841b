// Template bodies are plain text with variables filled in from the comment
// being answered.
//
// Syntax:
//
//   - {{username}}, {{comment_text}} and {{account}} are replaced by the
//     commenter's username, the comment's text and the Instagram account's
//     username (usernames without "@").
//   - {{username|there}} falls back to "there" when the value is empty. A
//     fallback is literal text: spaces and any Unicode are fine, but not
//     "{", "}" or "|", and it may not be empty.
//   - Spaces around the name and the fallback are ignored:
//     {{ username | there }} is {{username|there}}.
//   - A variable sits on one line; names are lowercase.
//   - Single braces are ordinary text ("{", "}", "{x}"). Double braces
//     always delimit a variable, so a literal "{{" or "}}" cannot be
//     written: a DM never needs one, and no escape rule is worth learning
//     for it. A stray "}}" is an error.
//
// Rendering produces plain text for a direct message, never HTML: values
// are inserted verbatim (a comment holding "<b>" or "{{account}}" comes back
// as those characters) and escaping is left to whoever displays the text.

package templates

import (
	"strings"
	"unicode/utf8"
)

// Var is a variable's name.
type Var string

// The variables a body may use.
const (
	VarUsername    Var = "username"
	VarCommentText Var = "comment_text"
	VarAccount     Var = "account"
)

// known lists the variables in the order help texts name them.
var known = [...]Var{VarUsername, VarCommentText, VarAccount}

// Known returns the variables a body may use.
func Known() []Var { return known[:] }

func isKnown(name string) bool {
	for _, v := range known {
		if string(v) == name {
			return true
		}
	}
	return false
}

// Vars are the values a template is rendered with.
type Vars struct {
	Username    string // the commenter's username; a leading "@" is dropped
	CommentText string
	Account     string // the Instagram account's username; a leading "@" is dropped
}

func (v Vars) value(name Var) string {
	switch name {
	case VarUsername:
		return strings.TrimPrefix(strings.TrimSpace(v.Username), "@")
	case VarCommentText:
		return v.CommentText
	case VarAccount:
		return strings.TrimPrefix(strings.TrimSpace(v.Account), "@")
	}
	return ""
}

// Parsed is a template body, parsed.
type Parsed struct {
	parts []part
}

// part is either literal text (v empty) or a variable with its fallback.
type part struct {
	off      int // byte offset of the part in the body
	text     string
	v        Var
	fallback string
}

// Parse checks a body and prepares it for rendering. A malformed body gives
// a *SyntaxError saying what is wrong and where (the first thing wrong).
func Parse(body string) (*Parsed, error) {
	t, errs := parse(body, false)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return t, nil
}

// SyntaxErrors lists every place a body goes wrong, in order: after each
// mistake it reads on past the offending braces. nil when Parse accepts it.
func SyntaxErrors(body string) []*SyntaxError {
	_, errs := parse(body, true)
	return errs
}

// parse reads body; it stops at the first mistake unless all is set.
func parse(body string, all bool) (*Parsed, []*SyntaxError) {
	if !utf8.ValidString(body) {
		off := firstInvalid(body)
		return nil, []*SyntaxError{newError(body, off, 1, "invalid_utf8", "The text holds bytes that are not valid UTF-8", "Paste it again as plain text.")}
	}
	t := &Parsed{}
	var errs []*SyntaxError
	lit := 0 // start of the pending literal
	for i := 0; i < len(body); {
		switch {
		case strings.HasPrefix(body[i:], "{{"):
			end, err := closing(body, i)
			if err != nil {
				errs = append(errs, err)
				i += 2
				break
			}
			p, err := parseVar(body, i, end)
			if err != nil {
				errs = append(errs, err)
				i = end + 2
				break
			}
			t.addText(body, lit, i)
			t.parts = append(t.parts, p)
			i = end + 2
			lit = i
		case strings.HasPrefix(body[i:], "}}"):
			errs = append(errs, newError(body, i, 2, "stray_braces", "Unexpected }} with no {{ before it",
				"Remove it, or open the variable with {{. Double braces cannot be used as plain text."))
			i += 2
		default:
			i++
		}
		if len(errs) > 0 && !all {
			return nil, errs
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	t.addText(body, lit, len(body))
	return t, nil
}

func (t *Parsed) addText(body string, from, to int) {
	if to > from {
		t.parts = append(t.parts, part{off: from, text: body[from:to]})
	}
}

// closing finds the "}}" that ends the variable opened at open. The
// variable must close on its own line and before another "{{" opens.
func closing(body string, open int) (int, *SyntaxError) {
	for j := open + 2; j < len(body); j++ {
		switch {
		case body[j] == '\n':
			return 0, unclosed(body, open)
		case strings.HasPrefix(body[j:], "}}"):
			return j, nil
		case strings.HasPrefix(body[j:], "{{"):
			return 0, unclosed(body, open)
		}
	}
	return 0, unclosed(body, open)
}

func unclosed(body string, open int) *SyntaxError {
	return newError(body, open, 2, "unclosed_braces", "Unclosed {{",
		"End the variable with }} on the same line, as in {{username}}.")
}

// parseVar reads the variable body[open:end+2], "{{name}}" or
// "{{name|fallback}}".
func parseVar(body string, open, end int) (part, *SyntaxError) {
	inner := body[open+2 : end]
	span := end + 2 - open
	if k := strings.IndexAny(inner, "{}"); k >= 0 {
		return part{}, newError(body, open+2+k, 1, "unexpected_brace", "Unexpected “"+inner[k:k+1]+"” inside {{…}}",
			"A variable holds a name and an optional |fallback, without braces.")
	}
	name, fallback, hasFallback := strings.Cut(inner, "|")
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return part{}, newError(body, open, span, "empty_variable", "Variable "+body[open:end+2]+" has no name",
			"Write one of "+knownList()+".")
	case !isKnown(name):
		return part{}, newError(body, open, span, "unknown_variable", "Unknown variable {{"+name+"}}", unknownHint(name))
	}
	p := part{off: open, v: Var(name)}
	if !hasFallback {
		return p, nil
	}
	pipe := open + 2 + strings.IndexByte(inner, '|')
	if k := strings.IndexByte(fallback, '|'); k >= 0 {
		return part{}, newError(body, pipe+1+k, 1, "bad_fallback", "A second | in {{"+name+"|…}}",
			"A variable takes one fallback, as in {{"+name+"|there}}; the fallback cannot contain |.")
	}
	p.fallback = strings.TrimSpace(fallback)
	if p.fallback == "" {
		return part{}, newError(body, pipe, 1, "bad_fallback", "Empty fallback after | in {{"+name+"|}}",
			"Write the text to use when the value is missing, as in {{"+name+"|there}}, or remove the |.")
	}
	return p, nil
}

func unknownHint(name string) string {
	for _, v := range known {
		if strings.EqualFold(string(v), name) {
			return "Did you mean {{" + string(v) + "}}? Variable names are lowercase."
		}
	}
	return "Use " + knownList() + "."
}

// knownList is "{{username}}, {{comment_text}} or {{account}}".
func knownList() string {
	var b strings.Builder
	for i, v := range known {
		switch {
		case i == len(known)-1:
			b.WriteString(" or ")
		case i > 0:
			b.WriteString(", ")
		}
		b.WriteString("{{" + string(v) + "}}")
	}
	return b.String()
}

// Render fills in the variables. An empty (or blank) value is replaced by
// the variable's fallback, or by nothing when it has none. The result is
// plain text.
func (t *Parsed) Render(v Vars) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.v == "" {
			b.WriteString(p.text)
			continue
		}
		val := v.value(p.v)
		if strings.TrimSpace(val) == "" {
			val = p.fallback
		}
		b.WriteString(val)
	}
	return b.String()
}

// Variables lists the variables the body uses, each once, in order of
// first use.
func (t *Parsed) Variables() []Var {
	var out []Var
	for _, p := range t.parts {
		if p.v != "" && !containsVar(out, p.v) {
			out = append(out, p.v)
		}
	}
	return out
}

func containsVar(vs []Var, v Var) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// String is the body in canonical form: spaces inside braces dropped.
// Parsing it gives a template that renders the same.
func (t *Parsed) String() string {
	var b strings.Builder
	for _, p := range t.parts {
		switch {
		case p.v == "":
			b.WriteString(p.text)
		case p.fallback == "":
			b.WriteString("{{" + string(p.v) + "}}")
		default:
			b.WriteString("{{" + string(p.v) + "|" + p.fallback + "}}")
		}
	}
	return b.String()
}

func firstInvalid(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}
