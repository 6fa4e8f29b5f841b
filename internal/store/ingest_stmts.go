package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/outbound"
)

// The webhook hot path writes a whole group commit with a few multi-row
// statements (comments, change-feed rows, outbound events, media, counts,
// raw deliveries)
// instead of several statements per delivery. Each statement is prepared
// once per shape on the writer connection: rows go in chunks of a power of
// two up to maxChunk, so a kind of statement has at most eight shapes.

// maxChunk is the most rows one statement carries: 64 comments are 1,280
// bound values, far under SQLite's limit of 32,766.
const maxChunk = 64

// rowsSQL is a multi-row statement: head, then rows of width placeholders
// separated by commas, then tail.
type rowsSQL struct {
	name       string
	head, tail string
	width      int
}

var (
	// The connected accounts, for PostgreSQL's group commit (delivery_pg.go).
	sqlAccounts = `SELECT id FROM accounts WHERE disconnected_at = 0`
	// The group commit asks once which accounts are connected and whether
	// a webhook wants comment.created (sqlEventWanted): one step of one
	// statement instead of two statements.
	sqlConnected = `SELECT id, EXISTS (SELECT 1 FROM webhooks WHERE ',' || events || ',' LIKE '%,' || ? || ',%')
		FROM accounts WHERE disconnected_at = 0`

	sqlComments = rowsSQL{"comments", `INSERT INTO comments (id, account_id, media_id, media_product_type, surface, ad_id,
		ad_title, original_media_id, parent_id, from_id, username, text, live, status, deadline, deadline_exact,
		created_at, entry_time, received_at, updated_at, rule_id, suggested_template_id) VALUES `, ` ON CONFLICT (id) DO NOTHING`, 22}
	// Which of a group's comment ids are already stored (retries, ad
	// duplicates): usually none, so one step of one statement answers.
	sqlKnown = rowsSQL{"known", `SELECT id FROM comments WHERE id IN (`, `)`, 1}
	// Every new comment is a change someone may see: the feed's rows are
	// written in the same transaction. One statement's rows get consecutive
	// positions in the order of its VALUES (AUTOINCREMENT under the write
	// lock), so the last one tells them all: no row is read back.
	sqlChanges = rowsSQL{"changes", `INSERT INTO changes (comment_id, account_id, at) VALUES `, ``, 3}
	// A post's row changes only when a comment tells something new about it
	// (updated_at is when it last changed), so the usual comment on a known
	// post writes no media page.
	// A new comment is news for other systems too: outbound webhooks that
	// want comment.created. A webhook hears only events recorded after it
	// was made, so while none wants them the event is not recorded at all
	// (two pages fewer a commit). Webhooks are made by the one writer too,
	// so a webhook made before this commit is seen by it.
	sqlEvents      = rowsSQL{"events", `INSERT INTO outbound_events (name, comment_id, account_id, at) VALUES `, ``, 4}
	sqlEventWanted = `SELECT EXISTS (SELECT 1 FROM webhooks WHERE ',' || events || ',' LIKE '%,' || ? || ',%')`
	sqlMedia       = rowsSQL{"media", `INSERT INTO media (id, account_id, media_product_type, ad_id, ad_title,
		original_media_id, updated_at) VALUES `, ` ON CONFLICT (id) DO UPDATE SET
		media_product_type = CASE WHEN excluded.media_product_type <> '' THEN excluded.media_product_type ELSE media.media_product_type END,
		ad_id = CASE WHEN excluded.ad_id <> '' THEN excluded.ad_id ELSE media.ad_id END,
		ad_title = CASE WHEN excluded.ad_title <> '' THEN excluded.ad_title ELSE media.ad_title END,
		original_media_id = CASE WHEN excluded.original_media_id <> '' THEN excluded.original_media_id ELSE media.original_media_id END,
		updated_at = excluded.updated_at
		WHERE excluded.media_product_type NOT IN ('', media.media_product_type) OR excluded.ad_id NOT IN ('', media.ad_id)
			OR excluded.ad_title NOT IN ('', media.ad_title) OR excluded.original_media_id NOT IN ('', media.original_media_id)`, 7}
	// comment_counts follows inserts here, once per account and status of a
	// commit (migration 00016 dropped the per-row trigger); status changes
	// and deletions still go through triggers.
	sqlCounts = rowsSQL{"counts", `INSERT INTO comment_counts (account_id, status, n) VALUES `,
		` ON CONFLICT (account_id, status) DO UPDATE SET n = n + excluded.n`, 3}
	sqlDeliveries = rowsSQL{"deliveries", `INSERT INTO deliveries (received_at, signature, body, comments_new,
		comments_dup, comments_skipped, unknown_accounts, unknown_comments, comments_rejected) VALUES `, ``, 9}
	// The account's own public replies, from their webhooks.
	sqlOwnReply = `INSERT INTO public_replies (id, comment_id, account_id, text, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`
	// When an account's webhooks last came, to the second: a busy account's
	// row is written once a second, not by every commit.
	sqlTouchAccount = `UPDATE accounts SET last_webhook_at = ? WHERE id = ? AND last_webhook_at < ? - 1000`
)

