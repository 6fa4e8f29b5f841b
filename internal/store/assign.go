package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/team"
)

// assignmentRow is the assignments table: a comment's assignment history.
type assignmentRow struct {
	ID           int64 `gorm:"primaryKey"`
	CommentID    string
	AssigneeID   *int64
	AssigneeName string
	ByID         *int64
	ByName       string
	Auto         bool
	At           int64
}

func (assignmentRow) TableName() string { return "assignments" }

func (r assignmentRow) toDomain() team.Assignment {
	a := team.Assignment{CommentID: r.CommentID, AssigneeName: r.AssigneeName, ByName: r.ByName, Auto: r.Auto, At: fromMS(r.At)}
	if r.AssigneeID != nil {
		a.AssigneeID = *r.AssigneeID
	}
	if r.ByID != nil {
		a.ByID = *r.ByID
	}
	return a
}

// Assign gives the comments ids, which by may see, to assigneeID (0:
// nobody), records who did it in their history, and answers the comments
// that changed. A comment by may not see is ErrNotFound; an assignee who
// may not see a comment's account is refused (team.CheckAssignee), and
// then nothing changes.
func (s *Store) Assign(ctx context.Context, by inbox.Person, ids []string, assigneeID int64) ([]inbox.Comment, error) {
	var changed []inbox.Comment
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		changed = changed[:0]
		assignee := inbox.Person{ID: assigneeID}
		if assigneeID != 0 {
			var names []string
			if err := tx.Raw(`SELECT name FROM users WHERE id = ?`, assigneeID).Scan(&names).Error; err != nil {
				return nil, err
			}
			if len(names) == 0 {
				return nil, team.ErrUnknownUser(assigneeID)
			}
			assignee.Name = names[0]
		}
		now := s.now()
		var log []inbox.Change
		for _, id := range ids {
			var rows []struct {
				C               commentRow `gorm:"embedded"`
				AccountUsername string
				AssigneeCanSee  bool
			}
			err := tx.Raw(`SELECT c.*, COALESCE(a.username, '') AS account_username,
				EXISTS (SELECT 1 FROM account_access x WHERE x.user_id = ? AND x.account_id = c.account_id AND x.can_reply = 1) AS assignee_can_see
				FROM comments c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.id = ? AND `+visibleTo,
				assigneeID, id, by.ID).Scan(&rows).Error
			if err != nil {
				return nil, err
			}
			if len(rows) == 0 {
				return nil, ErrNotFound
			}
			c := rows[0].C.toDomain()
			if assigneeID != 0 {
				if err := team.CheckAssignee(assignee, rows[0].AssigneeCanSee, rows[0].AccountUsername); err != nil {
					return nil, err
				}
			}
			if c.AssigneeID == assigneeID {
				continue
			}
			if err := assignTx(tx, c.ID, assignee, &by, now); err != nil {
				return nil, err
			}
			c.AssigneeID, c.UpdatedAt = assigneeID, now
			changed = append(changed, c)
			log = append(log, inbox.Change{CommentID: c.ID, AccountID: c.AccountID})
		}
		return log, nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: assign: %w", err)
	}
	return changed, nil
}

// assignTx sets a comment's assignee and records it in the history; by is
// nil for automatic assignment.
func assignTx(tx *gorm.DB, commentID string, assignee inbox.Person, by *inbox.Person, now time.Time) error {
	var aid *int64
	if assignee.ID != 0 {
		aid = &assignee.ID
	}
	if err := tx.Exec(`UPDATE comments SET assignee_id = ?, updated_at = ? WHERE id = ?`, aid, ms(now), commentID).Error; err != nil {
		return err
	}
	row := assignmentRow{CommentID: commentID, AssigneeID: aid, AssigneeName: assignee.Name, Auto: by == nil, At: ms(now)}
	if by != nil {
		row.ByID, row.ByName = &by.ID, by.Name
	}
	return tx.Create(&row).Error
}

