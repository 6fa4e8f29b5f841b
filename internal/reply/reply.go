// Package reply holds the rules of private replies: what a reply is, its
// states (at most one live reply per comment: that uniqueness is what makes
// sending exactly once), the text limit, and when a comment can get one. It
// is pure; the sender package queues and sends.
package reply

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
)

// MaxBytes is Instagram's limit on a message's text, in UTF-8 bytes.
const MaxBytes = 1000

// State is where a reply stands.
type State string

// The reply states. Queued, sending, retrying, sent and unconfirmed are
// "live": at most one per comment.
const (
	Queued      State = "queued"      // recorded, waiting for its turn
	Sending     State = "sending"     // the call to Meta is in flight
	Retrying    State = "retrying"    // a transient failure; another attempt is scheduled
	Sent        State = "sent"        // Meta accepted it (message_id stored)
	Unconfirmed State = "unconfirmed" // Meta already holds a reply after an ambiguous attempt
	Failed      State = "failed"      // permanently refused; a new attempt is allowed
)

// Done reports whether the state is final.
func (s State) Done() bool { return s == Sent || s == Unconfirmed || s == Failed }

// Delivered reports whether the commenter has (or almost surely has) the reply.
func (s State) Delivered() bool { return s == Sent || s == Unconfirmed }

// Labels are the states in words.
var Labels = map[State]string{
	Queued: "Queued", Sending: "Sending…", Retrying: "Retrying", Sent: "Sent",
	Unconfirmed: "Sent (unconfirmed)", Failed: "Failed",
}

// Reply is one private reply to a comment.
type Reply struct {
	ID            int64
	CommentID     string
	AccountID     string
	State         State
	Text          string
	TemplateID    int64
	TemplateName  string
	UserID        int64
	UserName      string // for an automatic reply, "rule:<name>"
	RuleID        int64  // the rule that sent it; 0 for a person's reply
	OnceKey       string // unique among replies not failed: its rule answers a commenter once per media
	Live          bool
	Deadline      time.Time
	Attempts      int
	Ambiguous     bool
	NextAttemptAt time.Time
	MessageID     string
	RecipientID   string
	ErrorKind     Kind
	Error         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SentAt        time.Time
}

// Author is who sends a reply.
type Author struct {
	ID   int64
	Name string
}

// CheckText refuses an empty text or one over Instagram's limit.
func CheckText(text string) error {
	switch {
	case !utf8.ValidString(text):
		return apperr.Field("text", "reply_not_utf8", "The reply is not valid text.")
	case strings.TrimSpace(text) == "":
		return apperr.Field("text", "reply_empty", "Write a reply first.")
	case len(text) > MaxBytes:
		return apperr.Field("text", "reply_too_long", fmt.Sprintf(
			"The reply is %s bytes; Instagram accepts at most %s (accents count 2, most emoji 4). Shorten it by %s bytes.",
			Thousands(len(text)), Thousands(MaxBytes), Thousands(len(text)-MaxBytes)))
	}
	return nil
}

// Blocker says why a comment cannot get a reply now, or "" when it can.
// accountOK is false when the account needs reconnecting; active is the
// comment's live reply, if any.
func Blocker(c inbox.Comment, accountOK bool, active *Reply, now time.Time) string {
	switch {
	case active != nil && active.State.Delivered():
		return "This comment already has its private reply. Instagram allows one per comment."
	case active != nil:
		return "A reply to this comment is on its way (" + Labels[active.State] + ")."
	case c.Status == inbox.StatusReplied:
		return "This comment already has its private reply. Instagram allows one per comment."
	case c.Deleted:
		return "This comment was deleted on Instagram, so it can no longer get a private reply."
	case c.Live && c.Status == inbox.StatusExpired:
		return "The Live broadcast has ended, so Instagram no longer accepts private replies to its comments."
	case c.Status == inbox.StatusExpired || !now.Before(c.Deadline):
		return "The 7-day reply window has closed: Instagram no longer accepts a private reply to this comment."
	case !accountOK:
		return "The account needs reconnecting before it can send replies. Use Reconnect at the top of the page."
	}
	return ""
}

// Result is the outcome of one attempt to record.
type Result struct {
	State         State
	Kind          Kind
	Error         string
	MessageID     string
	RecipientID   string
	Ambiguous     bool      // this attempt may have reached Meta
	NextAttemptAt time.Time // for Retrying
	ExpireComment bool      // the comment's window has closed
	// Called says the attempt called the Send API: outside Live, that call
	// spends the account's hourly budget whatever Meta answered.
	Called bool
	// Hold, when set, puts the account on hold in the same transaction (a
	// Page-level refusal); the reply itself goes back to the queue.
	Hold *account.Hold
	// Unexplained counts a refusal no rule explains toward the account's
	// circuit breaker; a delivered reply starts the count again.
	Unexplained bool
	// Probe says this attempt tested a held account: delivered, it lifts
	// the hold.
	Probe bool
	// The attempt as it went, for the history.
	HTTPStatus, MetaCode, MetaSubcode int
	TraceID, Detail                   string
}

// ErrDuplicate is returned by storage when the comment already has a live
// reply (the uniqueness rule that makes sending exactly once).
var ErrDuplicate = errors.New("reply: the comment already has a live reply")

// Limit is how many replies of one account, sent or being sent by any
// process, a period allows: REPLYDESK_REPLY_BUDGET an hour, or Meta's 100 a
// second for Live (0: no limit).
type Limit struct {
	Count int
	Per   time.Duration
}

// Claim is the answer to claiming a due reply for sending. Several
// processes may share one database: a claimed reply is this process's to
// send until Until; past it (the process died, say) another retries it as
// ambiguous, and Meta's one-reply rule keeps that from sending twice.
type Claim struct {
	Claimed bool
	Until   time.Time
	// BudgetFreeAt is set when the reply was not claimed because its
	// account's Limit is reached, counting every process's sends: it is
	// when the oldest send of the period frees a slot.
	BudgetFreeAt time.Time
}

// ErrClaimLost is returned when a sender records an attempt on a reply
// whose claim ran out and was taken over: the attempt is kept as history,
// the reply's state is the new holder's to set.
var ErrClaimLost = errors.New("reply: the claim on this reply ran out and another process took it over")

// Request is a person's reply: text, or a template rendered for the
// comment (the text, when given, is the template's edited rendering).
type Request struct {
	CommentID  string
	Text       string
	TemplateID int64
}

// PanelState is what the composer shows for a comment.
type PanelState struct {
	Active    *Reply  // the live reply, if one exists
	History   []Reply // every reply, oldest first
	Blocker   string  // why no reply can be sent now; "" when one can
	EstimateQ time.Time
	Hold      *account.Hold // the account is on hold: replies wait in the queue
}

// Latest is the comment's live reply, or its last failed one (nil if none).
func Latest(hist []Reply) *Reply {
	var last *Reply
	for i := range hist {
		if hist[i].State != Failed || last == nil || last.State == Failed {
			last = &hist[i]
		}
	}
	return last
}

// Active is the comment's live reply among hist (nil if none).
func Active(hist []Reply) *Reply {
	var active *Reply
	for i := range hist {
		if hist[i].State != Failed {
			active = &hist[i]
		}
	}
	return active
}

// Thousands writes n with thousands separators: 1000 → "1,000".
func Thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
