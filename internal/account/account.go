// Package account holds the identity domain: staff users and their roles,
// connected Instagram accounts (one per Facebook Page), and which user may
// act on which account according to their Page tasks (DESIGN.md §5 Access).
package account

import (
	"slices"
	"time"
)

// Token states of an account.
const (
	TokenOK             = "ok"
	TokenNeedsReconnect = "needs_reconnect"
)

// Account is a connected Instagram professional account and its Page.
type Account struct {
	ID                 string // Instagram account id (webhook entry.id)
	Username           string // without "@"
	Name               string
	PictureURL         string
	PageID             string
	PageName           string
	TokenState         string // TokenOK or TokenNeedsReconnect
	TokenError         string // plain words, why the token failed
	Subscribed         bool   // the app is installed on the Page (webhooks flow)
	SubscriptionError  string // plain words, why subscribing failed
	MissingPermissions []string
	CheckedAt          time.Time // last reconciliation
	LastWebhookAt      time.Time
	ConnectedAt        time.Time
	ConnectedBy        int64 // the user whose login last refreshed the Page token
}

// NeedsReconnect reports whether the account's Page token stopped working.
func (a Account) NeedsReconnect() bool { return a.TokenState == TokenNeedsReconnect }

// Healthy reports whether nothing about the account needs a person.
func (a Account) Healthy() bool {
	return !a.NeedsReconnect() && a.Subscribed && len(a.MissingPermissions) == 0
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
