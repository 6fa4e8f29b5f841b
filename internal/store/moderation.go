package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
)

// actionRow is the comment_actions table: moderation requests and their
// outcome, the comment's moderation history.
type actionRow struct {
	ID            int64 `gorm:"primaryKey"`
	CommentID     string
	AccountID     string
	Kind          string
	State         string
	Text          string
	TemplateID    *int64
	TemplateName  string
	Nudge         bool
	AfterReplyID  *int64
	Bulk          bool
	UserID        *int64
	UserName      string
	Attempts      int
	Ambiguous     bool
	NextAttemptAt int64
	ResultID      string
	ErrorKind     string
	Error         string
	CreatedAt     int64 `gorm:"autoCreateTime:false"`
	UpdatedAt     int64 `gorm:"autoUpdateTime:false"`
	DoneAt        int64
}

func (actionRow) TableName() string { return "comment_actions" }

func (r actionRow) toDomain() moderation.Action {
	a := moderation.Action{
		ID: r.ID, CommentID: r.CommentID, AccountID: r.AccountID, Kind: moderation.Kind(r.Kind),
		State: moderation.State(r.State), Text: r.Text, TemplateName: r.TemplateName, Nudge: r.Nudge, Bulk: r.Bulk,
		UserName: r.UserName, Attempts: r.Attempts, Ambiguous: r.Ambiguous, NextAttemptAt: fromMS(r.NextAttemptAt),
		ResultID: r.ResultID, ErrorKind: moderation.ErrorKind(r.ErrorKind), Error: r.Error,
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt), DoneAt: fromMS(r.DoneAt),
	}
	if r.TemplateID != nil {
		a.TemplateID = *r.TemplateID
	}
	if r.AfterReplyID != nil {
		a.AfterReplyID = *r.AfterReplyID
	}
	if r.UserID != nil {
		a.UserID = *r.UserID
	}
	return a
}

func actionToRow(a moderation.Action, now int64) actionRow {
	r := actionRow{
		CommentID: a.CommentID, AccountID: a.AccountID, Kind: string(a.Kind), State: string(a.State), Text: a.Text,
		TemplateName: a.TemplateName, Nudge: a.Nudge, Bulk: a.Bulk, UserName: a.UserName,
		NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if r.State == "" {
		r.State = string(moderation.Queued)
	}
	if a.TemplateID != 0 {
		r.TemplateID = &a.TemplateID
	}
	if a.AfterReplyID != 0 {
		r.AfterReplyID = &a.AfterReplyID
	}
	if a.UserID != 0 {
		r.UserID = &a.UserID
	}
	return r
}

// pendingVisibility is the condition of comment_actions_one_visibility,
// written as the index is, so that SQLite uses it.
const pendingVisibility = `kind IN ('hide', 'unhide', 'delete') AND state IN ('queued', 'working', 'retrying')`

// QueueActions records moderation actions, already checked, in one
// transaction, and publishes a change for each comment they concern. An
// action that collides with one already pending on its comment (or the
// same public reply already made) is not recorded: its comment id is
// listed in dup.
func (s *Store) QueueActions(ctx context.Context, as []moderation.Action) (queued []moderation.Action, dup []string, err error) {
	now := ms(s.now())
	_, err = s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		queued, dup = queued[:0], dup[:0]
		var log []inbox.Change
		for _, a := range as {
			row := actionToRow(a, now)
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			if res.Error != nil {
				return nil, res.Error
			}
			if res.RowsAffected == 0 {
				dup = append(dup, a.CommentID)
				continue
			}
			queued = append(queued, row.toDomain())
			log = append(log, inbox.Change{CommentID: a.CommentID, AccountID: a.AccountID})
		}
		return log, nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: queue %d moderation actions: %w", len(as), err)
	}
	return queued, dup, nil
}

