package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
)

// DeliveryIn is one verified webhook delivery to persist: its raw body (kept
// for audit and replay) and the comments parsed from it.
type DeliveryIn struct {
	ReceivedAt time.Time
	Signature  string
	Body       []byte
	Comments   []inbox.Comment
	Own        int // the account's own comments, skipped
}

// DeliveryResult is what persisting one delivery did.
type DeliveryResult struct {
	New             []inbox.Comment // stored for the first time
	Duplicates      int             // already known (retries, ad duplicates)
	UnknownAccounts []string        // not connected: their comments were dropped
	Unknown         int
}

// CommitDeliveries stores several deliveries in one transaction (group
// commit): every raw body, and each comment of a connected account once,
// keyed on its id. When it returns without error, all of them are durable.
func (s *Store) CommitDeliveries(ctx context.Context, ds []DeliveryIn) ([]DeliveryResult, error) {
	out := make([]DeliveryResult, len(ds))
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []string
		if err := tx.Raw(`SELECT id FROM accounts`).Scan(&ids).Error; err != nil {
			return err
		}
		connected := make(map[string]bool, len(ids))
		for _, id := range ids {
			connected[id] = true
		}
		seen := map[string]time.Time{}
		for i, d := range ds {
			res := &out[i]
			for _, c := range d.Comments {
				if !connected[c.AccountID] {
					res.Unknown++
					if !slices.Contains(res.UnknownAccounts, c.AccountID) {
						res.UnknownAccounts = append(res.UnknownAccounts, c.AccountID)
					}
					continue
				}
				if d.ReceivedAt.After(seen[c.AccountID]) {
					seen[c.AccountID] = d.ReceivedAt
				}
				isNew, err := insertComment(tx, c)
				if err != nil {
					return err
				}
				if isNew {
					res.New = append(res.New, c)
				} else {
					res.Duplicates++
				}
			}
			err := tx.Exec(`INSERT INTO deliveries (received_at, signature, body, comments_new, comments_dup,
				comments_skipped, unknown_accounts, unknown_comments) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				ms(d.ReceivedAt), d.Signature, d.Body, len(res.New), res.Duplicates, d.Own,
				strings.Join(res.UnknownAccounts, ","), res.Unknown).Error
			if err != nil {
				return err
			}
		}
		for acct, at := range seen {
			err := tx.Exec(`UPDATE accounts SET last_webhook_at = ? WHERE id = ? AND last_webhook_at < ?`,
				ms(at), acct, ms(at)).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: commit %d deliveries: %w", len(ds), err)
	}
	return out, nil
}

// insertComment stores c unless its id is known, and records its media.
func insertComment(tx *gorm.DB, c inbox.Comment) (bool, error) {
	r := commentToRow(c)
	res := tx.Exec(`INSERT INTO comments (id, account_id, media_id, media_product_type, surface, ad_id, ad_title,
		original_media_id, parent_id, from_id, username, text, live, status, deadline, deadline_exact, created_at,
		entry_time, received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		r.ID, r.AccountID, r.MediaID, r.MediaProductType, r.Surface, r.AdID, r.AdTitle, r.OriginalMediaID,
		r.ParentID, r.FromID, r.Username, r.Text, r.Live, r.Status, r.Deadline, r.DeadlineExact, r.CreatedAt,
		r.EntryTime, r.ReceivedAt, r.UpdatedAt)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	if c.MediaID != "" {
		err := tx.Exec(`INSERT INTO media (id, account_id, media_product_type, ad_id, ad_title, original_media_id, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
			media_product_type = CASE WHEN excluded.media_product_type <> '' THEN excluded.media_product_type ELSE media.media_product_type END,
			ad_id = CASE WHEN excluded.ad_id <> '' THEN excluded.ad_id ELSE media.ad_id END,
			ad_title = CASE WHEN excluded.ad_title <> '' THEN excluded.ad_title ELSE media.ad_title END,
			original_media_id = CASE WHEN excluded.original_media_id <> '' THEN excluded.original_media_id ELSE media.original_media_id END,
			updated_at = excluded.updated_at`,
			c.MediaID, c.AccountID, c.MediaProductType, c.AdID, c.AdTitle, c.OriginalMediaID, r.ReceivedAt).Error
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// PurgeDeliveries deletes raw deliveries received before cutoff.
func (s *Store) PurgeDeliveries(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.w.WithContext(ctx).Exec(`DELETE FROM deliveries WHERE received_at < ?`, ms(cutoff))
	if res.Error != nil {
		return 0, fmt.Errorf("store: purge deliveries: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// DeliveryStats counts stored deliveries and comments (for tests and the accounts page).
func (s *Store) DeliveryStats(ctx context.Context) (deliveries, comments int64, err error) {
	if err = s.r.WithContext(ctx).Raw(`SELECT COUNT(*) FROM deliveries`).Scan(&deliveries).Error; err != nil {
		return 0, 0, fmt.Errorf("store: delivery stats: %w", err)
	}
	if err = s.r.WithContext(ctx).Raw(`SELECT COUNT(*) FROM comments`).Scan(&comments).Error; err != nil {
		return 0, 0, fmt.Errorf("store: delivery stats: %w", err)
	}
	return deliveries, comments, nil
}
