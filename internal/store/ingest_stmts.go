package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/outbound"
)

// ingestStmts are the prepared statements of the webhook hot path, bound to
// one transaction.
type ingestStmts struct {
	tx                *sql.Tx
	at                int64          // the transaction's time, unix ms
	changes           []inbox.Change // logged by this transaction
	accounts          *sql.Stmt
	insertCommentStmt *sql.Stmt
	upsertMedia       *sql.Stmt
	insertDelivery    *sql.Stmt
	touchAccount      *sql.Stmt
	insertChange      *sql.Stmt
	insertOwnStmt     *sql.Stmt
	insertEvent       *sql.Stmt
}

const (
	sqlAccounts      = `SELECT id FROM accounts WHERE disconnected_at = 0`
	sqlInsertComment = `INSERT INTO comments (id, account_id, media_id, media_product_type, surface, ad_id, ad_title,
		original_media_id, parent_id, from_id, username, text, live, status, deadline, deadline_exact, created_at,
		entry_time, received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`
	sqlUpsertMedia = `INSERT INTO media (id, account_id, media_product_type, ad_id, ad_title, original_media_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
		media_product_type = CASE WHEN excluded.media_product_type <> '' THEN excluded.media_product_type ELSE media.media_product_type END,
		ad_id = CASE WHEN excluded.ad_id <> '' THEN excluded.ad_id ELSE media.ad_id END,
		ad_title = CASE WHEN excluded.ad_title <> '' THEN excluded.ad_title ELSE media.ad_title END,
		original_media_id = CASE WHEN excluded.original_media_id <> '' THEN excluded.original_media_id ELSE media.original_media_id END,
		updated_at = excluded.updated_at`
	sqlInsertDelivery = `INSERT INTO deliveries (received_at, signature, body, comments_new, comments_dup,
		comments_skipped, unknown_accounts, unknown_comments, comments_rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlTouchAccount   = `UPDATE accounts SET last_webhook_at = ? WHERE id = ? AND last_webhook_at < ?`
	sqlInsertChange   = `INSERT INTO changes (comment_id, account_id, at) VALUES (?, ?, ?)`
	sqlInsertEvent    = `INSERT INTO outbound_events (name, comment_id, account_id, at) VALUES (?, ?, ?, ?)`
	sqlInsertOwnReply = `INSERT INTO public_replies (id, comment_id, account_id, text, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`
)

// preparedIngest holds the statements, prepared once on the writer connection.
type preparedIngest struct {
	once sync.Once
	err  error
	ingestStmts
}

// ingestTx runs f in one write transaction with the hot-path statements.
// The changes f logs (logChange) are published once it commits.
func (s *Store) ingestTx(ctx context.Context, f func(*ingestStmts) error) error {
	db, err := s.w.DB()
	if err != nil {
		return err
	}
	p := &s.ingest
	p.once.Do(func() {
		for _, st := range []struct {
			dst **sql.Stmt
			q   string
		}{
			{&p.accounts, sqlAccounts}, {&p.insertCommentStmt, sqlInsertComment}, {&p.upsertMedia, sqlUpsertMedia},
			{&p.insertDelivery, sqlInsertDelivery}, {&p.touchAccount, sqlTouchAccount}, {&p.insertChange, sqlInsertChange},
			{&p.insertEvent, sqlInsertEvent}, {&p.insertOwnStmt, sqlInsertOwnReply},
		} {
			if *st.dst, p.err = db.PrepareContext(context.WithoutCancel(ctx), st.q); p.err != nil {
				return
			}
		}
	})
	if p.err != nil {
		return fmt.Errorf("prepare ingest statements: %w", p.err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	q := p.ingestStmts
	q.tx, q.at = tx, ms(s.now())
	if err := f(&q); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.feed.Publish(q.changes...)
	return nil
}

// logChange records that comment c was stored.
func (q *ingestStmts) logChange(ctx context.Context, c inbox.Comment) error {
	res, err := q.tx.StmtContext(ctx, q.insertChange).ExecContext(ctx, c.ID, c.AccountID, q.at)
	if err != nil {
		return err
	}
	pos, err := res.LastInsertId()
	if err != nil {
		return err
	}
	q.changes = append(q.changes, inbox.Change{Position: pos, CommentID: c.ID, AccountID: c.AccountID})
	return nil
}

func (q *ingestStmts) connectedAccounts(ctx context.Context) (map[string]bool, error) {
	rows, err := q.tx.StmtContext(ctx, q.accounts).QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// insertComment stores c unless its id is known, and records its media.
func (q *ingestStmts) insertComment(ctx context.Context, c inbox.Comment) (bool, error) {
	r := commentToRow(c)
	res, err := q.tx.StmtContext(ctx, q.insertCommentStmt).ExecContext(ctx,
		r.ID, r.AccountID, r.MediaID, r.MediaProductType, r.Surface, r.AdID, r.AdTitle, r.OriginalMediaID,
		r.ParentID, r.FromID, r.Username, r.Text, r.Live, r.Status, r.Deadline, r.DeadlineExact, r.CreatedAt,
		r.EntryTime, r.ReceivedAt, r.UpdatedAt)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := q.logChange(ctx, c); err != nil {
		return false, err
	}
	// A new comment is news for other systems too (outbound webhooks).
	if _, err := q.tx.StmtContext(ctx, q.insertEvent).ExecContext(ctx, outbound.CommentCreated, c.ID, c.AccountID, q.at); err != nil {
		return false, err
	}
	if c.MediaID != "" {
		_, err := q.tx.StmtContext(ctx, q.upsertMedia).ExecContext(ctx,
			c.MediaID, c.AccountID, c.MediaProductType, c.AdID, c.AdTitle, c.OriginalMediaID, r.ReceivedAt)
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// insertOwnReply stores a public reply of the account's own, from its
// webhook, unless its id is known (the answer to our call came first), and
// logs a change to the comment it answers.
func (q *ingestStmts) insertOwnReply(ctx context.Context, r moderation.Reply) error {
	res, err := q.tx.StmtContext(ctx, q.insertOwnStmt).ExecContext(ctx, r.ID, r.CommentID, r.AccountID, r.Text, ms(r.CreatedAt))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return q.logChange(ctx, inbox.Comment{ID: r.CommentID, AccountID: r.AccountID})
}
