package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/reply"
)

// DisconnectAccount disconnects an account in one transaction: its Page
// token is forgotten, it counts as unsubscribed, its queued and retrying
// replies fail with reason (recording reply.failed), and nobody's access
// reaches it any more. Webhooks for it are then dropped as for an unknown
// account, and logins no longer reconnect it by themselves. It answers how
// many replies it stopped; ErrNotFound when the account is unknown or
// already disconnected.
func (s *Store) DisconnectAccount(ctx context.Context, id string, kind reply.Kind, reason string) (int, error) {
	now := ms(s.now())
	var stopped int
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		res := tx.Exec(`UPDATE accounts SET disconnected_at = ?, page_token = NULL, subscribed = 0, subscription_error = '',
			token_state = ?, token_error = '', updated_at = ? WHERE id = ? AND disconnected_at = 0`,
			now, account.TokenOK, now, id)
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 0 {
			return nil, ErrNotFound
		}
		var failed []inbox.Change
		err := tx.Raw(`UPDATE replies SET state = 'failed', error_kind = ?, error = ?, updated_at = ?
			WHERE account_id = ? AND state IN ('queued', 'retrying') RETURNING comment_id, account_id`,
			string(kind), reason, now, id).Scan(&failed).Error
		if err != nil {
			return nil, err
		}
		stopped = len(failed)
		events := make([]outbound.Event, len(failed))
		for i, c := range failed {
			events[i] = outbound.Event{Name: outbound.ReplyFailed, CommentID: c.CommentID, AccountID: c.AccountID}
		}
		if err := s.recordEvents(tx, events); err != nil {
			return nil, err
		}
		if err := tx.Exec(`DELETE FROM account_access WHERE account_id = ?`, id).Error; err != nil {
			return nil, err
		}
		return failed, nil
	})
	if errors.Is(err, ErrNotFound) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: disconnect account %s: %w", id, err)
	}
	return stopped, nil
}

// PurgeAccountComments deletes up to limit of an account's comments for
// good, with their replies, their search entries and their outbound
// webhook deliveries, and publishes each as changed (gone), so open
// inboxes drop their rows. Once none is left it also deletes the account's
// media. It answers how many comments it deleted; call it until that is 0.
func (s *Store) PurgeAccountComments(ctx context.Context, accountID string, limit int) (int, error) {
	var n int
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var rows []struct{ ID string }
		if err := tx.Raw(`SELECT id FROM comments WHERE account_id = ? ORDER BY id LIMIT ?`, accountID, limit).Scan(&rows).Error; err != nil {
			return nil, err
		}
		n = len(rows)
		if n == 0 {
			if err := tx.Exec(`DELETE FROM media_pictures WHERE media_id IN (SELECT id FROM media WHERE account_id = ?)`, accountID).Error; err != nil {
				return nil, err
			}
			return nil, tx.Exec(`DELETE FROM media WHERE account_id = ?`, accountID).Error
		}
		ids := make([]string, n)
		for i, r := range rows {
			ids[i] = r.ID
		}
		if err := s.purgeComments(tx, ids); err != nil {
			return nil, err
		}
		out := make([]inbox.Change, n)
		for i, id := range ids {
			out[i] = inbox.Change{CommentID: id, AccountID: accountID}
		}
		return out, nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: purge comments of %s: %w", accountID, err)
	}
	return n, nil
}

// purgeComments deletes comments and everything hanging off them in tx.
// The search index (external content) forgets those it already indexed,
// given their stored words; its watermark comes down when the newest
// comments went, so rowids SQLite hands out again are still indexed, and
// the rules look at them (rewindRules).
func (s *Store) purgeComments(tx *gorm.DB, ids []string) error {
	if s.pg { // PostgreSQL's search index follows deletes by itself, and its arrival numbers are never handed out again
		return deleteComments(tx, ids)
	}
	var raw string
	if err := tx.Raw(`SELECT value FROM settings WHERE key = ?`, searchWatermark).Scan(&raw).Error; err != nil {
		return err
	}
	mark, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return fmt.Errorf("search watermark %q: %w", raw, err)
	}
	err = tx.Exec(`INSERT INTO comments_fts (comments_fts, rowid, username, text)
		SELECT 'delete', rowid, username, text FROM comments WHERE id IN ? AND rowid <= ?`, ids, mark).Error
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if err := deleteComments(tx, ids); err != nil {
		return err
	}
	var top int64
	if err := tx.Raw(`SELECT COALESCE(MAX(rowid), 0) FROM comments`).Scan(&top).Error; err != nil {
		return err
	}
	if err := rewindRules(tx, top); err != nil {
		return err
	}
	if top < mark {
		return tx.Exec(`UPDATE settings SET value = ? WHERE key = ?`, strconv.FormatInt(top, 10), searchWatermark).Error
	}
	return nil
}

// deleteComments deletes comments and what hangs off them.
func deleteComments(tx *gorm.DB, ids []string) error {
	for _, q := range []string{
		`DELETE FROM reply_attempts WHERE reply_id IN (SELECT id FROM replies WHERE comment_id IN ?)`,
		`DELETE FROM replies WHERE comment_id IN ?`,
		`DELETE FROM webhook_deliveries WHERE comment_id IN ?`,
		`DELETE FROM outbound_events WHERE comment_id IN ?`,
		`DELETE FROM comments WHERE id IN ?`,
	} {
		if err := tx.Exec(q, ids).Error; err != nil {
			return err
		}
	}
	return nil
}

// ReconnectAccount lets a disconnected account be connected again: it
// waits, in needs_reconnect with reason, for a login by someone with the
// Messages task on its Page. ErrNotFound unless it was disconnected.
func (s *Store) ReconnectAccount(ctx context.Context, id, reason string) error {
	now := ms(s.now())
	res := s.w.WithContext(ctx).Exec(`UPDATE accounts SET disconnected_at = 0, token_state = ?, token_error = ?, updated_at = ?
		WHERE id = ? AND disconnected_at > 0`, account.TokenNeedsReconnect, reason, now, id)
	if res.Error != nil {
		return fmt.Errorf("store: reconnect account %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// UnattendedAccounts lists the accounts nobody can answer: disconnected
// ones, and those no user with the Messages task reaches. Admins see them
// on the accounts page.
func (s *Store) UnattendedAccounts(ctx context.Context) ([]account.Account, error) {
	var rows []accountRow
	err := s.r.WithContext(ctx).Select(accountColumns).
		Where("disconnected_at > 0 OR id NOT IN (SELECT account_id FROM account_access WHERE can_reply = 1)").
		Order("username, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unattended accounts: %w", err)
	}
	return accountsToDomain(rows), nil
}
