package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/reply"
)

type replyRow struct {
	ID            int64 `gorm:"primaryKey"`
	CommentID     string
	AccountID     string
	State         string
	Text          string
	TemplateID    *int64
	TemplateName  string
	UserID        *int64
	UserName      string
	RuleID        *int64
	OnceKey       *string
	Live          bool
	Deadline      int64
	Attempts      int
	Ambiguous     bool
	NextAttemptAt int64
	MessageID     string
	RecipientID   string
	ErrorKind     string
	Error         string
	CreatedAt     int64 `gorm:"autoCreateTime:false"`
	UpdatedAt     int64 `gorm:"autoUpdateTime:false"`
	SentAt        int64
}

func (replyRow) TableName() string { return "replies" }

func (r replyRow) toDomain() reply.Reply {
	out := reply.Reply{
		ID: r.ID, CommentID: r.CommentID, AccountID: r.AccountID, State: reply.State(r.State), Text: r.Text,
		TemplateName: r.TemplateName, UserName: r.UserName, Live: r.Live, Deadline: fromMS(r.Deadline),
		Attempts: r.Attempts, Ambiguous: r.Ambiguous, NextAttemptAt: fromMS(r.NextAttemptAt), MessageID: r.MessageID,
		RecipientID: r.RecipientID, ErrorKind: reply.Kind(r.ErrorKind), Error: r.Error, CreatedAt: fromMS(r.CreatedAt),
		UpdatedAt: fromMS(r.UpdatedAt), SentAt: fromMS(r.SentAt),
	}
	if r.TemplateID != nil {
		out.TemplateID = *r.TemplateID
	}
	if r.UserID != nil {
		out.UserID = *r.UserID
	}
	if r.RuleID != nil {
		out.RuleID = *r.RuleID
	}
	if r.OnceKey != nil {
		out.OnceKey = *r.OnceKey
	}
	return out
}

// CreateReply records a queued reply before anything is sent. A live reply
// to the same comment already existing is reply.ErrDuplicate.
func (s *Store) CreateReply(ctx context.Context, r reply.Reply) (reply.Reply, error) {
	now := ms(s.now())
	row := replyRow{
		CommentID: r.CommentID, AccountID: r.AccountID, State: string(reply.Queued), Text: r.Text,
		TemplateName: r.TemplateName, UserName: r.UserName, Live: r.Live, Deadline: ms(r.Deadline),
		NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if r.TemplateID != 0 {
		row.TemplateID = &r.TemplateID
	}
	if r.UserID != 0 {
		row.UserID = &r.UserID
	}
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		if err := tx.Create(&row).Error; err != nil {
			return nil, err
		}
		return []inbox.Change{{CommentID: r.CommentID, AccountID: r.AccountID}}, nil
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return reply.Reply{}, reply.ErrDuplicate
	}
	if err != nil {
		return reply.Reply{}, fmt.Errorf("store: create reply: %w", err)
	}
	return row.toDomain(), nil
}

// Reply loads one reply.
func (s *Store) Reply(ctx context.Context, id int64) (reply.Reply, error) {
	var row replyRow
	err := s.r.WithContext(ctx).Take(&row, "id = ?", id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return reply.Reply{}, ErrNotFound
	case err != nil:
		return reply.Reply{}, fmt.Errorf("store: reply %d: %w", id, err)
	}
	return row.toDomain(), nil
}

