package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/outbound"
)

// AlertCandidate is an open comment close to its deadline with no alert
// yet, and when its assignee (if any) was last seen.
type AlertCandidate struct {
	Comment          inbox.Comment
	AccountUsername  string
	AssigneeLastSeen time.Time
}

// AlertCandidates lists up to limit open, non-Live comments without an
// alert whose deadline falls within before from now, soonest first
// (team.ShouldAlert decides which need one).
func (s *Store) AlertCandidates(ctx context.Context, before time.Duration, limit int) ([]AlertCandidate, error) {
	now := s.now()
	var rows []struct {
		C                commentRow `gorm:"embedded"`
		AccountUsername  string
		AssigneeLastSeen int64
	}
	err := s.r.WithContext(ctx).Raw(`SELECT c.*, COALESCE(a.username, '') AS account_username, COALESCE(u.last_seen_at, 0) AS assignee_last_seen
		FROM comments c LEFT JOIN accounts a ON a.id = c.account_id LEFT JOIN users u ON u.id = c.assignee_id
		WHERE c.status = 'open' AND c.deadline > ? AND c.deadline <= ? AND c.alerted_at = 0 AND c.live = 0
		ORDER BY c.deadline, c.received_at, c.id LIMIT ?`, ms(now), ms(now.Add(before)), limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: alert candidates: %w", err)
	}
	out := make([]AlertCandidate, len(rows))
	for i, r := range rows {
		out[i] = AlertCandidate{Comment: r.C.toDomain(), AccountUsername: r.AccountUsername, AssigneeLastSeen: fromMS(r.AssigneeLastSeen)}
	}
	return out, nil
}

// MarkAlerted raises the comments' deadline alerts: in one transaction it
// marks them, so the open inboxes show them (and raise the browser
// notification), and records the outbound event comment.expiring, once per
// comment. It answers how many were not alerted before.
func (s *Store) MarkAlerted(ctx context.Context, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	at := ms(s.now())
	changed, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var out []inbox.Change
		err := tx.Raw(`UPDATE comments SET alerted_at = ?, updated_at = ? WHERE id IN ? AND alerted_at = 0
			RETURNING id AS comment_id, account_id`, at, at, ids).Scan(&out).Error
		if err != nil {
			return nil, err
		}
		events := make([]outbound.Event, len(out))
		for i, c := range out {
			events[i] = outbound.Event{Name: outbound.CommentExpiring, CommentID: c.CommentID, AccountID: c.AccountID}
		}
		return out, s.recordEvents(tx, events)
	})
	if err != nil {
		return 0, fmt.Errorf("store: mark alerted: %w", err)
	}
	return len(changed), nil
}
