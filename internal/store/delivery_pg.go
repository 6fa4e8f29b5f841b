package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/outbound"
)

// The ingest hot path on PostgreSQL. SQLite runs in the process, so a
// statement per comment costs nothing but the work (ingest_stmts.go); a
// PostgreSQL statement is a round trip, so here a whole group commit is a
// handful of set-based statements (unnest of one array per column) however
// many deliveries and comments it holds.

const sqlInsertCommentsPG = `INSERT INTO comments (id, account_id, media_id, media_product_type, surface, ad_id, ad_title,
	original_media_id, parent_id, from_id, username, text, live, status, deadline, deadline_exact, created_at,
	entry_time, received_at, updated_at, rule_id, suggested_template_id)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
	$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::smallint[], $14::text[], $15::bigint[],
	$16::smallint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[])
ON CONFLICT (id) DO NOTHING RETURNING id`

const sqlUpsertMediaPG = `INSERT INTO media (id, account_id, media_product_type, ad_id, ad_title, original_media_id, updated_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
ON CONFLICT (id) DO UPDATE SET
	media_product_type = CASE WHEN excluded.media_product_type <> '' THEN excluded.media_product_type ELSE media.media_product_type END,
	ad_id = CASE WHEN excluded.ad_id <> '' THEN excluded.ad_id ELSE media.ad_id END,
	ad_title = CASE WHEN excluded.ad_title <> '' THEN excluded.ad_title ELSE media.ad_title END,
	original_media_id = CASE WHEN excluded.original_media_id <> '' THEN excluded.original_media_id ELSE media.original_media_id END,
	updated_at = excluded.updated_at`

const sqlInsertCreatedPG = `INSERT INTO outbound_events (name, comment_id, account_id, at)
SELECT '` + outbound.CommentCreated + `', c, a, $3 FROM unnest($1::text[], $2::text[]) AS t(c, a)
ON CONFLICT DO NOTHING`

// sqlTouchAccountPG is sqlTouchAccount with its time typed: a busy
// account's row is written once a second, not by every commit.
const sqlTouchAccountPG = `UPDATE accounts SET last_webhook_at = $1 WHERE id = $2 AND last_webhook_at < $1::bigint - 1000`

const sqlInsertDeliveriesPG = `INSERT INTO deliveries (received_at, signature, body, comments_new, comments_dup,
	comments_skipped, unknown_accounts, unknown_comments, comments_rejected)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::int[], $5::int[], $6::int[], $7::text[], $8::int[], $9::int[])`

// commitDeliveriesPG is CommitDeliveries on PostgreSQL.
func (s *Store) commitDeliveriesPG(ctx context.Context, ds []DeliveryIn) ([]DeliveryResult, error) {
	var out []DeliveryResult
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		conn := tx.Statement.ConnPool
		out = make([]DeliveryResult, len(ds)) // afresh if the transaction runs again
		var ids []string
		if err := tx.Raw(sqlAccounts).Scan(&ids).Error; err != nil {
			return nil, err
		}
		connected := make(map[string]bool, len(ids))
		for _, id := range ids {
			connected[id] = true
		}
		cs, from, seen := sortDeliveries(ds, connected, out)
		order := make([]int, len(cs))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return lockCompare(cs[a], cs[b]) })
		sorted := make([]inbox.Comment, len(cs))
		for i, j := range order {
			sorted[i] = cs[j]
		}
		isNew, changes, err := s.insertCommentsPG(ctx, conn, sorted)
		if err != nil {
			return nil, err
		}
		for i, j := range order {
			if res := &out[from[j]]; isNew[i] {
				res.New = append(res.New, sorted[i])
			} else {
				res.Duplicates++
			}
		}
		ownChanges, err := s.insertOwnRepliesPG(ctx, conn, ds, connected)
		if err != nil {
			return nil, err
		}
		n := len(ds)
		at, sig, body := make([]int64, n), make([]string, n), make([][]byte, n)
		news, dups, own, unknownAccts, unknown := make([]int32, n), make([]int32, n), make([]int32, n), make([]string, n), make([]int32, n)
		rejected := make([]int32, n)
		for i, d := range ds {
			res := out[i]
			at[i], sig[i], body[i] = ms(d.ReceivedAt), d.Signature, d.Body
			news[i], dups[i], own[i] = int32(len(res.New)), int32(res.Duplicates), int32(d.Own)
			unknownAccts[i], unknown[i] = strings.Join(res.UnknownAccounts, ","), int32(res.Unknown)
			rejected[i] = int32(d.Rejected)
		}
		if _, err := conn.ExecContext(ctx, sqlInsertDeliveriesPG, at, sig, body, news, dups, own, unknownAccts, unknown, rejected); err != nil {
			return nil, fmt.Errorf("insert deliveries: %w", err)
		}
		for _, acct := range slices.Sorted(maps.Keys(seen)) {
			if _, err := conn.ExecContext(ctx, sqlTouchAccountPG, ms(seen[acct]), acct); err != nil {
				return nil, err
			}
		}
		if err := s.recordCreatedPG(ctx, tx, changes); err != nil {
			return nil, err
		}
		return append(changes, ownChanges...), nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: commit %d deliveries: %w", len(ds), err)
	}
	return out, nil
}

