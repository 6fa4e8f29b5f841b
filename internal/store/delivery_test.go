package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
)

// feedLog is a Feed that keeps what the store published.
type feedLog struct {
	mu  sync.Mutex
	got []inbox.Change
}

func (f *feedLog) Publish(cs ...inbox.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, cs...)
}

// TestCommitDeliveries_groupCommit: one group commit of many deliveries,
// written with multi-row statements in chunks, does what a statement per
// comment did: each comment stored once (the first copy is the new one,
// every other copy a duplicate, in the same group or later), comments of
// accounts not connected dropped and named, one change-feed row per new
// comment published in position order, media merged, counts per account
// and status equal to the rows, and one raw delivery row each.
func TestCommitDeliveries_groupCommit(t *testing.T) {
	ctx := context.Background()
	feed := &feedLog{}
	s, err := Open(ctx, filepath.Join(t.TempDir(), "r.db"), Options{Feed: feed})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, a := range []string{"a", "b"} {
		s.InsertFixture(ctx, "accounts", map[string]any{"id": a, "username": a, "page_id": "p" + a, "connected_at": 1, "updated_at": 1})
	}
	now := time.Now().Truncate(time.Millisecond)
	comment := func(id, acct, media string, status inbox.Status) inbox.Comment {
		return inbox.Comment{ID: id, AccountID: acct, MediaID: media, Surface: inbox.SurfacePost, Status: status,
			Text: "text " + id, Deadline: now.Add(time.Hour), ReceivedAt: now, UpdatedAt: now}
	}
	if _, err := s.CommitDeliveries(ctx, []DeliveryIn{{ReceivedAt: now, Body: []byte("{}"),
		Comments: []inbox.Comment{comment("old", "a", "", inbox.StatusOpen)}}}); err != nil {
		t.Fatal(err)
	}
	feed.got = nil

	// 101 deliveries: chunks of 64, 32, 4 and 1 rows.
	var ds []DeliveryIn
	var want []string // new comment ids, in order
	for i := range 101 {
		acct := []string{"a", "b"}[i%2]
		status := []inbox.Status{inbox.StatusOpen, inbox.StatusOpen, inbox.StatusDismissed}[i%3]
		c := comment(fmt.Sprint("c", i), acct, fmt.Sprint("m", i%3), status)
		ds = append(ds, DeliveryIn{ReceivedAt: now, Signature: fmt.Sprint("sig", i), Body: []byte(fmt.Sprint(`{"n":`, i, `}`)),
			Comments: []inbox.Comment{c}})
		want = append(want, c.ID)
	}
	// Media m0 learns its product type from one comment and its ad from another.
	ds[0].Comments[0].MediaProductType = "FEED"
	ds[3].Comments[0].AdID, ds[3].Comments[0].AdTitle = "ad1", "Spring sale"
	// The same comment twice in one group, a comment stored before, and
	// one of an account that is not connected.
	ds[5].Comments = append(ds[5].Comments, comment("c1", "b", "m1", inbox.StatusOpen))
	ds[7].Comments = append(ds[7].Comments, comment("old", "a", "", inbox.StatusOpen), comment("x", "nobody", "m9", inbox.StatusOpen))

	res, err := s.CommitDeliveries(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		wantDup, wantUnknown := 0, 0
		switch i {
		case 5:
			wantDup = 1
		case 7:
			wantDup, wantUnknown = 1, 1
		}
		if len(r.New) != 1 || r.New[0].ID != ds[i].Comments[0].ID || r.Duplicates != wantDup || r.Unknown != wantUnknown {
			t.Errorf("delivery %d: %d new, %d duplicates, %d unknown %v", i, len(r.New), r.Duplicates, r.Unknown, r.UnknownAccounts)
		}
	}
	if !slices.Equal(res[7].UnknownAccounts, []string{"nobody"}) {
		t.Errorf("unknown accounts %v", res[7].UnknownAccounts)
	}

	var got []string
	for i, c := range feed.got {
		got = append(got, c.CommentID)
		if i > 0 && c.Position <= feed.got[i-1].Position {
			t.Fatalf("published out of position order: %v", feed.got)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("published %d changes %v, want %d", len(got), got, len(want))
	}
	var logged int64
	s.r.Raw(`SELECT COUNT(*) FROM changes`).Scan(&logged)
	if logged != 102 {
		t.Errorf("%d change rows, want 102", logged)
	}

	var counts []struct {
		AccountID, Status string
		N, Real           int
	}
	s.r.Raw(`SELECT cc.account_id, cc.status, cc.n, (SELECT COUNT(*) FROM comments c
		WHERE c.account_id = cc.account_id AND c.status = cc.status) AS real FROM comment_counts cc`).Scan(&counts)
	if len(counts) != 4 {
		t.Errorf("counts %+v, want 4 account × status pairs", counts)
	}
	for _, c := range counts {
		if c.N != c.Real {
			t.Errorf("count of %s %s = %d, want %d", c.AccountID, c.Status, c.N, c.Real)
		}
	}

	var m struct{ MediaProductType, AdID, AdTitle, AccountID string }
	s.r.Raw(`SELECT media_product_type, ad_id, ad_title, account_id FROM media WHERE id = 'm0'`).Scan(&m)
	if m.MediaProductType != "FEED" || m.AdID != "ad1" || m.AdTitle != "Spring sale" || m.AccountID != "a" {
		t.Errorf("media m0 = %+v", m)
	}
	var nm int64
	s.r.Raw(`SELECT COUNT(*) FROM media`).Scan(&nm)
	if nm != 3 {
		t.Errorf("%d media, want 3 (m9 belongs to an account not connected)", nm)
	}

	var rows []struct {
		Signature                string
		Body                     []byte
		CommentsNew, CommentsDup int
		UnknownAccounts          string
		UnknownComments          int
	}
	s.r.Raw(`SELECT signature, body, comments_new, comments_dup, unknown_accounts, unknown_comments
		FROM deliveries WHERE signature <> '' ORDER BY id`).Scan(&rows)
	if len(rows) != 101 {
		t.Fatalf("%d delivery rows, want 101", len(rows))
	}
	if r := rows[7]; r.Signature != "sig7" || string(r.Body) != `{"n":7}` || r.CommentsNew != 1 || r.CommentsDup != 1 ||
		r.UnknownAccounts != "nobody" || r.UnknownComments != 1 {
		t.Errorf("delivery row 7 = %+v", r)
	}

	// A retry of the whole group stores nothing again.
	again, err := s.CommitDeliveries(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again {
		if len(r.New) != 0 {
			t.Errorf("retried delivery %d stored %d comments again", i, len(r.New))
		}
	}
}

// TestPurgeDeliveries_oldOnes: raw deliveries received before the cutoff go,
// the rest stay; with none received since, all go.
func TestPurgeDeliveries_oldOnes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "r.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	var ds []DeliveryIn
	for _, age := range []time.Duration{40, 35, 31, 29, 2} {
		ds = append(ds, DeliveryIn{ReceivedAt: now.Add(-age * 24 * time.Hour), Body: []byte("{}")})
	}
	if _, err := s.CommitDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PurgeDeliveries(ctx, now.Add(-30*24*time.Hour)); err != nil || n != 3 {
		t.Errorf("purged %d, %v; want the 3 older than 30 days", n, err)
	}
	if d, _, _ := s.DeliveryStats(ctx); d != 2 {
		t.Errorf("%d deliveries left, want 2", d)
	}
	if n, err := s.PurgeDeliveries(ctx, now); err != nil || n != 2 {
		t.Errorf("purged %d, %v; want the last 2", n, err)
	}
}

// TestCommitDeliveries_pagesPerCommit: a group commit writes few pages to
// the write-ahead log (every table and index it adds to is at least one);
// this is most of what a webhook costs. Keep new indexes off the tables a
// commit writes (comments, changes, deliveries, comment_counts) unless the
// inbox cannot do without them.
func TestCommitDeliveries_pagesPerCommit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "r.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Only this test's commits move the log: no checkpoints at all.
	s.chk.close()
	s.chk = nil
	s.w.Exec("PRAGMA wal_autocheckpoint = 0")
	s.InsertFixture(ctx, "accounts", map[string]any{"id": "a", "username": "u", "page_id": "p", "connected_at": 1, "updated_at": 1})
	n := 0
	commit := func(per int) {
		batch := make([]DeliveryIn, per)
		for j := range batch {
			n++
			now := time.Now()
			batch[j] = DeliveryIn{ReceivedAt: now, Signature: "sha256=x", Body: []byte(`{"object":"instagram"}`), Comments: []inbox.Comment{{
				ID: fmt.Sprintf("1790%013d", n*7919%10_000_000), AccountID: "a", MediaID: "m", MediaProductType: "FEED",
				Surface: inbox.SurfacePost, Text: "How much is the blue one?", Status: inbox.StatusOpen,
				Deadline: now.Add(7 * 24 * time.Hour), ReceivedAt: now, UpdatedAt: now}}}
		}
		if _, err := s.CommitDeliveries(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ per, most int }{{1, 15}, {8, 24}, {32, 42}} {
		for range 100 { // a warm database: the post and the account exist, pages split as they will
			commit(c.per)
		}
		s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		const commits = 100
		for range commits {
			commit(c.per)
		}
		st, err := os.Stat(filepath.Join(dir, "r.db-wal"))
		if err != nil {
			t.Fatal(err)
		}
		frames := float64(st.Size()-32) / (4096 + 24) / commits
		t.Logf("%d deliveries a commit: %.1f pages", c.per, frames)
		if frames > float64(c.most) {
			t.Errorf("a commit of %d deliveries writes %.1f pages to the WAL, want at most %d", c.per, frames, c.most)
		}
	}
}

// TestCheckpointer_movesTheLogInTheBackground: commits leave the
// checkpoint to the background (the writer's own threshold is far off),
// and the log still reaches the database file soon after.
func TestCheckpointer_movesTheLogInTheBackground(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var auto int
	s.w.Raw("PRAGMA wal_autocheckpoint").Scan(&auto)
	if auto != writerAutoCheckpoint {
		t.Errorf("the writer checkpoints every %d pages, want %d", auto, writerAutoCheckpoint)
	}
	s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	before, _ := os.Stat(path)
	var ds []DeliveryIn
	for range 200 {
		ds = append(ds, DeliveryIn{ReceivedAt: time.Now(), Body: bytes.Repeat([]byte("x"), 2000)})
	}
	if _, err := s.CommitDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if st, _ := os.Stat(path); st.Size() > before.Size()+200*2000 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the log was not checkpointed into the database within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