// Replies lists every reply to a comment, oldest first (its history).
func (s *Store) Replies(ctx context.Context, commentID string) ([]reply.Reply, error) {
	var rows []replyRow
	if err := s.r.WithContext(ctx).Where("comment_id = ?", commentID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: replies of %s: %w", commentID, err)
	}
	out := make([]reply.Reply, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// DueReplies lists queued and retrying replies whose attempt is due,
// closest deadline first, but for those that wait for their account (it
// needs reconnecting, or is on hold with no probe due).
func (s *Store) DueReplies(ctx context.Context, limit int) ([]reply.Reply, error) {
	var rows []replyRow
	now := ms(s.now())
	err := s.r.WithContext(ctx).Where("state IN ('queued', 'retrying') AND next_attempt_at <= ? AND NOT ("+waitingReply+")", now, now, now).
		Order("deadline, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: due replies: %w", err)
	}
	out := make([]reply.Reply, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// NextDue is when the earliest scheduled attempt is due (zero when none),
// leaving out the replies that wait for their account.
func (s *Store) NextDue(ctx context.Context) (time.Time, error) {
	var v *int64
	now := ms(s.now())
	err := s.r.WithContext(ctx).Raw(`SELECT MIN(next_attempt_at) FROM replies WHERE state IN ('queued', 'retrying') AND NOT (`+
		waitingReply+`)`, now, now).Scan(&v).Error
	if err != nil || v == nil {
		return time.Time{}, err
	}
	return fromMS(*v), nil
}

// ClaimReply moves a due reply to sending, for this process until lease
// ends, within limit: the account's use in the limit's period (outside
// Live, its Send API calls, failed or not, as Meta counts them; on Live,
// its replies sent) plus the replies of the same kind being sent now, by
// any process, stay under its count, or nothing is claimed and the answer
// says when a slot frees. Not claimed either: a reply someone else claimed
// or rescheduled first. An automatic reply whose comment a person has
// triaged since it was queued is not sent: it fails, saying so, and the
// person's decision stands.
func (s *Store) ClaimReply(ctx context.Context, r reply.Reply, lease time.Duration, limit reply.Limit) (reply.Claim, error) {
	var claim reply.Claim
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		now := s.now()
		claim = reply.Claim{}
		var out []inbox.Change
		err := tx.Raw(`UPDATE replies SET state = 'failed', error_kind = ?, error = ?, updated_at = ?
			WHERE id = ? AND state IN ('queued', 'retrying') AND rule_id IS NOT NULL AND
				(SELECT status_by FROM comments c WHERE c.id = replies.comment_id) IS NOT NULL
			RETURNING comment_id, account_id`, string(reply.KindCancelled), reply.CancelledByPerson, ms(now), r.ID).Scan(&out).Error
		if err != nil || len(out) > 0 {
			return out, err
		}
		if limit.Count > 0 {
			// Checks of one account's limit run one at a time, so that two
			// processes cannot both take its last slot.
			if err := s.lock(tx, "budget:"+r.AccountID); err != nil {
				return nil, err
			}
			var used struct {
				Sent, Sending int
				Oldest        *int64
			}
			since := ms(now.Add(-limit.Per))
			use := `SELECT COUNT(*) AS n, MIN(at) AS oldest FROM reply_attempts WHERE account_id = ? AND counted = 1 AND at > ?`
			if r.Live {
				use = `SELECT COUNT(*) AS n, MIN(sent_at) AS oldest FROM replies WHERE account_id = ? AND live = 1 AND sent_at > ?`
			}
			err := tx.Raw(`SELECT u.n AS sent, u.oldest AS oldest,
				(SELECT COUNT(*) FROM replies WHERE state = 'sending' AND account_id = ? AND live = ?) AS sending
				FROM (`+use+`) AS u`, r.AccountID, r.Live, r.AccountID, since).Scan(&used).Error
			if err != nil {
				return nil, err
			}
			if used.Sent+used.Sending >= limit.Count {
				claim.BudgetFreeAt = now
				if used.Oldest != nil {
					claim.BudgetFreeAt = fromMS(*used.Oldest).Add(limit.Per)
				}
				return nil, nil
			}
		}
		until := now.Add(lease)
		// A row another process is claiming right now is left to it.
		err = tx.Raw(`UPDATE replies SET state = 'sending', attempts = attempts + 1, claimed_by = ?, claim_until = ?, updated_at = ?
			WHERE id = (SELECT id FROM replies WHERE id = ? AND state IN ('queued', 'retrying') AND next_attempt_at <= ?`+s.skipLocked()+`)
			AND state IN ('queued', 'retrying') AND (rule_id IS NULL OR
				(SELECT status_by FROM comments c WHERE c.id = replies.comment_id) IS NULL)
			RETURNING comment_id, account_id`,
			s.holder, ms(until), ms(now), r.ID, ms(now)).Scan(&out).Error
		if len(out) == 1 {
			claim.Claimed, claim.Until = true, until
		}
		return out, err
	})
	if err != nil {
		return reply.Claim{}, fmt.Errorf("store: claim reply %d: %w", r.ID, err)
	}
	return claim, nil
}

// FinishAttempt records an attempt and the reply's new state in one
// transaction; a delivered reply marks its comment replied. The account
// follows: res.Hold puts it on hold, a delivered probe lifts its hold, and
// its count of unexplained refusals in a row (the circuit breaker's) grows
// with res.Unexplained and starts again at a delivery. It answers that
// count. When this process's claim on the reply ran out and another took it
// over, only the attempt is recorded, and the error is reply.ErrClaimLost.
func (s *Store) FinishAttempt(ctx context.Context, r reply.Reply, res reply.Result) (int, error) {
	now := s.now()
	outcome := string(res.State)
	switch res.State {
	case reply.Retrying:
		outcome = "retry"
	case reply.Queued: // back in the queue, waiting for its account
		outcome = "wait"
	}
	lost := false
	var streak int
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		ok, err := s.finishAttempt(tx, r, res, now, outcome)
		if err != nil || !ok {
			lost = !ok
			return nil, err
		}
		if streak, err = accountAfterAttempt(tx, r.AccountID, res, ms(now)); err != nil {
			return nil, err
		}
		return []inbox.Change{{CommentID: r.CommentID, AccountID: r.AccountID}}, nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: finish reply %d: %w", r.ID, err)
	}
	if lost {
		return 0, reply.ErrClaimLost
	}
	return streak, nil
}

