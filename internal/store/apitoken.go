package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/identity"
)

// ErrTooMany is a create refused because the owner already holds the most
// allowed.
var ErrTooMany = errors.New("store: too many")

type apiTokenRow struct {
	ID         int64 `gorm:"primaryKey"`
	UserID     int64
	Name       string
	Hash       []byte
	Hint       string
	CreatedAt  int64 `gorm:"autoCreateTime:false"`
	LastUsedAt int64
}

func (apiTokenRow) TableName() string { return "api_tokens" }

func (r apiTokenRow) toDomain() identity.APIToken {
	return identity.APIToken{ID: r.ID, UserID: r.UserID, Name: r.Name, Hint: r.Hint,
		CreatedAt: fromMS(r.CreatedAt), LastUsedAt: fromMS(r.LastUsedAt)}
}

// CreateAPIToken stores a new token by the hash of its value. A user who
// already holds max tokens gets ErrTooMany.
func (s *Store) CreateAPIToken(ctx context.Context, t identity.APIToken, hash []byte, max int) (identity.APIToken, error) {
	row := apiTokenRow{UserID: t.UserID, Name: t.Name, Hash: hash, Hint: t.Hint, CreatedAt: ms(s.now())}
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&apiTokenRow{}).Where("user_id = ?", t.UserID).Count(&n).Error; err != nil {
			return err
		}
		if n >= int64(max) {
			return ErrTooMany
		}
		return tx.Create(&row).Error
	})
	if errors.Is(err, ErrTooMany) {
		return identity.APIToken{}, ErrTooMany
	}
	if err != nil {
		return identity.APIToken{}, fmt.Errorf("store: create API token: %w", err)
	}
	return row.toDomain(), nil
}

// APITokens lists a user's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]identity.APIToken, error) {
	var rows []apiTokenRow
	err := s.r.WithContext(ctx).Select("id", "user_id", "name", "hint", "created_at", "last_used_at").
		Where("user_id = ?", userID).Order("id DESC").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: API tokens of user %d: %w", userID, err)
	}
	out := make([]identity.APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// DeleteAPIToken revokes one of userID's tokens; another user's token, or
// none, is ErrNotFound.
func (s *Store) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	res := s.w.WithContext(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&apiTokenRow{})
	if res.Error != nil {
		return fmt.Errorf("store: delete API token %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// APITokenByHash finds the token whose value hashes to hash.
func (s *Store) APITokenByHash(ctx context.Context, hash []byte) (identity.APIToken, error) {
	var row apiTokenRow
	err := s.r.WithContext(ctx).Take(&row, "hash = ?", hash).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return identity.APIToken{}, ErrNotFound
	case err != nil:
		return identity.APIToken{}, fmt.Errorf("store: API token: %w", err)
	}
	return row.toDomain(), nil
}

// TouchAPIToken records that a token was used, and its user seen.
func (s *Store) TouchAPIToken(ctx context.Context, t identity.APIToken, at time.Time) error {
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&apiTokenRow{}).Where("id = ?", t.ID).Update("last_used_at", ms(at)).Error; err != nil {
			return err
		}
		return tx.Model(&userRow{}).Where("id = ?", t.UserID).Update("last_seen_at", ms(at)).Error
	})
	if err != nil {
		return fmt.Errorf("store: touch API token %d: %w", t.ID, err)
	}
	return nil
}
