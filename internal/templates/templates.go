// Package templates holds the rules for shared reply templates: what a
// template is, the syntax of its body and how it renders for a comment, how
// its fields are checked, who may change one, the editor's preview, and the
// demo set. It is pure: storage and sending use it, it uses neither.
package templates

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
)

// Template is a stored reply template.
type Template struct {
	ID            int64
	Name          string
	Body          string
	Shortcut      string // without the leading "/", lowercase; "" when none
	Folder        string // "" when none
	Public        bool   // for public replies under the comment, not private ones
	Position      int    // its place in the reply box, from 1; set by admins, never by usage
	UseCount      int64
	LastUsedAt    time.Time // zero when never used
	UpdatedBy     int64     // the user who last saved it; 0 when unknown or deleted
	UpdatedByName string    // their name at the time, kept when the user is gone
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Render fills the template's body in for one comment. It fails only when
// the stored body no longer parses.
func (t Template) Render(v Vars) (string, error) {
	p, err := Parse(t.Body)
	if err != nil {
		return "", fmt.Errorf("templates: render %d: %w", t.ID, err)
	}
	return p.Render(v), nil
}

// Input is what a person writes when creating or editing a template.
type Input struct {
	Name     string
	Body     string
	Shortcut string // "/price" or "price"; "" for none
	Folder   string
	Public   bool // a public reply template (posted under the comment for everyone to see)
	// Position moves the template to that place in the reply box's order
	// (1 is first); 0 keeps its place, or puts a new one last.
	Position int
}

// Sort orders a template list.
type Sort string

// The orders a list can take.
const (
	SortName     Sort = "name"      // by name, A to Z
	SortMostUsed Sort = "most_used" // most uses first
	SortRecent   Sort = "recent"    // most recently used first; never-used last
	SortPosition Sort = "order"     // the reply box's order, set by admins
)

// ParseSort reads a sort parameter; anything unknown sorts by name.
func ParseSort(s string) Sort {
	switch Sort(s) {
	case SortMostUsed, SortRecent, SortPosition:
		return Sort(s)
	}
	return SortName
}

// Query selects and orders templates.
type Query struct {
	Search   string // matched against name, body, shortcut and folder; "/pri" matches shortcuts
	Sort     Sort
	Folder   string // exact folder, case-insensitive; "" for all
	Audience Audience
}

// Audience selects templates by who reads the reply.
type Audience string

// The audiences: every template, those for private replies (direct
// messages), those for public replies under the comment.
const (
	AudienceAll     Audience = ""
	AudiencePrivate Audience = "private"
	AudiencePublic  Audience = "public"
)

// ParseAudience reads an audience parameter; anything unknown is all.
func ParseAudience(s string) Audience {
	switch Audience(s) {
	case AudiencePrivate, AudiencePublic:
		return Audience(s)
	}
	return AudienceAll
}

// AuthorizeEdit refuses a change to templates by anyone but an admin:
// admins edit, everyone uses.
func AuthorizeEdit(isAdmin bool) error {
	if isAdmin {
		return nil
	}
	return apperr.New(apperr.Forbidden, "admin_only", "Only admins can change templates. Ask an admin to make this change.")
}

// NormalizeShortcut turns what a person typed ("/Price ") into the stored
// form ("price"). It does not check the result; Validate does.
func NormalizeShortcut(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "/"))
}

// MaxKeys is how many templates get a number key in the reply box.
const MaxKeys = 9

// Keys gives the private templates of list, in the reply box's order
// (SortPosition), their number keys: the first MaxKeys get "1" to "9".
// Public ones get none, so a key never posts a private text publicly.
func Keys(list []Template) map[int64]string {
	out := map[int64]string{}
	for _, t := range list {
		if !t.Public && len(out) < MaxKeys {
			out[t.ID] = strconv.Itoa(len(out) + 1)
		}
	}
	return out
}

// VarsFor are a comment's template variables.
func VarsFor(it inbox.Item) Vars {
	return Vars{Username: it.Username, CommentText: it.Text, Account: it.AccountUsername}
}
