package views

// ModerationVM is the moderation part of a comment's detail panel: its
// state on Instagram, the public replies under it, the hide and delete
// buttons, and the public reply composer.
type ModerationVM struct {
	CommentID   string
	CSRF        string
	FilterQuery string // the list's filter, so answers render rows for it
	Hidden      bool
	Deleted     bool
	StateNote   string // "Hidden by Ava · 2 min ago", "Deleted by Ava · …"
	Pending     string // "Hiding…" while Instagram works on a change
	Waiting     bool   // something is on its way: the panel refreshes when the comment changes
	Replies     []PublicReplyVM
	Hide        ModButtonVM // hide or unhide
	Delete      ModButtonVM
	Reason      string // why nothing can be moderated (Live), shown in words
	Composer    PublicComposerVM
}

// ModButtonVM is a moderation button; Reason says why it is disabled.
type ModButtonVM struct {
	Label  string
	Key    string
	Value  string // the form's hidden value, e.g. "true" to hide
	Reason string // "" when enabled
}

// PublicReplyVM is one public reply under the comment, posted or on its way.
type PublicReplyVM struct {
	ID      string
	Account string // "@acme.coffee"
	Text    string
	By      string // "Ava", or "on Instagram"
	When    string
	WhenISO string
	State   string // posted, pending, failed
	Label   string // "Posting…", "Failed", "Check your DMs"
	Error   string
}

// PublicComposerVM is the public reply composer, apart from the private
// one so that a direct message is never posted publicly by accident.
type PublicComposerVM struct {
	CommentID   string
	CSRF        string
	Account     string
	Enabled     bool
	Reason      string // why a public reply is impossible, when it is
	ReasonShown bool   // the panel already says Reason, so the button only refers to it
	Open        bool   // shown open (after an error, with the text kept)
	Text        string
	Error       string
	Templates   []ReplyTemplateVM
	MaxChars    int
	CountText   string // "0 / 2,200 characters"
	CountFormat string // with {n}
	CountOver   string // with {n} and {over}
}

// NudgeVM is the private composer's option to post a short public reply
// ("check your DMs") once the private one is delivered.
type NudgeVM struct {
	Available bool   // the comment can get a public reply and public templates exist
	Checked   bool   // the account's default is on
	Reason    string // why it is not offered, when it is not
	Templates []Option
	Previews  []NudgePreviewVM
}

// NudgePreviewVM is a nudge template rendered for the comment.
type NudgePreviewVM struct {
	ID   string
	Text string
}

// NudgeSettingVM is an account's default nudge, on the account page.
type NudgeSettingVM struct {
	AccountID string
	Account   string
	CSRF      string
	CanEdit   bool
	Templates []Option // "" for none, then the public templates
	Current   string   // the template's name, or "Off"
}

// BulkHideVM is the bulk bar's hide button.
type BulkHideVM struct {
	Label, Key string
}

// query is "?"+q, or "" for an empty query.
func query(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}
