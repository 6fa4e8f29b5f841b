package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/store/testdb"
)

// waitFor polls cond (a signal the test waits for) for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *recorder) positions() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int64, len(r.got))
	for i, c := range r.got {
		out[i] = c.Position
	}
	return out
}

// TestFeed_twoProcessesPublishEveryChangeInOrder: two stores on one
// PostgreSQL database stand for two processes. Both write at once (webhook
// batches and triage); each publishes every change of both, once, in
// position order, and the positions are exactly 1..N.
func TestFeed_twoProcessesPublishEveryChangeInOrder(t *testing.T) {
	testdb.SkipUnlessPostgres(t)
	ctx := context.Background()
	dsn := testdb.DSN(t)
	feedA, feedB := &recorder{}, &recorder{}
	a := storetest.OpenWith(t, dsn, store.Options{Feed: feedA})
	b := storetest.OpenWith(t, dsn, store.Options{Feed: feedB})
	storetest.Account(t, a, "111", "p1", "acme.coffee", nil)
	storetest.Account(t, a, "222", "p2", "acme.outdoor", nil)
	ava := storetest.User(t, a, "fb-ava", "Ava", "admin")
	storetest.Grant(t, a, ava, "111")
	storetest.Grant(t, a, ava, "222")

	const writers, rounds = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	for w := range writers {
		s := []*store.Store{a, b}[w%2]
		wg.Go(func() {
			for i := range rounds {
				now := time.Now()
				var cs []inbox.Comment
				for j := range 3 { // two accounts per batch, in both orders
					acct := []string{"111", "222"}[(i+j+w)%2]
					cs = append(cs, inbox.Comment{ID: fmt.Sprintf("w%d-%d-%d", w, i, j), AccountID: acct, MediaID: fmt.Sprint("m", j),
						Surface: inbox.SurfacePost, Status: inbox.StatusOpen, Deadline: now.Add(time.Hour), ReceivedAt: now, UpdatedAt: now})
				}
				if _, err := s.CommitDeliveries(ctx, []store.DeliveryIn{{ReceivedAt: now, Body: []byte("{}"), Comments: cs}}); err != nil {
					errs <- err
					return
				}
				if _, err := s.SetStatus(ctx, ava, []string{cs[1].ID, cs[0].ID}, inbox.StatusDone); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	head, err := a.FeedPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(writers * rounds * 5); head != want {
		t.Fatalf("feed position %d after %d changes", head, want)
	}
	for name, feed := range map[string]*recorder{"A": feedA, "B": feedB} {
		waitFor(t, "process "+name+" to publish every change", func() bool {
			p := feed.positions()
			return len(p) > 0 && p[len(p)-1] == head
		})
		for i, p := range feed.positions() {
			if p != int64(i+1) {
				t.Fatalf("process %s published position %d as its change number %d: not 1..%d in order", name, p, i+1, head)
			}
		}
	}
	counts, err := b.InboxCounts(ctx, ava, "")
	if err != nil {
		t.Fatal(err)
	}
	if counts.Open != writers*rounds || counts.Done != writers*rounds*2 {
		t.Errorf("counts under concurrent writers: %+v, want %d open and %d done", counts, writers*rounds, writers*rounds*2)
	}
	if _, err := a.CompactCounts(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := b.InboxCounts(ctx, ava, ""); again != counts {
		t.Errorf("counts after compaction %+v, before %+v", again, counts)
	}
}

// TestFeed_lateCommitIsNeverSkipped: a transaction that drew its position
// and has not committed holds back the next one, so positions follow commit
// order; the feed position a page is rendered at never runs ahead of what
// is committed, and catching up from it sees the late change.
func TestFeed_lateCommitIsNeverSkipped(t *testing.T) {
	testdb.SkipUnlessPostgres(t)
	ctx := context.Background()
	dsn := testdb.DSN(t)
	feed := &recorder{}
	s := storetest.OpenWith(t, dsn, store.Options{Feed: feed})
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	storetest.Grant(t, s, ava, "111")
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", Deadline: time.Now().Add(time.Hour)},
		inbox.Comment{ID: "c2", AccountID: "111", Deadline: time.Now().Add(time.Hour)})
	before, _ := s.FeedPosition(ctx)

	// Another process's writer draws the next position, then stalls.
	other, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	late, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Rollback()
	var latePos int64
	if err := late.QueryRow(`UPDATE feed_head SET position = position + 1 RETURNING position`).Scan(&latePos); err != nil {
		t.Fatal(err)
	}
	if _, err := late.Exec(`INSERT INTO changes (position, comment_id, account_id, at) VALUES ($1, 'c1', '111', 0)`, latePos); err != nil {
		t.Fatal(err)
	}

	done := make(chan []inbox.Comment)
	go func() {
		changed, err := s.SetStatus(ctx, ava, []string{"c2"}, inbox.StatusDone)
		if err != nil {
			t.Error(err)
		}
		done <- changed
	}()
	waitFor(t, "the second writer to wait for the first", func() bool {
		var waiting int
		other.QueryRow(`SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'`).Scan(&waiting)
		return waiting > 0
	})
	if p, _ := s.FeedPosition(ctx); p != before {
		t.Errorf("feed position %d while position %d is uncommitted, want %d", p, latePos, before)
	}
	if _, err := other.Exec(`SELECT pg_notify('replydesk_feed', $1)`, fmt.Sprintf("%d 1\nc1 111", latePos)); err != nil {
		t.Fatal(err)
	}
	if err := late.Commit(); err != nil {
		t.Fatal(err)
	}
	<-done
	got, err := s.ChangesSince(ctx, []string{"111"}, before, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Position != latePos || got[1].Position != latePos+1 || got[1].CommentID != "c2" {
		t.Fatalf("catching up from %d: %+v, want the late change %d, then c2 at %d", before, got, latePos, latePos+1)
	}
	waitFor(t, "both changes published", func() bool { p := feed.positions(); return p[len(p)-1] == latePos+1 })
	p := feed.positions()
	if p[len(p)-2] != latePos {
		t.Errorf("published %v: the late change is not right before the next", p)
	}
}

// TestFeed_listenerReconnectsAndCatchesUp: when a process's listening
// connection drops, the changes other processes commit meanwhile are
// published once it is back (read from the table), in order.
func TestFeed_listenerReconnectsAndCatchesUp(t *testing.T) {
	testdb.SkipUnlessPostgres(t)
	ctx := context.Background()
	dsn := testdb.DSN(t)
	a := storetest.Open(t, dsn)
	feedB := &recorder{}
	storetest.OpenWith(t, dsn+"&application_name=process-b", store.Options{Feed: feedB})
	storetest.Account(t, a, "111", "p1", "acme.coffee", nil)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	listening := func() (n int) {
		db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = 'process-b listener'`).Scan(&n)
		return n
	}
	waitFor(t, "B to listen", func() bool { return listening() == 1 })
	if _, err := db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'process-b listener'`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "B's listening connection to go", func() bool { return listening() == 0 })
	for i := range 3 {
		seed(t, a, inbox.Comment{ID: fmt.Sprint("c", i), AccountID: "111", Deadline: time.Now().Add(time.Hour)})
	}
	head, _ := a.FeedPosition(ctx)
	waitFor(t, "B to publish what A committed while B was not listening", func() bool {
		p := feedB.positions()
		return len(p) > 0 && p[len(p)-1] == head
	})
	for i, p := range feedB.positions() {
		if p != int64(i+1) {
			t.Fatalf("B published %v, want 1..%d in order", feedB.positions(), head)
		}
	}
}
