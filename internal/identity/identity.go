// Package identity holds who people are in Replydesk: staff users and their
// roles, their sessions, and which user may act on which Instagram account
// according to their Facebook Page tasks (DESIGN.md §5 Access).
package identity

import (
	"slices"
	"strings"
	"time"
)

// Roles of a staff user.
const (
	RoleAdmin = "admin"
	RoleAgent = "agent"
)

// User is a staff member who logs in with Facebook.
type User struct {
	ID                  int64
	FacebookID          string
	Name                string
	Email               string
	AvatarURL           string
	Role                string // RoleAdmin or RoleAgent
	DeclinedPermissions []string
	// PagesWithoutMessages names the Pages where the user's role lacks the
	// Messages task, as found at their last login.
	PagesWithoutMessages []string
	CreatedAt            time.Time
	LastLoginAt          time.Time
	LastSeenAt           time.Time
}

// IsAdmin reports whether the user may manage the team and templates.
func (u User) IsAdmin() bool { return u.Role == RoleAdmin }

// Initials are up to two letters for an avatar placeholder.
func (u User) Initials() string {
	var out []rune
	for _, f := range strings.Fields(u.Name) {
		r := []rune(f)
		out = append(out, r[0])
		if len(out) == 2 {
			break
		}
	}
	return strings.ToUpper(string(out))
}

// ValidRole reports whether role is a known role.
func ValidRole(role string) bool { return role == RoleAdmin || role == RoleAgent }

// Session is a logged-in browser. The cookie holds a random value; only its
// SHA-256 (IDHash) is stored, so a database leak does not leak sessions.
type Session struct {
	IDHash     []byte
	UserID     int64
	CSRF       string // per-session CSRF token
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
}

// Access is what one user may do on one account, from their Page tasks at
// their last login.
type Access struct {
	UserID    int64
	UserName  string
	AccountID string
	Tasks     []string
	CanReply  bool
	CheckedAt time.Time
}

// Page tasks (meta-platform.md §6.3): classic names and the
// new-Pages-experience names, both accepted.
var (
	replyTasks    = []string{"MESSAGING", "PROFILE_PLUS_MESSAGING"}
	moderateTasks = []string{"MODERATE", "MANAGE", "CREATE_CONTENT",
		"PROFILE_PLUS_MODERATE", "PROFILE_PLUS_FULL_CONTROL"}
)

// CanReply reports whether tasks allow sending private replies.
func CanReply(tasks []string) bool { return hasAny(tasks, replyTasks) }

// CanModerate reports whether tasks allow managing the Page's webhook
// subscription (subscribed_apps).
func CanModerate(tasks []string) bool { return hasAny(tasks, moderateTasks) }

func hasAny(tasks, want []string) bool {
	for _, t := range tasks {
		if slices.Contains(want, t) {
			return true
		}
	}
	return false
}
