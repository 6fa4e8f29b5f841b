package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

func renderTemplatesDoc(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func countTestID(doc *goquery.Document, testid string) int {
	return doc.Find(`[data-testid="` + testid + `"]`).Length()
}

func textTestID(doc *goquery.Document, testid string) string {
	return strings.TrimSpace(doc.Find(`[data-testid="` + testid + `"]`).First().Text())
}

func templatesList(canEdit bool) TemplatesVM {
	return TemplatesVM{
		Layout:  LayoutVM{Title: "Templates", Nav: "templates", CSRF: "tok123", User: &UserVM{Name: "Ava", IsAdmin: canEdit}},
		Sort:    "most_used",
		Folders: []string{"Orders", "Sales"},
		Total:   2,
		CanEdit: canEdit,
		Rows: []TemplateRowVM{
			{ID: "7", Name: "Price list", Excerpt: "Hi {{username|there}}! <b>Every</b> price", Shortcut: "/price", Folder: "Sales",
				Uses: "12", LastUsed: "3 h ago", LastUsedISO: "2026-03-01T09:00:00Z", UpdatedBy: "Ava", URL: "/templates/7", DeleteURL: "/templates/7/delete"},
			{ID: "8", Name: `<script>alert(1)</script>`, Uses: "0", LastUsed: "never", URL: "/templates/8", DeleteURL: "/templates/8/delete"},
		},
	}
}

func TestTemplatesPage_adminControls(t *testing.T) {
	doc := renderTemplatesDoc(t, TemplatesPage(templatesList(true)))
	if n := countTestID(doc, "template-row"); n != 2 {
		t.Fatalf("%d rows, want 2", n)
	}
	if countTestID(doc, "template-new") != 1 || countTestID(doc, "template-edit") != 2 || countTestID(doc, "template-delete") != 2 {
		t.Error("an admin is missing new, edit or delete")
	}
	form := doc.Find(`[data-testid="template-delete"] form`).First()
	if action, _ := form.Attr("action"); action != "/templates/7/delete" {
		t.Errorf("delete posts to %q", action)
	}
	if method, _ := form.Attr("method"); method != "post" {
		t.Errorf("delete form method %q", method)
	}
	if v, _ := form.Find(`input[name="csrf"]`).Attr("value"); v != "tok123" {
		t.Errorf("delete form csrf = %q", v)
	}
	// The confirmation sits inside a closed <details>: one click does not delete.
	if _, open := doc.Find(`details[data-testid="template-delete"]`).Attr("open"); open {
		t.Error("the delete confirmation starts open")
	}
	if got, _ := doc.Find(`#template-sort option[selected]`).Attr("value"); got != "most_used" {
		t.Errorf("selected sort %q", got)
	}
	if got, _ := doc.Find(`th[aria-sort="descending"] a`).Attr("href"); got != "/templates?sort=most_used" {
		t.Errorf("sorted column links to %q", got)
	}
	// Names and bodies are text, never markup.
	if doc.Find("tbody script, tbody b").Length() != 0 {
		t.Error("template text rendered as HTML")
	}
	if got := doc.Find(`[data-testid="template-name"]`).Eq(1).Text(); got != "<script>alert(1)</script>" {
		t.Errorf("name = %q", got)
	}
}

func TestTemplatesPage_agentSeesNoEditing(t *testing.T) {
	doc := renderTemplatesDoc(t, TemplatesPage(templatesList(false)))
	if countTestID(doc, "template-row") != 2 {
		t.Fatal("an agent should still see every template")
	}
	for _, id := range []string{"template-new", "template-edit", "template-delete", "template-delete-confirm"} {
		if n := countTestID(doc, id); n != 0 {
			t.Errorf("an agent sees %d %s", n, id)
		}
	}
	if doc.Find(`form[action$="/delete"]`).Length() != 0 {
		t.Error("an agent has a delete form")
	}
}

func TestTemplatesPage_empty(t *testing.T) {
	vm := templatesList(true)
	vm.Rows, vm.Query = nil, "zzz"
	if got := textTestID(renderTemplatesDoc(t, TemplatesPage(vm)), "templates-empty"); !strings.Contains(got, "No template matches") || !strings.Contains(got, "Show all 2 templates") {
		t.Errorf("no match: %q", got)
	}
	vm.Total = 0
	if got := textTestID(renderTemplatesDoc(t, TemplatesPage(vm)), "templates-empty"); !strings.Contains(got, "No templates yet") {
		t.Errorf("none yet: %q", got)
	}
}

func templateEditVM() TemplateEditVM {
	return TemplateEditVM{
		Layout:    LayoutVM{Title: "Price list", Nav: "templates", CSRF: "tok123", User: &UserVM{Name: "Ava", IsAdmin: true}},
		Action:    "/templates/7",
		DeleteURL: "/templates/7/delete",
		Form:      TemplateFormVM{Name: "Price list", Shortcut: "price", Folder: "Sales", Body: "Hi {{username|there}}!\nOur {{price}}"},
		Errors: map[string]string{
			"body":     "Unknown variable {{price}} at line 2, column 5. Use {{username}}, {{comment_text}} or {{account}}.",
			"shortcut": "The shortcut /price is already used by “Prices”. Choose another one.",
		},
		Variables: []string{"{{username}}", "{{comment_text}}", "{{account}}"},
		Uses:      "Used 12 times, last 3 h ago",
		UpdatedBy: "Ava",
		Preview: TemplatePreviewVM{
			SampleUsername: "river.walks", SampleComment: "How much?", SampleAccount: "acme.coffee", MaxBytes: 1000,
			Error: "Unknown variable {{price}} at line 2, column 5. Use {{username}}, {{comment_text}} or {{account}}.", ErrorLine: 2, ErrorCol: 5,
			ErrorBefore: "Our ", ErrorAt: "{{price}}",
		},
	}
}

func TestTemplateEditPage_errorsShownWithPosition(t *testing.T) {
	doc := renderTemplatesDoc(t, TemplateEditPage(templateEditVM()))
	if got := textTestID(doc, "error-body"); !strings.Contains(got, "line 2, column 5") {
		t.Errorf("body error = %q", got)
	}
	if got := textTestID(doc, "error-shortcut"); !strings.Contains(got, "already used") {
		t.Errorf("shortcut error = %q", got)
	}
	if v, _ := doc.Find(`[data-testid="field-body"]`).Attr("aria-invalid"); v != "true" {
		t.Error("the body is not marked invalid")
	}
	if v, _ := doc.Find(`[data-testid="field-name"]`).Attr("aria-invalid"); v != "false" {
		t.Error("the name is marked invalid")
	}
	perr := doc.Find(`[data-testid="preview-error"]`)
	if l, _ := perr.Attr("data-line"); l != "2" {
		t.Errorf("preview error line %q", l)
	}
	if c, _ := perr.Attr("data-col"); c != "5" {
		t.Errorf("preview error column %q", c)
	}
	if got := perr.Find("mark").Text(); got != "{{price}}" {
		t.Errorf("highlighted %q", got)
	}
	if countTestID(doc, "byte-count") != 0 {
		t.Error("a byte count is shown for a body that does not parse")
	}
	if got := doc.Find(`[data-testid="field-body"]`).Text(); got != "Hi {{username|there}}!\nOur {{price}}" {
		t.Errorf("textarea holds %q", got)
	}
	// The preview posts the form as the body is typed, into #preview.
	body := doc.Find(`[data-testid="field-body"]`)
	if p, _ := body.Attr("hx-post"); p != "/templates/preview" {
		t.Errorf("hx-post = %q", p)
	}
	if tg, _ := body.Attr("hx-target"); tg != "#preview" || doc.Find("#preview").Length() != 1 {
		t.Errorf("hx-target = %q", tg)
	}
	form := doc.Find(`form[data-testid="template-form"]`)
	if a, _ := form.Attr("action"); a != "/templates/7" {
		t.Errorf("form action %q", a)
	}
	if v, _ := form.Find(`input[name="csrf"]`).Attr("value"); v != "tok123" {
		t.Errorf("form csrf %q", v)
	}
	if countTestID(doc, "template-save") != 1 || countTestID(doc, "template-delete") != 1 {
		t.Error("an admin lacks save or delete")
	}
}

func TestTemplateEditPage_readOnlyForAgents(t *testing.T) {
	vm := templateEditVM()
	vm.ReadOnly, vm.Errors = true, nil
	doc := renderTemplatesDoc(t, TemplateEditPage(vm))
	if countTestID(doc, "template-save") != 0 || countTestID(doc, "template-delete") != 0 {
		t.Error("an agent can save or delete")
	}
	if _, disabled := doc.Find("fieldset.template-fields").Attr("disabled"); !disabled {
		t.Error("an agent's fields are not disabled")
	}
	if countTestID(doc, "template-readonly") != 1 {
		t.Error("no read-only notice")
	}
}

func TestTemplatePreview_byteCounter(t *testing.T) {
	tests := []struct {
		name      string
		vm        TemplatePreviewVM
		counter   string
		over      bool
		worstCase bool
	}{
		{"fits", TemplatePreviewVM{Text: "Hi", Bytes: 312, MaxBytes: 1000, WorstCase: 340}, "312 / 1,000 bytes", false, false},
		{"fits but could exceed", TemplatePreviewVM{Text: "Hi", Bytes: 312, MaxBytes: 1000, WorstCase: 9143, MayExceed: true}, "312 / 1,000 bytes", false, true},
		{"over", TemplatePreviewVM{Text: "Hi", Bytes: 1034, MaxBytes: 1000, WorstCase: 1034, MayExceed: true}, "1,034 / 1,000 bytes — too long to send", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := renderTemplatesDoc(t, TemplatePreview(tc.vm))
			counter := doc.Find(`[data-testid="byte-count"]`)
			if got := strings.TrimSpace(counter.Text()); got != tc.counter {
				t.Errorf("counter %q, want %q", got, tc.counter)
			}
			if counter.HasClass("over") != tc.over {
				t.Errorf("over class = %v", counter.HasClass("over"))
			}
			if got := countTestID(doc, "worst-case") == 1; got != tc.worstCase {
				t.Errorf("worst-case flag shown = %v", got)
			}
			if tc.worstCase && !strings.Contains(textTestID(doc, "worst-case"), "9,143 bytes") {
				t.Errorf("worst case text %q", textTestID(doc, "worst-case"))
			}
		})
	}
	// The rendered reply is text: a comment holding markup shows as characters.
	doc := renderTemplatesDoc(t, TemplatePreview(TemplatePreviewVM{Text: `You said <script>alert(1)</script>`, Bytes: 34, MaxBytes: 1000,
		SampleComment: "<img src=x onerror=alert(2)>"}))
	if doc.Find("script, img").Length() != 0 {
		t.Error("preview text rendered as HTML")
	}
	if got := textTestID(doc, "preview-text"); got != `You said <script>alert(1)</script>` {
		t.Errorf("preview text %q", got)
	}
}
