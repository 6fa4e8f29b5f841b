package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
)

// visibleTo is the access rule every user-facing comment query carries: the
// comment's account grants the user the MESSAGING task (account_access).
const visibleTo = `c.account_id IN (SELECT account_id FROM account_access WHERE user_id = ? AND can_reply = 1)`

// itemRow is a comment with the names shown beside it.
type itemRow struct {
	C                 commentRow `gorm:"embedded"`
	AccountUsername   string
	StatusByName      string
	AssigneeName      string
	Replying          string // who has it open in the composer (presence.go)
	PendingModeration string
}

// itemSelect reads items (itemRow) on SQLite, itemSelectPG on PostgreSQL:
// use s.itemSelect().
const itemSelect = `SELECT c.*, COALESCE(a.username, '') AS account_username, COALESCE(u.name, '') AS status_by_name,
	COALESCE(ua.name, '') AS assignee_name, ` + replyingSelect + ` AS replying, ` + itemSelectTail

const itemSelectPG = `SELECT c.*, COALESCE(a.username, '') AS account_username, COALESCE(u.name, '') AS status_by_name,
	COALESCE(ua.name, '') AS assignee_name, ` + replyingSelectPG + ` AS replying, ` + itemSelectTail

const itemSelectTail = `
	COALESCE((SELECT m.kind FROM comment_actions m WHERE m.comment_id = c.id AND ` + pendingVisibilityM + `), '') AS pending_moderation
	FROM comments c LEFT JOIN accounts a ON a.id = c.account_id LEFT JOIN users u ON u.id = c.status_by
	LEFT JOIN users ua ON ua.id = c.assignee_id`

func (s *Store) itemSelect() string {
	if s.pg {
		return itemSelectPG
	}
	return itemSelect
}

// pendingVisibilityM is pendingVisibility on the alias m.
const pendingVisibilityM = `m.kind IN ('hide', 'unhide', 'delete') AND m.state IN ('queued', 'working', 'retrying')`

func (r itemRow) toItem() inbox.Item {
	it := inbox.Item{Comment: r.C.toDomain(), AccountUsername: r.AccountUsername, StatusByName: r.StatusByName,
		Replying: parseReplying(r.Replying), PendingModeration: r.PendingModeration}
	if it.AssigneeID != 0 {
		it.Assignee = inbox.Person{ID: it.AssigneeID, Name: r.AssigneeName}
	}
	return it
}

// where builds the filter's conditions (all on indexed columns except the
// search, which goes through the full-text index).
func (s *Store) where(userID int64, f inbox.Filter, now time.Time) (string, []any) {
	conds := []string{visibleTo}
	args := []any{userID}
	switch f.View {
	case inbox.ViewAll: // deleted comments too: the record
	case inbox.ViewDue:
		conds = append(conds, "c.status = 'open' AND c.deadline <= ? AND c.deleted = 0")
		args = append(args, ms(now.Add(inbox.DueSoon)))
	case inbox.ViewUrgent:
		conds = append(conds, "c.status = 'open' AND c.deadline <= ?")
		args = append(args, ms(now.Add(f.Urgent())))
	default:
		conds = append(conds, "c.status = ? AND c.deleted = 0")
		args = append(args, f.View)
	}
	if f.AccountID != "" {
		conds = append(conds, "c.account_id = ?")
		args = append(args, f.AccountID)
	}
	if f.Surface != "" {
		conds = append(conds, "c.surface = ?")
		args = append(args, string(f.Surface))
	}
	switch f.Assignee {
	case "":
	case inbox.AssigneeMe:
		conds = append(conds, "c.assignee_id = ?")
		args = append(args, userID)
	case inbox.AssigneeNone:
		conds = append(conds, "c.assignee_id IS NULL")
	default:
		conds = append(conds, "c.assignee_id = ?")
		args = append(args, f.AssigneeID())
	}
	if q := f.Search(); q.User != "" || q.Text != "" {
		cond, arg := s.searchCondition(q)
		conds = append(conds, cond...)
		args = append(args, arg...)
	}
	return strings.Join(conds, " AND "), args
}

