package views

// InboxVM is the inbox page: rail, filters, list and (optionally) the open
// comment's detail panel.
type InboxVM struct {
	Layout      LayoutVM
	Rail        RailVM
	Surfaces    []Option
	Accounts    []Option // the account filter (the rail's, as a select on phones)
	Sorts       []Option
	Query       string
	Status      string // the current view, for hidden inputs
	Account     string
	Assignee    string // me, none or a user id
	Surface     string
	Sort        string
	LiveFirst   bool   // open Live comments come first (the list's order, for the live stream's new rows)
	FilterQuery string // the current filter as a query string (no leading ?)
	Rows        []CommentRowVM
	NextURL     string // "" on the last page
	EventsURL   string // the live stream, from the feed position the page was rendered at
	Empty       EmptyVM
	ServerNow   string // RFC 3339 with ms: lets the browser correct its clock
	Detail      *CommentDetailVM
	BulkActions []BulkAction
	MeID        string         // the viewer (the script hides their own presence)
	Picker      AssignPickerVM // the assignee picker (A)
	AlertsText  string         // the one-time question about deadline notifications
	BulkHide    BulkHideVM
}

// RailVM is the left rail and the Live bands above the list: what the live
// stream refreshes as counts change.
type RailVM struct {
	Title     string     // the page's title with the open count, e.g. "Inbox (3 open)"
	Views     []RailLink // status views with counts
	Accounts  []RailLink // one per account, plus "All accounts"
	Team      []RailLink // Mine, Unassigned
	LiveBands []LiveBandVM
	HoldBands []HoldVM // accounts whose replies Meta stopped
	OOB       bool     // sent over the live stream: swapped in by id
}

// RailLink is one entry of the left rail.
type RailLink struct {
	Label     string
	Count     string // "" to hide
	URL       string
	Active    bool
	Attention bool // a dot: the account needs attention
	Alert     bool // the count is urgent (red)
	TestID    string
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// EmptyVM is what an empty list says.
type EmptyVM struct {
	Title, Message string
	Loading        bool // the first fetch of comments is still running
}

// LiveBandVM announces a running broadcast.
type LiveBandVM struct {
	Ended   bool // the broadcast ended: its open comments expired
	Account string
	ViewURL string
	Message string
}

// BulkAction is a button acting on the selected rows.
type BulkAction struct {
	Status, Label, Key string
}

// CommentRowVM is one row of the list.
type CommentRowVM struct {
	ID          string
	DeadlineISO string // RFC 3339; the browser ticks the countdown from it
	Countdown   string // server-rendered first value, e.g. "6d 23h"
	Stage       string // calm, warn, urgent, expired, live, done
	Ticks       bool   // the browser counts down to DeadlineISO
	EndText     string // what the chip says once the deadline passes
	Approx      bool   // deadline not yet confirmed by Graph
	Live        bool
	Username    string
	Text        string
	Account     string
	Surface     string // Post, Reel, Story, Ad, Live
	SurfaceKey  string
	AdTitle     string
	IsReply     bool
	ReceivedAgo string
	ReceivedISO string
	Status      string
	StatusLabel string
	StatusBy    string
	OpenOnMedia int
	DetailURL   string
	Selected    bool
	Answerable  bool
	People      PeopleVM // assignee, presence, deadline alert
	OOB         bool     // sent over the live stream or in an action's answer: replaces the row by id
	Hidden      bool     // hidden on Instagram
	Deleted     bool     // deleted on Instagram (shown in the All view)
	Moderating  string   // "Hiding…" while Instagram works on a change; "" otherwise
}

// ToastVM is a message after an action, with Undo when it can be undone.
type ToastVM struct {
	Message string
	Kind    string // "", "ok" or "error"
	Undo    *UndoVM
}

// UndoVM is the form that undoes a status change.
type UndoVM struct {
	IDs    []string
	Status string
}

// CommentDetailVM is the detail panel of one comment.
type CommentDetailVM struct {
	Row          CommentRowVM
	CSRF         string
	MediaID      string
	MediaLabel   string
	ParentID     string
	History      []HistoryItem
	Actions      []StatusAction
	Reply        ReplyPanelVM
	FilterQuery  string
	ListURL      string     // the list this comment was opened from, with its filters
	Deadline     TimeNoteVM // e.g. "Reply by Tue 1 Dec, 14:05 (approximate)", the time in the viewer's zone
	DeadlineLead string     // the words beside the headline countdown: "left to reply"; "" for none
	OpenOnMedia  string
	Assign       AssignFormVM
	Moderation   ModerationVM
	Context      ContextVM // the post, the parent comment, when it was made
}

// TimeNoteVM is a sentence around one moment: the page's script shows the
// moment in the viewer's own time zone; At is its text in UTC until then.
type TimeNoteVM struct {
	Before string
	At     string // "Tue 1 Dec, 14:05 UTC"; "" for a sentence with no time
	AtISO  string // RFC 3339
	Local  string // how to show it locally: "datetime" or "time"
	After  string
}

// StatusAction is a triage button in the detail panel.
type StatusAction struct {
	Status, Label, Key, TestID string
	Primary                    bool
}

// HistoryItem is one line of a comment's history.
type HistoryItem struct {
	When, WhenISO, Text, Kind string
}

// ReplyPanelVM is the reply composer (see reply.templ).
type ReplyPanelVM struct {
	CommentID    string
	CSRF         string
	Enabled      bool
	Reason       string // why sending is not possible, when it is not
	HoldNote     string // the account is on hold: a reply sent now waits
	Text         string
	Error        string
	Templates    []ReplyTemplateVM
	MaxBytes     int
	Account      string
	Existing     *ReplyVM // the reply already sent or in flight
	Attempts     []ReplyVM
	DeliveryNote string
	ClosedReason string        // shown when the deadline passes while the composer is open
	FilterQuery  string        // the list's filters, kept by the composer's answer
	CountText    string        // the byte counter as rendered, e.g. "0 / 1,000 bytes"
	CountFormat  string        // the counter's words with {n} for the bytes used
	CountOver    string        // the same over the limit, with {over} for the excess
	Warning      string        // someone else is replying: sending again sends anyway
	TemplateID   int64         // the template the text came from, kept across the warning
	Suggestion   *SuggestionVM // the text is a rule's suggestion
	Nudge        NudgeVM
}

// ReplyTemplateVM is a template rendered for the comment.
type ReplyTemplateVM struct {
	ID       int64
	Name     string
	Shortcut string
	Key      string // "1"–"9"
	Text     string
	Bytes    int
	TooLong  bool
}

// ReplyVM is one reply attempt as shown.
type ReplyVM struct {
	State      string
	StateLabel string
	StateTime  TimeNoteVM // StateLabel as shown: its time (a retry, a queued send's estimate) in the viewer's zone
	Text       string
	By         string
	When       string
	WhenISO    string
	Error      string
	MessageID  string
	Template   string
}

// statusVals are the extra form values of a bulk status button.
func statusVals(status string) string { return `{"status":"` + status + `"}` }
