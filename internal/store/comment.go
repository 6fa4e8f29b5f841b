package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
)

// commentRow is the comments table.
type commentRow struct {
	ID                  string `gorm:"primaryKey"`
	AccountID           string
	MediaID             string
	MediaProductType    string
	Surface             string
	AdID                string
	AdTitle             string
	OriginalMediaID     string
	ParentID            string
	FromID              string
	Username            string
	Text                string
	Live                bool
	Hidden              bool
	Deleted             bool
	Status              string
	StatusBy            *int64
	StatusAt            int64
	Deadline            int64
	DeadlineExact       bool
	CreatedAt           int64 `gorm:"autoCreateTime:false"`
	EntryTime           int64
	ReceivedAt          int64
	UpdatedAt           int64 `gorm:"autoUpdateTime:false"`
	EnrichAttempts      int
	EnrichAfter         int64
	AssigneeID          *int64
	AlertedAt           int64
	RuleID              *int64
	SuggestedTemplateID *int64
}

func (commentRow) TableName() string { return "comments" }

func (r commentRow) toDomain() inbox.Comment {
	c := inbox.Comment{
		ID: r.ID, AccountID: r.AccountID, MediaID: r.MediaID, MediaProductType: r.MediaProductType,
		Surface: inbox.Surface(r.Surface), AdID: r.AdID, AdTitle: r.AdTitle, OriginalMediaID: r.OriginalMediaID,
		ParentID: r.ParentID, FromID: r.FromID, Username: r.Username, Text: r.Text, Live: r.Live,
		Hidden: r.Hidden, Deleted: r.Deleted, Status: inbox.Status(r.Status), StatusAt: fromMS(r.StatusAt), Deadline: fromMS(r.Deadline),
		DeadlineExact: r.DeadlineExact, CreatedAt: fromMS(r.CreatedAt), EntryTime: fromMS(r.EntryTime),
		ReceivedAt: fromMS(r.ReceivedAt), UpdatedAt: fromMS(r.UpdatedAt), AlertedAt: fromMS(r.AlertedAt),
	}
	if r.StatusBy != nil {
		c.StatusBy = *r.StatusBy
	}
	if r.AssigneeID != nil {
		c.AssigneeID = *r.AssigneeID
	}
	if r.RuleID != nil {
		c.RuleID = *r.RuleID
	}
	if r.SuggestedTemplateID != nil {
		c.SuggestedTemplateID = *r.SuggestedTemplateID
	}
	return c
}

func commentToRow(c inbox.Comment) commentRow {
	r := commentRow{
		ID: c.ID, AccountID: c.AccountID, MediaID: c.MediaID, MediaProductType: c.MediaProductType,
		Surface: string(c.Surface), AdID: c.AdID, AdTitle: c.AdTitle, OriginalMediaID: c.OriginalMediaID,
		ParentID: c.ParentID, FromID: c.FromID, Username: c.Username, Text: c.Text, Live: c.Live,
		Hidden: c.Hidden, Deleted: c.Deleted, Status: string(c.Status), StatusAt: ms(c.StatusAt), Deadline: ms(c.Deadline), DeadlineExact: c.DeadlineExact,
		CreatedAt: ms(c.CreatedAt), EntryTime: ms(c.EntryTime), ReceivedAt: ms(c.ReceivedAt), UpdatedAt: ms(c.UpdatedAt),
		AlertedAt: ms(c.AlertedAt),
	}
	// Copies, not &c.StatusBy: taking c's address would move every
	// comment converted here to the heap (the webhook path converts each).
	if by := c.StatusBy; by != 0 {
		r.StatusBy = &by
	}
	if to := c.AssigneeID; to != 0 {
		r.AssigneeID = &to
	}
	if id := c.RuleID; id != 0 {
		r.RuleID = &id
	}
	if id := c.SuggestedTemplateID; id != 0 {
		r.SuggestedTemplateID = &id
	}
	if r.Status == "" {
		r.Status = string(inbox.StatusOpen)
	}
	return r
}

