package templates

import (
	"errors"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/reply"
)

func TestMaxRenderedBytes(t *testing.T) {
	ig := InstagramLimits()
	tests := []struct {
		name   string
		body   string
		limits Limits
		want   int
	}{
		{"literal only", "Thanks!", ig, 7},
		{"multi-byte literal", "é🙂", ig, 2 + 4},
		{"username", "Hi {{username}}", ig, 3 + 30},
		{"account", "{{account}}", ig, 30},
		{"comment text worst case", "{{comment_text}}", ig, 8800},
		{"repeated variable counts each time", "{{username}}{{username}}", ig, 60},
		{"short fallback does not count", "{{username|there}}", ig, 30},
		{"long fallback counts", "{{username|" + strings.Repeat("é", 20) + "}}", ig, 40},
		{"custom limits", "{{username}} {{comment_text}} {{account}}", Limits{Username: 1, CommentText: 2, Account: 3}, 1 + 1 + 2 + 1 + 3},
		{"zero limits leave the literal", "a{{username}}b", Limits{}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Parse(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if got := tpl.MaxRenderedBytes(tc.limits); got != tc.want {
				t.Errorf("MaxRenderedBytes = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestMaxRenderedBytes_boundsEveryRendering(t *testing.T) {
	tpl, err := Parse("Hi {{username|there}}! You wrote “{{comment_text}}” to {{account}}.")
	if err != nil {
		t.Fatal(err)
	}
	ig := InstagramLimits()
	longest := Vars{
		Username:    strings.Repeat("u", MaxUsernameBytes),
		CommentText: strings.Repeat("👍", 2200),
		Account:     strings.Repeat("a", MaxAccountBytes),
	}
	if got, max := len(tpl.Render(longest)), tpl.MaxRenderedBytes(ig); got != max {
		t.Errorf("longest rendering is %d bytes, MaxRenderedBytes %d", got, max)
	}
	if got := len(tpl.Render(Vars{})); got > tpl.MaxRenderedBytes(ig) || got < tpl.LiteralBytes() {
		t.Errorf("empty rendering %d outside [%d, %d]", got, tpl.LiteralBytes(), tpl.MaxRenderedBytes(ig))
	}
}

func TestValidateBody(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		code      string // "" = accepted
		line, col int
		msgHas    string
	}{
		{"short", "Hi {{username}}", "", 0, 0, ""},
		{"exactly 1,000 bytes of text", strings.Repeat("a", 1000), "", 0, 0, ""},
		{"1,000 bytes plus variables", strings.Repeat("a", 500) + "{{comment_text}}" + strings.Repeat("b", 500), "", 0, 0, ""},
		{"1,001 bytes", strings.Repeat("a", 1001), "body_too_long", 1, 1001, "1,000 bytes"},
		{"too long on a later line", strings.Repeat("x", 10) + "\n" + strings.Repeat("y", 991), "body_too_long", 2, 990, ""},
		{"too long counted in bytes, pointed in characters", strings.Repeat("é", 501), "body_too_long", 1, 501, ""},
		{"crossing inside a 4-byte emoji", "ab" + strings.Repeat("🙂", 250), "body_too_long", 1, 252, ""},
		{"crossing after a variable", strings.Repeat("a", 600) + "{{username}}" + strings.Repeat("b", 401), "body_too_long", 1, 1013, ""},
		{"syntax errors come first", strings.Repeat("a", 2000) + "{{oops}}", "unknown_variable", 1, 2001, ""},
		{"raw body over 4,000 bytes", strings.Repeat("{{username}}", 400), "body_too_long", 1, 4001, "4,000 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateBody(tc.body)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("ValidateBody: %v", err)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ValidateBody = %v, want a *SyntaxError", err)
			}
			if se.Code != tc.code || se.Line != tc.line || se.Col != tc.col {
				t.Errorf("got %s at line %d col %d, want %s at line %d col %d (%s)", se.Code, se.Line, se.Col, tc.code, tc.line, tc.col, se.Message())
			}
			if !strings.Contains(se.Message(), tc.msgHas) {
				t.Errorf("Message = %q, want it to hold %q", se.Message(), tc.msgHas)
			}
		})
	}
}

func TestValidateBody_tooLongMessage(t *testing.T) {
	err := ValidateBody(strings.Repeat("a", 1234))
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatal(err)
	}
	want := "The text passes Instagram's limit of 1,000 bytes at line 1, column 1001. It is 1,234 bytes without its variables; shorten it by at least 234 bytes."
	if se.Message() != want {
		t.Errorf("Message = %q\nwant      %q", se.Message(), want)
	}
}

func TestFormatInt(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 8800: "8,800", 1234567: "1,234,567", -4000: "-4,000"} {
		if got := reply.Thousands(n); got != want {
			t.Errorf("reply.Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
