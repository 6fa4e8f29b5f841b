package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/account"
)

// An account's replies wait while it needs reconnecting, or while it is on
// hold and no probe is due, unless their window has closed (then the Worker
// fails them without calling Meta). waitingReply is that rule on a replies
// row; its two arguments are the current time.
const waitingReply = `EXISTS (SELECT 1 FROM accounts a WHERE a.id = replies.account_id
		AND (a.token_state = 'needs_reconnect' OR (a.held_at > 0 AND a.hold_probe_at > ?)))
	AND (replies.live = 1 OR replies.deadline > ?)`

// HoldAccount puts an account on hold (queued replies wait) unless it is on
// hold already, and reports whether it did.
func (s *Store) HoldAccount(ctx context.Context, accountID string, h account.Hold) (bool, error) {
	var held bool
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		held, err = holdAccount(tx, accountID, h, ms(s.now()), false)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: hold account %s: %w", accountID, err)
	}
	return held, nil
}

// holdAccount records a hold in tx. An account on hold already keeps its
// start; with update its reason and probe time follow h (a probe that Meta
// refused again), otherwise nothing changes. It reports whether the account
// went on hold now.
func holdAccount(tx *gorm.DB, accountID string, h account.Hold, now int64, update bool) (bool, error) {
	res := tx.Exec(`UPDATE accounts SET held_at = ?, hold_cause = ?, hold_reason = ?, hold_advice = ?, hold_code = ?,
		hold_subcode = ?, hold_probe_at = ?, updated_at = ? WHERE id = ? AND held_at = 0`,
		now, h.Cause, h.Reason, h.Advice, h.Code, h.Subcode, ms(h.ProbeAt), now, accountID)
	if res.Error != nil || res.RowsAffected > 0 || !update {
		return res.RowsAffected > 0, res.Error
	}
	return false, tx.Exec(`UPDATE accounts SET hold_cause = ?, hold_reason = ?, hold_advice = ?, hold_code = ?,
		hold_subcode = ?, hold_probe_at = ?, updated_at = ? WHERE id = ?`,
		h.Cause, h.Reason, h.Advice, h.Code, h.Subcode, ms(h.ProbeAt), now, accountID).Error
}

// ResumeAccount lifts an account's hold (by is a person's name,
// account.ResumedByProbe or account.ResumedByCheck) and clears its refusal
// streak. It reports whether the account was on hold.
func (s *Store) ResumeAccount(ctx context.Context, accountID, by string) (bool, error) {
	var resumed bool
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if resumed, err = resumeAccount(tx, accountID, by, ms(s.now())); err != nil || resumed {
			return err
		}
		// Not on hold: the breaker's count still starts again.
		return tx.Exec(`UPDATE accounts SET refusal_streak = 0 WHERE id = ? AND refusal_streak > 0`, accountID).Error
	})
	if err != nil {
		return false, fmt.Errorf("store: resume account %s: %w", accountID, err)
	}
	return resumed, nil
}

func resumeAccount(tx *gorm.DB, accountID, by string, now int64) (bool, error) {
	res := tx.Exec(`UPDATE accounts SET held_at = 0, hold_cause = '', hold_reason = '', hold_advice = '', hold_code = 0,
		hold_subcode = 0, hold_probe_at = 0, refusal_streak = 0, resumed_at = ?, resumed_by = ?, updated_at = ?
		WHERE id = ? AND held_at > 0`, now, by, now, accountID)
	return res.RowsAffected > 0, res.Error
}

// ClaimProbe lets one queued reply of a held account test whether Meta
// accepts sends again: when the account's probe is due, it moves the next
// one to next and answers true (once, however many workers ask).
func (s *Store) ClaimProbe(ctx context.Context, accountID string, next time.Time) (bool, error) {
	res := s.w.WithContext(ctx).Exec(`UPDATE accounts SET hold_probe_at = ? WHERE id = ? AND held_at > 0 AND hold_probe_at <= ?`,
		ms(next), accountID, ms(s.now()))
	if res.Error != nil {
		return false, fmt.Errorf("store: claim probe of %s: %w", accountID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// HeldAccounts answers the accounts on hold and their holds.
func (s *Store) HeldAccounts(ctx context.Context) (map[string]account.Hold, error) {
	var rows []accountRow
	if err := s.r.WithContext(ctx).Select(accountColumns).Where("held_at > 0").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: held accounts: %w", err)
	}
	out := make(map[string]account.Hold, len(rows))
	for _, r := range rows {
		out[r.ID] = r.toDomain().Hold
	}
	return out, nil
}

// HoldCheckPassed is told that Meta's check of an account (its Page token
// and subscription, at a reconcile or a login) succeeded. An account held
// since before heldBefore (a check right after a refusal proves nothing)
// gets a probe now when replies wait, and is resumed when none does (a
// refusal of its next reply would hold it again, that reply still queued).
func (s *Store) HoldCheckPassed(ctx context.Context, accountID string, heldBefore time.Time) error {
	now := ms(s.now())
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var held, waiting int64
		if err := tx.Raw(`SELECT held_at FROM accounts WHERE id = ?`, accountID).Scan(&held).Error; err != nil ||
			held == 0 || held >= ms(heldBefore) {
			return err
		}
		err := tx.Raw(`SELECT COUNT(*) FROM replies WHERE account_id = ? AND state IN ('queued', 'retrying')`, accountID).
			Scan(&waiting).Error
		if err != nil {
			return err
		}
		if waiting > 0 {
			return tx.Exec(`UPDATE accounts SET hold_probe_at = ? WHERE id = ? AND held_at > 0 AND hold_probe_at > ?`,
				now, accountID, now).Error
		}
		_, err = resumeAccount(tx, accountID, account.ResumedByCheck, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: hold check of %s: %w", accountID, err)
	}
	return nil
}

// QueuedReplies counts an account's replies waiting to go out.
func (s *Store) QueuedReplies(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.r.WithContext(ctx).Raw(`SELECT COUNT(*) FROM replies WHERE account_id = ? AND state IN ('queued', 'retrying')`,
		accountID).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: queued replies of %s: %w", accountID, err)
	}
	return n, nil
}
