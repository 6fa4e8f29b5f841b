package identity

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/replydesk/replydesk/internal/apperr"
)

// APIToken is a personal API token: a script sending it as `Authorization:
// Bearer <token>` acts as its user, with the same permissions and no CSRF
// token. The token itself is shown once; only its hash is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Hint       string // the token's last characters, to tell tokens apart
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
}

// APITokenPrefix starts every personal API token, so a leaked one is easy
// to recognise (and to search for in code).
const APITokenPrefix = "rdk_"

// MaxAPITokens is how many tokens one person may hold.
const MaxAPITokens = 25

// maxTokenName is the longest token name, in characters.
const maxTokenName = 80

// CheckTokenName trims a token's name and refuses an empty or long one.
func CheckTokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", apperr.Field("name", "token_name_required", "Give the token a name, such as the script that will use it.")
	case utf8.RuneCountInString(name) > maxTokenName:
		return "", apperr.Field("name", "token_name_too_long", "Keep the token's name under 80 characters.")
	}
	return name, nil
}

// Erasure is what a data-deletion request from Meta removed: the person
// asked for their data to be deleted, and this is what Replydesk held.
// It names nobody, so it can be shown to whoever has the confirmation code.
type Erasure struct {
	Code        string
	RequestedAt time.Time
	CompletedAt time.Time
	UserFound   bool // Replydesk knew the person as a user
	Sessions    int  // browser sessions ended
	APITokens   int  // personal API tokens revoked
	Access      int  // accounts they could reach
	Accounts    int  // accounts connected through their Facebook access, now waiting for a reconnect
	Replies     int  // replies that no longer carry their name
	Templates   int  // templates that no longer carry their name
}
