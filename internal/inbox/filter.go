package inbox

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/replydesk/replydesk/internal/apperr"
)

// Views beyond the plain statuses.
const (
	ViewDue    = "due"    // open and due within DueSoon
	ViewUrgent = "urgent" // open and due within the alert horizon (Filter.UrgentWithin)
	ViewAll    = "all"    // every status
)

// Assignee filters besides a user id.
const (
	AssigneeMe   = "me"   // assigned to the viewer
	AssigneeNone = "none" // assigned to nobody
)

// DefaultUrgent is the "urgent" view's horizon when Filter.UrgentWithin is
// not set (REPLYDESK_ALERT_BEFORE's default).
const DefaultUrgent = time.Hour

// DueSoon is the horizon of the "Due < 24 h" view.
const DueSoon = 24 * time.Hour

// Sort orders.
const (
	SortDeadline = "deadline" // soonest deadline first (default)
	SortNewest   = "newest"   // most recently received first
)

// Filter selects comments in the inbox, from the page's query parameters.
type Filter struct {
	View      string // a Status, ViewDue or ViewAll; default open
	AccountID string
	Surface   Surface
	Query     string
	Sort      string
	Assignee  string // AssigneeMe, AssigneeNone, a user id, or "" for anyone

	// Set by the caller, not parsed: whom AssigneeMe means, and the
	// "urgent" view's horizon (0: DefaultUrgent).
	Me           int64
	UrgentWithin time.Duration
}

// Urgent is the "urgent" view's horizon.
func (f Filter) Urgent() time.Duration {
	if f.UrgentWithin > 0 {
		return f.UrgentWithin
	}
	return DefaultUrgent
}

// AssigneeID is the user id the assignee filter names (0 for me, none or
// anyone).
func (f Filter) AssigneeID() int64 {
	n, _ := strconv.ParseInt(f.Assignee, 10, 64)
	return n
}

// MaxQueryLen bounds the search text.
const MaxQueryLen = 100

// ParseFilter reads status, account, surface, q and sort. Unknown values,
// and text that is not UTF-8 or holds a NUL byte, are refused (400) with a
// message saying what is allowed.
func ParseFilter(v url.Values) (Filter, error) {
	f := Filter{
		View:      strings.TrimSpace(v.Get("status")),
		AccountID: strings.TrimSpace(v.Get("account")),
		Surface:   Surface(strings.TrimSpace(v.Get("surface"))),
		Query:     strings.TrimSpace(v.Get("q")),
		Sort:      strings.TrimSpace(v.Get("sort")),
		Assignee:  strings.TrimSpace(v.Get("assignee")),
	}
	for _, p := range [...]struct{ name, label string }{
		{"status", "The status"}, {"account", "The account"}, {"surface", "The surface"}, {"q", "The search text"}, {"sort", "The sort order"},
	} {
		if s := v.Get(p.name); !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return f, apperr.BadText(p.name, p.label)
		}
	}
	if f.View == "" {
		f.View = string(StatusOpen)
	}
	if f.View != ViewDue && f.View != ViewUrgent && f.View != ViewAll && !Status(f.View).Valid() {
		return f, apperr.Param("status", "bad_status", "status must be one of open, urgent, due, replied, done, dismissed, expired or all.")
	}
	if a := f.Assignee; a != "" && a != AssigneeMe && a != AssigneeNone {
		if n, err := strconv.ParseInt(a, 10, 64); err != nil || n <= 0 {
			return f, apperr.Param("assignee", "bad_assignee", "assignee must be me, none or a teammate's user id.")
		}
	}
	if f.Surface != "" && !f.Surface.Valid() {
		return f, apperr.Param("surface", "bad_surface", "surface must be one of post, reel, story, ad or live.")
	}
	if f.Sort == "" {
		f.Sort = SortDeadline
	}
	if f.Sort != SortDeadline && f.Sort != SortNewest {
		return f, apperr.Param("sort", "bad_sort", "sort must be deadline or newest.")
	}
	if utf8.RuneCountInString(f.Query) > MaxQueryLen {
		return f, apperr.Param("q", "query_too_long", fmt.Sprintf("Search text is limited to %d characters.", MaxQueryLen))
	}
	for _, r := range f.AccountID {
		if r < '0' || r > '9' {
			return f, apperr.Param("account", "bad_account", "account must be an Instagram account id.")
		}
	}
	return f, nil
}

// Values is the filter as query parameters, defaults left out, so links
// stay short and bookmarkable.
func (f Filter) Values() url.Values {
	v := url.Values{}
	if f.View != "" && f.View != string(StatusOpen) {
		v.Set("status", f.View)
	}
	if f.AccountID != "" {
		v.Set("account", f.AccountID)
	}
	if f.Surface != "" {
		v.Set("surface", string(f.Surface))
	}
	if f.Query != "" {
		v.Set("q", f.Query)
	}
	if f.Sort != "" && f.Sort != SortDeadline {
		v.Set("sort", f.Sort)
	}
	if f.Assignee != "" {
		v.Set("assignee", f.Assignee)
	}
	return v
}

// With returns a copy with one parameter changed ("" removes it).
func (f Filter) With(key, value string) Filter {
	switch key {
	case "status":
		f.View = value
	case "account":
		f.AccountID = value
	case "surface":
		f.Surface = Surface(value)
	case "q":
		f.Query = value
	case "sort":
		f.Sort = value
	case "assignee":
		f.Assignee = value
	}
	return f
}