func (r rowsSQL) text(rows int) string {
	var b strings.Builder
	row := "(" + strings.Repeat("?, ", r.width-1) + "?)"
	b.WriteString(r.head)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(r.tail)
	return b.String()
}

// ingestStmts is one write transaction of the hot path.
type ingestStmts struct {
	tx      *sql.Tx
	at      int64          // the transaction's time, unix ms
	changes []inbox.Change // logged by this transaction
	p       *preparedIngest
	wanted  *bool // whether a webhook wants comment.created, once read
}

// preparedIngest holds the hot path's statements, prepared on the writer
// connection before the first transaction (a statement cannot be prepared
// on the one writer connection while a transaction holds it). Only
// ingestTx uses it, under Store.wmu.
type preparedIngest struct {
	stmts map[stmtKey]*sql.Stmt
}

// stmtKey names a prepared statement: a plain query, or a multi-row
// statement's name and row count.
type stmtKey struct {
	query string
	rows  int
}

func (p *preparedIngest) prepareAll(ctx context.Context, db *sql.DB) error {
	if p.stmts != nil {
		return nil
	}
	stmts := map[stmtKey]*sql.Stmt{}
	add := func(k stmtKey, text string) error {
		st, err := db.PrepareContext(context.WithoutCancel(ctx), text)
		if err != nil {
			return fmt.Errorf("prepare %s: %w", cmp.Or(k.query, text[:40]), err)
		}
		stmts[k] = st
		return nil
	}
	for _, q := range []string{sqlConnected, sqlTouchAccount, sqlEventWanted, sqlOwnReply} {
		if err := add(stmtKey{query: q}, q); err != nil {
			return err
		}
	}
	for _, r := range []rowsSQL{sqlComments, sqlKnown, sqlChanges, sqlEvents, sqlMedia, sqlCounts, sqlDeliveries} {
		for rows := 1; rows <= maxChunk; rows *= 2 {
			if err := add(stmtKey{r.name, rows}, r.text(rows)); err != nil {
				return err
			}
		}
	}
	p.stmts = stmts
	return nil
}

func (p *preparedIngest) close() {
	for _, st := range p.stmts {
		st.Close()
	}
	p.stmts = nil
}

// ingestTx runs f in one write transaction with the hot-path statements.
// The changes f logs are published once it commits.
func (s *Store) ingestTx(ctx context.Context, f func(*ingestStmts) error) error {
	db, err := s.w.DB()
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.ingest.prepareAll(ctx, db); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	q := &ingestStmts{tx: tx, at: ms(s.now()), p: &s.ingest}
	if err := f(q); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.chk.wrote()
	s.feed.Publish(q.changes...)
	return nil
}

// exec runs the multi-row statement r over args (width values a row), in
// chunks. scan, when set, reads each chunk's rows (a query).
func (q *ingestStmts) exec(ctx context.Context, r rowsSQL, args []any, scan func(*sql.Rows) error) error {
	return q.run(ctx, r, args, scan, nil)
}

