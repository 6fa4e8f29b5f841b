// Package views holds Replydesk's templ components and their view models.
// View models are plain structs of preformatted strings and URLs built by the
// web layer; components only branch and loop on them.
package views

import (
	"strconv"

	"github.com/replydesk/replydesk/static"
)

// LayoutVM is what every full page's frame needs.
type LayoutVM struct {
	Title   string
	Nav     string // the active navigation item: "inbox", "templates", "rules", "accounts", "team"
	Demo    bool
	SimURL  string // demo mode: the simulator's page
	CSRF    string
	User    *UserVM // nil when logged out
	Flashes []Flash
	Banners []Banner
}

// UserVM is the logged-in user as the frame shows them.
type UserVM struct {
	Name      string
	Initials  string
	AvatarURL string
	Role      string
	IsAdmin   bool
}

// Flash is a one-time message after an action.
type Flash struct {
	Kind    string // "ok" or "error"
	Message string
}

// Banner is a standing message across the top of every page, with an
// optional action.
type Banner struct {
	Kind        string // "warn" or "error"
	Message     string
	ActionLabel string
	ActionURL   string
}

// ErrorVM is an error page.
type ErrorVM struct {
	Layout    LayoutVM
	Status    int
	Title     string
	Message   string
	RequestID string
}

// LoginVM is the login page.
type LoginVM struct {
	Layout  LayoutVM
	Error   string
	AuthURL string
}

func asset(name string) string { return static.URL(name) }

func navClass(active, item string) string {
	if active == item {
		return "nav-link active"
	}
	return "nav-link"
}

func navCurrent(active, item string) string {
	if active == item {
		return "page"
	}
	return "false"
}

func pageTitle(t string) string {
	if t == "" {
		return "Replydesk"
	}
	return t + " · Replydesk"
}

func railClass(active bool) string {
	if active {
		return "rail-link active"
	}
	return "rail-link"
}

func ariaCurrent(active bool) string {
	if active {
		return "page"
	}
	return "false"
}

func detailClass(open bool) string {
	if open {
		return "detail-pane open"
	}
	return "detail-pane"
}

func chipTitle(r CommentRowVM) string {
	switch {
	case r.Live:
		return "Live comment: it can be answered until the broadcast ends"
	case r.Approx:
		return "Approximate: counted from when Meta sent the webhook; Instagram has not yet confirmed when the comment was made"
	}
	return "Time left to send a private reply (7 days from the comment)"
}

func intStr(n int) string { return strconv.Itoa(n) }

func int64s(n int64) string { return strconv.FormatInt(n, 10) }

// csrfHeaders sends the session's CSRF token with every htmx request.
func csrfHeaders(token string) string { return `{"X-CSRF-Token":"` + token + `"}` }

// withQuery appends a query string ("" stays "").
func withQuery(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}
