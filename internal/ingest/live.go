package ingest

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/store"
)

// LiveWatcher expires Live comments when their broadcast ends. Meta sends no
// "broadcast ended" event, so while an account has open Live comments it
// polls /{ig-user-id}/live_media, which lists only media being broadcast.
// Of several processes sharing a database, one polls each account: the one
// holding its lease ("live:<account>"), renewed at every poll and taken
// over by another when it stops.
type LiveWatcher struct {
	st       *store.Store
	graph    *meta.Client
	tokens   Tokens
	log      *slog.Logger
	interval time.Duration
}

// NewLiveWatcher makes a LiveWatcher polling every interval.
func NewLiveWatcher(st *store.Store, graph *meta.Client, tokens Tokens, log *slog.Logger, interval time.Duration) *LiveWatcher {
	return &LiveWatcher{st: st, graph: graph, tokens: tokens, log: log, interval: interval}
}

// Run polls until ctx is done.
func (w *LiveWatcher) Run(ctx context.Context) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.Check(ctx)
		}
	}
}

// Check looks once at every account with open Live comments.
func (w *LiveWatcher) Check(ctx context.Context) {
	open, err := w.st.OpenLiveMedia(ctx)
	if err != nil {
		w.log.Error("live watch", "error", err)
		return
	}
	for acct, media := range open {
		if mine, err := w.st.TryLease(ctx, "live:"+acct, 2*w.interval); err != nil || !mine {
			continue // another process watches this account
		}
		_, token, err := w.tokens.PageToken(ctx, acct)
		if err != nil {
			continue
		}
		broadcasting, err := w.graph.LiveMedia(ctx, token, acct)
		if err != nil {
			if meta.Classify(err) == meta.ClassToken {
				w.tokens.MarkTokenFailed(ctx, acct, err)
			}
			w.log.Warn("live watch: cannot read live media", "account_id", acct, "error", err)
			continue
		}
		var ended []string
		for _, m := range media {
			if !slices.Contains(broadcasting, m) {
				ended = append(ended, m)
			}
		}
		ids, err := w.st.ExpireLive(ctx, acct, ended)
		if err != nil {
			w.log.Error("live watch: expiring", "account_id", acct, "error", err)
			continue
		}
		if len(ids) > 0 {
			w.log.Info("live broadcast ended; its open comments expired", "account_id", acct, "comments", len(ids))
		}
	}
}
