// Package triage applies people's status changes to comments (done,
// dismiss, reopen) and tells every open inbox about them.
package triage

import (
	"context"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/live"
)

// Store is the storage triage needs.
type Store interface {
	SetStatus(ctx context.Context, userID int64, ids []string, to inbox.Status) ([]inbox.Comment, error)
}

// Service changes comment statuses.
type Service struct {
	st  Store
	hub live.Hub
}

// New makes a Service.
func New(st Store, hub live.Hub) *Service { return &Service{st: st, hub: hub} }

// MaxBulk bounds one bulk action.
const MaxBulk = 500

// SetStatus moves the comments (which userID must be able to see) to status
// and publishes each change. It returns the comments that changed.
func (s *Service) SetStatus(ctx context.Context, userID int64, ids []string, to inbox.Status) ([]inbox.Comment, error) {
	changed, err := s.st.SetStatus(ctx, userID, ids, to)
	if err != nil {
		return nil, err
	}
	for _, c := range changed {
		s.hub.Publish(ctx, live.Event{Kind: live.CommentChanged, CommentID: c.ID, AccountID: c.AccountID, At: time.Now()})
	}
	return changed, nil
}
