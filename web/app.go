package web

import "github.com/replydesk/replydesk/internal/app"

// DepsFor are the server's collaborators taken from an assembled App.
func DepsFor(a *app.App) Deps {
	c := a.Config
	return Deps{
		Options: Options{BaseURL: c.BaseURL, Demo: c.Demo, Secure: c.Secure(), VerifyToken: c.MetaVerifyToken,
			ReplyBudget: c.ReplyBudget, AlertBefore: c.AlertBefore, TrustedProxies: c.TrustedProxies, Backfill: c.Backfill > 0},
		Logger: a.Log, Now: a.Now, Health: a.Store, Webhooks: a.Ingester, Auth: a.Auth, Accounts: a.Store,
		Inbox: a.Store, Feed: a.Store, Posts: a.Store, Hub: a.Hub, Replies: a.Replies, Holds: a.Replies, Moderation: a.Moderate, Library: a.Library,
		Team: a.Store, Rules: a.Rules, Sim: a.Sim,
		Meta: a.Auth, Tokens: a.Auth, Admin: a.Auth, Setup: a.Setup, Outbound: a.Outbox,
	}
}