// QueueNudge records a public reply that goes out once private reply
// a.AfterReplyID is delivered: queued at once when it already is, waiting
// otherwise. ErrNotFound when that reply does not exist;
// moderation.ErrDuplicate when the same text is already under the comment.
// The answer's State says which; a failed private reply records the nudge
// as cancelled with the given reason.
func (s *Store) QueueNudge(ctx context.Context, a moderation.Action, failedReason string) (moderation.Action, error) {
	now := ms(s.now())
	var out moderation.Action
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var states []string
		if err := tx.Raw(`SELECT state FROM replies WHERE id = ? AND comment_id = ?`, a.AfterReplyID, a.CommentID).Scan(&states).Error; err != nil {
			return nil, err
		}
		if len(states) == 0 {
			return nil, ErrNotFound
		}
		a.Nudge, a.State = true, moderation.Waiting
		row := actionToRow(a, now)
		switch states[0] {
		case "sent", "unconfirmed":
			row.State = string(moderation.Queued)
		case "failed":
			row.State, row.ErrorKind, row.Error, row.DoneAt = string(moderation.Cancelled), string(moderation.ErrReplyFailed), failedReason, now
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 0 {
			return nil, moderation.ErrDuplicate
		}
		out = row.toDomain()
		return []inbox.Change{{CommentID: a.CommentID, AccountID: a.AccountID}}, nil
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, moderation.ErrDuplicate) {
		return moderation.Action{}, err
	}
	if err != nil {
		return moderation.Action{}, fmt.Errorf("store: queue nudge on %s: %w", a.CommentID, err)
	}
	return out, nil
}

// ResolveNudges moves the nudges whose private reply has finished: those
// delivered to the queue, those whose reply failed to cancelled with
// failedReason; and it cancels those whose comment was deleted meanwhile
// with deletedReason. It answers how many it moved.
func (s *Store) ResolveNudges(ctx context.Context, failedReason, deletedReason string) (int, error) {
	// Most of the time none waits: a read costs less than a write transaction.
	var waiting []int64
	if err := s.r.WithContext(ctx).Raw(`SELECT id FROM comment_actions WHERE state = 'waiting' LIMIT 1`).Scan(&waiting).Error; err != nil {
		return 0, fmt.Errorf("store: resolve nudges: %w", err)
	}
	if len(waiting) == 0 {
		return 0, nil
	}
	now := ms(s.now())
	changed, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var out, failed, gone []inbox.Change
		err := tx.Raw(`UPDATE comment_actions SET state = 'cancelled', error_kind = ?, error = ?, updated_at = ?, done_at = ?
			WHERE state = 'waiting' AND EXISTS (SELECT 1 FROM comments c WHERE c.id = comment_actions.comment_id AND c.deleted = 1)
			RETURNING comment_id, account_id`, string(moderation.ErrGone), deletedReason, now, now).Scan(&gone).Error
		if err != nil {
			return nil, err
		}
		err = tx.Raw(`UPDATE comment_actions SET state = 'queued', next_attempt_at = ?, updated_at = ?
			WHERE state = 'waiting' AND EXISTS (SELECT 1 FROM replies r WHERE r.id = comment_actions.after_reply_id
				AND r.state IN ('sent', 'unconfirmed'))
			RETURNING comment_id, account_id`, now, now).Scan(&out).Error
		if err != nil {
			return nil, err
		}
		err = tx.Raw(`UPDATE comment_actions SET state = 'cancelled', error_kind = ?, error = ?, updated_at = ?, done_at = ?
			WHERE state = 'waiting' AND EXISTS (SELECT 1 FROM replies r WHERE r.id = comment_actions.after_reply_id
				AND r.state = 'failed')
			RETURNING comment_id, account_id`, string(moderation.ErrReplyFailed), failedReason, now, now).Scan(&failed).Error
		return append(append(gone, out...), failed...), err
	})
	if err != nil {
		return 0, fmt.Errorf("store: resolve nudges: %w", err)
	}
	return len(changed), nil
}

