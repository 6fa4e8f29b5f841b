package store

import (
	"context"
	"strings"

	"github.com/replydesk/replydesk/internal/inbox"
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

// ExplainInbox is SQLite's plan for one read of an inbox page, within part
// (tests).
func (s *Store) ExplainInbox(ctx context.Context, userID int64, f inbox.Filter, part string, cur *inbox.Cursor) (string, error) {
	q, args := s.inboxQuery(userID, f, part, cur, 50)
	var rows []struct {
		Detail string
	}
	err := s.r.WithContext(ctx).Raw("EXPLAIN QUERY PLAN "+q, args...).Scan(&rows).Error
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Detail + "\n")
	}
	return b.String(), err
}

// LiveNow is the Live part of a Live-first list (tests).
const LiveNow = liveNow

// ExplainLiveReads is SQLite's plan for each of the reads of Live comments
// that have a partial index (tests).
func (s *Store) ExplainLiveReads(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for name, q := range map[string]struct {
		sql  string
		args []any
	}{
		"OpenLiveMedia":   {s.openLiveMediaSQL(), nil},
		"OpenLiveCounts":  {s.openLiveCountsSQL(), []any{1}},
		"EndedLiveCounts": {s.endedLiveCountsSQL(), []any{0, 1}},
	} {
		var rows []struct {
			Detail string
		}
		if err := s.r.WithContext(ctx).Raw("EXPLAIN QUERY PLAN "+q.sql, q.args...).Scan(&rows).Error; err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(r.Detail + "\n")
		}
		out[name] = b.String()
	}
	return out, nil
}
