package templates

import (
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/apperr"
)

func TestValidate_normalizes(t *testing.T) {
	got, err := Validate(Input{
		Name:     "  Price list ",
		Body:     "Hi {{username|there}}!\r\nLine two\rLine three \r\n\r\n",
		Shortcut: " /Price_2-B ",
		Folder:   " Sales ",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Input{Name: "Price list", Body: "Hi {{username|there}}!\nLine two\nLine three", Shortcut: "price_2-b", Folder: "Sales"}
	if got != want {
		t.Errorf("Validate = %+v\nwant       %+v", got, want)
	}
}

func TestValidate_errors(t *testing.T) {
	ok := Input{Name: "Price list", Body: "Hi {{username}}"}
	tests := []struct {
		name   string
		edit   func(*Input)
		fields map[string]string // field → code
		msgHas string
	}{
		{"fine", func(*Input) {}, nil, ""},
		{"no name", func(in *Input) { in.Name = "  " }, map[string]string{"name": "name_required"}, "name"},
		{"long name", func(in *Input) { in.Name = strings.Repeat("ñ", 81) }, map[string]string{"name": "name_too_long"}, "80"},
		{"name on two lines", func(in *Input) { in.Name = "a\nb" }, map[string]string{"name": "name_invalid"}, ""},
		{"shortcut with space", func(in *Input) { in.Shortcut = "/my price" }, map[string]string{"shortcut": "shortcut_invalid"}, "/price"},
		{"shortcut with accent", func(in *Input) { in.Shortcut = "prix-é" }, map[string]string{"shortcut": "shortcut_invalid"}, ""},
		{"shortcut too long", func(in *Input) { in.Shortcut = strings.Repeat("a", 33) }, map[string]string{"shortcut": "shortcut_invalid"}, ""},
		{"shortcut of 32", func(in *Input) { in.Shortcut = strings.Repeat("a", 32) }, nil, ""},
		{"lone slash is no shortcut", func(in *Input) { in.Shortcut = "/" }, nil, ""},
		{"long folder", func(in *Input) { in.Folder = strings.Repeat("f", 41) }, map[string]string{"folder": "folder_too_long"}, ""},
		{"empty body", func(in *Input) { in.Body = " \n " }, map[string]string{"body": "body_required"}, ""},
		{"unknown variable with position", func(in *Input) { in.Body = "Hello\nOur {{price}}" },
			map[string]string{"body": "unknown_variable"},
			"Unknown variable {{price}} at line 2, column 5. Use {{username}}, {{comment_text}} or {{account}}."},
		{"unclosed braces", func(in *Input) { in.Body = "Hi {{username" }, map[string]string{"body": "unclosed_braces"}, "line 1, column 4"},
		{"over 1,000 bytes", func(in *Input) { in.Body = strings.Repeat("🙂", 251) }, map[string]string{"body": "body_too_long"}, "line 1, column 251"},
		{"several at once", func(in *Input) { in.Name = ""; in.Shortcut = "a b"; in.Body = "}}" },
			map[string]string{"name": "name_required", "shortcut": "shortcut_invalid", "body": "stray_braces"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.edit(&in)
			_, err := Validate(in)
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			got := FieldErrors(err)
			if len(got) != len(tc.fields) {
				t.Fatalf("field errors %v, want fields %v", got, tc.fields)
			}
			e, isApp := apperr.As(err)
			if !isApp || e.Kind != apperr.Unprocessable {
				t.Fatalf("error %v is not an Unprocessable apperr", err)
			}
			for field, code := range tc.fields {
				if !hasCode(err, field, code) {
					t.Errorf("no %s error on %s in %v", code, field, err)
				}
			}
			all := strings.Join(values(got), " ")
			if !strings.Contains(all, tc.msgHas) {
				t.Errorf("messages %q, want one holding %q", all, tc.msgHas)
			}
		})
	}
}

func hasCode(err error, field, code string) bool {
	if e, ok := err.(*apperr.Error); ok {
		return e.Field == field && e.Code == code
	}
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range u.Unwrap() {
			if hasCode(e, field, code) {
				return true
			}
		}
	}
	return false
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestAuthorizeEdit(t *testing.T) {
	if err := AuthorizeEdit(true); err != nil {
		t.Errorf("admin refused: %v", err)
	}
	err := AuthorizeEdit(false)
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Forbidden || e.Code != "admin_only" {
		t.Errorf("agent: %v, want a Forbidden admin_only error", err)
	}
}

func TestParseSort(t *testing.T) {
	for in, want := range map[string]Sort{"": SortName, "name": SortName, "most_used": SortMostUsed, "recent": SortRecent, "nonsense": SortName} {
		if got := ParseSort(in); got != want {
			t.Errorf("ParseSort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPreviewBody(t *testing.T) {
	sample := SampleComment("acme.outdoor")
	p := PreviewBody("Hi {{username|there}} from {{account}}!\r\n", sample)
	if p.Text != "Hi river.walks from acme.outdoor!" || p.Bytes != len(p.Text) || p.Err != nil {
		t.Errorf("preview = %+v", p)
	}
	if p.MayExceed || p.TooLong || p.WorstCase != 3+30+6+30+1 {
		t.Errorf("sizes = worst %d, may exceed %v, too long %v", p.WorstCase, p.MayExceed, p.TooLong)
	}
	if q := PreviewBody("You wrote: {{comment_text}}", sample); !q.MayExceed || q.TooLong {
		t.Errorf("quoting the comment: may exceed %v, too long %v", q.MayExceed, q.TooLong)
	}
	bad := PreviewBody("Hi!\nSee {{price}} now", sample)
	if bad.Err == nil || bad.Err.Line != 2 || bad.Err.Col != 5 || bad.Text != "" {
		t.Fatalf("bad preview = %+v", bad)
	}
	if bad.ErrBefore != "See " || bad.ErrAt != "{{price}}" || bad.ErrAfter != " now" {
		t.Errorf("excerpt = %q %q %q", bad.ErrBefore, bad.ErrAt, bad.ErrAfter)
	}
	long := PreviewBody(strings.Repeat("a", 1001), sample)
	if !long.TooLong || long.Err == nil || long.Err.Code != "body_too_long" || long.Bytes != 1001 {
		t.Errorf("long preview: too long %v, err %v, bytes %d", long.TooLong, long.Err, long.Bytes)
	}
	if SampleComment("").Account == "" {
		t.Error("sample without an account")
	}
}

func TestTemplateRender(t *testing.T) {
	tpl := Template{ID: 7, Body: "Hi {{username|there}}, {{comment_text}}"}
	got, err := tpl.Render(Vars{Username: "@kai_m", CommentText: "<b>hi</b>"})
	if err != nil || got != "Hi kai_m, <b>hi</b>" {
		t.Errorf("Render = %q, %v", got, err)
	}
	if _, err := (Template{ID: 8, Body: "{{gone}}"}).Render(Vars{}); err == nil || !strings.Contains(err.Error(), "templates: render 8") {
		t.Errorf("broken body: %v", err)
	}
}

func TestDemo(t *testing.T) {
	demo := Demo()
	public := 0
	for _, in := range demo {
		if in.Public {
			public++
		}
	}
	if n := len(demo) - public; n < 4 || n > 6 || public < 1 || !demo[len(demo)-public].Public {
		t.Fatalf("%d private and %d public demo templates, want 4 to 6 private, then public ones", n, public)
	}
	names, shortcuts := map[string]bool{}, map[string]bool{}
	for _, in := range demo {
		clean, err := Validate(in)
		if err != nil {
			t.Errorf("%s: %v", in.Name, err)
		}
		if clean != in {
			t.Errorf("%s is not in stored form: %+v", in.Name, clean)
		}
		if in.Shortcut == "" || in.Folder == "" || !strings.Contains(in.Body, "|") {
			t.Errorf("%s lacks a shortcut, folder or fallback", in.Name)
		}
		if names[strings.ToLower(in.Name)] || shortcuts[in.Shortcut] {
			t.Errorf("%s: duplicate name or shortcut", in.Name)
		}
		names[strings.ToLower(in.Name)], shortcuts[in.Shortcut] = true, true
		p := PreviewBody(in.Body, SampleComment(""))
		if p.TooLong || p.Err != nil {
			t.Errorf("%s previews badly: %+v", in.Name, p)
		}
	}
}

// TestValidate_listsEveryProblem: a form with several mistakes, some in
// the body, is refused with every one of them, in order, each pointing at
// its place (issue 20, item 12: the editor lists every error).
func TestValidate_listsEveryProblem(t *testing.T) {
	_, err := Validate(Input{Name: "", Shortcut: "no spaces", Position: -1,
		Body: "Hi {{usrname}}!\nPrice: {{price}} }} and {{account|}}\nBye {{username"})
	var got []string
	for _, fe := range AllFieldErrors(err) {
		got = append(got, fe.Field+": "+fe.Message)
	}
	want := []string{
		"name: Give the template a name.",
		"shortcut: A shortcut is 1 to 32 lowercase letters, digits, “-” or “_”, like /price.",
		"position: The place in the reply box is a whole number: 1 for the first template, 2 for the second, and so on.",
		"body: Unknown variable {{usrname}} at line 1, column 4.",
		"body: Unknown variable {{price}} at line 2, column 8.",
		"body: Unexpected }} with no {{ before it at line 2, column 18.",
		"body: Empty fallback after | in {{account|}} at line 2, column 34.",
		"body: Unclosed {{ at line 3, column 5.",
	}
	if len(got) != len(want) {
		t.Fatalf("%d problems:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q\nwant prefix %q", i+1, got[i], want[i])
		}
	}
	if first := FieldErrors(err); first["body"] != strings.TrimPrefix(got[3], "body: ") {
		t.Errorf("FieldErrors keeps the first per field: %q", first["body"])
	}
	if errs := SyntaxErrors("Hi {{username}}, {{account|there}}"); errs != nil {
		t.Errorf("a good body: %v", errs)
	}
}
