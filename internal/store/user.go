package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/identity"
)

// ErrLastAdmin is returned when a change would leave the team without an admin.
var ErrLastAdmin = errors.New("store: the last admin cannot be demoted")

type userRow struct {
	ID                   int64 `gorm:"primaryKey"`
	FacebookID           string
	Name                 string
	Email                string
	AvatarURL            string
	Role                 string
	UserToken            []byte
	UserTokenExpires     int64
	DeclinedPermissions  string
	PagesWithoutMessages string // Page names, one a line
	CreatedAt            int64  `gorm:"autoCreateTime:false"`
	LastLoginAt          int64
	LastSeenAt           int64
}

func (userRow) TableName() string { return "users" }

func (r userRow) toDomain() identity.User {
	return identity.User{
		ID: r.ID, FacebookID: r.FacebookID, Name: r.Name, Email: r.Email, AvatarURL: r.AvatarURL,
		Role: r.Role, DeclinedPermissions: splitList(r.DeclinedPermissions), PagesWithoutMessages: splitLines(r.PagesWithoutMessages),
		CreatedAt: fromMS(r.CreatedAt), LastLoginAt: fromMS(r.LastLoginAt), LastSeenAt: fromMS(r.LastSeenAt),
	}
}

// User reads one user.
func (s *Store) User(ctx context.Context, id int64) (identity.User, error) {
	var row userRow
	err := s.r.WithContext(ctx).Take(&row, "id = ?", id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return identity.User{}, ErrNotFound
	case err != nil:
		return identity.User{}, fmt.Errorf("store: user %d: %w", id, err)
	}
	return row.toDomain(), nil
}

// Users lists every user, admins first, then by name.
func (s *Store) Users(ctx context.Context) ([]identity.User, error) {
	var rows []userRow
	err := s.r.WithContext(ctx).Order("role = 'admin' DESC, lower(name), id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	out := make([]identity.User, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// SetRole changes a user's role. Demoting the last admin fails with
// ErrLastAdmin; the check and the change are one transaction.
func (s *Store) SetRole(ctx context.Context, userID int64, role string) error {
	if !identity.ValidRole(role) {
		return fmt.Errorf("store: set role: unknown role %q", role)
	}
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		if err := s.lock(tx, "identity"); err != nil {
			return err
		}
		var row userRow
		if err := tx.Take(&row, "id = ?", userID).Error; err != nil {
			return err
		}
		if row.Role == identity.RoleAdmin && role != identity.RoleAdmin {
			var admins int64
			if err := tx.Model(&userRow{}).Where("role = ?", identity.RoleAdmin).Count(&admins).Error; err != nil {
				return err
			}
			if admins <= 1 {
				return ErrLastAdmin
			}
		}
		return tx.Model(&userRow{}).Where("id = ?", userID).Update("role", role).Error
	})
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrNotFound
	case errors.Is(err, ErrLastAdmin):
		return ErrLastAdmin
	case err != nil:
		return fmt.Errorf("store: set role of user %d: %w", userID, err)
	}
	return nil
}

// SealedUserToken is a user's stored long-lived token, still sealed.
type SealedUserToken struct {
	UserID     int64
	FacebookID string // the sealing context
	Sealed     []byte
	ExpiresAt  time.Time
}

// UserTokens lists the users that have a stored user token.
func (s *Store) UserTokens(ctx context.Context) ([]SealedUserToken, error) {
	var rows []userRow
	err := s.r.WithContext(ctx).Select("id", "facebook_id", "user_token", "user_token_expires").
		Where("user_token IS NOT NULL").Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: user tokens: %w", err)
	}
	out := make([]SealedUserToken, len(rows))
	for i, r := range rows {
		out[i] = SealedUserToken{UserID: r.ID, FacebookID: r.FacebookID, Sealed: r.UserToken, ExpiresAt: fromMS(r.UserTokenExpires)}
	}
	return out, nil
}

// DropUserToken forgets a user's token (it stopped working) and their
// access: nothing can confirm their Page roles until they log in again.
func (s *Store) DropUserToken(ctx context.Context, userID int64) error {
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		if err := s.lock(tx, "identity"); err != nil {
			return err
		}
		if err := tx.Model(&userRow{}).Where("id = ?", userID).
			Updates(map[string]any{"user_token": nil, "user_token_expires": 0}).Error; err != nil {
			return err
		}
		return tx.Where("user_id = ?", userID).Delete(&accessRow{}).Error
	})
	if err != nil {
		return fmt.Errorf("store: drop token of user %d: %w", userID, err)
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func joinList(l []string) string { return strings.Join(l, ",") }

// splitLines reads a list stored one item a line (names may hold commas).
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
