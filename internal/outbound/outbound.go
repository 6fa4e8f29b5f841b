// Package outbound names the events Replydesk tells other systems about
// (DESIGN §8, outbound webhooks): a comment arrived, got its reply, is
// about to expire, or its reply failed. Events are recorded durably by the
// storage layer when they happen; delivering them to subscribers is the
// outbound webhooks' job.
package outbound

import "time"

// The event names (fixed: receivers match on them).
const (
	CommentCreated  = "comment.created"
	CommentReplied  = "comment.replied"
	CommentExpiring = "comment.expiring"
	ReplyFailed     = "reply.failed"
)

// Names lists every event name.
var Names = []string{CommentCreated, CommentReplied, CommentExpiring, ReplyFailed}

// Event is one recorded event about a comment.
type Event struct {
	ID        int64
	Name      string
	CommentID string
	AccountID string
	At        time.Time
}