// run is exec that, for a statement without rows, tells done each chunk's
// row count and result.
func (q *ingestStmts) run(ctx context.Context, r rowsSQL, args []any, scan func(*sql.Rows) error, done func(rows int, res sql.Result) error) error {
	for len(args) > 0 {
		rows := min(len(args)/r.width, maxChunk)
		for rows&(rows-1) != 0 { // the largest power of two that fits
			rows &= rows - 1
		}
		st := q.p.stmts[stmtKey{r.name, rows}]
		part := args[:rows*r.width]
		args = args[rows*r.width:]
		st = q.tx.StmtContext(ctx, st)
		if scan == nil {
			res, err := st.ExecContext(ctx, part...)
			if err == nil && done != nil {
				err = done(rows, res)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			continue
		}
		res, err := st.QueryContext(ctx, part...)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		for res.Next() {
			if err := scan(res); err != nil {
				res.Close()
				return fmt.Errorf("%s: %w", r.name, err)
			}
		}
		if err := res.Close(); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		if err := res.Err(); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
	}
	return nil
}

// connectedAccounts answers the connected accounts, and notes whether a
// webhook wants comment.created (known when there is an account to store
// comments for).
func (q *ingestStmts) connectedAccounts(ctx context.Context) (map[string]bool, error) {
	rows, err := q.tx.StmtContext(ctx, q.p.stmts[stmtKey{query: sqlConnected}]).QueryContext(ctx, outbound.CommentCreated)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		var wanted bool
		if err := rows.Scan(&id, &wanted); err != nil {
			return nil, err
		}
		out[id] = true
		q.wanted = &wanted
	}
	return out, rows.Err()
}

