package views

import (
	"net/url"
	"strconv"
)

// TemplatesVM is the templates page: the shared reply templates, searched
// and sorted.
type TemplatesVM struct {
	Layout  LayoutVM
	Query   string   // the search box; "/pri" searches shortcuts
	Sort    string   // "name", "most_used" or "recent"
	Folder  string   // the folder filter; "" for all
	Folders []string // folders in use, for the filter
	Rows    []TemplateRowVM
	Total   int  // templates before search and filter, to tell "none yet" from "none match"
	CanEdit bool // the viewer is an admin: create, edit and delete
}

// TemplateRowVM is one template in the list.
type TemplateRowVM struct {
	ID          string
	Key         string // its number key in the reply box, "1"–"9"; "" for none
	Name        string
	Excerpt     string // the body's start, one line
	Shortcut    string // "/price", or ""
	Folder      string
	Public      bool   // a public reply template
	Uses        string // "12"
	LastUsed    string // "3 h ago", or "never"
	LastUsedISO string // RFC 3339; "" when never used
	UpdatedBy   string // who last saved it; "" when unknown
	URL         string // "/templates/7"
	DeleteURL   string // "/templates/7/delete"
}

// TemplateEditVM is the editor for a new or existing template. Agents see
// it read-only.
type TemplateEditVM struct {
	Layout    LayoutVM
	IsNew     bool
	ReadOnly  bool   // the viewer may use the template but not change it
	Action    string // form target: "/templates" or "/templates/7"
	DeleteURL string // "" for a new template
	Form      TemplateFormVM
	Errors    map[string]string // field ("name", "shortcut", "folder", "body") → message; "" for the whole form
	ErrorList []FormErrorVM     // every problem, in the form's order, for the summary the page opens on
	Folders   []string          // suggestions for the folder field
	Variables []string          // "{{username}}", … for the help text
	Uses      string            // "Used 12 times, last 3 h ago"; "" for a new template
	UpdatedBy string            // "Ava"; "" when unknown
	Preview   TemplatePreviewVM
}

// TemplateFormVM holds the editor's field values as typed.
type TemplateFormVM struct {
	Name     string
	Shortcut string // without "/"
	Folder   string
	Body     string
	Public   bool   // for public replies under the comment
	Position string // its place in the reply box, "1" first; "" for a new one (last)
	Places   int    // how many places there are (the templates, and a new one)
}

// FormErrorVM is one problem in a form's error summary.
type FormErrorVM struct {
	Field   string // the field's id, for the link to it
	Label   string // "Name", "Reply text", …
	Message string
}

// TemplatePreviewVM is the live preview beside the editor: the body
// rendered for a sample comment, its size, and any error in the body.
type TemplatePreviewVM struct {
	SampleUsername string // without "@"
	SampleComment  string
	SampleAccount  string
	Text           string // the rendered reply; "" when the body has an error
	Bytes          int
	MaxBytes       int  // Instagram's limit, 1,000
	WorstCase      int  // the longest rendering a comment could produce
	MayExceed      bool // WorstCase is over MaxBytes
	Error          string
	ErrorLine      int
	ErrorCol       int
	// The error's line split around the offending text.
	ErrorBefore, ErrorAt, ErrorAfter string
}

// TemplatesURL is the list's address for a search, folder and sort.
func TemplatesURL(q, folder, sort string) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if folder != "" {
		v.Set("folder", folder)
	}
	if sort != "" && sort != "name" {
		v.Set("sort", sort)
	}
	if len(v) == 0 {
		return "/templates"
	}
	return "/templates?" + v.Encode()
}

// templateSorts are the list's orders and their labels.
var templateSorts = [...]struct{ value, label string }{
	{"name", "Name"}, {"order", "Reply box order"}, {"most_used", "Most used"}, {"recent", "Recently used"},
}

// ariaSort marks the column the list is sorted by.
func ariaSort(current, column string) string {
	switch {
	case current != column && !(current == "" && column == "name"):
		return "none"
	case column == "name" || column == "order":
		return "ascending"
	}
	return "descending"
}

func fieldClass(errs map[string]string, field string) string {
	if errs[field] != "" {
		return "field field-invalid"
	}
	return "field"
}

func ariaInvalid(errs map[string]string, field string) string {
	if errs[field] != "" {
		return "true"
	}
	return "false"
}

// previewByteCount is "312 / 1,000 bytes", with words when over the limit
// (never colour alone).
func previewByteCount(n, limit int) string {
	s := groupThousands(n) + " / " + groupThousands(limit) + " bytes"
	if n > limit {
		s += " — too long to send"
	}
	return s
}

func byteCountClass(n, limit int) string {
	if n > limit {
		return "byte-count over"
	}
	return "byte-count"
}

// groupThousands writes 8800 as "8,800".
func groupThousands(n int) string {
	if n < 0 {
		return "-" + groupThousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// listSep punctuates item i of n in a sentence: ", " between, ". " after
// the last.
func listSep(i, n int) string {
	if i == n-1 {
		return ". "
	}
	return ", "
}

func editTitle(vm TemplateEditVM) string {
	switch {
	case vm.IsNew:
		return "New template"
	case vm.Form.Name == "":
		return "Template"
	}
	return vm.Form.Name
}

// problemCount heads an error summary: "1 problem to fix" or "3 problems
// to fix".
func problemCount(n int) string {
	if n == 1 {
		return "1 problem to fix before saving"
	}
	return strconv.Itoa(n) + " problems to fix before saving"
}
