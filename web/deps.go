package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/internal/automation"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/moderator"
	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/setup"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/team"
	"github.com/replydesk/replydesk/internal/templates"
)

// The server's collaborators are declared here, each as the small interface
// its handlers use; cmd/replydesk passes the concrete services (internal/app).

// Authenticator runs Facebook Login, sessions and roles (auth.Service).
type Authenticator interface {
	BeginLogin(w http.ResponseWriter, r *http.Request, rerequest bool) (string, error)
	CompleteLogin(w http.ResponseWriter, r *http.Request) (auth.LoginResult, error)
	StartSession(ctx context.Context, userID int64) (auth.NewSession, error)
	Session(ctx context.Context, cookie string) (identity.Session, identity.User, error)
	EndSession(ctx context.Context, cookie string) error
	SetRole(ctx context.Context, actor identity.User, targetID int64, role string) error
}

// AccountDirectory reads connected accounts, users, and who may reach what
// (store.Store). Every per-user read filters in the query itself.
type AccountDirectory interface {
	AccountsForUser(ctx context.Context, userID int64) ([]account.Account, error)
	AccountForUser(ctx context.Context, userID int64, id string) (account.Account, error)
	AccessList(ctx context.Context) ([]identity.Access, error)
	Users(ctx context.Context) ([]identity.User, error)
	CallsLastHour(ctx context.Context, accountID string) (int, error)
	QueuedReplies(ctx context.Context, accountID string) (int, error)
	// Account reads any account (admins' disconnect), UnattendedAccounts
	// those nobody can answer, CommentCount how many comments one has.
	Account(ctx context.Context, id string) (account.Account, error)
	UnattendedAccounts(ctx context.Context) ([]account.Account, error)
	CommentCount(ctx context.Context, accountID string) (int, error)
	// FirstBackfillPending: some account's recent comments are still being
	// fetched for the first time.
	FirstBackfillPending(ctx context.Context, accountIDs []string) (bool, error)
}

// MetaCallbacks answers Meta's deauthorize and data-deletion callbacks and
// the deletion status page (auth.Service).
type MetaCallbacks interface {
	Deauthorize(ctx context.Context, signedRequest string) error
	DeleteData(ctx context.Context, signedRequest string) (identity.Erasure, error)
	Erasure(ctx context.Context, code string) (identity.Erasure, error)
}

// APITokens keeps personal API tokens and tells whose a bearer token is
// (auth.Service).
type APITokens interface {
	CreateAPIToken(ctx context.Context, userID int64, name string) (identity.APIToken, string, error)
	APITokens(ctx context.Context, userID int64) ([]identity.APIToken, error)
	RevokeAPIToken(ctx context.Context, userID, id int64) error
	TokenUser(ctx context.Context, value string) (identity.User, error)
}

// AccountAdmin disconnects accounts and lets them connect again (auth.Service).
type AccountAdmin interface {
	DisconnectAccount(ctx context.Context, actor identity.User, accountID string, purge bool) (auth.Disconnection, error)
	ReconnectAccount(ctx context.Context, actor identity.User, accountID string) error
}

// SetupChecker checks the installation against what Meta needs (setup.Checker).
type SetupChecker interface {
	Run(ctx context.Context) setup.Report
	Last() (setup.Report, bool)
}

// OutboundWebhooks manages outbound webhooks and shows their deliveries
// (outbox.Outbox).
type OutboundWebhooks interface {
	Create(ctx context.Context, by identity.User, url string, events []string) (outbound.Webhook, string, error)
	List(ctx context.Context) ([]outbound.Webhook, error)
	Delete(ctx context.Context, by identity.User, id int64) error
	Recent(ctx context.Context, webhookID int64, limit int) ([]outbound.Delivery, error)
}

// AccountResumer lifts an account's hold, so its queued replies go out
// (sender.Service).
type AccountResumer interface {
	ResumeAccount(ctx context.Context, userID int64, byName, accountID string) (account.Account, error)
}

// HealthChecker reports whether the database answers.
type HealthChecker interface {
	Ping(ctx context.Context) error
}

// WebhookReceiver verifies, parses and durably stores one webhook delivery
// (ingest.Ingester).
type WebhookReceiver interface {
	Receive(ctx context.Context, body []byte, signature string) (store.DeliveryResult, error)
}

// InboxStore reads the inbox, always scoped to what the user may see, and
// applies people's status changes (store.Store, which publishes them).
type InboxStore interface {
	ListInbox(ctx context.Context, userID int64, f inbox.Filter, cur *inbox.Cursor, limit int) (inbox.Page, error)
	InboxItem(ctx context.Context, userID int64, id string) (inbox.Item, error)
	InboxCounts(ctx context.Context, userID int64, accountID string) (inbox.Counts, error)
	OpenLiveCounts(ctx context.Context, userID int64) (map[string]int, error)
	EndedLiveCounts(ctx context.Context, userID int64, since time.Time) (map[string]int, error)
	SetStatus(ctx context.Context, userID int64, ids []string, to inbox.Status) ([]inbox.Comment, error)
}

// PostContext reads the post a comment is on and its kept picture, scoped
// to what the user may see (store.Store).
type PostContext interface {
	Post(ctx context.Context, userID int64, mediaID string) (inbox.Post, error)
	PostPicture(ctx context.Context, userID int64, mediaID string) (data []byte, contentType string, at time.Time, err error)
}