// Assignments is the assignment history of a comment, oldest first.
func (s *Store) Assignments(ctx context.Context, commentID string) ([]team.Assignment, error) {
	var rows []assignmentRow
	if err := s.r.WithContext(ctx).Where("comment_id = ?", commentID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: assignments of %s: %w", commentID, err)
	}
	out := make([]team.Assignment, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// TeamCounts counts, among the open comments userID may see (optionally of
// one account), those due within urgent, those assigned to userID, and the
// unassigned ones.
func (s *Store) TeamCounts(ctx context.Context, userID int64, accountID string, urgent time.Duration) (inbox.TeamCounts, error) {
	scope, args := `account_id IN (SELECT account_id FROM account_access WHERE user_id = ? AND can_reply = 1)`, []any{userID}
	if accountID != "" {
		scope += " AND account_id = ?"
		args = append(args, accountID)
	}
	var q []any
	q = append(q, args...)
	q = append(q, args...)
	q = append(append(q, userID), args...)
	q = append(append(q, ms(s.now().Add(urgent))), args...)
	var n struct{ Open, Assigned, Mine, Urgent int }
	err := s.r.WithContext(ctx).Raw(`SELECT
		(SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM `+s.countsSource()+` WHERE status = 'open' AND `+scope+`) AS open,
		(SELECT COUNT(*) FROM comments WHERE status = 'open' AND assignee_id IS NOT NULL AND `+scope+`) AS assigned,
		(SELECT COUNT(*) FROM comments WHERE assignee_id = ? AND status = 'open' AND `+scope+`) AS mine,
		(SELECT COUNT(*) FROM comments WHERE status = 'open' AND deadline <= ? AND `+scope+`) AS urgent`, q...).Scan(&n).Error
	if err != nil {
		return inbox.TeamCounts{}, fmt.Errorf("store: team counts: %w", err)
	}
	return inbox.TeamCounts{Urgent: n.Urgent, Mine: n.Mine, Unassigned: max(0, n.Open-n.Assigned)}, nil
}

// AutoAssignSetting is an account's auto-assignment setting (off, with the
// default cap, when never set).
func (s *Store) AutoAssignSetting(ctx context.Context, accountID string) (team.AutoAssign, error) {
	var rows []struct {
		Enabled   bool
		Cap       int
		EnabledAt int64
	}
	err := s.r.WithContext(ctx).Raw(`SELECT enabled, cap, enabled_at FROM auto_assign WHERE account_id = ?`, accountID).Scan(&rows).Error
	if err != nil {
		return team.AutoAssign{}, fmt.Errorf("store: auto-assign of %s: %w", accountID, err)
	}
	out := team.AutoAssign{AccountID: accountID, Cap: team.DefaultCap}
	if len(rows) > 0 {
		out.Enabled, out.Cap, out.EnabledAt = rows[0].Enabled, rows[0].Cap, fromMS(rows[0].EnabledAt)
	}
	return out, nil
}

// SetAutoAssign turns an account's auto-assignment on or off and sets its
// cap. Turning it on starts from comments received from now on.
func (s *Store) SetAutoAssign(ctx context.Context, byID int64, accountID string, enabled bool, cap int) error {
	if err := team.CheckCap(cap); err != nil {
		return err
	}
	now := ms(s.now())
	err := s.w.WithContext(ctx).Exec(`INSERT INTO auto_assign (account_id, enabled, cap, enabled_at, updated_by, updated_at)
		VALUES (?, ?, ?, CASE WHEN ? THEN CAST(? AS BIGINT) ELSE 0 END, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET cap = excluded.cap, updated_by = excluded.updated_by, updated_at = excluded.updated_at,
		enabled_at = CASE WHEN excluded.enabled = 1 AND auto_assign.enabled = 0 THEN excluded.enabled_at ELSE auto_assign.enabled_at END,
		enabled = excluded.enabled`, accountID, enabled, cap, enabled, now, byID, now).Error
	if err != nil {
		return fmt.Errorf("store: set auto-assign of %s: %w", accountID, err)
	}
	return nil
}

// AutoAssignAccounts lists the accounts whose auto-assignment is on.
func (s *Store) AutoAssignAccounts(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.r.WithContext(ctx).Raw(`SELECT account_id FROM auto_assign WHERE enabled = 1 ORDER BY account_id`).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("store: auto-assign accounts: %w", err)
	}
	return ids, nil
}

// AutoAssign gives up to limit of an account's waiting comments (open,
// never assigned, received since auto-assignment was turned on), soonest
// deadline first, to its teammates in turn (team.NextInTurn), and answers
// how many it gave. Comments stay waiting while nobody is eligible.
func (s *Store) AutoAssign(ctx context.Context, accountID string, limit int) (int, error) {
	changed, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		// One pass per account at a time, across processes: two would read
		// the same turn and waiting comments and give each twice.
		if err := s.lock(tx, "auto-assign:"+accountID); err != nil {
			return nil, err
		}
		var set []struct {
			Enabled    bool
			Cap        int
			EnabledAt  int64
			LastUserID int64
		}
		if err := tx.Raw(`SELECT enabled, cap, enabled_at, last_user_id FROM auto_assign WHERE account_id = ?`, accountID).Scan(&set).Error; err != nil {
			return nil, err
		}
		if len(set) == 0 || !set[0].Enabled {
			return nil, nil
		}
		var people []struct {
			ID         int64
			Name       string
			LastSeenAt int64
			Open       int
		}
		err := tx.Raw(`SELECT u.id, u.name, u.last_seen_at,
			(SELECT COUNT(*) FROM comments c WHERE c.assignee_id = u.id AND c.status = 'open') AS open
			FROM account_access a JOIN users u ON u.id = a.user_id
			WHERE a.account_id = ? AND a.can_reply = 1 ORDER BY u.id`, accountID).Scan(&people).Error
		if err != nil {
			return nil, err
		}
		now := s.now()
		cands := make([]team.Candidate, len(people))
		for i, p := range people {
			cands[i] = team.Candidate{UserID: p.ID, Online: team.Online(fromMS(p.LastSeenAt), now), Open: p.Open}
		}
		last := set[0].LastUserID
		if _, ok := team.NextInTurn(cands, last, set[0].Cap); !ok {
			return nil, nil // nobody can take one (at night, say): the waiting comments stay as they are, unread
		}
		var waiting []string
		err = tx.Raw(`SELECT c.id FROM comments c WHERE c.account_id = ? AND c.status = 'open' AND c.assignee_id IS NULL
			AND c.received_at >= ? AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.comment_id = c.id)
			ORDER BY c.deadline, c.received_at, c.id LIMIT ?`+s.skipLocked(), accountID, set[0].EnabledAt, limit).Scan(&waiting).Error
		if err != nil || len(waiting) == 0 {
			return nil, err
		}
		var log []inbox.Change
		for _, id := range waiting {
			next, ok := team.NextInTurn(cands, last, set[0].Cap)
			if !ok {
				break
			}
			for i := range cands {
				if cands[i].UserID == next {
					cands[i].Open++
					if err := assignTx(tx, id, inbox.Person{ID: next, Name: people[i].Name}, nil, now); err != nil {
						return nil, err
					}
				}
			}
			last = next
			log = append(log, inbox.Change{CommentID: id, AccountID: accountID})
		}
		if err := tx.Exec(`UPDATE auto_assign SET last_user_id = ? WHERE account_id = ?`, last, accountID).Error; err != nil {
			return nil, err
		}
		return log, nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return 0, fmt.Errorf("store: auto-assign %s: %w", accountID, err)
	}
	return len(changed), err
}
