package store

import (
	"context"
	"fmt"
	"time"

	"github.com/replydesk/replydesk/internal/team"
)

// Teammates lists the people who may reply on at least one account userID
// may reply on (userID among them), by name, each with the accounts among
// those that they may reply on: nothing about other accounts shows.
func (s *Store) Teammates(ctx context.Context, userID int64) ([]team.Member, error) {
	var rows []struct {
		ID         int64
		Name       string
		Role       string
		AvatarURL  string
		LastSeenAt int64
		AccountID  string
	}
	err := s.r.WithContext(ctx).Raw(`SELECT u.id, u.name, u.role, u.avatar_url, u.last_seen_at, a.account_id
		FROM account_access a JOIN users u ON u.id = a.user_id
		WHERE a.can_reply = 1 AND a.account_id IN (SELECT account_id FROM account_access WHERE user_id = ? AND can_reply = 1)
		ORDER BY lower(u.name), u.id, a.account_id`, userID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: teammates of %d: %w", userID, err)
	}
	var out []team.Member
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].ID != r.ID {
			out = append(out, team.Member{ID: r.ID, Name: r.Name, Role: r.Role, AvatarURL: r.AvatarURL, LastSeenAt: fromMS(r.LastSeenAt)})
		}
		m := &out[len(out)-1]
		m.AccountIDs = append(m.AccountIDs, r.AccountID)
	}
	return out, nil
}

// TeamStats are each of userIDs' numbers, counting only the accounts
// viewerID may see: open comments assigned to them, private replies they
// sent since dayStart, and of the comments assigned to them whose deadline
// fell within team.StatsWindow, how many got their reply and how many
// expired.
func (s *Store) TeamStats(ctx context.Context, viewerID int64, userIDs []int64, dayStart time.Time) (map[int64]team.Stats, error) {
	const scope = `account_id IN (SELECT account_id FROM account_access WHERE user_id = ? AND can_reply = 1)`
	now := s.now()
	out := make(map[int64]team.Stats, len(userIDs))
	for _, id := range userIDs {
		var st team.Stats
		err := s.r.WithContext(ctx).Raw(`SELECT
			(SELECT COUNT(*) FROM comments WHERE assignee_id = ? AND status = 'open' AND `+scope+`) AS open,
			(SELECT COUNT(*) FROM replies WHERE user_id = ? AND sent_at > 0 AND sent_at >= ? AND `+scope+`) AS replies_today,
			(SELECT COUNT(*) FROM comments WHERE assignee_id = ? AND status = 'replied' AND deadline > ? AND `+scope+`) AS answered,
			(SELECT COUNT(*) FROM comments WHERE assignee_id = ? AND status = 'expired' AND deadline > ? AND `+scope+`) AS missed`,
			id, viewerID, id, max(ms(dayStart), 1), viewerID,
			id, ms(now.Add(-team.StatsWindow)), viewerID, id, ms(now.Add(-team.StatsWindow)), viewerID).Scan(&st).Error
		if err != nil {
			return nil, fmt.Errorf("store: team stats of %d: %w", id, err)
		}
		out[id] = st
	}
	return out, nil
}
