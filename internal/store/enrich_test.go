package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

// TestRecordEnrichment: one round of timestamp fetches in one call: read
// comments get exact deadlines (and only those whose deadline changed are
// published), the rest wait longer each time, and the unreadable are never
// fetched again.
func TestRecordEnrichment(t *testing.T) {
	ctx := context.Background()
	feed := &recorder{}
	s := storetest.WithFeed(t, feed)
	storetest.Account(t, s, "a", "pa", "acme", nil)
	seed(t, s, inbox.Comment{ID: "read", AccountID: "a", Deadline: time.Now().Add(7 * 24 * time.Hour)},
		inbox.Comment{ID: "again", AccountID: "a", Deadline: time.Now().Add(7 * 24 * time.Hour)},
		inbox.Comment{ID: "busy", AccountID: "a", Deadline: time.Now().Add(7 * 24 * time.Hour)},
		inbox.Comment{ID: "gone", AccountID: "a", Deadline: time.Now().Add(7 * 24 * time.Hour)})
	created := time.Now().Add(-30 * time.Hour).Truncate(time.Millisecond)
	if _, err := s.RecordEnrichment(ctx, store.Enrichment{Exact: []store.CommentTime{{ID: "again", Created: created}}}); err != nil {
		t.Fatal(err)
	}
	feed.take()

	n, err := s.RecordEnrichment(ctx, store.Enrichment{
		Exact:  []store.CommentTime{{ID: "read", Created: created}, {ID: "again", Created: created}},
		Retry:  []string{"busy"},
		GiveUp: []string{"gone"},
	})
	if err != nil || n != 1 {
		t.Fatalf("changed %d, %v; want 1 (again's deadline was already exact)", n, err)
	}
	if got := commentIDs(feed.take()); len(got) != 1 || got[0] != "read" {
		t.Errorf("published %v, want [read]", got)
	}
	c, _ := s.Comment(ctx, "read")
	if !c.DeadlineExact || !c.CreatedAt.Equal(created) || !c.Deadline.Equal(inbox.ExactDeadline(created)) {
		t.Errorf("read: exact %v created %v deadline %v", c.DeadlineExact, c.CreatedAt, c.Deadline)
	}
	// busy waits 30 s before its next try; gone is never tried again.
	due, _ := s.PendingEnrichment(ctx, 10)
	if len(due) != 0 {
		t.Errorf("due at once: %v", due)
	}
	for _, id := range []string{"busy", "gone"} {
		if c, _ := s.Comment(ctx, id); c.DeadlineExact {
			t.Errorf("%s: exact", id)
		}
	}
}
