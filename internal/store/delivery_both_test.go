package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

// TestCommitDeliveries_oneGroupCommit: one group commit of several
// deliveries stores each comment of a connected account once (a copy in
// the same group, as an ad delivered twice, is a duplicate), drops unknown
// accounts' comments while keeping their raw deliveries, and logs one change
// per comment stored.
func TestCommitDeliveries_oneGroupCommit(t *testing.T) {
	ctx := context.Background()
	feed := &recorder{}
	s := storetest.WithFeed(t, feed)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	storetest.Account(t, s, "222", "p2", "acme.outdoor", nil)
	now := time.Now()
	c := func(id, acct, media, adTitle string) inbox.Comment {
		return inbox.Comment{ID: id, AccountID: acct, MediaID: media, AdTitle: adTitle, Surface: inbox.SurfacePost,
			Status: inbox.StatusOpen, Deadline: now.Add(time.Hour), ReceivedAt: now, UpdatedAt: now}
	}
	res, err := s.CommitDeliveries(ctx, []store.DeliveryIn{
		{ReceivedAt: now, Body: []byte(`{"a":1}`), Comments: []inbox.Comment{c("c2", "222", "m2", ""), c("c1", "111", "m1", "")}},
		{ReceivedAt: now, Body: []byte(`{"a":2}`), Comments: []inbox.Comment{c("c1", "111", "m1", "Spring sale"), c("x1", "999", "m9", "")}},
		{ReceivedAt: now, Body: []byte(`{"a":3}`), Own: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].New) != 2 || res[0].Duplicates != 0 || len(res[1].New) != 0 || res[1].Duplicates != 1 ||
		res[1].Unknown != 1 || len(res[1].UnknownAccounts) != 1 || res[1].UnknownAccounts[0] != "999" {
		t.Errorf("results %+v", res)
	}
	if got := commentIDs(feed.take()); len(got) != 2 {
		t.Errorf("published %v, want the two stored comments once each", got)
	}
	deliveries, comments, _ := s.DeliveryStats(ctx)
	if deliveries != 3 || comments != 2 {
		t.Errorf("%d deliveries and %d comments stored, want 3 and 2", deliveries, comments)
	}
	again, err := s.CommitDeliveries(ctx, []store.DeliveryIn{{ReceivedAt: now, Body: []byte(`{}`), Comments: []inbox.Comment{c("c1", "111", "m1", "")}}})
	if err != nil || len(again[0].New) != 0 || again[0].Duplicates != 1 {
		t.Errorf("a retry: %+v %v", again, err)
	}
	fresh, err := s.InsertComments(ctx, []inbox.Comment{c("c3", "111", "m1", ""), c("c1", "111", "m1", ""), c("c3", "111", "m1", "")})
	if err != nil || len(fresh) != 1 || fresh[0].ID != "c3" {
		t.Errorf("backfill of one new comment, one known and a copy: %v %v", fresh, err)
	}
}