// insertComments stores the comments whose ids are not known yet, and
// answers which of cs were new: for an id that appears more than once, the
// first. The new ones get their change-feed rows, their media and their
// counts in the same transaction.
//
// The ids already stored are read first (usually none), so the insert
// reads nothing back: a row returned is a step of its own.
func (q *ingestStmts) insertComments(ctx context.Context, cs []inbox.Comment) ([]bool, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	ids := make([]any, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	known := map[string]bool{}
	err := q.exec(ctx, sqlKnown, ids, func(rows *sql.Rows) error {
		var id string
		err := rows.Scan(&id)
		known[id] = true
		return err
	})
	if err != nil {
		return nil, err
	}
	isNew := make([]bool, len(cs))
	fresh := make([]inbox.Comment, 0, len(cs))
	args := make([]any, 0, len(cs)*sqlComments.width)
	for i, c := range cs {
		if known[c.ID] {
			continue
		}
		known[c.ID] = true // a second copy in the group is a duplicate
		isNew[i] = true
		fresh = append(fresh, c)
		r := commentToRow(c)
		args = append(args, r.ID, r.AccountID, r.MediaID, r.MediaProductType, r.Surface, r.AdID, r.AdTitle,
			r.OriginalMediaID, r.ParentID, r.FromID, r.Username, r.Text, r.Live, r.Status, r.Deadline,
			r.DeadlineExact, r.CreatedAt, r.EntryTime, r.ReceivedAt, r.UpdatedAt, r.RuleID, r.SuggestedTemplateID)
	}
	if len(fresh) == 0 {
		return isNew, nil
	}
	// The transaction holds the write lock since its BEGIN, so nothing
	// stored these ids since they were read; should a row still be
	// skipped, the commit is refused rather than a change published for a
	// comment this transaction did not store.
	err = q.run(ctx, sqlComments, args, nil, func(rows int, res sql.Result) error {
		if n, err := res.RowsAffected(); err != nil || n != int64(rows) {
			return fmt.Errorf("stored %d of %d new comments (%v)", n, rows, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return isNew, q.followNew(ctx, fresh)
}

// followNew writes what follows from storing fresh comments: the feed's
// rows, the outbound comment.created events (when a webhook wants them),
// their media, and the counts per account and status.
func (q *ingestStmts) followNew(ctx context.Context, fresh []inbox.Comment) error {
	args := make([]any, 0, len(fresh)*sqlChanges.width)
	for _, c := range fresh {
		args = append(args, c.ID, c.AccountID, q.at)
	}
	if err := q.logChanges(ctx, args); err != nil {
		return err
	}
	if q.wanted == nil {
		var wanted bool
		err := q.tx.StmtContext(ctx, q.p.stmts[stmtKey{query: sqlEventWanted}]).QueryRowContext(ctx, outbound.CommentCreated).Scan(&wanted)
		if err != nil {
			return fmt.Errorf("events: %w", err)
		}
		q.wanted = &wanted
	}
	if *q.wanted {
		args = args[:0]
		for _, c := range fresh {
			args = append(args, outbound.CommentCreated, c.ID, c.AccountID, q.at)
		}
		if err := q.exec(ctx, sqlEvents, args, nil); err != nil {
			return err
		}
	}

	type countKey struct{ account, status string }
	counts := map[countKey]int{}
	media := map[string]inbox.Comment{}
	var mediaOrder []string
	for _, c := range fresh {
		counts[countKey{c.AccountID, string(cmp.Or(c.Status, inbox.StatusOpen))}]++
		if c.MediaID == "" {
			continue
		}
		m, ok := media[c.MediaID]
		if !ok {
			mediaOrder = append(mediaOrder, c.MediaID)
			m = c
		}
		// What a later comment says about its media wins; an empty field keeps the earlier value.
		for _, f := range []struct {
			dst *string
			src string
		}{
			{&m.MediaProductType, c.MediaProductType}, {&m.AdID, c.AdID}, {&m.AdTitle, c.AdTitle}, {&m.OriginalMediaID, c.OriginalMediaID},
		} {
			if f.src != "" {
				*f.dst = f.src
			}
		}
		m.ReceivedAt = c.ReceivedAt
		media[c.MediaID] = m
	}
	args = args[:0]
	for _, id := range mediaOrder {
		m := media[id]
		args = append(args, id, m.AccountID, m.MediaProductType, m.AdID, m.AdTitle, m.OriginalMediaID, ms(m.ReceivedAt))
	}
	if err := q.exec(ctx, sqlMedia, args, nil); err != nil {
		return err
	}
	args = args[:0]
	for k, n := range counts {
		args = append(args, k.account, k.status, n)
	}
	return q.exec(ctx, sqlCounts, args, nil)
}

// touchAccount records that an account's webhooks arrived up to at (unix ms).
func (q *ingestStmts) touchAccount(ctx context.Context, account string, at int64) error {
	_, err := q.tx.StmtContext(ctx, q.p.stmts[stmtKey{query: sqlTouchAccount}]).ExecContext(ctx, at, account, at)
	return err
}

// insertOwnReply stores a public reply of the account's own, from its
// webhook, under the comment it answers; a new one changes what the
// comment shows, so it is a change in the feed.
func (q *ingestStmts) insertOwnReply(ctx context.Context, r moderation.Reply) error {
	st := q.tx.StmtContext(ctx, q.p.stmts[stmtKey{query: sqlOwnReply}])
	res, err := st.ExecContext(ctx, r.ID, r.CommentID, r.AccountID, r.Text, ms(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("own reply: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return q.logChanges(ctx, []any{r.CommentID, r.AccountID, q.at})
}

// logChanges writes change-feed rows (comment, account, time: args holds
// sqlChanges.width values a row) and adds them to the transaction's
// changes, in position order: a statement's rows get consecutive
// positions ending at its last insert id.
func (q *ingestStmts) logChanges(ctx context.Context, args []any) error {
	next := 0 // the first row of args not yet given its position
	return q.run(ctx, sqlChanges, args, nil, func(rows int, res sql.Result) error {
		last, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for i := range rows {
			row := args[(next+i)*sqlChanges.width:]
			q.changes = append(q.changes, inbox.Change{
				Position: last - int64(rows-1-i), CommentID: row[0].(string), AccountID: row[1].(string)})
		}
		next += rows
		return nil
	})
}