// Matches reports whether c belongs in the filtered list at now (live
// updates use it to decide whether a new comment shows up).
func (f Filter) Matches(c Comment, now time.Time) bool {
	if f.AccountID != "" && c.AccountID != f.AccountID {
		return false
	}
	if f.Surface != "" && c.Surface != f.Surface {
		return false
	}
	if c.Deleted && f.View != ViewAll {
		return false // kept for the record, but gone from the views people work in
	}
	switch f.View {
	case ViewAll:
	case ViewDue:
		if c.Status != StatusOpen || c.Deadline.After(now.Add(DueSoon)) {
			return false
		}
	case ViewUrgent:
		if c.Status != StatusOpen || c.Deadline.After(now.Add(f.Urgent())) {
			return false
		}
	default:
		if string(c.Status) != f.View {
			return false
		}
	}
	switch f.Assignee {
	case "":
	case AssigneeMe:
		if c.AssigneeID == 0 || c.AssigneeID != f.Me {
			return false
		}
	case AssigneeNone:
		if c.AssigneeID != 0 {
			return false
		}
	default:
		if c.AssigneeID != f.AssigneeID() {
			return false
		}
	}
	if s := f.Search(); s.User != "" || s.Text != "" {
		user, text := strings.ToLower(c.Username), strings.ToLower(c.Text)
		if s.User != "" && !strings.Contains(user, strings.ToLower(s.User)) {
			return false
		}
		if q := strings.ToLower(s.Text); q != "" && !strings.Contains(text, q) && !strings.Contains(user, q) {
			return false
		}
	}
	return true
}

// Search is the search text taken apart: an @username and the rest.
type Search struct {
	User string // from "@name" in the query, without the "@": part of the commenter's username
	Text string // the other words: part of the comment's text or username
}

// Search splits the query: its first word starting with "@" names the
// commenter (any part of the username), the other words are searched as
// one phrase in text and usernames. "@mallory blue" is mallory's comments
// that mention blue.
func (f Filter) Search() Search {
	var s Search
	var rest []string
	for _, w := range strings.Fields(f.Query) {
		if name := strings.TrimLeft(w, "@"); s.User == "" && name != "" && len(name) < len(w) {
			s.User = name
			continue
		}
		rest = append(rest, w)
	}
	s.Text = strings.Join(rest, " ")
	return s
}

// LiveFirst reports whether the list puts the open comments of running
// Live broadcasts above everything else: in the views of open comments (and
// "all"), sorted by deadline. A Live comment can get a private reply only
// until its broadcast ends, which no deadline foretells, so it goes first.
func (f Filter) LiveFirst() bool {
	if f.Sort != "" && f.Sort != SortDeadline {
		return false
	}
	switch f.View {
	case "", string(StatusOpen), ViewDue, ViewUrgent, ViewAll:
		return true
	}
	return false
}

// LiveNow reports whether c is an open comment of a running broadcast: the
// comments LiveFirst puts first (a Live comment is expired once its
// broadcast ends).
func (c Comment) LiveNow() bool { return c.Live && c.Status == StatusOpen }

// Cursor is a keyset position: the sort keys and id of the last row shown.
// Comments that share a deadline are in the order they arrived (At), then
// by id.
type Cursor struct {
	Live bool  // the row was an open Live comment, in a LiveFirst list
	Key  int64 // deadline or received time, unix ms
	At   int64 // received time, unix ms, when Key is a deadline
	ID   string
}

// Encode is the cursor as an opaque URL-safe string.
func (c Cursor) Encode() string {
	k := strconv.FormatInt(c.Key, 10) + "," + strconv.FormatInt(c.At, 10)
	if c.Live {
		k = "L" + k
	}
	return base64.RawURLEncoding.EncodeToString([]byte(k + ":" + c.ID))
}

// ParseCursor reads a cursor; "" is the first page.
func ParseCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := apperr.Param("cursor", "bad_cursor", "The page cursor is not valid; start again from the first page.")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	k, id, ok := strings.Cut(string(raw), ":")
	live := strings.HasPrefix(k, "L")
	key, at, ok2 := strings.Cut(strings.TrimPrefix(k, "L"), ",")
	n, err := strconv.ParseInt(key, 10, 64)
	a, err2 := strconv.ParseInt(at, 10, 64)
	if !ok || !ok2 || err != nil || err2 != nil || id == "" || !utf8.ValidString(id) || strings.IndexByte(id, 0) >= 0 {
		return nil, bad
	}
	return &Cursor{Live: live, Key: n, At: a, ID: id}, nil
}

// Item is a comment as the inbox shows it, with the names around it.
type Item struct {
	Comment
	AccountUsername string
	StatusByName    string
	OpenOnMedia     int      // open comments on the same media
	Assignee        Person   // ID 0: unassigned
	Replying        []Person // who has it open in the composer now
	// PendingModeration is the change of visibility Instagram is working
	// on ("hide", "unhide" or "delete"), "" when none.
	PendingModeration string
}

// Page is one page of the inbox.
type Page struct {
	Items []Item
	Next  *Cursor // nil on the last page
}

// Counts are the number of comments per view, for the rail.
type Counts struct {
	Open, Due, Replied, Done, Dismissed, Expired int
}

// TeamCounts are the rail's counts of open comments by who is on them, and
// of those due within the alert horizon.
type TeamCounts struct {
	Urgent, Mine, Unassigned int
}
