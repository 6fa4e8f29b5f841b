package views

// RulesVM is the rules page: the ordered list, what each rule did in the
// last week, and (for admins) the controls to change it.
type RulesVM struct {
	Layout  LayoutVM
	CanEdit bool
	Rows    []RuleRowVM
}

// RuleRowVM is one rule in the list.
type RuleRowVM struct {
	ID         string
	Position   string
	Name       string
	Enabled    bool
	When       []string // the conditions, a phrase each: "a comment says any of “price”, “how much”"
	Then       string   // "Sends “Price list” — once per person per post"
	Action     string   // suggest, send, assign, dismiss (the badge's colour)
	ActionTag  string   // "Suggest", "Send", …
	Matched    string   // comments matched in the last 7 days
	Sent       string   // automatic replies delivered in the last 7 days; "" unless the rule sends
	By         string   // who made it
	URL        string   // the editor
	TestURL    string
	EnabledURL string
	MoveURL    string
	DeleteURL  string
	First      bool // nothing to move up past
	Last       bool
}

// RuleEditVM is the editor of a new or existing rule (read-only for
// agents), with the results of a test when one was asked for.
type RuleEditVM struct {
	Layout    LayoutVM
	IsNew     bool
	ReadOnly  bool
	Action    string // form target: "/rules" or "/rules/7"
	DeleteURL string
	Form      RuleFormVM
	Errors    map[string]string // field → message; "" for the whole form
	Accounts  []Choice
	Surfaces  []Choice
	Media     []Choice // the posts with the latest comments
	Actions   []Choice
	Templates []Option // Value is the id; the label says when it is for suggestions only
	Assignees []Option // teammates, for assign
	Stats     string   // "Matched 12 comments and sent 9 replies in the last 7 days"
	Test      *RuleTestVM
}

// RuleFormVM holds the editor's fields as typed.
type RuleFormVM struct {
	ID              string // "" for a new rule
	Name            string
	Enabled         bool
	Keywords        string // comma-separated
	Match           string // any, all
	ExcludeKeywords string
	MediaIDs        string // ids not among Media, comma-separated
	Action          string
	TemplateID      string
	AssigneeID      string
	OncePerUser     bool
}

// Choice is one checkbox or radio button.
type Choice struct {
	Value    string
	Label    string
	Hint     string
	Checked  bool
	Disabled bool
}

// RuleTestVM lists the comments of the last week a rule would have matched.
type RuleTestVM struct {
	Summary string // "3 comments from the last 7 days would match"
	Rows    []RuleTestRowVM
	Error   string // why the draft cannot be tested
}

// RuleTestRowVM is one comment a rule would have matched.
type RuleTestRowVM struct {
	Username   string
	Text       string
	Account    string
	Surface    string
	SurfaceKey string
	Ago        string
	AgoISO     string
	URL        string
	Status     string
}

// SuggestionVM marks the composer's text as a rule's suggestion.
type SuggestionVM struct {
	Rule     string // the rule's name; "" when it was deleted since
	Template string
}

func ruleTitle(vm RuleEditVM) string {
	switch {
	case vm.IsNew:
		return "New rule"
	case vm.Form.Name == "":
		return "Rule"
	}
	return vm.Form.Name
}

// choiceType is a radio button for the one action, a checkbox otherwise.
func choiceType(name string) string {
	if name == "action" {
		return "radio"
	}
	return "checkbox"
}

func choiceLabel(name, label string) string {
	if label == "" {
		return "What the rule does"
	}
	return label
}
