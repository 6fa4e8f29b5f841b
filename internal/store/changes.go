package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
)

// Feed receives the change feed: every change to a comment, after the
// transaction that made it commits, in position order (live.Hub).
type Feed interface {
	Publish(changes ...inbox.Change)
}

// noFeed is the Feed of a store nobody listens to (tools and tests).
type noFeed struct{}

func (noFeed) Publish(...inbox.Change) {}

// changing runs f in one write transaction. f answers the comments it
// changed (id and account); they are logged in the changes table by the
// same transaction and published once it commits. The store is the feed's
// only publisher. On SQLite, s.wmu keeps publication in position order; on
// PostgreSQL, positions are drawn in commit order across every process and
// pgFeed publishes them in that order (feed_pg.go).
func (s *Store) changing(ctx context.Context, f func(tx *gorm.DB) ([]inbox.Change, error)) ([]inbox.Change, error) {
	if !s.pg {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	}
	var logged []inbox.Change
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		changed, err := f(tx)
		if err != nil {
			return err
		}
		logged, err = s.logChanges(ctx, tx.Statement.ConnPool, changed)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.chk.wrote()
	s.publish(ctx, logged)
	return logged, nil
}

// publish hands committed changes to the feed, in position order.
func (s *Store) publish(ctx context.Context, logged []inbox.Change) {
	if len(logged) == 0 {
		return
	}
	if s.pg {
		s.pgFeed.committed(ctx, logged)
		return
	}
	s.feed.Publish(logged...)
}

// logChanges records changes, as the last step of their transaction, and
// answers them with their positions, oldest first.
func (s *Store) logChanges(ctx context.Context, conn gorm.ConnPool, changed []inbox.Change) ([]inbox.Change, error) {
	if len(changed) == 0 {
		return nil, nil
	}
	if s.pg {
		return s.logChangesPG(ctx, conn, changed)
	}
	at := ms(s.now())
	out := make([]inbox.Change, 0, len(changed))
	const chunk = 500 // three variables a row, well under SQLite's limit
	for start := 0; start < len(changed); start += chunk {
		part := changed[start:min(start+chunk, len(changed))]
		var q strings.Builder
		args := make([]any, 0, 3*len(part))
		q.WriteString("INSERT INTO changes (comment_id, account_id, at) VALUES ")
		for i, c := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?)")
			args = append(args, c.CommentID, c.AccountID, at)
		}
		q.WriteString(" RETURNING position, comment_id, account_id")
		rows, err := conn.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("log changes: %w", err)
		}
		for rows.Next() {
			var c inbox.Change
			if err := rows.Scan(&c.Position, &c.CommentID, &c.AccountID); err != nil {
				rows.Close()
				return nil, fmt.Errorf("log changes: %w", err)
			}
			out = append(out, c)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("log changes: %w", err)
		}
	}
	// RETURNING's order is unspecified; the feed's is the positions'.
	slices.SortFunc(out, func(a, b inbox.Change) int { return cmp.Compare(a.Position, b.Position) })
	return out, nil
}

// feedHead is the SQL of the newest position ever given, which pruning does
// not forget: SQLite's AUTOINCREMENT sequence, PostgreSQL's feed_head row.
func (s *Store) feedHead() string {
	if s.pg {
		return `(SELECT position FROM feed_head)`
	}
	return `COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)`
}

// FeedPosition is the newest position of the change feed (0 when empty). A
// page rendered after reading it shows every change up to it: positions are
// given in commit order, so every change up to it is committed.
func (s *Store) FeedPosition(ctx context.Context) (int64, error) {
	var p int64
	if err := s.r.WithContext(ctx).Raw(`SELECT ` + s.feedHead()).Scan(&p).Error; err != nil {
		return 0, fmt.Errorf("store: feed position: %w", err)
	}
	return p, nil
}

// ErrFeedGap means changes after the asked position were pruned: the reader
// is too far behind to catch up change by change and must reload.
var ErrFeedGap = fmt.Errorf("store: the change feed no longer reaches that far back")

// ChangesSince lists the changes after position to comments of the given
// accounts, oldest first, at most limit. ErrFeedGap when changes after
// position were already pruned.
func (s *Store) ChangesSince(ctx context.Context, accountIDs []string, after int64, limit int) ([]inbox.Change, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	var ends struct{ Oldest, Newest int64 }
	err := s.r.WithContext(ctx).Raw(`SELECT COALESCE(MIN(position), 0) AS oldest, ` + s.feedHead() + ` AS newest FROM changes`).Scan(&ends).Error
	if err != nil {
		return nil, fmt.Errorf("store: changes since %d: %w", after, err)
	}
	pruned := ends.Oldest - 1 // every position up to it is gone
	if ends.Oldest == 0 {
		pruned = ends.Newest
	}
	if pruned > after {
		return nil, ErrFeedGap
	}
	var out []inbox.Change
	err = s.r.WithContext(ctx).Raw(`SELECT position, comment_id, account_id FROM changes
		WHERE position > ? AND account_id IN ? ORDER BY position LIMIT ?`, after, accountIDs, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: changes since %d: %w", after, err)
	}
	return out, nil
}

// PruneChanges deletes feed entries recorded before cutoff. Positions follow
// time, so it deletes up to the first position recorded since, reading only
// what it deletes (no index on the time).
func (s *Store) PruneChanges(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.w.WithContext(ctx).Exec(`DELETE FROM changes WHERE position < COALESCE(
		(SELECT position FROM changes WHERE at >= ? ORDER BY position LIMIT 1),
		(SELECT MAX(position) + 1 FROM changes))`, ms(cutoff))
	if res.Error != nil {
		return 0, fmt.Errorf("store: prune changes: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Items loads comments by id as the inbox shows them, whoever may see them:
// the live stream has already checked access. Missing ids are left out.
func (s *Store) Items(ctx context.Context, ids []string) ([]inbox.Item, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []itemRow
	if err := s.r.WithContext(ctx).Raw(s.itemSelect()+" WHERE c.id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: items: %w", err)
	}
	out := make([]inbox.Item, len(rows))
	for i, r := range rows {
		out[i] = r.toItem()
	}
	return out, nil
}
