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
	ViewDue = "due" // open and due within DueSoon
	ViewAll = "all" // every status
)

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
	if f.View != ViewDue && f.View != ViewAll && !Status(f.View).Valid() {
		return f, apperr.Param("status", "bad_status", "status must be one of open, due, replied, done, dismissed, expired or all.")
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
	default:
		if string(c.Status) != f.View {
			return false
		}
	}
	if f.Query != "" {
		q := strings.ToLower(f.Query)
		if !strings.Contains(strings.ToLower(c.Text), q) && !strings.Contains(strings.ToLower(c.Username), q) {
			return false
		}
	}
	return true
}

// Cursor is a keyset position: the sort key and id of the last row shown.
type Cursor struct {
	Key int64 // deadline or received time, unix ms
	ID  string
}

// Encode is the cursor as an opaque URL-safe string.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Key, 10) + ":" + c.ID))
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
	n, err := strconv.ParseInt(k, 10, 64)
	if !ok || err != nil || id == "" || !utf8.ValidString(id) || strings.IndexByte(id, 0) >= 0 {
		return nil, bad
	}
	return &Cursor{Key: n, ID: id}, nil
}

// Item is a comment as the inbox shows it, with the names around it.
type Item struct {
	Comment
	AccountUsername string
	StatusByName    string
	OpenOnMedia     int // open comments on the same media
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
