package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/identity"
)

// Forget asks to forget a Facebook user: Meta's deauthorize callback (the
// person removed the app) or its data-deletion callback (Erase).
type Forget struct {
	FacebookID string
	// Erase also deletes the user and takes their name off replies and
	// templates, and records the erasure under Code.
	Erase bool
	Code  string
	// ReconnectReason says why the accounts connected through the person's
	// Facebook access (Meta revoked those Page tokens too) need reconnecting.
	ReconnectReason string
}

// ForgetUser ends the person's sessions, revokes their API tokens, removes
// their access and stored Facebook token, and forgets the Page tokens that
// came through them (those accounts need reconnecting), in one transaction.
// With Erase the user record goes too. It answers what it removed; a person
// Replydesk never knew is no error (UserFound is false).
func (s *Store) ForgetUser(ctx context.Context, f Forget) (identity.Erasure, error) {
	now := ms(s.now())
	out := identity.Erasure{Code: f.Code, RequestedAt: fromMS(now)}
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var user userRow
		err := tx.Select("id").Take(&user, "facebook_id = ?", f.FacebookID).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
		case err != nil:
			return err
		default:
			out.UserFound = true
			if err := forgetUser(tx, user.ID, f, now, &out); err != nil {
				return err
			}
		}
		if !f.Erase {
			return nil
		}
		out.CompletedAt = fromMS(now)
		summary, err := json.Marshal(erasureJSON(out))
		if err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO data_deletions (code, requested_at, completed_at, summary) VALUES (?, ?, ?, ?)`,
			f.Code, now, now, string(summary)).Error
	})
	if err != nil {
		return identity.Erasure{}, fmt.Errorf("store: forget user %s: %w", f.FacebookID, err)
	}
	return out, nil
}

func forgetUser(tx *gorm.DB, userID int64, f Forget, now int64, out *identity.Erasure) error {
	for _, del := range []struct {
		table string
		n     *int
	}{{"sessions", &out.Sessions}, {"api_tokens", &out.APITokens}, {"account_access", &out.Access}} {
		res := tx.Exec(`DELETE FROM `+del.table+` WHERE user_id = ?`, userID)
		if res.Error != nil {
			return fmt.Errorf("clear %s: %w", del.table, res.Error)
		}
		*del.n = int(res.RowsAffected)
	}
	res := tx.Exec(`UPDATE accounts SET page_token = NULL, token_state = ?, token_error = ?, updated_at = ?
		WHERE connected_by = ? AND page_token IS NOT NULL`, account.TokenNeedsReconnect, f.ReconnectReason, now, userID)
	if res.Error != nil {
		return fmt.Errorf("drop page tokens: %w", res.Error)
	}
	out.Accounts = int(res.RowsAffected)
	if err := tx.Exec(`UPDATE users SET user_token = NULL, user_token_expires = 0 WHERE id = ?`, userID).Error; err != nil {
		return fmt.Errorf("drop user token: %w", err)
	}
	if !f.Erase {
		return nil
	}
	for _, anon := range []struct {
		sql string
		n   *int
	}{
		{`UPDATE replies SET user_name = '' WHERE user_id = ?`, &out.Replies},
		{`UPDATE templates SET updated_by_name = '' WHERE updated_by = ?`, &out.Templates},
	} {
		res := tx.Exec(anon.sql, userID)
		if res.Error != nil {
			return fmt.Errorf("remove name: %w", res.Error)
		}
		*anon.n = int(res.RowsAffected)
	}
	// Foreign keys clear every other reference (statuses, connections,
	// webhooks they created) and delete what was only theirs.
	if err := tx.Exec(`DELETE FROM users WHERE id = ?`, userID).Error; err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// erasureSummary is how an erasure's summary is stored.
type erasureSummary struct {
	UserFound bool `json:"user_found"`
	Sessions  int  `json:"sessions"`
	APITokens int  `json:"api_tokens"`
	Access    int  `json:"access"`
	Accounts  int  `json:"accounts"`
	Replies   int  `json:"replies"`
	Templates int  `json:"templates"`
}

func erasureJSON(e identity.Erasure) erasureSummary {
	return erasureSummary{UserFound: e.UserFound, Sessions: e.Sessions, APITokens: e.APITokens, Access: e.Access,
		Accounts: e.Accounts, Replies: e.Replies, Templates: e.Templates}
}

// Erasure reads a recorded data-deletion request by its confirmation code.
func (s *Store) Erasure(ctx context.Context, code string) (identity.Erasure, error) {
	var row struct {
		Code                     string
		RequestedAt, CompletedAt int64
		Summary                  string
	}
	err := s.r.WithContext(ctx).Raw(`SELECT code, requested_at, completed_at, summary FROM data_deletions WHERE code = ?`, code).
		Scan(&row).Error
	if err != nil {
		return identity.Erasure{}, fmt.Errorf("store: erasure: %w", err)
	}
	if row.Code == "" {
		return identity.Erasure{}, ErrNotFound
	}
	var sum erasureSummary
	if err := json.Unmarshal([]byte(row.Summary), &sum); err != nil {
		return identity.Erasure{}, fmt.Errorf("store: erasure %s: %w", code, err)
	}
	return identity.Erasure{Code: row.Code, RequestedAt: fromMS(row.RequestedAt), CompletedAt: fromMS(row.CompletedAt),
		UserFound: sum.UserFound, Sessions: sum.Sessions, APITokens: sum.APITokens, Access: sum.Access,
		Accounts: sum.Accounts, Replies: sum.Replies, Templates: sum.Templates}, nil
}
