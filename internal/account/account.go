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
	Hold               Hold      // replies stopped for the whole account (zero when sending)
	RefusalStreak      int       // consecutive refusals no rule explains (the circuit breaker's count)
	ResumedAt          time.Time
	ResumedBy          string // who lifted the last hold: a person's name, ResumedByProbe or ResumedByCheck
}

// Hold is why Replydesk stopped sending an account's replies: Meta refused
// at the Page level, or refused too many replies in a row without saying
// why. Queued replies wait; nothing is failed. An admin lifts it, or it
// lifts itself when a probe send (or, with nothing queued, Meta's periodic
// check) succeeds.
type Hold struct {
	Since   time.Time // zero: not held
	Cause   string    // HoldRefused or HoldBreaker
	Reason  string    // plain words, a clause: "the Facebook Page is restricted from sending messages"
	Advice  string    // plain words: what to do about it
	Code    int       // Meta's error code and subcode, for operators
	Subcode int
	ProbeAt time.Time // when one queued reply may test whether Meta accepts sends again
}

// Hold causes.
const (
	HoldRefused = "refused" // a Page-level refusal (meta.ClassPause)
	HoldBreaker = "breaker" // too many unexplained refusals in a row
)

// Who lifts a hold besides a person.
const (
	ResumedByProbe = "probe" // a probe send succeeded
	ResumedByCheck = "check" // Meta's periodic check passed with nothing queued
)

// Held reports whether the account's replies are on hold.
func (a Account) Held() bool { return !a.Hold.Since.IsZero() }

// Disconnected reports whether an admin disconnected the account: no
// token, no webhooks, no sends, until an admin connects it again.
func (a Account) Disconnected() bool { return !a.DisconnectedAt.IsZero() }

// NeedsReconnect reports whether the account's Page token stopped working.
func (a Account) NeedsReconnect() bool { return a.TokenState == TokenNeedsReconnect }

// Healthy reports whether nothing about the account needs a person.
func (a Account) Healthy() bool {
	return !a.NeedsReconnect() && !a.Held() && a.Subscribed && len(a.MissingPermissions) == 0
}
