package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
)

// DeliveryIn is one verified webhook delivery to persist: its raw body (kept
// for audit and replay) and the comments parsed from it.
type DeliveryIn struct {
	ReceivedAt time.Time
	Signature  string
	Body       []byte
	Comments   []inbox.Comment
	Own        int // the account's own comments, skipped
	Rejected   int // comments whose ids are not Meta-shaped, dropped
	// OwnReplies are the account's own replies to comments (public
	// replies): stored under the comment they answer, never in the inbox.
	OwnReplies []moderation.Reply
}

// DeliveryResult is what persisting one delivery did.
type DeliveryResult struct {
	New             []inbox.Comment // stored for the first time
	Duplicates      int             // already known (retries, ad duplicates)
	UnknownAccounts []string        // not connected: their comments were dropped
	Unknown         int
}

// CommitDeliveries stores several deliveries in one transaction (group
// commit): every raw body, and each comment of a connected account once,
// keyed on its id. When it returns without error, all of them are durable.
//
// This is the ingest hot path, so it runs on database/sql with statements
// prepared once, not through GORM's statement builder, and writes the whole
// group with a few multi-row statements (ingest_stmts.go).
func (s *Store) CommitDeliveries(ctx context.Context, ds []DeliveryIn) ([]DeliveryResult, error) {
	if s.pg {
		return s.commitDeliveriesPG(ctx, ds)
	}
	out := make([]DeliveryResult, len(ds))
	err := s.ingestTx(ctx, func(q *ingestStmts) error {
		connected, err := q.connectedAccounts(ctx)
		if err != nil {
			return err
		}
		cs, from, seen := sortDeliveries(ds, connected, out)
		isNew, err := q.insertComments(ctx, cs)
		if err != nil {
			return err
		}
		for k, c := range cs {
			if res := &out[from[k]]; isNew[k] {
				res.New = append(res.New, c)
			} else {
				res.Duplicates++
			}
		}
		// The account's own public replies, after the comments they may
		// answer (rare: one statement each).
		for _, d := range ds {
			for _, r := range d.OwnReplies {
				if connected[r.AccountID] {
					if err := q.insertOwnReply(ctx, r); err != nil {
						return err
					}
				}
			}
		}
		args := make([]any, 0, len(ds)*sqlDeliveries.width)
		for i, d := range ds {
			res := &out[i]
			var unknown string
			if len(res.UnknownAccounts) > 0 {
				unknown = strings.Join(res.UnknownAccounts, ",")
			}
			args = append(args, ms(d.ReceivedAt), d.Signature, d.Body, len(res.New), res.Duplicates, d.Own, unknown, res.Unknown,
				d.Rejected)
		}
		if err := q.exec(ctx, sqlDeliveries, args, nil); err != nil {
			return err
		}
		for acct, at := range seen {
			if err := q.touchAccount(ctx, acct, ms(at)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: commit %d deliveries: %w", len(ds), err)
	}
	return out, nil
}

// sortDeliveries splits a group's comments: those of connected accounts
// (cs, each with the index of its delivery in from, and when each
// account's webhooks last arrived), and the others, counted as dropped in
// out.
func sortDeliveries(ds []DeliveryIn, connected map[string]bool, out []DeliveryResult) (cs []inbox.Comment, from []int, seen map[string]time.Time) {
	seen = map[string]time.Time{}
	for i, d := range ds {
		res := &out[i]
		for _, c := range d.Comments {
			if !connected[c.AccountID] {
				res.Unknown++
				if !slices.Contains(res.UnknownAccounts, c.AccountID) {
					res.UnknownAccounts = append(res.UnknownAccounts, c.AccountID)
				}
				continue
			}
			if d.ReceivedAt.After(seen[c.AccountID]) {
				seen[c.AccountID] = d.ReceivedAt
			}
			cs, from = append(cs, c), append(from, i)
		}
	}
	return cs, from, seen
}

// PurgeDeliveries deletes raw deliveries received before cutoff. They were
// appended in the order they arrived: it deletes by id up to the first one
// received since, reading only what it deletes (there is no index on the
// time, which every delivery would pay for).
func (s *Store) PurgeDeliveries(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.w.WithContext(ctx).Exec(`DELETE FROM deliveries WHERE id < COALESCE(
		(SELECT id FROM deliveries WHERE received_at >= ? ORDER BY id LIMIT 1),
		(SELECT MAX(id) + 1 FROM deliveries))`, ms(cutoff))
	if res.Error != nil {
		return 0, fmt.Errorf("store: purge deliveries: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// DeliveryStats counts stored deliveries and comments (for tests and the accounts page).
func (s *Store) DeliveryStats(ctx context.Context) (deliveries, comments int64, err error) {
	if err = s.r.WithContext(ctx).Raw(`SELECT COUNT(*) FROM deliveries`).Scan(&deliveries).Error; err != nil {
		return 0, 0, fmt.Errorf("store: delivery stats: %w", err)
	}
	if err = s.r.WithContext(ctx).Raw(`SELECT COUNT(*) FROM comments`).Scan(&comments).Error; err != nil {
		return 0, 0, fmt.Errorf("store: delivery stats: %w", err)
	}
	return deliveries, comments, nil
}

// RejectedComments counts the comments stored deliveries held whose ids
// were not Meta-shaped (for tests and audits).
func (s *Store) RejectedComments(ctx context.Context) (int64, error) {
	var n int64
	if err := s.r.WithContext(ctx).Raw(`SELECT COALESCE(SUM(comments_rejected), 0) FROM deliveries`).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("store: rejected comments: %w", err)
	}
	return n, nil
}

// InsertComments stores comments read from the Graph API (a backfill) that
// are not known yet, and returns those it stored.
func (s *Store) InsertComments(ctx context.Context, cs []inbox.Comment) ([]inbox.Comment, error) {
	if s.pg {
		sorted := slices.Clone(cs)
		slices.SortStableFunc(sorted, lockCompare)
		var fresh []inbox.Comment
		_, err := s.changing(ctx, func(tx *gorm.DB) ([]inbox.Change, error) {
			isNew, changes, err := s.insertCommentsPG(ctx, tx.Statement.ConnPool, sorted)
			if err != nil {
				return nil, err
			}
			fresh = fresh[:0]
			for i, c := range sorted {
				if isNew[i] {
					fresh = append(fresh, c)
				}
			}
			return changes, s.recordCreatedPG(ctx, tx, changes)
		})
		if err != nil {
			return nil, fmt.Errorf("store: insert %d comments: %w", len(cs), err)
		}
		return fresh, nil
	}
	var fresh []inbox.Comment
	err := s.ingestTx(ctx, func(q *ingestStmts) error {
		isNew, err := q.insertComments(ctx, cs)
		for i, c := range cs {
			if err == nil && isNew[i] {
				fresh = append(fresh, c)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: insert %d comments: %w", len(cs), err)
	}
	return fresh, nil
}
