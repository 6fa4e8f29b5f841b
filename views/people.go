package views

import "strconv"

// PeopleVM is who is on a comment: its assignee, who has it open in the
// composer, and its deadline alert. Rows are rendered once per change and
// view and shared by every viewer, so this holds nothing that depends on
// who looks (the page's script hides the viewer's own presence).
type PeopleVM struct {
	AssigneeID       string // "" when unassigned
	AssigneeName     string
	AssigneeInitials string
	AssigneeText     string // "Assigned to Ben Okafor" or "Unassigned"
	Replying         []PresenceVM
	Alert            *AlertVM
}

// PresenceVM is one person replying to a comment.
type PresenceVM struct {
	UserID string
	Short  string // "Ana is replying" (rows)
	Text   string // "Ana Martin is replying" (the panel)
}

// AlertVM is a comment's deadline alert, as the browser notification says it.
type AlertVM struct {
	Title string
	Body  string
	AtISO string // when it was raised: only fresh alerts notify
}

// AssignFormVM is the panel's assignee control.
type AssignFormVM struct {
	CommentID   string
	CSRF        string
	FilterQuery string
	Options     []Option // "none", then teammates who may see the comment's account
}

// AssignPickerVM is the dialog that assigns the selected comments (A).
type AssignPickerVM struct {
	People        []PickVM
	PresenceEvery string // ms between refreshes of the viewer's presence
}

// PickVM is one teammate in the picker.
type PickVM struct {
	ID       string
	Name     string
	Initials string
	Note     string // "you", or the accounts they can answer
	Key      string // "1"–"9"
}

// AutoAssignVM is an account's auto-assignment setting on its card.
type AutoAssignVM struct {
	AccountID string
	CanEdit   bool // admins
	Enabled   bool
	Cap       string
	Summary   string // in words, for everyone
	ActionURL string
	CSRF      string
}

// WorkloadVM is the Team page's per-person view.
type WorkloadVM struct {
	Rows       []WorkloadRowVM
	WindowText string // what "answered in time" counts
}

// WorkloadRowVM is one teammate's numbers.
type WorkloadRowVM struct {
	ID           string
	Name         string
	Initials     string
	AvatarURL    string
	Online       bool
	OnlineText   string // "Online" or "Last seen 3 h ago"
	Open         string
	OpenURL      string // their open assigned comments in the inbox
	RepliesToday string
	Share        string // "92% (46 of 50)" or "—"
	IsSelf       bool
}

func boolStr(b bool) string { return strconv.FormatBool(b) }

// int64Val is n as a form value ("" for 0).
func int64Val(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}
