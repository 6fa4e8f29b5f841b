package web

import (
	"context"
	"net/http"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
)

// Authenticator runs Facebook Login, sessions and roles (auth.Service).
type Authenticator interface {
	BeginLogin(w http.ResponseWriter, r *http.Request, rerequest bool) (string, error)
	CompleteLogin(w http.ResponseWriter, r *http.Request) (auth.LoginResult, error)
	StartSession(ctx context.Context, userID int64) (auth.NewSession, error)
	Session(ctx context.Context, cookie string) (account.Session, auth.User, error)
	EndSession(ctx context.Context, cookie string) error
	SetRole(ctx context.Context, actor auth.User, targetID int64, role string) error
}

// AccountDirectory reads connected accounts, users, and who may reach what
// (store.Store). Every per-user read filters in the query itself.
type AccountDirectory interface {
	AccountsForUser(ctx context.Context, userID int64) ([]account.Account, error)
	AccountForUser(ctx context.Context, userID int64, id string) (account.Account, error)
	AccessList(ctx context.Context) ([]account.Access, error)
	Users(ctx context.Context) ([]account.User, error)
}

// ReplyUsage counts the private replies an account sent in the last hour,
// against REPLYDESK_REPLY_BUDGET. Until replies exist, the zero usage
// (noReplies) stands in.
type ReplyUsage interface {
	RepliesLastHour(ctx context.Context, accountID string) (int, error)
}

// noReplies is the ReplyUsage of an app that sends no replies yet.
type noReplies struct{}

func (noReplies) RepliesLastHour(context.Context, string) (int, error) { return 0, nil }

// HealthChecker reports whether the database answers.
type HealthChecker interface {
	Ping(ctx context.Context) error
}

// WebhookReceiver verifies, parses and durably stores one webhook delivery.
type WebhookReceiver interface {
	Receive(ctx context.Context, body []byte, signature string) (store.DeliveryResult, error)
}

// InboxStore reads the inbox, always scoped to what the user may see.
type InboxStore interface {
	ListInbox(ctx context.Context, userID int64, f inbox.Filter, cur *inbox.Cursor, limit int) (inbox.Page, error)
	InboxItem(ctx context.Context, userID int64, id string) (inbox.Item, error)
	InboxCounts(ctx context.Context, userID int64, accountID string) (inbox.Counts, error)
	ChangedSince(ctx context.Context, userID int64, since time.Time, limit int) ([]inbox.Item, error)
	OpenLiveCounts(ctx context.Context, userID int64) (map[string]int, error)
}

// Triager changes comment statuses (triage.Service).
type Triager interface {
	SetStatus(ctx context.Context, userID int64, ids []string, to inbox.Status) ([]inbox.Comment, error)
}

// EventSource subscribes to inbox changes (live.Hub).
type EventSource interface {
	Subscribe(ctx context.Context) (<-chan live.Event, func())
}

// ReplySender sends private replies and describes a comment's reply state
// (reply.Service).
type ReplySender interface {
	Send(ctx context.Context, by reply.Author, req reply.Request) (reply.Reply, inbox.Item, error)
	Panel(ctx context.Context, userID int64, it inbox.Item) (reply.PanelState, error)
}
