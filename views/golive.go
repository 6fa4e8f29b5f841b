package views

// SetupVM is the setup check (admins).
type SetupVM struct {
	Layout   LayoutVM
	RanAt    string // "just now"
	Problems int
	Summary  string // "2 things to fix" or "Everything Meta needs is in place"
	Sections []SetupSectionVM
}

// SetupSectionVM is the installation or one account.
type SetupSectionVM struct {
	Title     string
	AccountID string
	Checks    []SetupCheckVM
}

// SetupCheckVM is one check: what was found and what to do.
type SetupCheckVM struct {
	Key    string
	Title  string
	Status string // ok, warn, fail, unknown
	Found  string
	Fix    string
}

func setupClass(status string) string { return "setup-check setup-" + status }

func setupMark(status string) string {
	switch status {
	case "ok":
		return "✓"
	case "warn":
		return "!"
	case "fail":
		return "✗"
	}
	return "–"
}

func setupLabel(status string) string {
	switch status {
	case "ok":
		return "OK"
	case "warn":
		return "Needs attention"
	case "fail":
		return "Failing"
	}
	return "Not checked"
}

// DisconnectVM is the confirmation page before an admin disconnects an
// account.
type DisconnectVM struct {
	Layout    LayoutVM
	AccountID string
	Username  string
	PageName  string
	Comments  string // "1,234 comments"
	ActionURL string
	BackURL   string
}

// DeletionVM is the public status page of a data-deletion request.
type DeletionVM struct {
	Layout    LayoutVM
	Code      string
	Requested string
	Completed string
	Found     bool
	Deleted   []string // what was deleted, a line each
}

// UnattendedVM is an account nobody can answer (admins see them).
type UnattendedVM struct {
	ID           string
	Username     string
	PageName     string
	Why          string
	ReconnectURL string // set when an admin disconnected it
}
