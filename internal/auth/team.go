package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/store"
)

// SetRole lets an admin promote or demote a user. The last admin cannot
// step down.
func (s *Service) SetRole(ctx context.Context, actor identity.User, targetID int64, role string) error {
	if !actor.IsAdmin() {
		return apperr.New(apperr.Forbidden, "admin_only", "Only admins can change roles.")
	}
	if !identity.ValidRole(role) {
		return apperr.Field("role", "invalid_role", "Choose admin or agent.")
	}
	err := s.store.SetRole(ctx, targetID, role)
	switch {
	case errors.Is(err, store.ErrLastAdmin):
		return apperr.New(apperr.Conflict, "last_admin", "You are the only admin. Make someone else admin before stepping down.")
	case errors.Is(err, store.ErrNotFound):
		return apperr.New(apperr.NotFound, "not_found", "That user does not exist.")
	case err != nil:
		return fmt.Errorf("auth: set role: %w", err)
	}
	s.log.Info("role changed", "by", actor.ID, "user_id", targetID, "role", role)
	return nil
}