// ModerationAccountsDue lists the accounts with actions due now.
func (s *Store) ModerationAccountsDue(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.r.WithContext(ctx).Raw(`SELECT DISTINCT account_id FROM comment_actions
		WHERE state IN ('queued', 'retrying') AND next_attempt_at <= ?`, ms(s.now())).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: accounts with moderation due: %w", err)
	}
	return ids, nil
}

// NextModerationDue is when the earliest scheduled action is due (zero
// when none is).
func (s *Store) NextModerationDue(ctx context.Context) (time.Time, error) {
	var v *int64
	err := s.r.WithContext(ctx).Raw(`SELECT MIN(next_attempt_at) FROM comment_actions WHERE state IN ('queued', 'retrying')`).Scan(&v).Error
	if err != nil || v == nil {
		return time.Time{}, err
	}
	return fromMS(*v), nil
}

// NextAction is an account's next due action: single ones before those of
// a bulk action, then in order of their time. ErrNotFound when none is due.
func (s *Store) NextAction(ctx context.Context, accountID string) (moderation.Action, error) {
	var rows []actionRow
	err := s.r.WithContext(ctx).Where("account_id = ? AND state IN ('queued', 'retrying') AND next_attempt_at <= ?", accountID, ms(s.now())).
		Order("bulk, next_attempt_at, id").Limit(1).Find(&rows).Error
	if err != nil {
		return moderation.Action{}, fmt.Errorf("store: next moderation action of %s: %w", accountID, err)
	}
	if len(rows) == 0 {
		return moderation.Action{}, ErrNotFound
	}
	return rows[0].toDomain(), nil
}

// ClaimAction moves a due action to working, for this process until lease
// ends; false when it no longer is due (or another process is claiming it
// right now). Nothing shown changes (pending is pending), so nothing is
// published.
func (s *Store) ClaimAction(ctx context.Context, id int64, lease time.Duration) (bool, error) {
	now := s.now()
	var claimed []int64
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		return tx.Raw(`UPDATE comment_actions SET state = 'working', attempts = attempts + 1, claimed_by = ?, claim_until = ?, updated_at = ?
			WHERE id = (SELECT id FROM comment_actions WHERE id = ? AND state IN ('queued', 'retrying')`+s.skipLocked()+`)
			AND state IN ('queued', 'retrying') RETURNING id`, s.holder, ms(now.Add(lease)), ms(now), id).Scan(&claimed).Error
	})
	if err != nil {
		return false, fmt.Errorf("store: claim moderation action %d: %w", id, err)
	}
	return len(claimed) == 1, nil
}

// FinishAction records an attempt's outcome and, once Meta confirmed, its
// effect on the comment (hidden, deleted, or a public reply under it), in
// one transaction that publishes the change.
func (s *Store) FinishAction(ctx context.Context, a moderation.Action, res moderation.Result) error {
	now := ms(s.now())
	lost := false
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		lost = false
		doneAt := int64(0)
		if !res.State.Pending() {
			doneAt = now
		}
		// Only under this process's claim: past it, another process may
		// have taken the action over, and its attempt counts.
		upd := tx.Exec(`UPDATE comment_actions SET state = ?, error_kind = ?, error = ?, result_id = ?,
			ambiguous = CASE WHEN ? THEN 1 ELSE ambiguous END, next_attempt_at = ?, updated_at = ?, done_at = ?,
			claimed_by = '', claim_until = 0
			WHERE id = ? AND state = 'working' AND claimed_by = ?`,
			string(res.State), string(res.ErrorKind), res.Error, res.ResultID, res.Ambiguous, ms(res.NextAttemptAt), now, doneAt, a.ID, s.holder)
		if upd.Error != nil || upd.RowsAffected == 0 {
			lost = upd.Error == nil
			return nil, upd.Error
		}
		if res.State == moderation.Done {
			if err := applyAction(tx, a, res, now); err != nil {
				return nil, err
			}
		}
		return []inbox.Change{{CommentID: a.CommentID, AccountID: a.AccountID}}, nil
	})
	if err != nil {
		return fmt.Errorf("store: finish moderation action %d: %w", a.ID, err)
	}
	if lost {
		return moderation.ErrClaimLost
	}
	return nil
}