// accountAfterAttempt applies an attempt's consequences for its account in
// tx and answers the account's refusal streak.
func accountAfterAttempt(tx *gorm.DB, accountID string, res reply.Result, now int64) (int, error) {
	if res.Hold != nil {
		if _, err := holdAccount(tx, accountID, *res.Hold, now, true); err != nil {
			return 0, err
		}
	}
	if res.State.Delivered() && res.Probe {
		if _, err := resumeAccount(tx, accountID, account.ResumedByProbe, now); err != nil {
			return 0, err
		}
	}
	var streak int
	switch {
	case res.Unexplained:
		err := tx.Raw(`UPDATE accounts SET refusal_streak = refusal_streak + 1 WHERE id = ? RETURNING refusal_streak`, accountID).
			Scan(&streak).Error
		return streak, err
	case res.State.Delivered():
		return 0, tx.Exec(`UPDATE accounts SET refusal_streak = 0 WHERE id = ? AND refusal_streak > 0`, accountID).Error
	}
	err := tx.Raw(`SELECT refusal_streak FROM accounts WHERE id = ?`, accountID).Scan(&streak).Error
	return streak, err
}

// finishAttempt records one attempt and its consequences in tx; false when
// the claim was lost (the attempt alone is recorded).
func (s *Store) finishAttempt(tx *gorm.DB, r reply.Reply, res reply.Result, now time.Time, outcome string) (bool, error) {
	err := tx.Exec(`INSERT INTO reply_attempts (reply_id, account_id, counted, at, outcome, http_status, meta_code, meta_subcode,
		fbtrace_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.AccountID, res.Called && !r.Live, ms(now), outcome,
		res.HTTPStatus, res.MetaCode, res.MetaSubcode, res.TraceID, res.Detail).Error
	if err != nil {
		return false, err
	}
	sentAt := int64(0)
	if res.State.Delivered() {
		sentAt = ms(now)
	}
	upd := tx.Exec(`UPDATE replies SET state = ?, error_kind = ?, error = ?, message_id = ?, recipient_id = ?,
		ambiguous = CASE WHEN ? THEN 1 ELSE ambiguous END, next_attempt_at = ?, sent_at = ?, updated_at = ?,
		claimed_by = '', claim_until = 0
		WHERE id = ? AND state = 'sending' AND claimed_by = ?`,
		string(res.State), string(res.Kind), res.Error, res.MessageID, res.RecipientID, res.Ambiguous,
		ms(res.NextAttemptAt), sentAt, ms(now), r.ID, s.holder)
	if upd.Error != nil || upd.RowsAffected == 0 {
		return false, upd.Error
	}
	switch {
	case res.State.Delivered():
		// Nobody is replying to it any more: the reply is out.
		if err := tx.Exec(`DELETE FROM presence WHERE comment_id = ?`, r.CommentID).Error; err != nil {
			return false, err
		}
		err = tx.Exec(`UPDATE comments SET status = 'replied', status_by = ?, status_at = ?, updated_at = ? WHERE id = ?`,
			nullable(r.UserID), ms(now), ms(now), r.CommentID).Error
	case res.ExpireComment:
		err = tx.Exec(`UPDATE comments SET status = 'expired', status_by = NULL, status_at = ?, updated_at = ?
			WHERE id = ? AND status = 'open'`, ms(now), ms(now), r.CommentID).Error
	default: // the row shows the reply's progress
		err = tx.Exec(`UPDATE comments SET updated_at = ? WHERE id = ?`, ms(now), r.CommentID).Error
	}
	if err != nil {
		return false, err
	}
	// Other systems hear of a reply's outcome (outbound webhooks); last, as
	// events are recorded in commit order (lockEvents).
	switch {
	case res.State.Delivered():
		err = s.recordEvents(tx, []outbound.Event{{Name: outbound.CommentReplied, CommentID: r.CommentID, AccountID: r.AccountID}})
	case res.State == reply.Failed:
		err = s.recordEvents(tx, []outbound.Event{{Name: outbound.ReplyFailed, CommentID: r.CommentID, AccountID: r.AccountID}})
	}
	return err == nil, err
}

func nullable(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// RecoverInFlight finds replies left "sending" by a process that stopped
// before recording the answer (a crash, a kill, a lost machine): their
// claim ran out. Their call may have reached Meta, so they retry as
// ambiguous (a second reply is refused by Meta and recorded as unconfirmed,
// never sent twice). Any process may recover any claim that ran out.
func (s *Store) RecoverInFlight(ctx context.Context) (int64, error) {
	now := ms(s.now())
	changed, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var out []inbox.Change
		err := tx.Raw(`UPDATE replies SET state = 'retrying', ambiguous = 1, next_attempt_at = ?, updated_at = ?,
			claimed_by = '', claim_until = 0
			WHERE state = 'sending' AND claim_until <= ? RETURNING comment_id, account_id`, now, now, now).Scan(&out).Error
		return out, err
	})
	if err != nil {
		return 0, fmt.Errorf("store: recover replies in flight: %w", err)
	}
	return int64(len(changed)), nil
}

// CallsSince counts an account's Send API calls outside Live since t,
// failed or not (Meta's hourly budget counts calls, not delivered replies),
// and answers the oldest of them: when its slot frees up.
func (s *Store) CallsSince(ctx context.Context, accountID string, t time.Time) (int, time.Time, error) {
	var row struct {
		N      int
		Oldest *int64
	}
	err := s.r.WithContext(ctx).Raw(`SELECT COUNT(*) AS n, MIN(at) AS oldest FROM reply_attempts
		WHERE account_id = ? AND counted = 1 AND at > ?`, accountID, ms(t)).Scan(&row).Error
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: send calls of %s: %w", accountID, err)
	}
	var oldest time.Time
	if row.Oldest != nil {
		oldest = fromMS(*row.Oldest)
	}
	return row.N, oldest, nil
}

// CallsLastHour counts an account's Send API calls in the last hour (its
// budget use, as the Worker counts it).
func (s *Store) CallsLastHour(ctx context.Context, accountID string) (int, error) {
	n, _, err := s.CallsSince(ctx, accountID, s.now().Add(-time.Hour))
	return n, err
}

// CountAttempts counts a reply's attempts that Meta answered with code.
func (s *Store) CountAttempts(ctx context.Context, replyID int64, code int) (int, error) {
	var n int
	err := s.r.WithContext(ctx).Raw(`SELECT COUNT(*) FROM reply_attempts WHERE reply_id = ? AND meta_code = ?`, replyID, code).
		Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: attempts of reply %d: %w", replyID, err)
	}
	return n, nil
}