// ftsPhrase quotes text as one FTS5 phrase.
func ftsPhrase(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// likeAny is a LIKE pattern matching s anywhere, its wildcards escaped.
func likeAny(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s) + "%"
}

// ListInbox is one page of the comments userID may see, filtered and
// sorted, after cursor (keyset paging on indexed columns). A Live-first list
// (inbox.Filter.LiveFirst) reads in two parts: the open comments of running
// broadcasts (few: the partial index comments_live_open finds them), then
// the rest in the view's index order; the cursor says which part it is in.
func (s *Store) ListInbox(ctx context.Context, userID int64, f inbox.Filter, cur *inbox.Cursor, limit int) (inbox.Page, error) {
	rank := liveRank(f)
	var rows []itemRow
	read := func(part string, cur *inbox.Cursor, n int) error {
		q, args := s.inboxQuery(userID, f, part, cur, n)
		var got []itemRow
		if err := s.r.WithContext(ctx).Raw(q, args...).Scan(&got).Error; err != nil {
			return fmt.Errorf("store: list inbox: %w", err)
		}
		rows = append(rows, got...)
		return nil
	}
	switch {
	case rank == "":
		if err := read("", cur, limit+1); err != nil {
			return inbox.Page{}, err
		}
	case cur == nil || cur.Live:
		if err := read(liveNow, cur, limit+1); err != nil {
			return inbox.Page{}, err
		}
		if len(rows) <= limit {
			if err := read(rank, nil, limit+1-len(rows)); err != nil {
				return inbox.Page{}, err
			}
		}
	default:
		if err := read(rank, cur, limit+1); err != nil {
			return inbox.Page{}, err
		}
	}
	var page inbox.Page
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		k, at := last.C.Deadline, last.C.ReceivedAt
		if f.Sort == inbox.SortNewest {
			k, at = last.C.ReceivedAt, 0
		}
		page.Next = &inbox.Cursor{Live: rank != "" && last.C.Live && last.C.Status == string(inbox.StatusOpen), Key: k, At: at, ID: last.C.ID}
	}
	page.Items = make([]inbox.Item, len(rows))
	for i, r := range rows {
		page.Items[i] = r.toItem()
	}
	return page, nil
}

// inboxQuery is one read of ListInbox: up to n rows of the view, within
// part (a condition, "" for all of it), after cur.
func (s *Store) inboxQuery(userID int64, f inbox.Filter, part string, cur *inbox.Cursor, n int) (string, []any) {
	cond, args := s.where(userID, f, s.now())
	sel := s.itemSelect()
	switch part {
	case "":
	case liveNow: // few: read through their partial index, whatever the view's other indexes
		if !s.pg { // PostgreSQL's planner picks the partial index by itself
			sel = strings.Replace(sel, "FROM comments c ", "FROM comments c INDEXED BY comments_live_open ", 1)
		}
		fallthrough
	default:
		cond += " AND " + part
	}
	// Comments that share a deadline (it is to the second) are in the order
	// they arrived: the deadline indexes end in (received_at, id), so that
	// new comments land at the end of their deadline's range (migration
	// 00216).
	order := "c.deadline, c.received_at, c.id"
	if f.Sort == inbox.SortNewest {
		order = "c.received_at DESC, c.id DESC"
	}
	switch {
	case cur == nil:
	case f.Sort == inbox.SortNewest:
		cond += " AND (c.received_at, c.id) < (?, ?)"
		args = append(args, cur.Key, cur.ID)
	default:
		cond += " AND (c.deadline, c.received_at, c.id) > (?, ?, ?)"
		args = append(args, cur.Key, cur.At, cur.ID)
	}
	return sel + " WHERE " + cond + " ORDER BY " + order + " LIMIT ?", append(args, n)
}

