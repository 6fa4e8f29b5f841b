package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

// TestPost_readOnceKeptScoped (issue 20, item 6): a media with open
// comments is due a read once; its post and picture are kept and shown only
// to people who may see its account; no read publishes on the change feed
// (no row shows the post); a failed read keeps what was read, counts, and
// is retried later.
func TestPost_readOnceKeptScoped(t *testing.T) {
	ctx := context.Background()
	feed := &recorder{}
	s := storetest.WithFeed(t, feed)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	storetest.Account(t, s, "222", "p2", "acme.outdoor", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	ben := storetest.User(t, s, "fb-ben", "Ben", "agent")
	storetest.Grant(t, s, ava, "111")
	storetest.Grant(t, s, ben, "222")
	now := time.Now()
	seed(t, s,
		inbox.Comment{ID: "c1", AccountID: "111", MediaID: "m1", Text: "a", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "c2", AccountID: "111", MediaID: "m1", Text: "b", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "c3", AccountID: "111", MediaID: "m2", Text: "c", Deadline: now.Add(time.Hour), Status: inbox.StatusDone},
	)
	feed.take()
	due, err := s.MediaDue(ctx, 10)
	if err != nil || len(due) != 1 || due[0].ID != "m1" || due[0].AccountID != "111" {
		t.Fatalf("due %+v %v (m2 has no open comment)", due, err)
	}
	if p, err := s.Post(ctx, ava, "m1"); err != nil || !p.ReadAt.IsZero() || p.Picture {
		t.Fatalf("before a read: %+v %v", p, err)
	}
	posted := now.Add(-48 * time.Hour).Truncate(time.Millisecond).UTC()
	read := store.PostRead{MediaID: "m1", MediaType: "IMAGE", Caption: "Spring <drop>", Permalink: "https://www.instagram.com/p/x/",
		PostedAt: posted, Picture: []byte("\xff\xd8\xffjpeg"), PictureType: "image/jpeg"}
	if err := s.RecordPost(ctx, read, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := feed.take(); len(got) != 0 {
		t.Errorf("a post read published %v", commentIDs(got))
	}
	if due, _ := s.MediaDue(ctx, 10); len(due) != 0 {
		t.Errorf("read media still due: %+v", due)
	}
	p, err := s.Post(ctx, ava, "m1")
	if err != nil || p.Caption != "Spring <drop>" || p.Permalink != read.Permalink || !p.PostedAt.Equal(posted) || !p.Picture || p.ReadAt.IsZero() || p.MediaType != "IMAGE" {
		t.Fatalf("post %+v %v", p, err)
	}
	data, ct, _, err := s.PostPicture(ctx, ava, "m1")
	if err != nil || ct != "image/jpeg" || string(data) != string(read.Picture) {
		t.Fatalf("picture %q %q %v", ct, data, err)
	}
	// Ben may not see @acme.coffee: neither its post nor its picture.
	if _, err := s.Post(ctx, ben, "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ben reads the post: %v", err)
	}
	if _, _, _, err := s.PostPicture(ctx, ben, "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ben reads the picture: %v", err)
	}
	// A refresh without a picture keeps the picture.
	read.Picture = nil
	if err := s.RecordPost(ctx, read, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Post(ctx, ava, "m1"); !p.Picture {
		t.Error("a refresh without a picture dropped the kept one")
	}
	// A failed read keeps the post and is due again at the retry time.
	if err := s.RecordPostFailed(ctx, "m1", now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.MediaDue(ctx, 10); len(due) != 1 || due[0].Failures != 1 {
		t.Errorf("after a failure: %+v", due)
	}
	if p, _ := s.Post(ctx, ava, "m1"); p.Caption != "Spring <drop>" || p.ReadFailures != 1 {
		t.Errorf("a failed read lost the caption: %+v", p)
	}
}
