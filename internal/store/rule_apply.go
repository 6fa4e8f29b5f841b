package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/rules"
)

// rulesMark is the settings key of the arrival position rules have looked
// at up to: on SQLite a comments rowid (rows are numbered in commit order,
// as the database has one writer); on PostgreSQL a comments arrival, the
// id of the transaction that stored the comment (see arrivalHorizon).
const rulesMark = "rules_rowid"

// RulesMark is where rules stopped: comments that arrived after it have not
// been looked at yet.
func (s *Store) RulesMark(ctx context.Context) (int64, error) {
	raw, err := s.Setting(ctx, rulesMark)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("store: rules mark %q: %w", raw, err)
	}
	return n, nil
}

// SaveRulesMark records where rules stopped.
func (s *Store) SaveRulesMark(ctx context.Context, mark int64) error {
	return s.SetSetting(ctx, rulesMark, strconv.FormatInt(mark, 10))
}

// rulesRewind is the settings key a purge leaves when it deleted the newest
// comments: SQLite hands their rowids out again, so the rules must look
// again from there, even where the runner had looked before (its mark in
// memory runs ahead of the stored one).
const rulesRewind = "rules_rewind"

// rewindRules, in a purge's transaction, brings the rules back to top, the
// newest comment left: the stored mark, and the rewind the runner picks up
// (the lowest of those not yet picked up).
func rewindRules(tx *gorm.DB, top int64) error {
	v := strconv.FormatInt(top, 10)
	err := tx.Exec(`UPDATE settings SET value = ? WHERE key = ? AND CAST(value AS BIGINT) > ?`, v, rulesMark, top).Error
	if err != nil {
		return err
	}
	return tx.Exec(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(settings.value AS BIGINT) > CAST(excluded.value AS BIGINT)`,
		rulesRewind, v).Error
}

// RulesRewind reports where a purge brought the rules back to, if one did
// since the runner last picked it up (PickedRulesRewind).
func (s *Store) RulesRewind(ctx context.Context) (int64, bool, error) {
	raw, err := s.Setting(ctx, rulesRewind)
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("store: rules rewind %q: %w", raw, err)
	}
	return n, true, nil
}

// PickedRulesRewind says the runner looks again from at: the stored mark
// comes down to it too (a mark saved meanwhile from memory would pass over
// the rowids handed out again, after a restart), and the rewind goes
// unless another purge lowered it meanwhile.
func (s *Store) PickedRulesRewind(ctx context.Context, at int64) error {
	v := strconv.FormatInt(at, 10)
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE settings SET value = ? WHERE key = ? AND CAST(value AS BIGINT) > ?`, v, rulesMark, at).Error; err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM settings WHERE key = ? AND value = ?`, rulesRewind, v).Error
	})
	if err != nil {
		return fmt.Errorf("store: rules rewind picked up: %w", err)
	}
	return nil
}

// LatestArrival is the arrival position of the newest comment (on
// PostgreSQL, the newest below the horizon: see arrivalHorizon).
func (s *Store) LatestArrival(ctx context.Context) (int64, error) {
	var n int64
	q, args := `SELECT COALESCE(MAX(rowid), 0) FROM comments`, []any(nil)
	if s.pg {
		h, err := s.arrivalHorizon(ctx)
		if err != nil {
			return 0, fmt.Errorf("store: latest arrival: %w", err)
		}
		q, args = `SELECT COALESCE(MAX(arrival), 0) FROM comments WHERE arrival < ?`, []any{h}
	}
	if err := s.r.WithContext(ctx).Raw(q, args...).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("store: latest arrival: %w", err)
	}
	return n, nil
}

// arrivalHorizon is, on PostgreSQL, the arrival below which every comment
// is committed (or rolled back): a comment's arrival is the id of the
// transaction that stored it (migrations/postgres/00012_rules.sql), and the
// horizon is the oldest transaction still running on this database, or,
// when none is, the next id to be handed out. Rules read arrivals below it
// only, so a transaction that commits late is never passed over. (The next
// id is read first: a transaction that got its id before it and is still
// running is then among those listed running.) Other databases of the
// server do not hold it back. PostgreSQL shows a session's transaction to
// its own role (and to superusers), so every process connects as one role,
// as "More than one machine" (README) sets them up.
func (s *Store) arrivalHorizon(ctx context.Context) (int64, error) {
	db, err := s.r.DB()
	if err != nil {
		return 0, err
	}
	var next int64
	if err := db.QueryRowContext(ctx, `SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint`).Scan(&next); err != nil {
		return 0, err
	}
	rows, err := db.QueryContext(ctx, `SELECT backend_xid::text::bigint FROM pg_stat_activity
		WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	h := next
	for rows.Next() {
		var x int64 // 32 bits: the full id is the latest one below next that ends in them
		if err := rows.Scan(&x); err != nil {
			return 0, err
		}
		h = min(h, next-int64(uint32(next)-uint32(x)))
	}
	return h, rows.Err()
}

