package store

import (
	"context"
	"fmt"
)

// InsertFixture inserts one row into table exactly as given. It exists for
// tests and the benchmark (storetest builds on it); the application itself
// never calls it.
func (s *Store) InsertFixture(ctx context.Context, table string, row map[string]any) error {
	if err := s.w.WithContext(ctx).Table(table).Create(row).Error; err != nil {
		return fmt.Errorf("store: fixture %s: %w", table, err)
	}
	return nil
}

// UserIDByFacebookID finds a user's id (tests and fixtures).
func (s *Store) UserIDByFacebookID(ctx context.Context, facebookID string) (int64, error) {
	var ids []int64
	if err := s.r.WithContext(ctx).Raw(`SELECT id FROM users WHERE facebook_id = ?`, facebookID).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("store: user by facebook id: %w", err)
	}
	if len(ids) == 0 {
		return 0, ErrNotFound
	}
	return ids[0], nil
}
