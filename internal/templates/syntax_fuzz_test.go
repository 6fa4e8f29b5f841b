package templates

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks invariants on any body: Parse never panics; an error
// points inside the body at the line and column its offset implies; an
// accepted body renders values verbatim, within MaxRenderedBytes, and
// survives a round trip through its canonical String form. The seeds run
// with every `go test`; `go test -fuzz FuzzParse ./internal/templates`
// explores further.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "Hi {{username}}", "{{ username | there }}", "{{comment_text}}{{account}}",
		"{{username|a}}{{account|b}}", "{{", "}}", "{{}}", "{{|}}", "{{username|}}",
		"{{username|a|b}}", "{{{username}}}", "{{username\n}}", "{x}", "é{{price}}",
		"👩‍👩‍👧\n{{Username}}", "\xff{{username}}", "a}}b{{c", "{{ account|@acme 🙂 }}!",
		strings.Repeat("é", 600) + "{{username}}",
	} {
		f.Add(seed, "river.walks", "<b>{{account}}</b>")
	}
	f.Fuzz(func(t *testing.T, body, user, text string) {
		tpl, err := Parse(body)
		if err != nil {
			checkError(t, body, err)
			return
		}
		vars := Vars{Username: user, CommentText: text, Account: "acme.coffee"}
		out := tpl.Render(vars)

		// Values are never expanded again: a body without variables is
		// returned as it is, whatever the values hold.
		if len(tpl.Variables()) == 0 && out != body {
			t.Fatalf("body without variables rendered as %q", out)
		}
		// Limits generous enough for these values bound the rendering.
		l := Limits{Username: len(user), CommentText: len(text), Account: len("acme.coffee")}
		if n := len(out); n > tpl.MaxRenderedBytes(l) || n < tpl.LiteralBytes() {
			t.Fatalf("rendering of %d bytes outside [%d, %d]", n, tpl.LiteralBytes(), tpl.MaxRenderedBytes(l))
		}
		if utf8.ValidString(user) && utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Fatalf("valid input rendered invalid UTF-8: %q", out)
		}
		// The canonical form parses to a template that renders the same.
		again, err := Parse(tpl.String())
		if err != nil {
			t.Fatalf("canonical form %q does not parse: %v", tpl.String(), err)
		}
		if again.String() != tpl.String() || again.Render(vars) != out {
			t.Fatalf("round trip changed %q into %q", tpl.String(), again.String())
		}
		if err := ValidateBody(body); err != nil {
			checkError(t, body, err)
		}
	})
}

func checkError(t *testing.T, body string, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *SyntaxError", err)
	}
	if se.Offset < 0 || se.Offset > len(body) || se.Len < 0 || se.Offset+se.Len > len(body) {
		t.Fatalf("error span %d+%d outside a body of %d bytes", se.Offset, se.Len, len(body))
	}
	line, col := position(body, se.Offset)
	if se.Line != line || se.Col != col || line < 1 || col < 1 {
		t.Fatalf("error at line %d col %d, offset %d implies %d:%d", se.Line, se.Col, se.Offset, line, col)
	}
	if se.Code == "" || se.Msg == "" {
		t.Fatalf("error without code or message: %+v", se)
	}
	se.Excerpt(body) // must not panic
}
