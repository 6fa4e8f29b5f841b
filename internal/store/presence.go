package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
)

// replyingSelect reads who has a comment open in the composer, longest
// first, as "id:name" joined by the unit separator (parseReplying).
const replyingSelect = `COALESCE((SELECT group_concat(p.user_id || ':' || pu.name, char(31) ORDER BY p.since, p.user_id)
	FROM presence p JOIN users pu ON pu.id = p.user_id WHERE p.comment_id = c.id), '')`

// replyingSelectPG is replyingSelect in PostgreSQL's words.
const replyingSelectPG = `COALESCE((SELECT string_agg(p.user_id || ':' || pu.name, chr(31) ORDER BY p.since, p.user_id)
	FROM presence p JOIN users pu ON pu.id = p.user_id WHERE p.comment_id = c.id), '')`

func parseReplying(s string) []inbox.Person {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "\x1f")
	out := make([]inbox.Person, 0, len(parts))
	for _, p := range parts {
		id, name, _ := strings.Cut(p, ":")
		n, _ := strconv.ParseInt(id, 10, 64)
		out = append(out, inbox.Person{ID: n, Name: name})
	}
	return out
}

// SetPresence records that userID has comment id open in the composer
// until until. The first record is published (the others see "… is
// replying"); refreshing it is not. A comment the user may not see is
// ErrNotFound.
func (s *Store) SetPresence(ctx context.Context, userID int64, id string, until time.Time) error {
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var upd []struct{ N int }
		err := tx.Raw(`UPDATE presence SET expires_at = ? WHERE comment_id = ? AND user_id = ? RETURNING 1 AS n`,
			ms(until), id, userID).Scan(&upd).Error
		if err != nil || len(upd) > 0 {
			return nil, err
		}
		var out []inbox.Change
		err = tx.Raw(`INSERT INTO presence (comment_id, user_id, account_id, since, expires_at)
			SELECT c.id, ?, c.account_id, ?, ? FROM comments c WHERE c.id = ? AND `+visibleTo+`
			RETURNING comment_id, account_id`, userID, ms(s.now()), ms(until), id, userID).Scan(&out).Error
		if err == nil && len(out) == 0 {
			err = ErrNotFound
		}
		return out, err
	})
	if err != nil {
		return fmt.Errorf("store: presence of %d on %s: %w", userID, id, err)
	}
	return nil
}

// ClearPresence ends userID's presence on comment id (any comment when id
// is ""), publishing the change.
func (s *Store) ClearPresence(ctx context.Context, userID int64, id string) error {
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var out []inbox.Change
		err := tx.Raw(`DELETE FROM presence WHERE user_id = ? AND (? = '' OR comment_id = ?) RETURNING comment_id, account_id`,
			userID, id, id).Scan(&out).Error
		return out, err
	})
	if err != nil {
		return fmt.Errorf("store: clear presence of %d on %q: %w", userID, id, err)
	}
	return nil
}

// ExpirePresence removes presences not refreshed in time, publishing the
// changes, and answers how many went.
func (s *Store) ExpirePresence(ctx context.Context) (int, error) {
	changed, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var out []inbox.Change
		err := tx.Raw(`DELETE FROM presence WHERE expires_at <= ? RETURNING comment_id, account_id`, ms(s.now())).Scan(&out).Error
		return out, err
	})
	if err != nil {
		return 0, fmt.Errorf("store: expire presence: %w", err)
	}
	return len(changed), nil
}