// arrivalRow is a comment with its arrival position.
type arrivalRow struct {
	Item    itemRow `gorm:"embedded"`
	Arrival int64
}

// Arrivals lists up to limit comments that arrived after position after,
// in arrival order (webhooks and backfill alike), and the position of the
// last one (after itself when there is none). The items carry what rules
// look at: every field but the triage names. It reads every comment that
// arrives, so it scans rows itself rather than through GORM.
func (s *Store) Arrivals(ctx context.Context, after int64, limit int) ([]inbox.Item, int64, error) {
	db, err := s.r.DB()
	if err != nil {
		return nil, after, err
	}
	const cols = `c.id, c.account_id, c.media_id, c.media_product_type, c.surface, c.ad_id,
			c.ad_title, c.parent_id, c.from_id, c.username, c.text, c.live, c.status, c.status_by, c.deadline, c.deadline_exact,
			c.received_at, c.rule_id, c.suggested_template_id, COALESCE(a.username, '')`
	q, args := `SELECT c.rowid, `+cols+`
		FROM comments c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?`, []any{after, limit}
	if s.pg {
		// Whole transactions below the horizon: a batch never ends inside
		// one (they share an arrival), so it may hold more than limit.
		h, err := s.arrivalHorizon(ctx)
		if err != nil {
			return nil, after, fmt.Errorf("store: arrivals after %d: %w", after, err)
		}
		q, args = `SELECT c.arrival, `+cols+`
		FROM comments c LEFT JOIN accounts a ON a.id = c.account_id
		WHERE c.arrival > $1 AND c.arrival <= (SELECT MAX(arrival) FROM
			(SELECT arrival FROM comments WHERE arrival > $1 AND arrival < $2 ORDER BY arrival LIMIT $3) AS b)
		ORDER BY c.arrival, c.id`, []any{after, h, limit}
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, after, fmt.Errorf("store: arrivals after %d: %w", after, err)
	}
	defer rows.Close()
	out := make([]inbox.Item, 0, limit)
	for rows.Next() {
		var it inbox.Item
		var r commentRow
		if err := rows.Scan(&after, &r.ID, &r.AccountID, &r.MediaID, &r.MediaProductType, &r.Surface, &r.AdID, &r.AdTitle,
			&r.ParentID, &r.FromID, &r.Username, &r.Text, &r.Live, &r.Status, &r.StatusBy, &r.Deadline, &r.DeadlineExact,
			&r.ReceivedAt, &r.RuleID, &r.SuggestedTemplateID, &it.AccountUsername); err != nil {
			return nil, after, fmt.Errorf("store: arrivals: %w", err)
		}
		it.Comment = r.toDomain()
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, after, fmt.Errorf("store: arrivals: %w", err)
	}
	return out, after, nil
}

