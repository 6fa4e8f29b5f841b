package store

import (
	"context"
	"fmt"

	"github.com/replydesk/replydesk/internal/identity"
)

type accessRow struct {
	UserID    int64  `gorm:"primaryKey;autoIncrement:false"`
	AccountID string `gorm:"primaryKey"`
	Tasks     string
	CanReply  bool
	CheckedAt int64
}

func (accessRow) TableName() string { return "account_access" }

// AccessibleAccountIDs lists the accounts whose Page grants userID
// MESSAGING: every query of comments and replies filters through it.
func (s *Store) AccessibleAccountIDs(ctx context.Context, userID int64) ([]string, error) {
	var ids []string
	err := s.r.WithContext(ctx).Model(&accessRow{}).Where("user_id = ? AND can_reply = 1", userID).
		Order("account_id").Pluck("account_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: accessible accounts of user %d: %w", userID, err)
	}
	return ids, nil
}

// AccessList lists every access row with the user's name, by account then
// name: who can reach what, for the accounts and team pages.
func (s *Store) AccessList(ctx context.Context) ([]identity.Access, error) {
	var rows []struct {
		UserID    int64
		AccountID string
		Tasks     string
		CanReply  bool
		CheckedAt int64
		UserName  string
	}
	err := s.r.WithContext(ctx).Table("account_access AS a").
		Select("a.user_id, a.account_id, a.tasks, a.can_reply, a.checked_at, u.name AS user_name").
		Joins("JOIN users u ON u.id = a.user_id").
		Order("a.account_id, lower(u.name), u.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: access list: %w", err)
	}
	out := make([]identity.Access, len(rows))
	for i, r := range rows {
		out[i] = identity.Access{UserID: r.UserID, UserName: r.UserName, AccountID: r.AccountID,
			Tasks: splitList(r.Tasks), CanReply: r.CanReply, CheckedAt: fromMS(r.CheckedAt)}
	}
	return out, nil
}
