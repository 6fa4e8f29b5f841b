package views

import "strconv"

// AccountsVM is the accounts page: one card per connected account the user
// may reply on, and for admins the webhook settings to enter at Meta.
type AccountsVM struct {
	Layout  LayoutVM
	Cards   []AccountCardVM
	Single  bool            // one account's page (/accounts/{id}); links back to all
	Webhook *WebhookSetupVM // admins only
	Budget  int             // Send API calls per hour per account
	Nudge   *NudgeSettingVM // one account's page: its default "check your DMs" reply
	// SetupProblems is the number of setup checks failing or needing
	// attention at the last run (admins; 0 hides the link to /setup).
	SetupProblems int
	Unattended    []UnattendedVM // admins: accounts nobody can answer
	IsAdmin       bool
	CSRF          string // for the admins' Resume forms
}

// WebhookSetupVM is what an admin types into Meta's App Dashboard.
type WebhookSetupVM struct {
	CallbackURL string
	VerifyToken string
}

// AccountCardVM is one connected Instagram account and its health.
type AccountCardVM struct {
	ID            string
	Username      string // without "@"
	Name          string
	PictureURL    string
	Initials      string
	PageName      string
	URL           string // the account's own page
	Healthy       bool
	Checks        []CheckVM
	RepliesUsed   int
	RepliesBudget int
	RepliesText   string // "12 / 700": Send API calls in the last hour, of the budget
	People        []string
	Hold          *HoldVM // replies are on hold
	ResumedText   string  // "Replies resumed by Ava 3 min ago", or ""
	Reconnect     bool    // the token failed
	ActionLabel   string  // what fixes an unhealthy account, e.g. "Reconnect with Facebook"
	ActionURL     string
	CheckedAt     string // "checked 3 min ago" or ""
	AutoAssign    *AutoAssignVM
	DisconnectURL string // admins: the confirmation page
}

// CheckVM is one line of an account's health checklist.
type CheckVM struct {
	Key    string // token, permissions, webhooks, last_event
	Label  string
	OK     bool
	Idle   bool   // neither good nor bad (e.g. no event yet)
	Detail string // plain words
}

func checkClass(c CheckVM) string {
	switch {
	case c.Idle:
		return "check check-idle"
	case c.OK:
		return "check check-ok"
	}
	return "check check-bad"
}

func checkMark(c CheckVM) string {
	switch {
	case c.Idle:
		return "–"
	case c.OK:
		return "✓"
	}
	return "✗"
}

// HoldVM is an account whose replies Meta stopped, in words: on the
// account's card and as a band above the inbox.
type HoldVM struct {
	AccountID string
	Headline  string // "Meta stopped replies for @acme.coffee: the Facebook Page is …"
	Since     string // "On hold since 14:03 UTC (12 min ago)"
	Queued    string // "3 replies wait in the queue; none was failed."
	Advice    string // what to do
	Probe     string // when Replydesk tries again by itself
	DetailURL string // the account's page
	ResumeURL string // POST target of Resume (admins)
	CanResume bool
}

func setupProblemsText(n int) string {
	if n == 1 {
		return "1 thing in this installation needs fixing before Meta works reliably with it."
	}
	return strconv.Itoa(n) + " things in this installation need fixing before Meta works reliably with it."
}