// RecentComments lists, newest first, up to limit comments userID may see
// that arrived before position before (0: from the newest) and not before
// since, and the position to continue from (0 when nothing older is left).
// A rule test reads the last week this way, page by page, so each comment
// carries only what rules match on (id, account, media, surface, text,
// receipt time) and rows are scanned without GORM.
func (s *Store) RecentComments(ctx context.Context, userID int64, since time.Time, before int64, limit int) ([]inbox.Comment, int64, error) {
	if before <= 0 {
		before = 1 << 62
	}
	visible, err := s.replyableAccounts(ctx, userID)
	if err != nil {
		return nil, 0, err
	}
	db, err := s.r.DB()
	if err != nil {
		return nil, 0, err
	}
	// Arrival order is receipt order, so the first row older than since
	// ends the walk.
	q := `SELECT rowid, id, account_id, media_id, surface, text, received_at
		FROM comments WHERE rowid < ? ORDER BY rowid DESC LIMIT ?`
	if s.pg {
		// Whole transactions (they share an arrival): a page may hold more
		// than limit, and the next one starts below its last arrival.
		q = `SELECT arrival, id, account_id, media_id, surface, text, received_at
		FROM comments WHERE arrival < $1 AND arrival >= (SELECT COALESCE(MIN(arrival), 0) FROM
			(SELECT arrival FROM comments WHERE arrival < $1 ORDER BY arrival DESC LIMIT $2) AS b)
		ORDER BY arrival DESC, id DESC`
	}
	rows, err := db.QueryContext(ctx, q, before, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: recent comments: %w", err)
	}
	defer rows.Close()
	out := make([]inbox.Comment, 0, limit)
	n, last, cutoff := 0, int64(0), ms(since)
	for rows.Next() {
		var c inbox.Comment
		var surface string
		var received int64
		if err := rows.Scan(&last, &c.ID, &c.AccountID, &c.MediaID, &surface, &c.Text, &received); err != nil {
			return nil, 0, fmt.Errorf("store: recent comments: %w", err)
		}
		n++
		if received < cutoff {
			return out, 0, nil
		}
		if visible[c.AccountID] {
			c.Surface, c.ReceivedAt = inbox.Surface(surface), fromMS(received)
			out = append(out, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: recent comments: %w", err)
	}
	if n < limit {
		last = 0
	}
	return out, last, nil
}

func (s *Store) replyableAccounts(ctx context.Context, userID int64) (map[string]bool, error) {
	var ids []string
	err := s.r.WithContext(ctx).Raw(`SELECT account_id FROM account_access WHERE user_id = ? AND can_reply = 1`, userID).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: accounts of user %d: %w", userID, err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// untouched is the condition on a row of comments that no person has acted
// on it (status, reply, assignment) and nothing was sent: a rule may still
// apply.
const untouched = `comments.status = 'open' AND comments.status_by IS NULL
	AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.comment_id = comments.id)
	AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.comment_id = comments.id AND a.by_id IS NOT NULL)`

// ruleAuthor is how a rule signs what it does where a person's name goes
// (Reply.by, an assignment's by_name): "rule:<name>".
const ruleAuthor = `'rule:' || COALESCE((SELECT name FROM rules WHERE id = ?), '')`

// Applied is what ApplyRules did.
type Applied struct {
	Outcomes []rules.Outcome // applied (the comment was untouched)
	Replies  []reply.Reply   // queued
}

// ApplyRules records what rules decided about arrived comments and moves
// the rules mark up to mark, in one transaction.
// An outcome applies only to a comment no rule has applied to yet and no
// person has touched; a send queues its reply unless the comment already
// has one or the reply's once-per-commenter key is taken. Statements are
// per batch, not per comment: a burst of Live comments holds the writer for
// milliseconds.
func (s *Store) ApplyRules(ctx context.Context, outcomes []rules.Outcome, mark int64) (Applied, error) {
	var out Applied
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		out = Applied{}
		now := ms(s.now())
		changes, err := applyOutcomes(tx, outcomes, now)
		if err != nil {
			return nil, err
		}
		done := make(map[string]bool, len(changes))
		for _, c := range changes {
			done[c.CommentID] = true
		}
		var replies []reply.Reply
		for _, o := range outcomes {
			if done[o.CommentID] {
				out.Outcomes = append(out.Outcomes, o)
				if o.Reply != nil {
					replies = append(replies, *o.Reply)
				}
			}
		}
		if out.Replies, err = queueAutomatic(tx, replies, now); err != nil {
			return nil, err
		}
		err = tx.Exec(`UPDATE settings SET value = ?, updated_at = ? WHERE key = ? AND CAST(value AS BIGINT) < ?`,
			strconv.FormatInt(mark, 10), now, rulesMark, mark).Error
		return changes, err
	})
	if err != nil {
		return Applied{}, fmt.Errorf("store: apply rules to %d comments: %w", len(outcomes), err)
	}
	return out, nil
}

// applyOutcomes marks the comments, one statement per kind of outcome (the
// same rule, suggestion and status), and answers those it changed.
func applyOutcomes(tx *gorm.DB, outcomes []rules.Outcome, now int64) ([]inbox.Change, error) {
	type kind struct {
		rule, template, assignee int64
		dismiss                  bool
	}
	var order []kind
	groups := map[kind][]string{}
	for _, o := range outcomes {
		k := kind{o.RuleID, o.SuggestedTemplateID, 0, o.Action == rules.Dismiss}
		if o.Action == rules.Assign {
			k.assignee = o.AssigneeID
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], o.CommentID)
	}
	var changes []inbox.Change
	for _, k := range order {
		ids := groups[k]
		for len(ids) > 0 {
			part := ids[:min(len(ids), 500)]
			ids = ids[len(part):]
			// Only a dismissal names status: an UPDATE that sets a column
			// rewrites every index on it, changed or not.
			set, args := "rule_id = ?, suggested_template_id = ?, updated_at = ?", []any{k.rule, nullable(k.template), now}
			if k.dismiss {
				set += ", status = 'dismissed', status_at = ?"
				args = append(args, now)
			}
			where := ""
			if k.assignee != 0 {
				// Only to someone who may reply on the comment's account,
				// and only a comment nobody has yet.
				set += ", assignee_id = ?"
				args = append(args, k.assignee)
				where = ` AND comments.assignee_id IS NULL AND EXISTS (SELECT 1 FROM account_access x
					WHERE x.user_id = ? AND x.account_id = comments.account_id AND x.can_reply = 1)`
			}
			args = append(args, part)
			if k.assignee != 0 {
				args = append(args, k.assignee)
			}
			var ch []inbox.Change
			err := tx.Raw(`UPDATE comments SET `+set+` WHERE id IN ? AND rule_id IS NULL AND `+untouched+where+`
				RETURNING id AS comment_id, account_id`, args...).Scan(&ch).Error
			if err != nil {
				return nil, err
			}
			if k.assignee != 0 && len(ch) > 0 {
				// The comment's assignment history says the rule did it.
				got := make([]string, len(ch))
				for i, c := range ch {
					got[i] = c.CommentID
				}
				err := tx.Exec(`INSERT INTO assignments (comment_id, assignee_id, assignee_name, by_name, auto, at)
					SELECT c.id, u.id, u.name, `+ruleAuthor+`, 0, ? FROM comments c JOIN users u ON u.id = ? WHERE c.id IN ?`,
					k.rule, now, k.assignee, got).Error
				if err != nil {
					return nil, err
				}
			}
			changes = append(changes, ch...)
		}
	}
	return changes, nil
}

