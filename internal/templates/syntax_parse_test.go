package templates

import (
	"errors"
	"strings"
	"testing"
)

func TestParse_errors(t *testing.T) {
	tests := []struct {
		name            string
		body            string
		code            string
		offset, n       int
		line, col       int
		msgHas, hintHas string
	}{
		{"unknown variable", "Hi {{price}}", "unknown_variable", 3, 9, 1, 4, "Unknown variable {{price}}", "{{username}}, {{comment_text}} or {{account}}"},
		{"unknown on line 2 after multi-byte text", "Grüße 🙂\nPreis: {{price}}", "unknown_variable", 20, 9, 2, 8, "{{price}}", ""},
		{"column counts characters, not bytes", "ééé {{nope}}", "unknown_variable", 7, 8, 1, 5, "{{nope}}", ""},
		{"column after a ZWJ sequence", "👩‍👩‍👧{{x}}", "unknown_variable", 18, 5, 1, 6, "{{x}}", ""},
		{"wrong case suggests the name", "Hi {{Username}}", "unknown_variable", 3, 12, 1, 4, "{{Username}}", "Did you mean {{username}}?"},
		{"unknown with fallback", "{{name|there}}", "unknown_variable", 0, 14, 1, 1, "Unknown variable {{name}}", ""},
		{"unclosed at end", "Hi {{username", "unclosed_braces", 3, 2, 1, 4, "Unclosed {{", "}}"},
		{"unclosed before a newline", "Hi {{username\n}}", "unclosed_braces", 3, 2, 1, 4, "Unclosed {{", ""},
		{"unclosed before another variable", "Hi {{username, {{account}}", "unclosed_braces", 3, 2, 1, 4, "Unclosed {{", ""},
		{"unclosed on line 3", "a\nb\n  {{", "unclosed_braces", 6, 2, 3, 3, "Unclosed {{", ""},
		{"stray closing braces", "Hi username}}", "stray_braces", 11, 2, 1, 12, "Unexpected }}", "cannot be used as plain text"},
		{"stray after a variable", "{{username}}}}", "stray_braces", 12, 2, 1, 13, "Unexpected }}", ""},
		{"empty variable", "Hi {{}}", "empty_variable", 3, 4, 1, 4, "has no name", "{{username}}"},
		{"blank variable", "Hi {{  }}", "empty_variable", 3, 6, 1, 4, "has no name", ""},
		{"fallback without a name", "Hi {{|there}}", "empty_variable", 3, 10, 1, 4, "has no name", ""},
		{"empty fallback", "Hi {{username|}}", "bad_fallback", 13, 1, 1, 14, "Empty fallback", "remove the |"},
		{"blank fallback", "Hi {{username| }}", "bad_fallback", 13, 1, 1, 14, "Empty fallback", ""},
		{"two fallbacks", "Hi {{username|a|b}}", "bad_fallback", 15, 1, 1, 16, "second |", ""},
		{"brace in a fallback", "Hi {{username|a}b}}", "unexpected_brace", 15, 1, 1, 16, "Unexpected “}”", ""},
		{"triple braces", "{{{username}}}", "unexpected_brace", 2, 1, 1, 3, "Unexpected “{”", ""},
		{"invalid UTF-8", "ok é \xff {{username}}", "invalid_utf8", 6, 1, 1, 6, "not valid UTF-8", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.body)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *SyntaxError", tc.body, err)
			}
			if se.Code != tc.code || se.Offset != tc.offset || se.Len != tc.n || se.Line != tc.line || se.Col != tc.col {
				t.Errorf("got %s at offset %d+%d, line %d col %d; want %s at %d+%d, line %d col %d",
					se.Code, se.Offset, se.Len, se.Line, se.Col, tc.code, tc.offset, tc.n, tc.line, tc.col)
			}
			if !strings.Contains(se.Msg, tc.msgHas) {
				t.Errorf("Msg = %q, want it to hold %q", se.Msg, tc.msgHas)
			}
			if !strings.Contains(se.Hint, tc.hintHas) {
				t.Errorf("Hint = %q, want it to hold %q", se.Hint, tc.hintHas)
			}
		})
	}
}

func TestSyntaxError_messageAndExcerpt(t *testing.T) {
	body := "Hello!\nOur price: {{price}} today"
	_, err := Parse(body)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatal(err)
	}
	want := "Unknown variable {{price}} at line 2, column 12. Use {{username}}, {{comment_text}} or {{account}}."
	if got := se.Message(); got != want {
		t.Errorf("Message = %q\nwant      %q", got, want)
	}
	if got := se.Error(); !strings.HasPrefix(got, "templates: line 2, column 12: ") {
		t.Errorf("Error = %q", got)
	}
	before, at, after := se.Excerpt(body)
	if before != "Our price: " || at != "{{price}}" || after != " today" {
		t.Errorf("Excerpt = %q %q %q", before, at, after)
	}
	// An excerpt never reaches past its line, nor past the body.
	odd := &SyntaxError{Offset: 3, Len: 50}
	if b, a, r := odd.Excerpt("ab\ncd\nef"); b != "" || a != "cd" || r != "" {
		t.Errorf("Excerpt clipped = %q %q %q", b, a, r)
	}
}

func TestParse_accepts(t *testing.T) {
	for _, body := range []string{
		"",
		"no variables at all",
		"{ } {x} }{ {a}",
		"{{username}}",
		"{{ comment_text | (no text) }}",
		"{{account|@acme}} {{username|Kunde äöü}}",
		"line one\r\nline two {{username}}\r\n",
		"100% {{username|friend}} — 5 € / 🧗‍♀️",
	} {
		if _, err := Parse(body); err != nil {
			t.Errorf("Parse(%q): %v", body, err)
		}
	}
}
