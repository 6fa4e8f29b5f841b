package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/replydesk/replydesk/internal/outbound"
)

type outboundEventRow struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	CommentID string
	AccountID string
	At        int64
}

func (outboundEventRow) TableName() string { return "outbound_events" }

// RecordEvents stores events for outbound delivery. An event that may
// happen only once per comment (comment.expiring) and already did is left
// out; RecordEvents answers the events it stored, with their ids.
func (s *Store) RecordEvents(ctx context.Context, events []outbound.Event) ([]outbound.Event, error) {
	var stored []outbound.Event
	for _, e := range events {
		row := outboundEventRow{Name: e.Name, CommentID: e.CommentID, AccountID: e.AccountID, At: ms(e.At)}
		if row.At == 0 {
			row.At = ms(s.now())
		}
		res := s.w.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return stored, fmt.Errorf("store: record event %s of %s: %w", e.Name, e.CommentID, res.Error)
		}
		if res.RowsAffected == 1 {
			e.ID, e.At = row.ID, fromMS(row.At)
			stored = append(stored, e)
		}
	}
	return stored, nil
}

// recordEvents stores events in the transaction that makes them happen
// (a reply's outcome, a disconnect), stamped with the store's clock.
func (s *Store) recordEvents(tx *gorm.DB, events []outbound.Event) error {
	at := ms(s.now())
	for _, e := range events {
		err := tx.Exec(`INSERT INTO outbound_events (name, comment_id, account_id, at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, e.Name, e.CommentID, e.AccountID, at).Error
		if err != nil {
			return fmt.Errorf("record event %s of %s: %w", e.Name, e.CommentID, err)
		}
	}
	return nil
}

// EventsAfter lists recorded events with an id above after, oldest first.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]outbound.Event, error) {
	var rows []outboundEventRow
	if err := s.r.WithContext(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: events after %d: %w", after, err)
	}
	out := make([]outbound.Event, len(rows))
	for i, r := range rows {
		out[i] = outbound.Event{ID: r.ID, Name: r.Name, CommentID: r.CommentID, AccountID: r.AccountID, At: fromMS(r.At)}
	}
	return out, nil
}