// applyAction makes a confirmed action's effect on the comment.
func applyAction(tx *gorm.DB, a moderation.Action, res moderation.Result, now int64) error {
	switch a.Kind {
	case moderation.Hide, moderation.Unhide:
		return tx.Exec(`UPDATE comments SET hidden = ?, updated_at = ? WHERE id = ?`, a.Kind == moderation.Hide, now, a.CommentID).Error
	case moderation.Delete:
		return tx.Exec(`UPDATE comments SET deleted = 1, updated_at = ? WHERE id = ?`, now, a.CommentID).Error
	case moderation.PublicReply:
		// Its webhook may have come first, filed under the thread's top comment.
		return tx.Exec(`INSERT INTO public_replies (id, comment_id, account_id, text, action_id, user_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET comment_id = excluded.comment_id,
			action_id = excluded.action_id, user_name = excluded.user_name`,
			res.ResultID, a.CommentID, a.AccountID, a.Text, a.ID, a.UserName, now).Error
	}
	return nil
}

// RecoverModeration finds actions whose claim ran out (their process
// stopped mid-call, or took far too long): they retry as ambiguous (a public
// reply is looked for before it is posted again). Actions another running
// process is working on are left to it.
func (s *Store) RecoverModeration(ctx context.Context) (int64, error) {
	now := ms(s.now())
	res := s.w.WithContext(ctx).Exec(`UPDATE comment_actions SET state = 'retrying', ambiguous = 1, next_attempt_at = ?, updated_at = ?,
		claimed_by = '', claim_until = 0
		WHERE state = 'working' AND claim_until <= ?`, now, now, now)
	if res.Error != nil {
		return 0, fmt.Errorf("store: recover moderation in flight: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Action loads one moderation action.
func (s *Store) Action(ctx context.Context, id int64) (moderation.Action, error) {
	var row actionRow
	err := s.r.WithContext(ctx).Take(&row, "id = ?", id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return moderation.Action{}, ErrNotFound
	case err != nil:
		return moderation.Action{}, fmt.Errorf("store: moderation action %d: %w", id, err)
	}
	return row.toDomain(), nil
}

// CommentActions lists every moderation action on a comment, oldest first.
func (s *Store) CommentActions(ctx context.Context, commentID string) ([]moderation.Action, error) {
	var rows []actionRow
	if err := s.r.WithContext(ctx).Where("comment_id = ?", commentID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: moderation of %s: %w", commentID, err)
	}
	out := make([]moderation.Action, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// PendingVisibility answers, per comment among ids, its change of
// visibility in flight (at most one, by a unique index).
func (s *Store) PendingVisibility(ctx context.Context, ids []string) (map[string]moderation.Action, error) {
	out := map[string]moderation.Action{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []actionRow
	if err := s.r.WithContext(ctx).Where("comment_id IN ? AND "+pendingVisibility, ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: pending moderation: %w", err)
	}
	for _, r := range rows {
		out[r.CommentID] = r.toDomain()
	}
	return out, nil
}

// publicReplyRow is the public_replies table.
type publicReplyRow struct {
	ID        string `gorm:"primaryKey"`
	CommentID string
	AccountID string
	Text      string
	ActionID  *int64
	UserName  string
	CreatedAt int64 `gorm:"autoCreateTime:false"`
}

func (publicReplyRow) TableName() string { return "public_replies" }

// PublicReplies lists the public replies under each of the comments, oldest
// first.
func (s *Store) PublicReplies(ctx context.Context, commentIDs []string) (map[string][]moderation.Reply, error) {
	out := map[string][]moderation.Reply{}
	if len(commentIDs) == 0 {
		return out, nil
	}
	var rows []publicReplyRow
	if err := s.r.WithContext(ctx).Where("comment_id IN ?", commentIDs).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: public replies: %w", err)
	}
	for _, r := range rows {
		rep := moderation.Reply{ID: r.ID, CommentID: r.CommentID, AccountID: r.AccountID, Text: r.Text, By: r.UserName, CreatedAt: fromMS(r.CreatedAt)}
		if r.ActionID != nil {
			rep.ActionID = *r.ActionID
		}
		out[r.CommentID] = append(out[r.CommentID], rep)
	}
	return out, nil
}

// OwnReplyLike finds a public reply of the account under one of the
// comments with exactly this text, arrived by webhook since t (not posted
// through an action): the trace of an attempt whose answer was lost. ""
// when there is none.
func (s *Store) OwnReplyLike(ctx context.Context, accountID string, commentIDs []string, text string, since time.Time) (string, error) {
	var ids []string
	err := s.r.WithContext(ctx).Raw(`SELECT id FROM public_replies WHERE account_id = ? AND comment_id IN ? AND text = ?
		AND action_id IS NULL AND created_at >= ? ORDER BY created_at LIMIT 1`, accountID, commentIDs, text, ms(since)).Scan(&ids).Error
	if err != nil {
		return "", fmt.Errorf("store: own reply under %v: %w", commentIDs, err)
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}

// NudgeTemplate is the public template an account's composer offers as the
// "check your DMs" nudge by default; 0 when none.
func (s *Store) NudgeTemplate(ctx context.Context, accountID string) (int64, error) {
	var ids []int64
	err := s.r.WithContext(ctx).Raw(`SELECT n.template_id FROM account_nudges n JOIN templates t ON t.id = n.template_id
		WHERE n.account_id = ? AND t.public = 1`, accountID).Scan(&ids).Error
	if err != nil {
		return 0, fmt.Errorf("store: nudge template of %s: %w", accountID, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// SetNudgeTemplate sets an account's default nudge template (0 turns the
// default off).
func (s *Store) SetNudgeTemplate(ctx context.Context, accountID string, templateID int64, byName string) error {
	db := s.w.WithContext(ctx)
	var err error
	if templateID == 0 {
		err = db.Exec(`DELETE FROM account_nudges WHERE account_id = ?`, accountID).Error
	} else {
		err = db.Exec(`INSERT INTO account_nudges (account_id, template_id, updated_by_name, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET template_id = excluded.template_id,
			updated_by_name = excluded.updated_by_name, updated_at = excluded.updated_at`,
			accountID, templateID, byName, ms(s.now())).Error
	}
	if err != nil {
		return fmt.Errorf("store: set nudge template of %s: %w", accountID, err)
	}
	return nil
}

// VisibleItems loads the comments among ids that userID may see, as the
// inbox shows them; the others are left out.
func (s *Store) VisibleItems(ctx context.Context, userID int64, ids []string) ([]inbox.Item, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []itemRow
	if err := s.r.WithContext(ctx).Raw(s.itemSelect()+" WHERE c.id IN ? AND "+visibleTo, ids, userID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: visible items: %w", err)
	}
	out := make([]inbox.Item, len(rows))
	for i, r := range rows {
		out[i] = r.toItem()
	}
	return out, nil
}

// FailQueuedActions fails every action of an account still waiting for its
// turn with the same reason (its token or permissions stopped working, so
// each would fail the same way) and answers how many.
func (s *Store) FailQueuedActions(ctx context.Context, accountID string, kind moderation.ErrorKind, reason string) (int, error) {
	now := ms(s.now())
	changed, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var out []inbox.Change
		err := tx.Raw(`UPDATE comment_actions SET state = 'failed', error_kind = ?, error = ?, updated_at = ?, done_at = ?
			WHERE account_id = ? AND state IN ('queued', 'retrying') RETURNING comment_id, account_id`,
			string(kind), reason, now, now, accountID).Scan(&out).Error
		return out, err
	})
	if err != nil {
		return 0, fmt.Errorf("store: fail queued moderation of %s: %w", accountID, err)
	}
	return len(changed), nil
}
