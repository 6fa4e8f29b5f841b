package templates

import (
	"reflect"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	river := Vars{Username: "river.walks", CommentText: "How much is the blue one?", Account: "acme.coffee"}
	tests := []struct {
		name string
		body string
		vars Vars
		want string
	}{
		{"plain text", "Thanks!", river, "Thanks!"},
		{"empty body", "", river, ""},
		{"each variable", "Hi {{username}}, re “{{comment_text}}” — {{account}}", river,
			"Hi river.walks, re “How much is the blue one?” — acme.coffee"},
		{"fallback unused", "Hi {{username|there}}!", river, "Hi river.walks!"},
		{"fallback used", "Hi {{username|there}}!", Vars{}, "Hi there!"},
		{"fallback for blank value", "Hi {{username|there}}!", Vars{Username: "  "}, "Hi there!"},
		{"fallback with spaces and Unicode", "Hi {{username|lieber Kunde 🙂}}!", Vars{}, "Hi lieber Kunde 🙂!"},
		{"no fallback, empty value", "Hi {{username}}!", Vars{}, "Hi !"},
		{"spaces inside braces", "Hi {{ username | there }}!", Vars{}, "Hi there!"},
		{"tabs inside braces", "Hi {{\tusername\t}}!", river, "Hi river.walks!"},
		{"at sign dropped", "@{{username}} / {{account}}", Vars{Username: "@kai_m", Account: "@acme.outdoor"}, "@kai_m / acme.outdoor"},
		{"only one at sign dropped", "{{username}}", Vars{Username: "@@odd"}, "@odd"},
		{"repeated variable", "{{username}}, yes {{username}}!", river, "river.walks, yes river.walks!"},
		{"adjacent variables", "{{username}}{{account}}{{username|x}}", river, "river.walksacme.coffeeriver.walks"},
		{"adjacent fallbacks", "{{username|a}}{{account|b}}", Vars{}, "ab"},
		{"multi-line body", "Hi {{username}},\n\nthanks for asking!\n— {{account}}", river,
			"Hi river.walks,\n\nthanks for asking!\n— acme.coffee"},
		{"emoji and ZWJ sequence", "👩‍👩‍👧 {{username}} 🇨🇦", Vars{Username: "fam"}, "👩‍👩‍👧 fam 🇨🇦"},
		{"combining marks kept", "Caf\u0065\u0301 {{comment_text}}", Vars{CommentText: "n\u0303"}, "Caf\u0065\u0301 n\u0303"},
		{"single braces are text", "{ok} {x} } {", river, "{ok} {x} } {"},
		{"html in comment stays text", "You said: {{comment_text}}", Vars{CommentText: `<script>alert("x")</script> &amp; <b>`},
			`You said: <script>alert("x")</script> &amp; <b>`},
		{"html in the body stays text", "<b>{{username}}</b> &", river, "<b>river.walks</b> &"},
		{"braces in a value are not expanded", "{{comment_text}}", Vars{CommentText: "{{account}} }} {{"}, "{{account}} }} {{"},
		{"comment text kept verbatim", "[{{comment_text}}]", Vars{CommentText: "  spaced \n text  "}, "[  spaced \n text  ]"},
		{"RTL and CJK", "مرحبا {{username|صديقي}} 你好", Vars{}, "مرحبا صديقي 你好"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Parse(tc.body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := tpl.Render(tc.vars); got != tc.want {
				t.Errorf("Render = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRender_neverHTML renders hostile values and checks the text comes back
// byte for byte: the package neither escapes nor builds markup.
func TestRender_neverHTML(t *testing.T) {
	hostile := `<script>alert(1)</script><img src=x onerror=alert(2)>&lt;"'`
	tpl, err := Parse("{{comment_text}}|{{username}}|{{account}}")
	if err != nil {
		t.Fatal(err)
	}
	got := tpl.Render(Vars{CommentText: hostile, Username: hostile, Account: hostile})
	if want := hostile + "|" + hostile + "|" + hostile; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
	plain, _ := Parse("Thanks, {{username|friend}}!")
	if out := plain.Render(Vars{}); strings.ContainsAny(out, "<>&") {
		t.Errorf("plain body rendered with markup: %q", out)
	}
}

func TestVariablesAndString(t *testing.T) {
	tpl, err := Parse("{{ account }} {{username | there }} {{account}} {{comment_text}}")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tpl.Variables(), []Var{VarAccount, VarUsername, VarCommentText}; !reflect.DeepEqual(got, want) {
		t.Errorf("Variables = %v, want %v", got, want)
	}
	if got, want := tpl.String(), "{{account}} {{username|there}} {{account}} {{comment_text}}"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got := len(Known()); got != 3 {
		t.Errorf("Known has %d variables", got)
	}
}
