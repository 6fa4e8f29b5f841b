package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// countsSource is the table of comments per account and status for a FROM
// clause: SQLite's trigger-kept comment_counts, or on PostgreSQL
// comment_counts plus the deltas not folded in yet (migrations/postgres/
// 00007_counts.sql), read in one snapshot so a count is never half folded.
func (s *Store) countsSource() string {
	if s.pg {
		return `(SELECT account_id, status, n FROM comment_counts
			UNION ALL SELECT account_id, status, n FROM comment_count_deltas) AS comment_counts`
	}
	return `comment_counts`
}

// sqlCompactCounts folds every committed delta into comment_counts in one
// statement, rows in key order so two compactions never deadlock.
const sqlCompactCounts = `WITH d AS (
	DELETE FROM comment_count_deltas RETURNING account_id, status, n
)
INSERT INTO comment_counts AS cc (account_id, status, n)
SELECT account_id, status, SUM(n) FROM d GROUP BY account_id, status ORDER BY account_id, status
ON CONFLICT (account_id, status) DO UPDATE SET n = cc.n + excluded.n`

// CompactCounts folds the count deltas into the per-account counts
// (PostgreSQL; SQLite's triggers keep the counts themselves) and answers how
// many counts it changed. One process at a time does it; the others skip.
func (s *Store) CompactCounts(ctx context.Context) (int64, error) {
	if !s.pg {
		return 0, nil
	}
	var n int64
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var mine bool
		if err := tx.Raw(`SELECT pg_try_advisory_xact_lock(15, hashtext('compact counts'))`).Scan(&mine).Error; err != nil || !mine {
			return err
		}
		res := tx.Exec(sqlCompactCounts)
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: compact counts: %w", err)
	}
	return n, nil
}
