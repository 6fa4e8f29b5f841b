package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// searchCondition is the inbox's search: any substring of the commenter's
// username or the comment's text, ignoring case and accents. SQLite matches
// three characters or more in the FTS5 trigram index (which IndexSearch
// fills), shorter ones by LIKE; PostgreSQL matches both with a pg_trgm GIN
// index on the folded text (migrations/postgres/00005_inbox.sql).
func (s *Store) searchCondition(q string) (string, []any) {
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
	if s.pg {
		return `replydesk_fold(c.username || E'\n' || c.text) LIKE replydesk_fold(?) ESCAPE '\'`, []any{like}
	}
	if len([]rune(q)) >= 3 {
		// A trigram full-text match on a quoted phrase (any substring).
		return "c.rowid IN (SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?)", []any{`"` + strings.ReplaceAll(q, `"`, `""`) + `"`}
	}
	return "(c.username LIKE ? ESCAPE '\\' OR c.text LIKE ? ESCAPE '\\')", []any{like, like}
}

const searchWatermark = "search_indexed_rowid"

// IndexSearch adds up to limit comments that arrived since the last call to
// the full-text index, and reports how many it added. The search indexer
// calls it every moment; search results lag arrivals by about that much.
// On PostgreSQL the trigram index follows every insert by itself: nothing
// to do.
func (s *Store) IndexSearch(ctx context.Context, limit int) (int, error) {
	if s.pg {
		return 0, nil
	}
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
