// Package account holds connected Instagram professional accounts (one per
// Facebook Page) and the state of their access to Meta.
package account

import "time"

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
	ConnectedBy        int64     // the user whose login last refreshed the Page token
	DisconnectedAt     time.Time // an admin disconnected it; zero while connected
}

// Disconnected reports whether an admin disconnected the account: no
// token, no webhooks, no sends, until an admin connects it again.
func (a Account) Disconnected() bool { return !a.DisconnectedAt.IsZero() }

// NeedsReconnect reports whether the account's Page token stopped working.
func (a Account) NeedsReconnect() bool { return a.TokenState == TokenNeedsReconnect }

// Healthy reports whether nothing about the account needs a person.
func (a Account) Healthy() bool {
	return !a.NeedsReconnect() && a.Subscribed && len(a.MissingPermissions) == 0
}
