package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store/testdb"
)

// BenchmarkInbox measures the inbox's reads on a large database (BENCH_ROWS
// comments, default 1,000,000; built once per run, which takes a while).
// make bench runs it.
func BenchmarkInbox(b *testing.B) {
	rows := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	ctx := context.Background()
	s, err := Open(ctx, testdb.DSN(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	user := seedBig(b, s, rows)
	if _, err := s.IndexSearch(ctx, rows+1); err != nil {
		b.Fatal(err)
	}
	if s.pg {
		// What autovacuum and the janitor do in a running instance: fresh
		// statistics for the planner, the count deltas folded.
		if _, err := s.CompactCounts(ctx); err != nil {
			b.Fatal(err)
		}
		if err := s.w.Exec("VACUUM ANALYZE").Error; err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d comments in %s", rows, time.Since(start).Round(time.Millisecond))
	first, err := s.ListInbox(ctx, user, inbox.Filter{View: "open", Sort: inbox.SortDeadline}, nil, 50)
	if err != nil || first.Next == nil {
		b.Fatal(err)
	}
	deep := &inbox.Cursor{Key: first.Items[0].Deadline.UnixMilli() + int64(rows/2)*60_000, ID: "x"}
	cases := []struct {
		name string
		run  func() error
	}{
		{"first_page", func() error {
			_, err := s.ListInbox(ctx, user, inbox.Filter{View: "open", Sort: inbox.SortDeadline}, nil, 50)
			return err
		}},
		{"deep_page", func() error {
			_, err := s.ListInbox(ctx, user, inbox.Filter{View: "open", Sort: inbox.SortDeadline}, deep, 50)
			return err
		}},
		{"one_account", func() error {
			_, err := s.ListInbox(ctx, user, inbox.Filter{View: "open", AccountID: "222", Sort: inbox.SortDeadline}, nil, 50)
			return err
		}},
		{"search", func() error {
			_, err := s.ListInbox(ctx, user, inbox.Filter{View: "open", Query: "canada", Sort: inbox.SortDeadline}, nil, 50)
			return err
		}},
		{"counts", func() error {
			_, err := s.InboxCounts(ctx, user, "")
			return err
		}},
		{"mine", func() error {
			_, err := s.ListInbox(ctx, user, inbox.Filter{View: "open", Assignee: inbox.AssigneeMe, Sort: inbox.SortDeadline}, nil, 50)
			return err
		}},
		{"unassigned", func() error {
			_, err := s.ListInbox(ctx, user, inbox.Filter{View: "open", Assignee: inbox.AssigneeNone, Sort: inbox.SortDeadline}, nil, 50)
			return err
		}},
		{"team_counts", func() error {
			_, err := s.TeamCounts(ctx, user, "", time.Hour)
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				if err := c.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func seedBig(b *testing.B, s *Store, n int) int64 {
	ctx := context.Background()
	for _, a := range []string{"111", "222"} {
		s.InsertFixture(ctx, "accounts", map[string]any{"id": a, "username": "acct" + a, "page_id": "p" + a, "connected_at": 1, "updated_at": 1})
	}
	s.InsertFixture(ctx, "users", map[string]any{"facebook_id": "fb", "name": "Ava", "created_at": 1})
	user, _ := s.UserIDByFacebookID(ctx, "fb")
	for _, a := range []string{"111", "222"} {
		s.InsertFixture(ctx, "account_access", map[string]any{"user_id": user, "account_id": a, "can_reply": 1, "checked_at": 1})
	}
	texts := []string{"How much is the blue one?", "Do you ship to Canada?", "Love it 😍", "Ça coûte combien ?", "Is this back in stock?"}
	statuses := []inbox.Status{inbox.StatusOpen, inbox.StatusOpen, inbox.StatusReplied, inbox.StatusDone, inbox.StatusExpired}
	base := time.Now()
	const batch = 20_000
	for i := 0; i < n; i += batch {
		cs := make([]inbox.Comment, 0, batch)
		for j := i; j < min(n, i+batch); j++ {
			cs = append(cs, inbox.Comment{
				ID: fmt.Sprintf("1790%013d", j), AccountID: []string{"111", "222"}[j%2], MediaID: fmt.Sprint("m", j%500),
				Surface: inbox.SurfacePost, Username: fmt.Sprint("user", j%5000), Text: texts[j%len(texts)], Status: statuses[j%len(statuses)],
				Deadline: base.Add(time.Duration(j) * time.Minute), ReceivedAt: base, UpdatedAt: base,
			})
		}
		if _, err := s.InsertComments(ctx, cs); err != nil {
			b.Fatal(err)
		}
	}
	// One comment in ten is assigned (to the user); by id, as PostgreSQL has no rowid.
	if err := s.w.Exec(`UPDATE comments SET assignee_id = ? WHERE id LIKE '%0'`, user).Error; err != nil {
		b.Fatal(err)
	}
	return user
}