const sqlInsertOwnRepliesPG = `INSERT INTO public_replies (id, comment_id, account_id, text, created_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
ON CONFLICT (id) DO NOTHING RETURNING comment_id, account_id`

// insertOwnRepliesPG stores the connected accounts' own public replies the
// deliveries carry, unless known (the answer to our call came first), and
// answers the changes to the comments they answer.
func (s *Store) insertOwnRepliesPG(ctx context.Context, conn gorm.ConnPool, ds []DeliveryIn, connected map[string]bool) ([]inbox.Change, error) {
	var id, comment, acct, text []string
	var at []int64
	for _, d := range ds {
		for _, r := range d.OwnReplies {
			if connected[r.AccountID] && !slices.Contains(id, r.ID) {
				id, comment, acct, text = append(id, r.ID), append(comment, r.CommentID), append(acct, r.AccountID), append(text, r.Text)
				at = append(at, ms(r.CreatedAt))
			}
		}
	}
	if len(id) == 0 {
		return nil, nil
	}
	rows, err := conn.QueryContext(ctx, sqlInsertOwnRepliesPG, id, comment, acct, text, at)
	if err != nil {
		return nil, fmt.Errorf("insert public replies: %w", err)
	}
	defer rows.Close()
	var changes []inbox.Change
	for rows.Next() {
		var c inbox.Change
		if err := rows.Scan(&c.CommentID, &c.AccountID); err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("insert public replies: %w", err)
	}
	return changes, nil
}

