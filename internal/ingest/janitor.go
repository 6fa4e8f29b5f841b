package ingest

import (
	"context"
	"log/slog"
	"time"

	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/store"
)

// DeliveryRetention is how long raw webhook deliveries are kept.
const DeliveryRetention = 30 * 24 * time.Hour

// Janitor marks open comments expired once their deadline passes (browsers
// grey them out on their own clock too) and purges old raw deliveries.
type Janitor struct {
	st     *store.Store
	hub    live.Hub
	log    *slog.Logger
	now    func() time.Time
	expiry time.Duration
}

// NewJanitor makes a Janitor.
func NewJanitor(st *store.Store, hub live.Hub, log *slog.Logger, now func() time.Time) *Janitor {
	return &Janitor{st: st, hub: hub, log: log, now: now, expiry: 10 * time.Second}
}

// Run works until ctx is done.
func (j *Janitor) Run(ctx context.Context) {
	exp := time.NewTicker(j.expiry)
	defer exp.Stop()
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	j.Expire(ctx)
	j.purge(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-exp.C:
			j.Expire(ctx)
		case <-purge.C:
			j.purge(ctx)
		}
	}
}

// Expire marks every overdue open comment expired and publishes the changes.
func (j *Janitor) Expire(ctx context.Context) {
	for {
		cs, err := j.st.ExpireDue(ctx, 500)
		if err != nil {
			if ctx.Err() == nil {
				j.log.Error("expiring comments", "error", err)
			}
			return
		}
		for _, c := range cs {
			j.hub.Publish(ctx, live.Event{Kind: live.CommentChanged, CommentID: c.ID, AccountID: c.AccountID, At: j.now()})
		}
		if len(cs) < 500 {
			return
		}
	}
}

func (j *Janitor) purge(ctx context.Context) {
	n, err := j.st.PurgeDeliveries(ctx, j.now().Add(-DeliveryRetention))
	if err != nil {
		j.log.Error("purging deliveries", "error", err)
		return
	}
	if n > 0 {
		j.log.Info("old webhook deliveries purged", "deliveries", n)
	}
}

// SearchIndexer keeps the full-text search index up with arrivals, in
// batches, off the webhook's critical path.
type SearchIndexer struct {
	st       *store.Store
	log      *slog.Logger
	interval time.Duration
}

// NewSearchIndexer makes a SearchIndexer that indexes every interval.
func NewSearchIndexer(st *store.Store, log *slog.Logger, interval time.Duration) *SearchIndexer {
	return &SearchIndexer{st: st, log: log, interval: interval}
}

// Run indexes until ctx is done.
func (x *SearchIndexer) Run(ctx context.Context) {
	t := time.NewTicker(x.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			x.IndexAll(ctx)
		}
	}
}

// IndexAll indexes everything that arrived since the last run.
func (x *SearchIndexer) IndexAll(ctx context.Context) {
	const batch = 5000
	for {
		n, err := x.st.IndexSearch(ctx, batch)
		if err != nil {
			if ctx.Err() == nil {
				x.log.Error("search indexing", "error", err)
			}
			return
		}
		if n < batch {
			return
		}
	}
}
