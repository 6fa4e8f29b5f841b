// Package team holds the rules of working on the inbox as a team: who may
// be given a comment, whose turn the next one is when an account assigns
// automatically, who counts as online, how long "Ana is replying" lasts, and
// when a comment close to its deadline raises an alert. It is pure: no I/O.
package team

import (
	"fmt"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
)

// Presence timing: the browser refreshes a person's presence every
// PresenceRefresh while their composer is open (and ends it when the person
// moves on or the page closes); a presence not refreshed for PresenceTTL is
// swept within PresenceSweep, so even a browser that dies without a word
// stops showing within PresenceTTL+PresenceSweep (under 30 s).
const (
	PresenceTTL     = 15 * time.Second
	PresenceRefresh = 5 * time.Second
	PresenceSweep   = 3 * time.Second
)

// OnlineWithin is how recently a person must have been seen to count as
// online. An open inbox tab is seen at least every 80 s or so (its live
// stream re-checks the session, which records the visit once a minute).
const OnlineWithin = 3 * time.Minute

// Online reports whether someone last seen at lastSeen is online at now.
func Online(lastSeen, now time.Time) bool {
	return !lastSeen.IsZero() && now.Sub(lastSeen) < OnlineWithin
}

// DefaultAlertBefore is REPLYDESK_ALERT_BEFORE's default.
const DefaultAlertBefore = time.Hour

// MaxCap bounds the per-person cap of open comments auto-assignment gives.
const MaxCap = 1000

// DefaultCap is the cap an account starts with.
const DefaultCap = 20

// CheckAssignee refuses to give a comment on account (its username) to
// someone who may not see that account.
func CheckAssignee(p inbox.Person, canSee bool, account string) error {
	if canSee {
		return nil
	}
	return apperr.Field("user_id", "assignee_no_access",
		fmt.Sprintf("%s cannot see @%s (their Facebook Page role has no Messages task), so the comment cannot be assigned to them.", p.Name, account))
}

// ErrUnknownUser is the refusal of an assignee who is not on the team.
func ErrUnknownUser(id int64) error {
	return apperr.Field("user_id", "unknown_user", fmt.Sprintf("There is no teammate with id %d.", id))
}

// Candidate is a teammate who may reply on an account, as auto-assignment
// sees them.
type Candidate struct {
	UserID int64
	Online bool
	Open   int // open comments assigned to them now
}

// NextInTurn picks who gets the next comment, round-robin: the first
// eligible candidate (online, under cap) whose id is above last, else the
// first eligible one from the start. cands must be sorted by UserID. ok is
// false when nobody is eligible.
func NextInTurn(cands []Candidate, last int64, cap int) (id int64, ok bool) {
	first := int64(0)
	for _, c := range cands {
		if !c.Online || c.Open >= cap {
			continue
		}
		if c.UserID > last {
			return c.UserID, true
		}
		if first == 0 {
			first = c.UserID
		}
	}
	return first, first != 0
}

// ShouldAlert reports whether comment c, which has no alert yet, needs one
// at now: it is open, not Live (a broadcast's end is not a deadline anyone
// can see coming), its deadline is within before, and nobody is on it
// (unassigned, or its assignee is offline).
func ShouldAlert(c inbox.Comment, assigneeOnline bool, before time.Duration, now time.Time) bool {
	if c.Status != inbox.StatusOpen || c.Live || !c.AlertedAt.IsZero() {
		return false
	}
	if !c.Deadline.After(now) || c.Deadline.After(now.Add(before)) {
		return false
	}
	return c.AssigneeID == 0 || !assigneeOnline
}

// Assignment is one line of a comment's assignment history.
type Assignment struct {
	CommentID    string
	AssigneeID   int64 // 0: unassigned
	AssigneeName string
	ByID         int64 // 0: automatic
	ByName       string
	Auto         bool
	At           time.Time
}

// Member is a teammate as the people API and the Team page show them.
type Member struct {
	ID         int64
	Name       string
	Role       string
	AvatarURL  string
	LastSeenAt time.Time
	AccountIDs []string // the accounts they may reply on
}

// Stats are one person's numbers on the Team page.
type Stats struct {
	Open         int // open comments assigned to them
	RepliesToday int // private replies they sent since the start of the day
	Answered     int // comments assigned to them, recently due, that got their reply
	Missed       int // ... that expired unanswered
}

// StatsWindow is how far back the answered-in-time share looks.
const StatsWindow = 30 * 24 * time.Hour

// AutoAssign is an account's auto-assignment setting.
type AutoAssign struct {
	AccountID string
	Enabled   bool
	Cap       int
	EnabledAt time.Time
}

// CheckCap refuses a cap outside 1–MaxCap.
func CheckCap(n int) error {
	if n < 1 || n > MaxCap {
		return apperr.Field("cap", "bad_cap", fmt.Sprintf("The cap must be a whole number from 1 to %d open comments per person.", MaxCap))
	}
	return nil
}

// OthersReplying are the people other than me who have the comment open in
// the composer.
func OthersReplying(it inbox.Item, me int64) []inbox.Person {
	var out []inbox.Person
	for _, p := range it.Replying {
		if p.ID != me {
			out = append(out, p)
		}
	}
	return out
}