// insertCommentsPG stores the comments not known yet (cs in lock order) and
// their media, and answers which of cs it stored and their changes to log:
// of several with one id, the first.
func (s *Store) insertCommentsPG(ctx context.Context, conn gorm.ConnPool, cs []inbox.Comment) ([]bool, []inbox.Change, error) {
	isNew := make([]bool, len(cs))
	if len(cs) == 0 {
		return isNew, nil, nil
	}
	n := len(cs)
	var text [12][]string
	for k := range text {
		text[k] = make([]string, n)
	}
	status := make([]string, n)
	live, exact := make([]int16, n), make([]int16, n)
	var nums [5][]int64
	for k := range nums {
		nums[k] = make([]int64, n)
	}
	var refs [2][]*int64 // rule_id, suggested_template_id: NULL when none
	for k := range refs {
		refs[k] = make([]*int64, n)
	}
	for i, c := range cs {
		r := commentToRow(c)
		for k, v := range []string{r.ID, r.AccountID, r.MediaID, r.MediaProductType, r.Surface, r.AdID, r.AdTitle,
			r.OriginalMediaID, r.ParentID, r.FromID, r.Username, r.Text} {
			text[k][i] = v
		}
		status[i] = r.Status
		live[i], exact[i] = flagInt(r.Live), flagInt(r.DeadlineExact)
		for k, v := range []int64{r.Deadline, r.CreatedAt, r.EntryTime, r.ReceivedAt, r.UpdatedAt} {
			nums[k][i] = v
		}
		refs[0][i], refs[1][i] = r.RuleID, r.SuggestedTemplateID
	}
	rows, err := conn.QueryContext(ctx, sqlInsertCommentsPG, text[0], text[1], text[2], text[3], text[4], text[5], text[6],
		text[7], text[8], text[9], text[10], text[11], live, status, nums[0], exact, nums[1], nums[2], nums[3], nums[4], refs[0], refs[1])
	if err != nil {
		return nil, nil, fmt.Errorf("insert comments: %w", err)
	}
	stored := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, nil, err
		}
		stored[id] = true
	}
	if err := rows.Close(); err != nil {
		return nil, nil, fmt.Errorf("insert comments: %w", err)
	}
	var changes []inbox.Change
	media := map[string]inbox.Comment{} // the new comments' media, what each says folded in order
	for i, c := range cs {
		if !stored[c.ID] {
			continue
		}
		delete(stored, c.ID) // a second copy in this batch is a duplicate
		isNew[i] = true
		changes = append(changes, inbox.Change{CommentID: c.ID, AccountID: c.AccountID})
		if c.MediaID == "" {
			continue
		}
		m, ok := media[c.MediaID]
		if !ok {
			m = inbox.Comment{MediaID: c.MediaID, AccountID: c.AccountID}
		}
		m.MediaProductType = cmpOr(c.MediaProductType, m.MediaProductType)
		m.AdID, m.AdTitle = cmpOr(c.AdID, m.AdID), cmpOr(c.AdTitle, m.AdTitle)
		m.OriginalMediaID, m.ReceivedAt = cmpOr(c.OriginalMediaID, m.OriginalMediaID), c.ReceivedAt
		media[c.MediaID] = m
	}
	if len(media) > 0 {
		var cols [6][]string
		var at []int64
		for _, id := range slices.Sorted(maps.Keys(media)) {
			m := media[id]
			for k, v := range []string{m.MediaID, m.AccountID, m.MediaProductType, m.AdID, m.AdTitle, m.OriginalMediaID} {
				cols[k] = append(cols[k], v)
			}
			at = append(at, ms(m.ReceivedAt))
		}
		if _, err := conn.ExecContext(ctx, sqlUpsertMediaPG, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], at); err != nil {
			return nil, nil, fmt.Errorf("upsert media: %w", err)
		}
	}
	return isNew, changes, nil
}

// recordCreatedPG records comment.created for the comments stored (the
// outbound webhooks' news), last in the transaction: see lockEvents.
func (s *Store) recordCreatedPG(ctx context.Context, tx *gorm.DB, changes []inbox.Change) error {
	if len(changes) == 0 {
		return nil
	}
	// While no outbound webhook wants comment.created, none is recorded
	// (as on SQLite: ingest_stmts.go).
	var wanted bool
	if err := tx.Raw(sqlEventWanted, outbound.CommentCreated).Scan(&wanted).Error; err != nil || !wanted {
		return err
	}
	if err := s.lockEvents(tx); err != nil {
		return err
	}
	cids, aids := make([]string, len(changes)), make([]string, len(changes))
	for i, c := range changes {
		cids[i], aids[i] = c.CommentID, c.AccountID
	}
	if _, err := tx.Statement.ConnPool.ExecContext(ctx, sqlInsertCreatedPG, cids, aids, ms(s.now())); err != nil {
		return fmt.Errorf("record comment.created: %w", err)
	}
	return nil
}

// cmpOr is the first of a, b that is not empty (what a later delivery says
// about a media, unless it says nothing).
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func flagInt(b bool) int16 {
	if b {
		return 1
	}
	return 0
}

// lockCompare orders comments the way every ingest transaction takes its
// row locks on PostgreSQL (their media rows, then the comments), so that two
// transactions in two processes never wait on each other in a circle.
func lockCompare(a, b inbox.Comment) int {
	return cmp.Or(cmp.Compare(a.MediaID, b.MediaID), cmp.Compare(a.ID, b.ID))
}
