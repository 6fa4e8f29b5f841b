package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/outbound"
)

type webhookRow struct {
	ID        int64 `gorm:"primaryKey"`
	URL       string
	Events    string
	Secret    []byte
	CreatedBy *int64
	CreatedAt int64 `gorm:"autoCreateTime:false"`
	Cursor    int64
}

func (webhookRow) TableName() string { return "webhooks" }

// CreateWebhook stores an outbound webhook with its sealed secret. It hears
// the events recorded from now on (its cursor starts at the newest event);
// beyond max webhooks it answers ErrTooMany.
func (s *Store) CreateWebhook(ctx context.Context, w outbound.Webhook, createdBy int64, max int) (outbound.Webhook, error) {
	row := webhookRow{URL: w.URL, Events: joinList(w.Events), Secret: w.SealedSecret, CreatedAt: ms(s.now())}
	if createdBy != 0 {
		row.CreatedBy = &createdBy
	}
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&webhookRow{}).Count(&n).Error; err != nil {
			return err
		}
		if n >= int64(max) {
			return ErrTooMany
		}
		if err := tx.Raw(`SELECT COALESCE(MAX(id), 0) FROM outbound_events`).Scan(&row.Cursor).Error; err != nil {
			return err
		}
		return tx.Create(&row).Error
	})
	if errors.Is(err, ErrTooMany) {
		return outbound.Webhook{}, ErrTooMany
	}
	if err != nil {
		return outbound.Webhook{}, fmt.Errorf("store: create webhook: %w", err)
	}
	w.ID, w.CreatedAt = row.ID, fromMS(row.CreatedAt)
	return w, nil
}

// webhookView is a webhook with its creator's name.
type webhookView struct {
	ID            int64
	URL           string
	Events        string
	Secret        []byte
	CreatedAt     int64
	CreatedByName string
}

func (r webhookView) toDomain() outbound.Webhook {
	return outbound.Webhook{ID: r.ID, URL: r.URL, Events: splitList(r.Events), CreatedBy: r.CreatedByName,
		CreatedAt: fromMS(r.CreatedAt), SealedSecret: r.Secret}
}

func (s *Store) webhookRows(ctx context.Context) ([]webhookView, error) {
	var rows []webhookView
	err := s.r.WithContext(ctx).Raw(`SELECT w.id, w.url, w.events, w.secret, w.created_at, COALESCE(u.name, '') AS created_by_name
		FROM webhooks w LEFT JOIN users u ON u.id = w.created_by ORDER BY w.id`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: webhooks: %w", err)
	}
	return rows, nil
}