// Comment loads one comment by id, whoever may see it (for background work;
// pages use the user-scoped queries).
func (s *Store) Comment(ctx context.Context, id string) (inbox.Comment, error) {
	var row commentRow
	err := s.r.WithContext(ctx).Take(&row, "id = ?", id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return inbox.Comment{}, ErrNotFound
	case err != nil:
		return inbox.Comment{}, fmt.Errorf("store: comment %s: %w", id, err)
	}
	return row.toDomain(), nil
}

// MaxEnrichAttempts is how many timestamp fetches a comment gets before its
// approximate deadline is left as it is.
const MaxEnrichAttempts = 8

// CommentTime is a comment's creation time, as Graph gave it.
type CommentTime struct {
	ID      string
	Created time.Time
}

// Enrichment is what one round of timestamp fetches found.
type Enrichment struct {
	Exact  []CommentTime // read: the deadline follows from the creation time
	Retry  []string      // not read this time (Meta busy, throttled, a bad token): tried again later
	GiveUp []string      // unreadable (deleted, say): the approximate deadline stays
}

// RecordEnrichment stores a round of timestamp fetches in one transaction:
// exact deadlines (publishing the comments whose deadline changed), and for
// the others when to try again: 30 s × 2^attempts later (at most about an
// hour), or never. It answers how many deadlines changed.
func (s *Store) RecordEnrichment(ctx context.Context, e Enrichment) (int, error) {
	now := ms(s.now())
	changed, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var out []inbox.Change
		if len(e.Exact) > 0 {
			var values strings.Builder
			args := []any{now}
			for i, c := range e.Exact {
				if i > 0 {
					values.WriteString(", ")
				}
				values.WriteString("(?, CAST(? AS BIGINT), CAST(? AS BIGINT))") // typed: PostgreSQL reads untyped values as text
				args = append(args, c.ID, ms(c.Created), ms(inbox.ExactDeadline(c.Created)))
			}
			err := tx.Raw(`UPDATE comments SET created_at = v.column2, deadline = v.column3, deadline_exact = 1, updated_at = ?
				FROM (VALUES `+values.String()+`) AS v
				WHERE id = v.column1 AND (deadline_exact = 0 OR deadline <> v.column3)
				RETURNING id AS comment_id, account_id`, args...).Scan(&out).Error
			if err != nil {
				return nil, err
			}
		}
		for _, later := range []struct {
			ids      []string
			attempts string
		}{{e.Retry, "enrich_attempts + 1"}, {e.GiveUp, fmt.Sprint(MaxEnrichAttempts)}} {
			if len(later.ids) == 0 {
				continue
			}
			err := tx.Exec(`UPDATE comments SET enrich_attempts = `+later.attempts+`,
				enrich_after = CAST(? AS BIGINT) + (30000 << (CASE WHEN enrich_attempts < 7 THEN enrich_attempts ELSE 7 END)) WHERE id IN ?`, now, later.ids).Error
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: record %d comment timestamps: %w", len(e.Exact)+len(e.Retry)+len(e.GiveUp), err)
	}
	return len(changed), nil
}

// PendingEnrichment lists comments whose creation time is still unknown and
// due for a fetch: not live, received within the window, oldest first.
func (s *Store) PendingEnrichment(ctx context.Context, limit int) ([]inbox.Comment, error) {
	now := s.now()
	var rows []commentRow
	err := s.r.WithContext(ctx).
		Where("deadline_exact = 0 AND live = 0 AND enrich_after <= ? AND enrich_attempts < ? AND received_at > ?",
			ms(now), MaxEnrichAttempts, ms(now.Add(-inbox.ReplyWindow-48*time.Hour))).
		Order("enrich_after").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: pending enrichment: %w", err)
	}
	return toComments(rows), nil
}

