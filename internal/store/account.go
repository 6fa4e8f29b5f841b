package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/inbox"
)

type accountRow struct {
	ID                 string `gorm:"primaryKey"`
	Username           string
	Name               string
	PictureURL         string
	PageID             string
	PageName           string
	PageToken          []byte
	TokenState         string
	TokenError         string
	Subscribed         bool
	SubscriptionError  string
	MissingPermissions string
	CheckedAt          int64
	LastWebhookAt      int64
	ConnectedBy        *int64
	ConnectedAt        int64
	UpdatedAt          int64 `gorm:"autoUpdateTime:false"`
	HeldAt             int64
	HoldCause          string
	HoldReason         string
	HoldAdvice         string
	HoldCode           int
	HoldSubcode        int
	HoldProbeAt        int64
	RefusalStreak      int
	ResumedAt          int64
	ResumedBy          string
	DisconnectedAt     int64
}

func (accountRow) TableName() string { return "accounts" }

// accountColumns are every column but the sealed token, which only
// SealedPageToken reads.
var accountColumns = []string{"id", "username", "name", "picture_url", "page_id", "page_name", "token_state",
	"token_error", "subscribed", "subscription_error", "missing_permissions", "checked_at", "last_webhook_at",
	"connected_by", "connected_at", "updated_at", "disconnected_at", "held_at", "hold_cause", "hold_reason", "hold_advice", "hold_code",
	"hold_subcode", "hold_probe_at", "refusal_streak", "resumed_at", "resumed_by"}

func (r accountRow) toDomain() account.Account {
	a := account.Account{
		ID: r.ID, Username: r.Username, Name: r.Name, PictureURL: r.PictureURL, PageID: r.PageID, PageName: r.PageName,
		TokenState: r.TokenState, TokenError: r.TokenError, Subscribed: r.Subscribed, SubscriptionError: r.SubscriptionError,
		MissingPermissions: splitList(r.MissingPermissions), CheckedAt: fromMS(r.CheckedAt),
		LastWebhookAt: fromMS(r.LastWebhookAt), ConnectedAt: fromMS(r.ConnectedAt), DisconnectedAt: fromMS(r.DisconnectedAt),
		RefusalStreak: r.RefusalStreak, ResumedAt: fromMS(r.ResumedAt), ResumedBy: r.ResumedBy,
	}
	if r.HeldAt != 0 {
		a.Hold = account.Hold{Since: fromMS(r.HeldAt), Cause: r.HoldCause, Reason: r.HoldReason, Advice: r.HoldAdvice,
			Code: r.HoldCode, Subcode: r.HoldSubcode, ProbeAt: fromMS(r.HoldProbeAt)}
	}
	if r.ConnectedBy != nil {
		a.ConnectedBy = *r.ConnectedBy
	}
	return a
}

func accountsToDomain(rows []accountRow) []account.Account {
	out := make([]account.Account, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out
}

// ConnectedAccounts lists every connected account (not disconnected), by
// username.
func (s *Store) ConnectedAccounts(ctx context.Context) ([]account.Account, error) {
	var rows []accountRow
	if err := s.r.WithContext(ctx).Select(accountColumns).Where("disconnected_at = 0").Order("username, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: connected accounts: %w", err)
	}
	return accountsToDomain(rows), nil
}

// Account reads one connected account, whoever may see it (background work
// only; pages use AccountForUser).
func (s *Store) Account(ctx context.Context, id string) (account.Account, error) {
	var row accountRow
	err := s.r.WithContext(ctx).Select(accountColumns).Take(&row, "id = ?", id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return account.Account{}, ErrNotFound
	case err != nil:
		return account.Account{}, fmt.Errorf("store: account %s: %w", id, err)
	}
	return row.toDomain(), nil
}

// replyable restricts an accounts query to those userID may reply on
// (a disconnected account has no access rows).
func replyable(db *gorm.DB, userID int64) *gorm.DB {
	return db.Where("id IN (SELECT account_id FROM account_access WHERE user_id = ? AND can_reply = 1)", userID)
}

// AccountsForUser lists the accounts whose Page grants userID MESSAGING.
func (s *Store) AccountsForUser(ctx context.Context, userID int64) ([]account.Account, error) {
	var rows []accountRow
	err := replyable(s.r.WithContext(ctx).Select(accountColumns), userID).Order("username, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: accounts of user %d: %w", userID, err)
	}
	return accountsToDomain(rows), nil
}

