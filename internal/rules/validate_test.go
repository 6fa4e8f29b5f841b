package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/templates"
)

func TestValidate(t *testing.T) {
	ok := Input{Name: "Price DM", Action: Send, TemplateID: 7, Keywords: []string{"price"}}
	for _, tc := range []struct {
		name   string
		edit   func(*Input)
		fields []string // fields with an error; none when valid
	}{
		{"valid", func(*Input) {}, nil},
		{"name required", func(in *Input) { in.Name = "  " }, []string{"name"}},
		{"name too long", func(in *Input) { in.Name = strings.Repeat("é", MaxNameChars+1) }, []string{"name"}},
		{"name on one line", func(in *Input) { in.Name = "a\nb" }, []string{"name"}},
		{"unknown action", func(in *Input) { in.Action = "reply" }, []string{"action"}},
		{"send needs a template", func(in *Input) { in.TemplateID = 0 }, []string{"template_id"}},
		{"suggest needs a template", func(in *Input) { in.Action, in.TemplateID = Suggest, 0 }, []string{"template_id"}},
		{"assign needs a teammate", func(in *Input) { in.Action = Assign }, []string{"assignee_id"}},
		{"dismiss needs nothing more", func(in *Input) { in.Action = Dismiss }, nil},
		{"send needs aim", func(in *Input) { in.Keywords = nil }, []string{"keywords"}},
		{"send aimed at posts", func(in *Input) { in.Keywords, in.MediaIDs = nil, []string{"17890000000000201"} }, nil},
		{"dismiss needs aim", func(in *Input) { in.Action, in.Keywords = Dismiss, nil }, []string{"keywords"}},
		{"suggest may match everything", func(in *Input) { in.Action, in.Keywords = Suggest, nil }, nil},
		{"keyword with nothing to find", func(in *Input) { in.Keywords = []string{"price", "?!"} }, []string{"keywords"}},
		{"excluded keyword with nothing to find", func(in *Input) { in.ExcludeKeywords = []string{"€"} }, []string{"exclude_keywords"}},
		{"keyword too long", func(in *Input) { in.Keywords = []string{strings.Repeat("a", MaxKeywordChars+1)} }, []string{"keywords"}},
		{"too many keywords", func(in *Input) {
			in.Keywords = nil
			for i := range MaxKeywords + 1 {
				in.Keywords = append(in.Keywords, "k"+strings.Repeat("x", i))
			}
		}, []string{"keywords"}},
		{"bad match", func(in *Input) { in.Match = "most" }, []string{"match"}},
		{"bad surface", func(in *Input) { in.Surfaces = []inbox.Surface{"tiktok"} }, []string{"surfaces"}},
		{"bad media id", func(in *Input) { in.MediaIDs = []string{"https://instagram.com/p/x"} }, []string{"media_ids"}},
		{"several at once", func(in *Input) { in.Name, in.TemplateID = "", 0 }, []string{"name", "template_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.edit(&in)
			_, err := Validate(in)
			got := templates.FieldErrors(err)
			var fields []string
			for f := range got {
				fields = append(fields, f)
			}
			slices.Sort(fields)
			if !slices.Equal(fields, tc.fields) {
				t.Errorf("fields in error = %q, want %q (%v)", fields, tc.fields, err)
			}
		})
	}
}

func TestValidate_normalizes(t *testing.T) {
	in, err := Validate(Input{
		Name: "  Spam  ", Action: Dismiss, TemplateID: 9, AssigneeID: 3, OncePerUser: true,
		Keywords:        []string{" free  followers ", "", "FREE followers", "Free Followers!", "crypto"},
		ExcludeKeywords: []string{"  "},
		Surfaces:        []inbox.Surface{"Live", "post", "live"},
		Accounts:        []string{" a ", "a", ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "Spam" || in.Match != MatchAny || in.TemplateID != 0 || in.AssigneeID != 0 || in.OncePerUser {
		t.Errorf("normalized = %+v", in)
	}
	if want := []string{"free followers", "crypto"}; !slices.Equal(in.Keywords, want) {
		t.Errorf("keywords = %q, want %q (same words are one keyword)", in.Keywords, want)
	}
	if in.ExcludeKeywords != nil {
		t.Errorf("exclude = %q", in.ExcludeKeywords)
	}
	if want := []inbox.Surface{"post", "live"}; !slices.Equal(in.Surfaces, want) {
		t.Errorf("surfaces = %q, want %q", in.Surfaces, want)
	}
	if want := []string{"a"}; !slices.Equal(in.Accounts, want) {
		t.Errorf("accounts = %q", in.Accounts)
	}
}

func TestCheckTemplate(t *testing.T) {
	short := templates.Template{Name: "Price", Body: "Hi {{username|there}}! Prices for {{account}} are in the link."}
	echo := templates.Template{Name: "Echo", Body: "You said: {{comment_text}}"}
	for _, tc := range []struct {
		name   string
		action Action
		t      templates.Template
		ok     bool
	}{
		{"send, always fits", Send, short, true},
		{"send, could exceed with a long comment", Send, echo, false},
		{"suggest may use any template", Suggest, echo, true},
		{"send, broken body", Send, templates.Template{Name: "Broken", Body: "Hi {{price}}"}, false},
		{"send, exactly the limit", Send, templates.Template{Name: "Full", Body: strings.Repeat("a", 1000)}, true},
		{"send, a byte over with the longest username", Send, templates.Template{Name: "Over", Body: strings.Repeat("a", 971) + "{{username}}"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTemplate(tc.action, tc.t)
			if (err == nil) != tc.ok {
				t.Errorf("CheckTemplate = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && templates.FieldErrors(err)["template_id"] == "" {
				t.Errorf("error %v is not about template_id", err)
			}
		})
	}
}
