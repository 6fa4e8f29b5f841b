// Package janitor keeps the database tidy in the background: it marks
// comments expired once their deadline passes, purges old raw deliveries,
// change-feed entries and outbound webhook history, and keeps the full-text search index up with
// arrivals.
package janitor

import (
	"context"
	"log/slog"
	"time"
)

// Retention of what is kept only for a while.
const (
	DeliveryRetention = 30 * 24 * time.Hour // raw webhook deliveries (audit and replay)
	ChangeRetention   = 24 * time.Hour      // the change feed: streams further behind reload
	EventRetention    = time.Hour           // outbound events every webhook has been given
	EventMaxRetention = 8 * 24 * time.Hour  // any outbound event (past every comment's reply window)
	OutboxRetention   = 30 * 24 * time.Hour // finished outbound webhook deliveries, shown to admins
)

// Store is the storage the Janitor needs (store.Store).
type Store interface {
	ExpireDue(ctx context.Context, limit int) (int, error)
	PurgeDeliveries(ctx context.Context, cutoff time.Time) (int64, error)
	PruneChanges(ctx context.Context, cutoff time.Time) (int64, error)
	PruneOutbound(ctx context.Context, fannedBefore, allBefore, deliveriesBefore time.Time) (int64, error)
	CompactCounts(ctx context.Context) (int64, error)
	TryLease(ctx context.Context, name string, ttl time.Duration) (bool, error)
}

// Janitor marks open comments expired once their deadline passes (browsers
// grey them out on their own clock too), folds the inbox counts' deltas
// (PostgreSQL), and purges old raw deliveries and change-feed entries. Every
// process sharing a database runs one: expiry takes rows no other process
// is taking, and the hourly purge runs under a lease.
type Janitor struct {
	st     Store
	log    *slog.Logger
	now    func() time.Time
	expiry time.Duration
}

// New makes a Janitor.
func New(st Store, log *slog.Logger, now func() time.Time) *Janitor {
	return &Janitor{st: st, log: log, now: now, expiry: 10 * time.Second}
}

// Run works until ctx is done.
func (j *Janitor) Run(ctx context.Context) {
	exp := time.NewTicker(j.expiry)
	defer exp.Stop()
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	counts := time.NewTicker(2 * time.Second)
	defer counts.Stop()
	j.Expire(ctx)
	j.purge(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-exp.C:
			j.Expire(ctx)
		case <-counts.C:
			if _, err := j.st.CompactCounts(ctx); err != nil && ctx.Err() == nil {
				j.log.Error("compacting inbox counts", "error", err)
			}
		case <-purge.C:
			j.purge(ctx)
		}
	}
}

// Expire marks every overdue open comment expired (the store publishes the
// changes).
func (j *Janitor) Expire(ctx context.Context) {
	for {
		n, err := j.st.ExpireDue(ctx, 500)
		if err != nil {
			if ctx.Err() == nil {
				j.log.Error("expiring comments", "error", err)
			}
			return
		}
		if n < 500 {
			return
		}
	}
}

func (j *Janitor) purge(ctx context.Context) {
	if mine, err := j.st.TryLease(ctx, "purge", 50*time.Minute); err != nil || !mine {
		return // another process purged within the hour
	}
	n, err := j.st.PurgeDeliveries(ctx, j.now().Add(-DeliveryRetention))
	if err != nil {
		j.log.Error("purging deliveries", "error", err)
		return
	}
	if n > 0 {
		j.log.Info("old webhook deliveries purged", "deliveries", n)
	}
	if _, err := j.st.PruneChanges(ctx, j.now().Add(-ChangeRetention)); err != nil {
		j.log.Error("pruning the change feed", "error", err)
	}
	now := j.now()
	if _, err := j.st.PruneOutbound(ctx, now.Add(-EventRetention), now.Add(-EventMaxRetention), now.Add(-OutboxRetention)); err != nil {
		j.log.Error("pruning outbound events and deliveries", "error", err)
	}
}

// SearchIndexer keeps the full-text search index up with arrivals, in
// batches, off the webhook's critical path.
type SearchIndexer struct {
	st       Indexer
	log      *slog.Logger
	interval time.Duration
}

// Indexer adds new comments to the search index (store.Store).
type Indexer interface {
	IndexSearch(ctx context.Context, limit int) (int, error)
}

// NewSearchIndexer makes a SearchIndexer that indexes every interval.
func NewSearchIndexer(st Indexer, log *slog.Logger, interval time.Duration) *SearchIndexer {
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

// IndexAll indexes everything that arrived since the last run, in
// transactions of a few hundred comments: indexing costs about 15 µs a
// comment, and the webhooks' commits wait while it holds the writer (one
// transaction of the 2,000 comments that a busy half second brings held
// them for 20 ms, most of ingest's p99). Between transactions it pauses
// for batchPause, so that a group commit that waits for the writer gets
// it first, rather than a batch of indexing after another.
func (x *SearchIndexer) IndexAll(ctx context.Context) {
	const batch = 256
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
		select {
		case <-ctx.Done():
			return
		case <-time.After(batchPause):
		}
	}
}

// batchPause is how long IndexAll leaves the writer to others between
// its transactions: about one group commit.
const batchPause = 2 * time.Millisecond
