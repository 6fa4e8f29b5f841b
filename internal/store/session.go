package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/identity"
)

type sessionRow struct {
	IDHash     []byte `gorm:"primaryKey"`
	UserID     int64
	CSRFToken  string `gorm:"column:csrf_token"`
	CreatedAt  int64  `gorm:"autoCreateTime:false"`
	LastSeenAt int64
	ExpiresAt  int64
}

func (sessionRow) TableName() string { return "sessions" }

func (r sessionRow) toDomain() identity.Session {
	return identity.Session{IDHash: r.IDHash, UserID: r.UserID, CSRF: r.CSRFToken,
		CreatedAt: fromMS(r.CreatedAt), LastSeenAt: fromMS(r.LastSeenAt), ExpiresAt: fromMS(r.ExpiresAt)}
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess identity.Session) error {
	row := sessionRow{IDHash: sess.IDHash, UserID: sess.UserID, CSRFToken: sess.CSRF,
		CreatedAt: ms(sess.CreatedAt), LastSeenAt: ms(sess.LastSeenAt), ExpiresAt: ms(sess.ExpiresAt)}
	if err := s.w.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// Session reads a session by the hash of its cookie value.
func (s *Store) Session(ctx context.Context, idHash []byte) (identity.Session, error) {
	var row sessionRow
	err := s.r.WithContext(ctx).Take(&row, "id_hash = ?", idHash).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return identity.Session{}, ErrNotFound
	case err != nil:
		return identity.Session{}, fmt.Errorf("store: session: %w", err)
	}
	return row.toDomain(), nil
}

// TouchSession records activity on a session and its user.
func (s *Store) TouchSession(ctx context.Context, idHash []byte, userID int64, at time.Time) error {
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&sessionRow{}).Where("id_hash = ?", idHash).Update("last_seen_at", ms(at)).Error; err != nil {
			return err
		}
		return tx.Model(&userRow{}).Where("id = ?", userID).Update("last_seen_at", ms(at)).Error
	})
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession removes a session (logout); a missing one is no error.
func (s *Store) DeleteSession(ctx context.Context, idHash []byte) error {
	if err := s.w.WithContext(ctx).Delete(&sessionRow{}, "id_hash = ?", idHash).Error; err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// past their absolute expiry at now, answering how many went.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) (int64, error) {
	res := s.w.WithContext(ctx).Where("last_seen_at < ? OR expires_at <= ?", ms(idleBefore), ms(now)).Delete(&sessionRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}
