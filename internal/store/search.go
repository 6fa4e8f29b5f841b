package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/replydesk/replydesk/internal/inbox"
)

// searchCondition is the inbox's search: any substring of the commenter's
// username (q.User, from "@name") and, as one phrase, of the username or
// the comment's text (q.Text), ignoring case and accents. SQLite matches
// three characters or more in the FTS5 trigram index (which IndexSearch
// fills), shorter ones by a scan with LIKE; PostgreSQL matches both with a
// pg_trgm GIN index on the folded username and text
// (migrations/postgres/00005_inbox.sql), the username alone checked on the
// rows that index finds.
func (s *Store) searchCondition(q inbox.Search) (conds []string, args []any) {
	if s.pg {
		for _, needle := range []string{q.User, q.Text} {
			if needle != "" {
				conds = append(conds, `replydesk_fold(c.username || E'\n' || c.text) LIKE replydesk_fold(?) ESCAPE '\'`)
				args = append(args, likeAny(needle))
			}
		}
		if q.User != "" {
			conds = append(conds, `replydesk_fold(c.username) LIKE replydesk_fold(?) ESCAPE '\'`)
			args = append(args, likeAny(q.User))
		}
		return conds, args
	}
	var match []string
	if q.User != "" {
		if len([]rune(q.User)) >= 3 {
			match = append(match, "username : "+ftsPhrase(q.User))
		} else {
			conds = append(conds, `c.username LIKE ? ESCAPE '\'`)
			args = append(args, likeAny(q.User))
		}
	}
	if q.Text != "" {
		if len([]rune(q.Text)) >= 3 {
			match = append(match, ftsPhrase(q.Text))
		} else {
			conds = append(conds, `(c.username LIKE ? ESCAPE '\' OR c.text LIKE ? ESCAPE '\')`)
			args = append(args, likeAny(q.Text), likeAny(q.Text))
		}
	}
	if len(match) > 0 {
		// Trigram full-text matches on quoted phrases (any substring).
		conds = append(conds, "c.rowid IN (SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?)")
		args = append(args, strings.Join(match, " AND "))
	}
	return conds, args
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