// Webhooks lists the outbound webhooks, oldest first.
func (s *Store) Webhooks(ctx context.Context) ([]outbound.Webhook, error) {
	rows, err := s.webhookRows(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]outbound.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// DeleteWebhook removes a webhook and its deliveries.
func (s *Store) DeleteWebhook(ctx context.Context, id int64) error {
	res := s.w.WithContext(ctx).Exec(`DELETE FROM webhooks WHERE id = ?`, id)
	if res.Error != nil {
		return fmt.Errorf("store: delete webhook %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// WebhookCursors maps each webhook to the newest event fanned out to it.
func (s *Store) WebhookCursors(ctx context.Context) (map[int64]int64, error) {
	var rows []struct{ ID, Cursor int64 }
	if err := s.r.WithContext(ctx).Raw(`SELECT id, cursor FROM webhooks`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: webhook cursors: %w", err)
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Cursor
	}
	return out, nil
}

type deliveryRow struct {
	ID            int64 `gorm:"primaryKey"`
	WebhookID     int64
	EventID       int64
	Event         string
	CommentID     string
	Body          []byte
	State         string
	Attempts      int
	NextAttemptAt int64
	CreatedAt     int64 `gorm:"autoCreateTime:false"`
	UpdatedAt     int64 `gorm:"autoUpdateTime:false"`
	DeliveredAt   int64
	LastStatus    int
	LastAnswer    string
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

func (r deliveryRow) toDomain() outbound.Delivery {
	return outbound.Delivery{ID: r.ID, WebhookID: r.WebhookID, EventID: r.EventID, Event: r.Event, CommentID: r.CommentID,
		Body: r.Body, State: r.State, Attempts: r.Attempts, NextAttemptAt: fromMS(r.NextAttemptAt),
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt), DeliveredAt: fromMS(r.DeliveredAt),
		LastStatus: r.LastStatus, LastAnswer: r.LastAnswer}
}

func deliveriesToDomain(rows []deliveryRow) []outbound.Delivery {
	out := make([]outbound.Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out
}

// FanOut queues deliveries for one webhook and moves its cursor to upTo, in
// one transaction: events up to upTo are then either queued or skipped for
// good. A delivery already queued for that event is left as it is.
func (s *Store) FanOut(ctx context.Context, webhookID, upTo int64, ds []outbound.Delivery) error {
	now := ms(s.now())
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, d := range ds {
			err := tx.Exec(`INSERT INTO webhook_deliveries (webhook_id, event_id, event, comment_id, body, state,
				next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)
				ON CONFLICT (webhook_id, event_id) DO NOTHING`,
				webhookID, d.EventID, d.Event, d.CommentID, d.Body, now, now, now).Error
			if err != nil {
				return err
			}
		}
		return tx.Exec(`UPDATE webhooks SET cursor = ? WHERE id = ? AND cursor < ?`, upTo, webhookID, upTo).Error
	})
	if err != nil {
		return fmt.Errorf("store: fan out to webhook %d: %w", webhookID, err)
	}
	return nil
}

// DueDeliveries lists pending deliveries whose attempt is due, oldest first.
func (s *Store) DueDeliveries(ctx context.Context, limit int) ([]outbound.Delivery, error) {
	var rows []deliveryRow
	err := s.r.WithContext(ctx).Where("state = 'pending' AND next_attempt_at <= ?", ms(s.now())).
		Order("next_attempt_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: due deliveries: %w", err)
	}
	return deliveriesToDomain(rows), nil
}

// NextDelivery is when the earliest pending delivery is due (zero: none).
func (s *Store) NextDelivery(ctx context.Context) (time.Time, error) {
	var v *int64
	err := s.r.WithContext(ctx).Raw(`SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'`).Scan(&v).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("store: next delivery: %w", err)
	}
	if v == nil {
		return time.Time{}, nil
	}
	return fromMS(*v), nil
}

// ClaimDelivery leases a due delivery until until: no other worker (or
// pass) takes it meanwhile, and if this process dies the lease runs out and
// the delivery is attempted again. false when someone else has it.
func (s *Store) ClaimDelivery(ctx context.Context, d outbound.Delivery, until time.Time) (bool, error) {
	res := s.w.WithContext(ctx).Exec(`UPDATE webhook_deliveries SET next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND state = 'pending' AND next_attempt_at = ?`, ms(until), ms(s.now()), d.ID, ms(d.NextAttemptAt))
	if res.Error != nil {
		return false, fmt.Errorf("store: claim delivery %d: %w", d.ID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// FinishDelivery records an attempt: its state, attempts, next attempt and
// the receiver's answer.
func (s *Store) FinishDelivery(ctx context.Context, d outbound.Delivery) error {
	err := s.w.WithContext(ctx).Exec(`UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?,
		delivered_at = ?, last_status = ?, last_answer = ?, updated_at = ? WHERE id = ?`,
		d.State, d.Attempts, ms(d.NextAttemptAt), ms(d.DeliveredAt), d.LastStatus, d.LastAnswer, ms(s.now()), d.ID).Error
	if err != nil {
		return fmt.Errorf("store: finish delivery %d: %w", d.ID, err)
	}
	return nil
}

// RecentDeliveries lists a webhook's newest deliveries, newest first.
func (s *Store) RecentDeliveries(ctx context.Context, webhookID int64, limit int) ([]outbound.Delivery, error) {
	var rows []deliveryRow
	err := s.r.WithContext(ctx).Where("webhook_id = ?", webhookID).Order("id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: deliveries of webhook %d: %w", webhookID, err)
	}
	return deliveriesToDomain(rows), nil
}

// PruneOutbound deletes outbound events every webhook has already been
// given (all of them when there is no webhook) recorded before
// fannedBefore, every event recorded before allBefore (comment.expiring
// marks stay until then: they keep that event once per comment), and
// finished deliveries last touched before deliveriesBefore.
func (s *Store) PruneOutbound(ctx context.Context, fannedBefore, allBefore, deliveriesBefore time.Time) (int64, error) {
	var n int64
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var fanned int64
		err := tx.Raw(`SELECT COALESCE((SELECT MIN(cursor) FROM webhooks), (SELECT MAX(id) FROM outbound_events), 0)`).Scan(&fanned).Error
		if err != nil {
			return err
		}
		res := tx.Exec(`DELETE FROM outbound_events WHERE (at < ? AND id <= ? AND name <> ?) OR at < ?`,
			ms(fannedBefore), fanned, outbound.CommentExpiring, ms(allBefore))
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		res = tx.Exec(`DELETE FROM webhook_deliveries WHERE state <> 'pending' AND updated_at < ?`, ms(deliveriesBefore))
		n += res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune outbound: %w", err)
	}
	return n, nil
}
