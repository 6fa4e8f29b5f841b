package account

import (
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
	CreatedAt           time.Time
	LastLoginAt         time.Time
	LastSeenAt          time.Time
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
