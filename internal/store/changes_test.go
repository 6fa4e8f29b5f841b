package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

// recorder is a Feed that keeps what the store published.
type recorder struct {
	mu  sync.Mutex
	got []inbox.Change
}

func (r *recorder) Publish(cs ...inbox.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, cs...)
}

func (r *recorder) take() []inbox.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

// exact records comment id's creation time from Graph.
func exact(s *store.Store, id string, created time.Time) error {
	_, err := s.RecordEnrichment(context.Background(), store.Enrichment{Exact: []store.CommentTime{{ID: id, Created: created}}})
	return err
}

func commentIDs(cs []inbox.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.CommentID
	}
	return out
}

// TestChanges_everyWritePublishesOnceInOrder: each kind of write that
// changes a comment logs and publishes one change per comment, with
// positions that only grow, and ChangesSince replays exactly those.
func TestChanges_everyWritePublishesOnceInOrder(t *testing.T) {
	ctx := context.Background()
	feed := &recorder{}
	s := storetest.WithFeed(t, feed)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	storetest.Account(t, s, "222", "p2", "acme.outdoor", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	storetest.Grant(t, s, ava, "111")
	start, err := s.FeedPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	seed(t, s,
		inbox.Comment{ID: "c1", AccountID: "111", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "c2", AccountID: "222", Deadline: now.Add(-time.Hour)},
	)
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", Deadline: now.Add(time.Hour)}) // a retry: no change
	if got := commentIDs(feed.take()); len(got) != 2 || got[0] != "c1" || got[1] != "c2" {
		t.Fatalf("stored: published %v", got)
	}
	steps := []struct {
		name string
		do   func() error
		want []string
	}{
		{"status", func() error { _, err := s.SetStatus(ctx, ava, []string{"c1"}, inbox.StatusDone); return err }, []string{"c1"}},
		{"deadline", func() error { return exact(s, "c1", now.Add(-time.Hour)) }, []string{"c1"}},
		{"same deadline again", func() error { return exact(s, "c1", now.Add(-time.Hour)) }, nil},
		{"expiry", func() error { _, err := s.ExpireDue(ctx, 10); return err }, []string{"c2"}},
		{"reply", func() error {
			_, err := s.CreateReply(ctx, reply.Reply{CommentID: "c1", AccountID: "111", Text: "hi", Deadline: now.Add(time.Hour)})
			return err
		}, []string{"c1"}},
		{"refused triage", func() error {
			if _, err := s.SetStatus(ctx, ava, []string{"c1", "c2"}, inbox.StatusOpen); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("triage of an invisible comment: %v", err)
			}
			return nil
		}, nil},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := commentIDs(feed.take()); len(got) != len(st.want) || (len(got) > 0 && got[0] != st.want[0]) {
			t.Errorf("%s: published %v, want %v", st.name, got, st.want)
		}
	}

	all, err := s.ChangesSince(ctx, []string{"111", "222"}, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 {
		t.Fatalf("ChangesSince: %d changes, want 6: %+v", len(all), all)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Position <= all[i-1].Position {
			t.Errorf("positions not increasing: %+v", all)
		}
	}
	if head, _ := s.FeedPosition(ctx); head != all[len(all)-1].Position {
		t.Errorf("feed position %d, newest change %d", head, all[len(all)-1].Position)
	}
	only111, _ := s.ChangesSince(ctx, []string{"111"}, all[0].Position, 100)
	for _, c := range only111 {
		if c.AccountID != "111" {
			t.Errorf("another account's change: %+v", c)
		}
	}
	if len(only111) != 3 {
		t.Errorf("account 111 after the first change: %d, want 3", len(only111))
	}
}

func TestChanges_prunedFeedIsAGap(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", Deadline: time.Now().Add(time.Hour)})
	seed(t, s, inbox.Comment{ID: "c2", AccountID: "111", Deadline: time.Now().Add(time.Hour)})
	if _, err := s.ChangesSince(ctx, []string{"111"}, 0, 10); err != nil {
		t.Fatalf("from the start: %v", err)
	}
	if n, err := s.PruneChanges(ctx, time.Now().Add(time.Minute)); err != nil || n != 2 {
		t.Fatalf("prune: %d %v", n, err)
	}
	seed(t, s, inbox.Comment{ID: "c3", AccountID: "111", Deadline: time.Now().Add(time.Hour)})
	if _, err := s.ChangesSince(ctx, []string{"111"}, 1, 10); !errors.Is(err, store.ErrFeedGap) {
		t.Errorf("catching up across pruned changes: %v, want ErrFeedGap", err)
	}
	got, err := s.ChangesSince(ctx, []string{"111"}, 2, 10)
	if err != nil || len(got) != 1 || got[0].CommentID != "c3" || got[0].Position != 3 {
		t.Errorf("from the newest pruned position: %+v %v (positions must not restart)", got, err)
	}
}

// TestChanges_groupCommitPublishesWhatItLogged: a group commit big enough
// for several statements (chunks of 64, 32, 4 rows), with retries of
// stored comments and a comment twice in the group, publishes one change
// per new comment with exactly the position the changes table gave it.
func TestChanges_groupCommitPublishesWhatItLogged(t *testing.T) {
	ctx := context.Background()
	feed := &recorder{}
	s := storetest.WithFeed(t, feed)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	start, err := s.FeedPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	comment := func(n int) inbox.Comment {
		return inbox.Comment{ID: fmt.Sprint(18000000000 + n), AccountID: "111", Surface: "post", Status: inbox.StatusOpen,
			Deadline: now.Add(time.Hour), ReceivedAt: now, UpdatedAt: now}
	}
	seed(t, s, comment(3), comment(7)) // stored before: retries below
	feed.take()
	var ds []store.DeliveryIn
	for n := range 102 {
		ds = append(ds, store.DeliveryIn{ReceivedAt: now, Signature: "sha256=x", Body: []byte("{}"), Comments: []inbox.Comment{comment(n)}})
	}
	ds = append(ds, store.DeliveryIn{ReceivedAt: now, Signature: "sha256=x", Body: []byte("{}"), Comments: []inbox.Comment{comment(50)}})
	res, err := s.CommitDeliveries(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	var fresh, dup int
	for _, r := range res {
		fresh += len(r.New)
		dup += r.Duplicates
	}
	if fresh != 100 || dup != 3 {
		t.Fatalf("new %d, duplicates %d; want 100 and 3", fresh, dup)
	}
	got := feed.take()
	logged, err := s.ChangesSince(ctx, []string{"111"}, start, 1000)
	if err != nil {
		t.Fatal(err)
	}
	logged = logged[2:] // the two seeded
	if len(got) != 100 || len(logged) != 100 {
		t.Fatalf("published %d changes, logged %d; want 100", len(got), len(logged))
	}
	for i := range got {
		if got[i] != logged[i] {
			t.Fatalf("change %d: published %+v, logged %+v", i, got[i], logged[i])
		}
		if i > 0 && got[i].Position != got[i-1].Position+1 {
			t.Fatalf("positions not consecutive at %d: %d after %d", i, got[i].Position, got[i-1].Position)
		}
	}
}