// queueAutomatic records rules' replies as queued, in multi-row inserts;
// a reply whose comment has a live reply, or whose once-per-commenter key
// is taken (also by an earlier row of the same batch), is left out.
func queueAutomatic(tx *gorm.DB, rs []reply.Reply, now int64) ([]reply.Reply, error) {
	const cols = 13 // parameters a row
	var out []reply.Reply
	for len(rs) > 0 {
		part := rs[:min(len(rs), 500)]
		rs = rs[len(part):]
		var q strings.Builder
		args := make([]any, 0, cols*len(part))
		q.WriteString(`INSERT INTO replies (comment_id, account_id, state, text, template_id, template_name, user_name,
			rule_id, once_key, live, deadline, next_attempt_at, created_at, updated_at) VALUES `)
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			var key any
			if r.OnceKey != "" {
				key = r.OnceKey
			}
			args = append(args, r.CommentID, r.AccountID, r.Text, nullable(r.TemplateID), r.TemplateName, r.UserName,
				nullable(r.RuleID), key, r.Live, ms(r.Deadline), now, now, now)
		}
		q.WriteString(" ON CONFLICT DO NOTHING RETURNING *")
		var rows []replyRow
		if err := tx.Raw(q.String(), args...).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, row := range rows {
			out = append(out, row.toDomain())
		}
	}
	// An automatic reply is a use of its template, as a person's is.
	uses := map[int64]int{}
	for _, r := range out {
		if r.TemplateID != 0 {
			uses[r.TemplateID]++
		}
	}
	for id, n := range uses {
		err := tx.Exec(`UPDATE templates SET use_count = use_count + ?, last_used_at = CASE WHEN last_used_at > ? THEN last_used_at ELSE ? END WHERE id = ?`, n, now, now, id).Error
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RecentMedia lists the media of the accounts userID may see that comments
// arrived on most recently, newest first, each with its latest comment.
func (s *Store) RecentMedia(ctx context.Context, userID int64, limit int) ([]inbox.Media, error) {
	var rows []struct {
		ID, AccountID, Username, MediaProductType, AdID, AdTitle string
		UpdatedAt                                                int64
		LastText                                                 *string
	}
	err := s.r.WithContext(ctx).Raw(`SELECT m.id, m.account_id, a.username, m.media_product_type, m.ad_id, m.ad_title, m.updated_at,
			(SELECT c.text FROM comments c WHERE c.media_id = m.id ORDER BY c.received_at DESC LIMIT 1) AS last_text
		FROM media m JOIN accounts a ON a.id = m.account_id
		WHERE m.account_id IN (SELECT account_id FROM account_access WHERE user_id = ? AND can_reply = 1)
		ORDER BY m.updated_at DESC LIMIT ?`, userID, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: recent media: %w", err)
	}
	out := make([]inbox.Media, len(rows))
	for i, r := range rows {
		out[i] = inbox.Media{ID: r.ID, AccountID: r.AccountID, AccountUsername: r.Username, AdTitle: r.AdTitle,
			Surface: inbox.SurfaceOf(r.MediaProductType, r.AdID, false), LastAt: fromMS(r.UpdatedAt)}
		if r.LastText != nil {
			out[i].LastText = *r.LastText
		}
	}
	return out, nil
}
