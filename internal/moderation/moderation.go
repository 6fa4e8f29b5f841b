// Package moderation holds the rules of moderating a comment on Instagram
// (DESIGN §8): a public reply under it, hiding it, deleting it, and the
// "check your DMs" nudge, a public reply posted once the private reply is
// delivered. Every request is an Action, recorded with who asked before
// Meta is called, worked by a paced queue, and kept as the comment's
// moderation history. It is pure; the moderator package does the work.
package moderation

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
)

// MaxPublicChars is Instagram's limit on a comment's length, in characters.
const MaxPublicChars = 2200

// MaxBulk bounds one bulk action.
const MaxBulk = inbox.MaxBulk

// Kind is what an action does.
type Kind string

// The kinds of action.
const (
	PublicReply Kind = "public_reply" // POST /{comment-id}/replies
	Hide        Kind = "hide"         // POST /{comment-id}?hide=true
	Unhide      Kind = "unhide"       // POST /{comment-id}?hide=false
	Delete      Kind = "delete"       // DELETE /{comment-id}
)

// Visibility reports whether the kind changes whether the comment shows.
func (k Kind) Visibility() bool { return k == Hide || k == Unhide || k == Delete }

// State is where an action stands.
type State string

// The action states. Waiting, queued, working and retrying are pending.
const (
	Waiting   State = "waiting"   // a nudge waiting for its private reply to be delivered
	Queued    State = "queued"    // recorded, waiting for its turn
	Working   State = "working"   // the call to Meta is in flight
	Retrying  State = "retrying"  // a passing failure; another attempt is scheduled
	Done      State = "done"      // Meta confirmed
	Failed    State = "failed"    // refused for good; the error says why
	Cancelled State = "cancelled" // not attempted (a nudge whose private reply failed)
)

// Pending reports whether the action has not finished.
func (s State) Pending() bool { return s == Waiting || s == Queued || s == Working || s == Retrying }

// ErrorKind classifies why an action failed, for people and for the API.
type ErrorKind string

// The kinds of failure.
const (
	ErrNone        ErrorKind = ""
	ErrPermission  ErrorKind = "no_permission"   // the Page or the app lacks what moderating needs
	ErrGone        ErrorKind = "comment_gone"    // Instagram no longer has the comment
	ErrRateLimited ErrorKind = "rate_limited"    // Meta asked to slow down
	ErrTemporary   ErrorKind = "temporary"       // Meta or the network failed for now
	ErrToken       ErrorKind = "needs_reconnect" // the Page token no longer works
	ErrRejected    ErrorKind = "rejected"        // Meta refused this request
	ErrReplyFailed ErrorKind = "reply_failed"    // a nudge's private reply was not delivered
)

// Action is one moderation request on a comment.
type Action struct {
	ID            int64
	CommentID     string
	AccountID     string
	Kind          Kind
	State         State
	Text          string // a public reply's text
	TemplateID    int64
	TemplateName  string
	Nudge         bool  // a public reply posted after a private one
	AfterReplyID  int64 // the private reply a nudge waits for
	Bulk          bool  // part of a bulk action
	UserID        int64
	UserName      string
	Attempts      int
	Ambiguous     bool // an attempt may have reached Meta without an answer
	NextAttemptAt time.Time
	ResultID      string // Meta's id of the posted public reply
	ErrorKind     ErrorKind
	Error         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DoneAt        time.Time
}

// Reply is a public reply shown under a comment: posted from Replydesk
// (By is who) or on Instagram itself (By is "").
type Reply struct {
	ID        string // Meta's comment id of the reply
	CommentID string // the comment it answers
	AccountID string
	Text      string
	ActionID  int64
	By        string
	CreatedAt time.Time
}

// Author is who asks for an action.
type Author struct {
	ID   int64
	Name string
}

// Result is the outcome of one attempt, to record.
type Result struct {
	State         State
	ErrorKind     ErrorKind
	Error         string
	ResultID      string    // a public reply's id
	Ambiguous     bool      // this attempt may have reached Meta
	NextAttemptAt time.Time // for Retrying
}

// ErrDuplicate is returned by storage when the same request is already in
// flight (a visibility change) or already made (the same public reply).
var ErrDuplicate = errors.New("moderation: the same action is already pending or done")

// CheckPublicText refuses an empty public reply or one over Instagram's limit.
func CheckPublicText(text string) error {
	n := utf8.RuneCountInString(text)
	switch {
	case !utf8.ValidString(text):
		return apperr.Field("text", "public_reply_not_utf8", "The public reply is not valid text.")
	case strings.TrimSpace(text) == "":
		return apperr.Field("text", "public_reply_empty", "Write the public reply first.")
	case n > MaxPublicChars:
		return apperr.Field("text", "public_reply_too_long", "The public reply is "+reply.Thousands(n)+
			" characters; Instagram accepts at most "+reply.Thousands(MaxPublicChars)+". Shorten it by "+reply.Thousands(n-MaxPublicChars)+".")
	}
	return nil
}

// Blocker says why kind cannot be done to c now, or "" when it can.
// pending is the comment's visibility change in flight, if any.
func Blocker(c inbox.Comment, kind Kind, pending *Action) string {
	switch {
	case c.Deleted:
		return "This comment was deleted on Instagram, so it can no longer be moderated or answered there."
	case c.Live:
		return "Instagram does not allow public replies, hiding or deleting on Live comments."
	case pending != nil && kind.Visibility():
		return "Instagram is still working on the last change to this comment (" + strings.ToLower(PendingLabel(pending.Kind)) + "). Try again in a moment."
	}
	switch kind {
	case PublicReply:
		if c.Hidden {
			return "This comment is hidden: Instagram does not allow public replies to hidden comments. Unhide it first."
		}
	case Hide:
		if c.Hidden {
			return "This comment is already hidden."
		}
	case Unhide:
		if !c.Hidden {
			return "This comment is not hidden."
		}
	}
	return ""
}

// PendingLabel is a pending action in words.
func PendingLabel(k Kind) string {
	switch k {
	case Hide:
		return "Hiding…"
	case Unhide:
		return "Unhiding…"
	case Delete:
		return "Deleting…"
	}
	return "Posting…"
}

// Describe is one line of the comment's history for an action, e.g.
// "Hidden by Ava" or "Hide by Ava failed: …".
func Describe(a Action) string {
	who := a.UserName
	if who == "" {
		who = "Replydesk"
	}
	done := map[Kind]string{PublicReply: "Replied publicly", Hide: "Hidden", Unhide: "Unhidden", Delete: "Deleted"}[a.Kind]
	verb := map[Kind]string{PublicReply: "Public reply", Hide: "Hide", Unhide: "Unhide", Delete: "Delete"}[a.Kind]
	if a.Nudge {
		done, verb = "“Check your DMs” reply posted", "“Check your DMs” reply"
	}
	switch a.State {
	case Done:
		return done + " by " + who
	case Failed:
		return verb + " by " + who + " failed: " + a.Error
	case Cancelled:
		return verb + " by " + who + " not posted: " + a.Error
	case Waiting:
		return verb + " by " + who + ": waiting for the private reply to go out"
	case Retrying:
		return verb + " by " + who + ": will try again (" + a.Error + ")"
	}
	return verb + " by " + who + ": " + strings.ToLower(strings.TrimSuffix(PendingLabel(a.Kind), "…")) + "…"
}

// BulkResult is what a bulk action queued and what it left alone.
type BulkResult struct {
	Queued  []Action
	Skipped map[string]string // comment id → why it was left alone
}
