package views

// NoAccessVM is the page for a logged-in user who may answer no account.
type NoAccessVM struct {
	Layout      LayoutVM
	FirstName   string
	Declined    []PermissionVM // needed permissions the user declined
	PagesHidden bool           // pages_show_list was declined: no Page could even be seen
	GrantURL    string         // asks Facebook again for declined permissions
	RetryURL    string         // logs in again (after a role was granted)
	Pages       string         // the Pages where the user's role lacks the Messages task, in words ("" when none)
}

// PermissionVM is a Facebook permission and what Replydesk needs it for.
type PermissionVM struct {
	Name string
	Use  string
}