// ChangeFeed is what the live stream reads besides the hub: where the feed
// stands, what changed since a position, and the changed comments
// (store.Store). Access is checked by the caller, from the user's accounts.
type ChangeFeed interface {
	FeedPosition(ctx context.Context) (int64, error)
	ChangesSince(ctx context.Context, accountIDs []string, after int64, limit int) ([]inbox.Change, error)
	Items(ctx context.Context, ids []string) ([]inbox.Item, error)
}

// ReplySender sends private replies and describes a comment's reply state
// (sender.Service).
type ReplySender interface {
	Send(ctx context.Context, by reply.Author, req reply.Request) (reply.Reply, inbox.Item, error)
	Panel(ctx context.Context, userID int64, it inbox.Item) (reply.PanelState, error)
}

// Moderator moderates comments on Instagram: public replies, hiding,
// deleting, bulk hiding and the "check your DMs" nudge, and describes a
// comment's moderation (moderator.Service).
type Moderator interface {
	PublicReply(ctx context.Context, by moderation.Author, commentID, text string, templateID int64) (moderation.Action, inbox.Item, error)
	SetHidden(ctx context.Context, by moderation.Author, commentID string, hidden bool) (moderation.Action, inbox.Item, error)
	Delete(ctx context.Context, by moderation.Author, commentID string) (moderation.Action, inbox.Item, error)
	BulkHide(ctx context.Context, by moderation.Author, ids []string) (moderation.BulkResult, error)
	Nudge(ctx context.Context, by moderation.Author, commentID string, replyID, templateID int64) (moderation.Action, error)
	Panel(ctx context.Context, it inbox.Item) (moderator.Panel, error)
	PublicReplies(ctx context.Context, commentIDs []string) (map[string][]moderation.Reply, error)
	NudgeDefault(ctx context.Context, accountID string) (int64, error)
	SetNudgeDefault(ctx context.Context, by moderation.Author, accountID string, templateID int64) error
}

// TemplateStore keeps the shared reply templates (library.Library).
type TemplateStore interface {
	ListTemplates(ctx context.Context, q templates.Query) ([]templates.Template, error)
	TemplateFolders(ctx context.Context) ([]string, error)
	Template(ctx context.Context, id int64) (templates.Template, error)
	CreateTemplate(ctx context.Context, in templates.Input, byID int64, byName string) (templates.Template, error)
	UpdateTemplate(ctx context.Context, id int64, in templates.Input, byID int64, byName string) (templates.Template, error)
	DeleteTemplate(ctx context.Context, id int64) error
}

// TeamStore is who works on what (store.Store, which publishes every change
// to a comment): assignment and its history, presence in the composer, the
// rail's team counts, teammates and their numbers, auto-assignment.
type TeamStore interface {
	Assign(ctx context.Context, by inbox.Person, ids []string, assigneeID int64) ([]inbox.Comment, error)
	Assignments(ctx context.Context, commentID string) ([]team.Assignment, error)
	TeamCounts(ctx context.Context, userID int64, accountID string, urgent time.Duration) (inbox.TeamCounts, error)
	SetPresence(ctx context.Context, userID int64, id string, until time.Time) error
	ClearPresence(ctx context.Context, userID int64, id string) error
	Teammates(ctx context.Context, userID int64) ([]team.Member, error)
	TeamStats(ctx context.Context, viewerID int64, userIDs []int64, dayStart time.Time) (map[int64]team.Stats, error)
	AutoAssignSetting(ctx context.Context, accountID string) (team.AutoAssign, error)
	SetAutoAssign(ctx context.Context, byID int64, accountID string, enabled bool, cap int) error
}

// RuleKeeper keeps the ordered keyword rules and tests them
// (automation.Service).
type RuleKeeper interface {
	List(ctx context.Context) ([]rules.Rule, map[int64]rules.Stats, error)
	Rule(ctx context.Context, id int64) (rules.Rule, error)
	Create(ctx context.Context, actor identity.User, in rules.Input) (rules.Rule, error)
	Update(ctx context.Context, actor identity.User, id int64, in rules.Input) (rules.Rule, error)
	SetEnabled(ctx context.Context, id int64, enabled bool) (rules.Rule, error)
	Move(ctx context.Context, id int64, position int) error
	Delete(ctx context.Context, id int64) error
	Test(ctx context.Context, userID int64, r rules.Rule) (automation.TestResult, error)
	RecentMedia(ctx context.Context, userID int64) ([]inbox.Media, error)
}

// Deps are the server's collaborators. All are required but Sim.
type Deps struct {
	Options    Options
	Logger     *slog.Logger
	Now        func() time.Time
	Health     HealthChecker
	Webhooks   WebhookReceiver
	Auth       Authenticator
	Accounts   AccountDirectory
	Inbox      InboxStore
	Feed       ChangeFeed
	Posts      PostContext
	Hub        live.Hub // live changes for /inbox/events
	Replies    ReplySender
	Holds      AccountResumer
	Moderation Moderator
	Library    TemplateStore
	Team       TeamStore
	Rules      RuleKeeper
	Meta       MetaCallbacks
	Tokens     APITokens
	Admin      AccountAdmin
	Setup      SetupChecker
	Outbound   OutboundWebhooks
	Sim        http.Handler // demo mode: the simulated Meta platform, served under /_sim
}
