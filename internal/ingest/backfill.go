package ingest

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/store"
)

// Backfiller reads each connected account's recent comments from the Graph
// API: when an account is first connected (so the inbox starts with what is
// still answerable) and every few hours after (a comment whose webhook Meta
// gave up on is not lost). Comments already known are left alone. Of
// several processes sharing a database, one backfills an account at a time
// (the lease "backfill:<account>").
type Backfiller struct {
	st       *store.Store
	graph    *meta.Client
	tokens   Tokens
	log      *slog.Logger
	now      func() time.Time
	every    time.Duration // how often an account is read again
	check    time.Duration // how often accounts are looked at
	maxMedia int
	onNew    []func([]inbox.Comment)
}

// OnNew registers f to be called (it must not block) with the comments a
// backfill stored for the first time.
func (b *Backfiller) OnNew(f func([]inbox.Comment)) { b.onNew = append(b.onNew, f) }

// NewBackfiller makes a Backfiller reading each account every `every`.
func NewBackfiller(st *store.Store, graph *meta.Client, tokens Tokens, log *slog.Logger, every time.Duration) *Backfiller {
	return &Backfiller{st: st, graph: graph, tokens: tokens, log: log, now: time.Now,
		every: every, check: 15 * time.Second, maxMedia: 25}
}

// Run backfills due accounts until ctx is done.
func (b *Backfiller) Run(ctx context.Context) {
	t := time.NewTicker(b.check)
	defer t.Stop()
	for {
		b.RunDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue backfills every connected, healthy account not read recently.
func (b *Backfiller) RunDue(ctx context.Context) {
	accts, err := b.st.ConnectedAccounts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Error("backfill: listing accounts", "error", err)
		}
		return
	}
	for _, a := range accts {
		if a.NeedsReconnect() || ctx.Err() != nil {
			continue
		}
		key := store.BackfillKey(a.ID)
		if !b.due(ctx, key) {
			continue
		}
		if mine, err := b.st.TryLease(ctx, key, backfillLease); err != nil || !mine {
			continue // another process is on it
		}
		if b.due(ctx, key) { // it may have just finished it
			b.backfill(ctx, key, a.ID, a.Username)
		}
		if err := b.st.ReleaseLease(ctx, key); err != nil {
			b.log.Error("backfill: releasing", "account_id", a.ID, "error", err)
		}
	}
}

// backfillLease bounds one account's backfill: past it, another process may
// start it again.
const backfillLease = 15 * time.Minute

// due reports whether the account's last backfill (setting key) is older
// than the interval.
func (b *Backfiller) due(ctx context.Context, key string) bool {
	last, err := b.st.Setting(ctx, key)
	if err != nil {
		return true
	}
	t, err := time.Parse(time.RFC3339, last)
	return err != nil || b.now().Sub(t) >= b.every
}

func (b *Backfiller) backfill(ctx context.Context, key, accountID, username string) {
	n, err := b.Account(ctx, accountID, username)
	if err != nil {
		b.log.Warn("backfill failed; retrying later", "account_id", accountID, "error", err)
		return
	}
	if err := b.st.SetSetting(ctx, key, b.now().UTC().Format(time.RFC3339)); err != nil {
		b.log.Error("backfill: recording", "error", err)
	}
	if n > 0 {
		b.log.Info("backfill found comments the webhooks had not brought", "account_id", accountID, "comments", n)
	}
}

// Account reads one account's comments of the last 7 days and stores the
// unknown ones, with exact deadlines. It returns how many were new.
func (b *Backfiller) Account(ctx context.Context, accountID, username string) (int, error) {
	_, token, err := b.tokens.PageToken(ctx, accountID)
	if err != nil {
		return 0, err
	}
	media, err := b.graph.RecentMedia(ctx, token, accountID, b.maxMedia)
	if err != nil {
		if meta.IsTokenError(err) {
			b.tokens.MarkTokenFailed(ctx, accountID, err)
		}
		return 0, err
	}
	now := b.now()
	since := now.Add(-inbox.ReplyWindow)
	var batch []inbox.Comment
	for _, m := range media {
		if m.MediaProductType == "STORY" && m.Timestamp.Before(now.Add(-24*time.Hour)) {
			continue // stories are gone after a day
		}
		cs, err := b.graph.CommentsSince(ctx, token, m.ID, since)
		if err != nil {
			var me *meta.Error
			if errors.As(err, &me) && meta.Classify(err) == meta.ClassPermanent {
				continue // this media cannot be read (an ad, say)
			}
			return 0, err
		}
		for _, c := range cs {
			if c.FromID == accountID || (username != "" && c.FromUsername == username) {
				continue // the account's own comment
			}
			batch = append(batch, inbox.Comment{
				ID: c.ID, AccountID: accountID, MediaID: m.ID, MediaProductType: m.MediaProductType,
				Surface: inbox.SurfaceOf(m.MediaProductType, "", false), ParentID: c.ParentID, FromID: c.FromID,
				Username: c.FromUsername, Text: c.Text, Status: inbox.StatusOpen,
				Deadline: inbox.ExactDeadline(c.Timestamp), DeadlineExact: true, CreatedAt: c.Timestamp,
				ReceivedAt: now, UpdatedAt: now,
			})
		}
	}
	fresh, err := b.st.InsertComments(ctx, batch)
	if err != nil {
		return 0, err
	}
	if len(fresh) > 0 {
		for _, f := range b.onNew {
			f(fresh)
		}
	}
	return len(fresh), nil
}