// AccountForUser reads one account if userID may reply on it, and answers
// ErrNotFound otherwise (not telling whether it exists).
func (s *Store) AccountForUser(ctx context.Context, userID int64, id string) (account.Account, error) {
	var row accountRow
	err := replyable(s.r.WithContext(ctx).Select(accountColumns), userID).Take(&row, "id = ?", id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return account.Account{}, ErrNotFound
	case err != nil:
		return account.Account{}, fmt.Errorf("store: account %s of user %d: %w", id, userID, err)
	}
	return row.toDomain(), nil
}

// SealedPageToken is an account's Page token as stored (sealed) and its state.
type SealedPageToken struct {
	PageID     string
	Sealed     []byte
	TokenState string
}

// SealedPageToken reads an account's sealed Page token.
func (s *Store) SealedPageToken(ctx context.Context, accountID string) (SealedPageToken, error) {
	var row accountRow
	err := s.r.WithContext(ctx).Select("page_id", "page_token", "token_state").Take(&row, "id = ?", accountID).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return SealedPageToken{}, ErrNotFound
	case err != nil:
		return SealedPageToken{}, fmt.Errorf("store: page token of %s: %w", accountID, err)
	}
	return SealedPageToken{PageID: row.PageID, Sealed: row.PageToken, TokenState: row.TokenState}, nil
}

// MarkTokenFailed sets an account to needs_reconnect with a reason in plain
// words. It reports whether the state changed (false when it already was).
func (s *Store) MarkTokenFailed(ctx context.Context, accountID, reason string) (bool, error) {
	res := s.w.WithContext(ctx).Model(&accountRow{}).
		Where("id = ? AND token_state <> ?", accountID, account.TokenNeedsReconnect).
		Updates(map[string]any{"token_state": account.TokenNeedsReconnect, "token_error": reason, "updated_at": ms(s.now())})
	if res.Error != nil {
		return false, fmt.Errorf("store: mark token of %s failed: %w", accountID, res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := s.Account(ctx, accountID); err != nil {
			return false, err
		}
	}
	return res.RowsAffected > 0, nil
}

// SetSubscription records whether the app is installed on the account's
// Page and, when not, why; it also stamps the check time.
func (s *Store) SetSubscription(ctx context.Context, accountID string, subscribed bool, reason string) error {
	now := ms(s.now())
	res := s.w.WithContext(ctx).Model(&accountRow{}).Where("id = ?", accountID).
		Updates(map[string]any{"subscribed": subscribed, "subscription_error": reason, "checked_at": now, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("store: subscription of %s: %w", accountID, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// MarkChecked stamps an account's last reconciliation without changing it.
func (s *Store) MarkChecked(ctx context.Context, accountID string) error {
	err := s.w.WithContext(ctx).Model(&accountRow{}).Where("id = ?", accountID).Update("checked_at", ms(s.now())).Error
	if err != nil {
		return fmt.Errorf("store: mark %s checked: %w", accountID, err)
	}
	return nil
}

// CommentsReceived counts an account's comments created after createdAfter
// (read through their deadline, which the inbox indexes) and received after
// receivedAfter: the setup check's measure of webhook traffic.
func (s *Store) CommentsReceived(ctx context.Context, accountID string, createdAfter, receivedAfter time.Time) (int, error) {
	var n int
	err := s.r.WithContext(ctx).Raw(`SELECT COUNT(*) FROM comments WHERE account_id = ?
		AND status IN ('open', 'replied', 'done', 'dismissed', 'expired') AND deadline > ? AND received_at > ?`,
		accountID, ms(createdAfter.Add(inbox.ReplyWindow)), ms(receivedAfter)).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: comments received by %s: %w", accountID, err)
	}
	return n, nil
}

// CommentCount is how many comments of an account Replydesk holds.
func (s *Store) CommentCount(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.r.WithContext(ctx).Raw(`SELECT COALESCE(SUM(n), 0) FROM comment_counts WHERE account_id = ?`, accountID).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: comment count of %s: %w", accountID, err)
	}
	return n, nil
}
