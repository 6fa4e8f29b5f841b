package store

import (
	"context"
	"strings"
)

// ExplainItems is SQLite's plan for reading inbox rows by id (tests).
func (s *Store) ExplainItems(ctx context.Context) (string, error) {
	var rows []struct {
		Detail string
	}
	err := s.r.WithContext(ctx).Raw("EXPLAIN QUERY PLAN "+itemSelect+" WHERE c.id IN ?", []string{"a", "b"}).Scan(&rows).Error
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Detail + "\n")
	}
	return b.String(), err
}
