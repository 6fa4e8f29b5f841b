package store

import (
	"context"
	"fmt"
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
// only publisher, and s.wmu keeps publication in position order.
func (s *Store) changing(ctx context.Context, f func(tx *gorm.DB) ([]inbox.Change, error)) ([]inbox.Change, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var logged []inbox.Change
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		changed, err := f(tx)
		if err != nil {
			return err
		}
		logged, err = s.logChanges(tx, changed)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.chk.wrote()
	s.feed.Publish(logged...)
	return logged, nil
}

// logChanges records changes and answers them with their positions.
func (s *Store) logChanges(tx *gorm.DB, changed []inbox.Change) ([]inbox.Change, error) {
	if len(changed) == 0 {
		return nil, nil
	}
	at := ms(s.now())
	out := make([]inbox.Change, 0, len(changed))
	const chunk = 500 // three variables a row, well under SQLite's limit
	for start := 0; start < len(changed); start += chunk {
		part := changed[start:min(start+chunk, len(changed))]
		var sql strings.Builder
		args := make([]any, 0, 3*len(part))
		sql.WriteString("INSERT INTO changes (comment_id, account_id, at) VALUES ")
		for i, c := range part {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?)")
			args = append(args, c.CommentID, c.AccountID, at)
		}
		sql.WriteString(" RETURNING position, comment_id, account_id")
		var rows []inbox.Change
		if err := tx.Raw(sql.String(), args...).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("log changes: %w", err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// FeedPosition is the newest position of the change feed (0 when empty). A
// page rendered after reading it shows every change up to it.
func (s *Store) FeedPosition(ctx context.Context) (int64, error) {
	var p int64
	// The sequence remembers the newest position even once it was pruned.
	err := s.r.WithContext(ctx).Raw(`SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)`).Scan(&p).Error
	if err != nil {
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
	err := s.r.WithContext(ctx).Raw(`SELECT COALESCE(MIN(position), 0) AS oldest,
		COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0) AS newest FROM changes`).Scan(&ends).Error
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
	if err := s.r.WithContext(ctx).Raw(itemSelect+" WHERE c.id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: items: %w", err)
	}
	out := make([]inbox.Item, len(rows))
	for i, r := range rows {
		out[i] = r.toItem()
	}
	return out, nil
}
