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
