package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/rules"
)

// rulesMark is the settings key of the arrival position rules have looked
// at up to (a comments rowid: rows are numbered in commit order, as the
// database has one writer).
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

// LatestArrival is the arrival position of the newest comment.
func (s *Store) LatestArrival(ctx context.Context) (int64, error) {
	var n int64
	if err := s.r.WithContext(ctx).Raw(`SELECT COALESCE(MAX(rowid), 0) FROM comments`).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("store: latest arrival: %w", err)
	}
	return n, nil
}

// arrivalRow is a comment with its arrival position.
type arrivalRow struct {
	Item    itemRow `gorm:"embedded"`
	Arrival int64
}

// Arrivals lists up to limit comments that arrived after position after,
// in arrival order (webhooks and backfill alike), and the position of the
// last one (after itself when there is none).
func (s *Store) Arrivals(ctx context.Context, after int64, limit int) ([]inbox.Item, int64, error) {
	var rows []arrivalRow
	q := `SELECT c.rowid AS arrival, c.*, COALESCE(a.username, '') AS account_username, '' AS status_by_name
		FROM comments c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?`
	if err := s.r.WithContext(ctx).Raw(q, after, limit).Scan(&rows).Error; err != nil {
		return nil, after, fmt.Errorf("store: arrivals after %d: %w", after, err)
	}
	out := make([]inbox.Item, len(rows))
	for i, r := range rows {
		out[i] = r.Item.toItem()
		after = r.Arrival
	}
	return out, after, nil
}

// RecentItems lists, newest first, up to limit comments userID may see
// that arrived before position before (0: from the newest) and not before
// since, and the position to continue from (0 when nothing older is left).
// A rule test reads the last days this way, page by page.
func (s *Store) RecentItems(ctx context.Context, userID int64, since time.Time, before int64, limit int) ([]inbox.Item, int64, error) {
	if before <= 0 {
		before = 1 << 62
	}
	var rows []arrivalRow
	// Arrival order is receipt order, so the first row older than since
	// ends the walk; the account condition is applied in the same pass.
	q := `SELECT c.rowid AS arrival, c.*, COALESCE(a.username, '') AS account_username, '' AS status_by_name
		FROM comments c LEFT JOIN accounts a ON a.id = c.account_id
		WHERE c.rowid < ? ORDER BY c.rowid DESC LIMIT ?`
	if err := s.r.WithContext(ctx).Raw(q, before, limit).Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: recent comments: %w", err)
	}
	visible, err := s.replyableAccounts(ctx, userID)
	if err != nil {
		return nil, 0, err
	}
	next := int64(0)
	if len(rows) == limit {
		next = rows[len(rows)-1].Arrival
	}
	out := make([]inbox.Item, 0, len(rows))
	for _, r := range rows {
		if r.Item.C.ReceivedAt < ms(since) {
			return out, 0, nil
		}
		if visible[r.Item.C.AccountID] {
			out = append(out, r.Item.toItem())
		}
	}
	return out, next, nil
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
// on it and nothing was sent: a rule may still apply.
const untouched = `comments.status = 'open' AND comments.status_by IS NULL
	AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.comment_id = comments.id)`

// ApplyRules records what rules decided about arrived comments and moves
// the rules mark to mark, in one transaction. An outcome applies only to a
// comment no rule has applied to yet and no person has touched; a send
// queues its reply unless the comment already has one or the reply's
// once-per-commenter key is taken. It answers the outcomes applied and the
// replies queued.
func (s *Store) ApplyRules(ctx context.Context, outcomes []rules.Outcome, mark int64) ([]rules.Outcome, []reply.Reply, error) {
	var applied []rules.Outcome
	var queued []reply.Reply
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		applied, queued = applied[:0], queued[:0]
		now := ms(s.now())
		var changes []inbox.Change
		for _, o := range outcomes {
			dismiss := o.Action == rules.Dismiss
			var ch []inbox.Change
			err := tx.Raw(`UPDATE comments SET rule_id = ?, suggested_template_id = ?, updated_at = ?,
					status = CASE WHEN ? THEN 'dismissed' ELSE status END,
					status_at = CASE WHEN ? THEN ? ELSE status_at END
				WHERE id = ? AND rule_id IS NULL AND `+untouched+`
				RETURNING id AS comment_id, account_id`,
				o.RuleID, nullable(o.SuggestedTemplateID), now, dismiss, dismiss, now, o.CommentID).Scan(&ch).Error
			if err != nil {
				return nil, err
			}
			if len(ch) == 0 {
				continue // a person got there first, or a rule already did
			}
			changes = append(changes, ch...)
			applied = append(applied, o)
			if o.Reply == nil {
				continue
			}
			r, ok, err := s.queueAutomatic(tx, *o.Reply, now)
			if err != nil {
				return nil, err
			}
			if ok {
				queued = append(queued, r)
			}
		}
		err := tx.Exec(`UPDATE settings SET value = ?, updated_at = ? WHERE key = ? AND CAST(value AS INTEGER) < ?`,
			strconv.FormatInt(mark, 10), now, rulesMark, mark).Error
		return changes, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: apply rules to %d comments: %w", len(outcomes), err)
	}
	return applied, queued, nil
}

// queueAutomatic records a rule's reply as queued, unless the comment has
// a live reply or the once-per-commenter key is taken (false).
func (s *Store) queueAutomatic(tx *gorm.DB, r reply.Reply, now int64) (reply.Reply, bool, error) {
	row := replyRow{
		CommentID: r.CommentID, AccountID: r.AccountID, State: string(reply.Queued), Text: r.Text,
		TemplateName: r.TemplateName, UserName: r.UserName, Live: r.Live, Deadline: ms(r.Deadline),
		NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if r.TemplateID != 0 {
		row.TemplateID = &r.TemplateID
	}
	if r.RuleID != 0 {
		row.RuleID = &r.RuleID
	}
	if r.OnceKey != "" {
		row.OnceKey = &r.OnceKey
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return reply.Reply{}, false, res.Error
	}
	return row.toDomain(), res.RowsAffected == 1, nil
}