// liveNow selects the open comments of running broadcasts (a Live comment
// expires when its broadcast ends), in the terms of the partial index
// comments_live_open.
const liveNow = "c.live = 1 AND c.status = 'open'"

// liveRank is the condition for the rest of a Live-first list (after the
// liveNow part), "" when the list is not Live-first (inbox.Filter.LiveFirst).
func liveRank(f inbox.Filter) string {
	switch {
	case !f.LiveFirst():
		return ""
	case f.View == inbox.ViewAll:
		return "NOT (" + liveNow + ")"
	}
	return "c.live = 0" // views of open comments only
}

func (s *Store) fillOpenOnMedia(ctx context.Context, items []inbox.Item, media map[string]bool) error {
	if len(media) == 0 {
		return nil
	}
	ids := make([]string, 0, len(media))
	for id := range media {
		ids = append(ids, id)
	}
	var counts []struct {
		MediaID string
		N       int
	}
	err := s.r.WithContext(ctx).Raw(`SELECT media_id, COUNT(*) AS n FROM comments
		WHERE media_id IN ? AND status = 'open' AND deleted = 0 GROUP BY media_id`, ids).Scan(&counts).Error
	if err != nil {
		return fmt.Errorf("store: open comments per media: %w", err)
	}
	byMedia := make(map[string]int, len(counts))
	for _, c := range counts {
		byMedia[c.MediaID] = c.N
	}
	for i := range items {
		items[i].OpenOnMedia = byMedia[items[i].MediaID]
	}
	return nil
}

// InboxItem is one comment userID may see; ErrNotFound otherwise.
func (s *Store) InboxItem(ctx context.Context, userID int64, id string) (inbox.Item, error) {
	var rows []itemRow
	err := s.r.WithContext(ctx).Raw(s.itemSelect()+" WHERE c.id = ? AND "+visibleTo, id, userID).Scan(&rows).Error
	if err != nil {
		return inbox.Item{}, fmt.Errorf("store: inbox item %s: %w", id, err)
	}
	if len(rows) == 0 {
		return inbox.Item{}, ErrNotFound
	}
	items := []inbox.Item{rows[0].toItem()}
	if err := s.fillOpenOnMedia(ctx, items, map[string]bool{rows[0].C.MediaID: rows[0].C.MediaID != ""}); err != nil {
		return inbox.Item{}, err
	}
	return items[0], nil
}

// InboxCounts counts the comments userID may see per view, optionally for
// one account: statuses from the trigger-kept comment_counts table, "due"
// from an index range.
func (s *Store) InboxCounts(ctx context.Context, userID int64, accountID string) (inbox.Counts, error) {
	scope, args := `account_id IN (SELECT account_id FROM account_access WHERE user_id = ? AND can_reply = 1)`, []any{userID}
	if accountID != "" {
		scope += " AND account_id = ?"
		args = append(args, accountID)
	}
	var rows []struct {
		Status string
		N      int
	}
	err := s.r.WithContext(ctx).Raw(`SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM `+s.countsSource()+` WHERE `+scope+` GROUP BY status`, args...).Scan(&rows).Error
	if err != nil {
		return inbox.Counts{}, fmt.Errorf("store: inbox counts: %w", err)
	}
	var c inbox.Counts
	for _, r := range rows {
		switch inbox.Status(r.Status) {
		case inbox.StatusOpen:
			c.Open = r.N
		case inbox.StatusReplied:
			c.Replied = r.N
		case inbox.StatusDone:
			c.Done = r.N
		case inbox.StatusDismissed:
			c.Dismissed = r.N
		case inbox.StatusExpired:
			c.Expired = r.N
		}
	}
	err = s.r.WithContext(ctx).Raw(`SELECT COUNT(*) FROM comments WHERE status = 'open' AND deadline <= ? AND deleted = 0 AND `+scope,
		append([]any{ms(s.now().Add(inbox.DueSoon))}, args...)...).Scan(&c.Due).Error
	if err != nil {
		return inbox.Counts{}, fmt.Errorf("store: inbox due count: %w", err)
	}
	return c, nil
}