// ClaimEnrichments claims the timestamp fetches of those of ids that are
// due, for this process until lease ends: their deadline is approximate,
// they are not live, and no other process claimed them (or that claim ran
// out). A failed fetch reschedules them (RecordEnrichment); a process that
// dies leaves them due again once the lease ends. It answers the ids it
// claimed.
func (s *Store) ClaimEnrichments(ctx context.Context, ids []string, lease time.Duration) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	now := s.now()
	var claimed []string
	// Rows another process is claiming right now are left to it.
	err := s.w.WithContext(ctx).Raw(`UPDATE comments SET enrich_after = ?
		WHERE id IN (SELECT id FROM comments WHERE id IN ? AND deadline_exact = 0 AND live = 0 AND enrich_after <= ? AND enrich_attempts < ?
		ORDER BY id`+s.skipLocked()+`)
		AND enrich_after <= ? RETURNING id`, ms(now.Add(lease)), ids, ms(now), MaxEnrichAttempts, ms(now)).Scan(&claimed).Error
	if err != nil {
		return nil, fmt.Errorf("store: claim %d timestamp fetches: %w", len(ids), err)
	}
	return claimed, nil
}

// OpenLiveMedia lists, per account, the media of open live comments.
func (s *Store) OpenLiveMedia(ctx context.Context) (map[string][]string, error) {
	var rows []struct{ AccountID, MediaID string }
	err := s.r.WithContext(ctx).Raw(s.openLiveMediaSQL()).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: open live media: %w", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.AccountID] = append(out[r.AccountID], r.MediaID)
	}
	return out, nil
}

// openLiveMediaSQL reads the open Live comments through their partial
// index. SQLite's planner, left to itself, walked every open comment by
// status (0.1 s of CPU a poll with a busy inbox); PostgreSQL's picks the
// partial index by itself.
func (s *Store) openLiveMediaSQL() string {
	return `SELECT DISTINCT c.account_id, c.media_id FROM ` + s.liveIndexed("comments_live_open") + ` WHERE c.live = 1 AND c.status = 'open'`
}

// ExpireLive marks the open live comments on an account's media expired
// (their broadcast ended) and returns their ids.
func (s *Store) ExpireLive(ctx context.Context, accountID string, mediaIDs []string) ([]string, error) {
	if len(mediaIDs) == 0 {
		return nil, nil
	}
	now := ms(s.now())
	changed, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var out []inbox.Change
		err := tx.Raw(`UPDATE comments SET status = 'expired', status_at = ?, status_by = NULL, updated_at = ?
			WHERE account_id = ? AND live = 1 AND status = 'open' AND media_id IN ?
			RETURNING id AS comment_id, account_id`, now, now, accountID, mediaIDs).Scan(&out).Error
		return out, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: expire live comments of %s: %w", accountID, err)
	}
	ids := make([]string, len(changed))
	for i, c := range changed {
		ids[i] = c.CommentID
	}
	return ids, nil
}

// ExpireDue marks up to limit open comments whose deadline has passed
// expired and answers how many it marked.
func (s *Store) ExpireDue(ctx context.Context, limit int) (int, error) {
	now := ms(s.now())
	changed, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		var out []inbox.Change
		// Several processes may expire at once: each takes rows no other
		// is taking (skipLocked), and the outer status check leaves a row
		// that changed meanwhile alone.
		err := tx.Raw(`UPDATE comments SET status = 'expired', status_at = ?, status_by = NULL, updated_at = ?
			WHERE id IN (SELECT id FROM comments WHERE status = 'open' AND deadline <= ? ORDER BY deadline LIMIT ?`+s.skipLocked()+`)
			AND status = 'open' AND deadline <= ?
			RETURNING id AS comment_id, account_id`, now, now, now, limit, now).Scan(&out).Error
		return out, err
	})
	if err != nil {
		return 0, fmt.Errorf("store: expire due comments: %w", err)
	}
	return len(changed), nil
}

func toComments(rows []commentRow) []inbox.Comment {
	out := make([]inbox.Comment, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out
}
