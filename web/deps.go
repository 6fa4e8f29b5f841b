package web

import (
	"context"
	"net/http"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/auth"
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