// SetStatus applies a person's triage action to comments userID may see
// and returns the ones that changed. Comments not visible to the user are
// ErrNotFound; a transition the rules refuse is that error.
func (s *Store) SetStatus(ctx context.Context, userID int64, ids []string, to inbox.Status) ([]inbox.Comment, error) {
	var changed []inbox.Comment
	ids = slices.Sorted(slices.Values(ids)) // rows locked in one order by every writer
	_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
		changed = changed[:0]
		var log []inbox.Change
		now := s.now()
		for _, id := range ids {
			var rows []commentRow
			if err := tx.Raw(`SELECT c.* FROM comments c WHERE c.id = ? AND `+visibleTo+s.forUpdate(), id, userID).Scan(&rows).Error; err != nil {
				return nil, err
			}
			if len(rows) == 0 {
				return nil, ErrNotFound
			}
			c := rows[0].toDomain()
			next, err := inbox.Triage(c, to, now)
			if err != nil {
				return nil, err
			}
			if next == c.Status {
				continue
			}
			err = tx.Exec(`UPDATE comments SET status = ?, status_by = ?, status_at = ?, updated_at = ? WHERE id = ?`,
				string(next), userID, ms(now), ms(now), id).Error
			if err != nil {
				return nil, err
			}
			c.Status, c.StatusBy, c.StatusAt, c.UpdatedAt = next, userID, now, now
			changed = append(changed, c)
			log = append(log, inbox.Change{CommentID: c.ID, AccountID: c.AccountID})
		}
		return log, nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: set status: %w", err)
	}
	return changed, nil
}

// liveIndexed is "comments c" read through the named partial index of Live
// comments. The inbox counts them on every page; SQLite's planner, left to
// itself, walked every open (or expired) comment of the accounts by status
// to find the few Live ones. PostgreSQL's picks the partial index by itself.
func (s *Store) liveIndexed(index string) string {
	if s.pg {
		return "comments c"
	}
	return "comments c INDEXED BY " + index
}

func (s *Store) openLiveCountsSQL() string {
	return `SELECT c.account_id, COUNT(*) AS n FROM ` + s.liveIndexed("comments_live_open") + `
		WHERE c.live = 1 AND c.status = 'open' AND ` + visibleTo + ` GROUP BY c.account_id`
}

func (s *Store) endedLiveCountsSQL() string {
	return `SELECT c.account_id, COUNT(*) AS n FROM ` + s.liveIndexed("comments_live_ended") + `
		WHERE c.live = 1 AND c.status = 'expired' AND c.status_at >= ? AND ` + visibleTo + ` GROUP BY c.account_id`
}

// OpenLiveCounts counts, per account userID may see, the open Live comments
// (an account with any is broadcasting, as far as the inbox knows).
func (s *Store) OpenLiveCounts(ctx context.Context, userID int64) (map[string]int, error) {
	var rows []struct {
		AccountID string
		N         int
	}
	err := s.r.WithContext(ctx).Raw(s.openLiveCountsSQL(), userID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: open live counts: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.AccountID] = r.N
	}
	return out, nil
}

// EndedLiveCounts counts, per account userID may see, the Live comments
// that expired since `since` (their broadcast ended, or its longest
// possible length passed): they can no longer get a private reply.
func (s *Store) EndedLiveCounts(ctx context.Context, userID int64, since time.Time) (map[string]int, error) {
	var rows []struct {
		AccountID string
		N         int
	}
	err := s.r.WithContext(ctx).Raw(s.endedLiveCountsSQL(), ms(since), userID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: ended live counts: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.AccountID] = r.N
	}
	return out, nil
}
