package store

import (
	"context"
	"fmt"
	"strconv"
)

const searchWatermark = "search_indexed_rowid"

// IndexSearch adds up to limit comments that arrived since the last call to
// the full-text index, and reports how many it added. The search indexer
// calls it every moment; search results lag arrivals by about that much.
func (s *Store) IndexSearch(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.ingestTx(ctx, func(q *ingestStmts) error {
		var raw string
		if err := q.tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, searchWatermark).Scan(&raw); err != nil {
			return fmt.Errorf("read watermark: %w", err)
		}
		from, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("read watermark %q: %w", raw, err)
		}
		var to int64
		err = q.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(rowid), ?), COUNT(*) FROM
			(SELECT rowid FROM comments WHERE rowid > ? ORDER BY rowid LIMIT ?)`, from, from, limit).Scan(&to, &n)
		if err != nil || n == 0 {
			return err
		}
		_, err = q.tx.ExecContext(ctx, `INSERT INTO comments_fts (rowid, username, text)
			SELECT rowid, username, text FROM comments WHERE rowid > ? AND rowid <= ?`, from, to)
		if err != nil {
			return err
		}
		_, err = q.tx.ExecContext(ctx, `UPDATE settings SET value = ?, updated_at = ? WHERE key = ?`,
			strconv.FormatInt(to, 10), ms(s.now()), searchWatermark)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: index search: %w", err)
	}
	return n, nil
}
