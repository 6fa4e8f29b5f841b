package dispatch_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/dispatch"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

func seed(t *testing.T, s *store.Store, now time.Time, cs ...inbox.Comment) {
	t.Helper()
	for i := range cs {
		cs[i].Status, cs[i].Surface, cs[i].ReceivedAt, cs[i].UpdatedAt = inbox.StatusOpen, inbox.SurfacePost, now, now
	}
	if _, err := s.CommitDeliveries(context.Background(), []store.DeliveryIn{{ReceivedAt: now, Body: []byte("{}"), Comments: cs}}); err != nil {
		t.Fatal(err)
	}
}

// TestAlert_onceForCommentsNobodyIsOn: a comment within the horizon that
// is unassigned, or whose assignee is offline, gets one comment.expiring
// event and its alert mark; one whose assignee is online, one further out
// and a Live one do not; a second pass adds nothing.
func TestAlert_onceForCommentsNobodyIsOn(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	s := storetest.WithOptions(t, store.Options{Now: func() time.Time { return now }})
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	ben := storetest.User(t, s, "fb-ben", "Ben", "agent")
	storetest.Grant(t, s, ava, "111")
	storetest.Grant(t, s, ben, "111")
	seed(t, s, now,
		inbox.Comment{ID: "unassigned", AccountID: "111", Deadline: now.Add(40 * time.Minute)},
		inbox.Comment{ID: "ava-online", AccountID: "111", Deadline: now.Add(30 * time.Minute)},
		inbox.Comment{ID: "ben-offline", AccountID: "111", Deadline: now.Add(20 * time.Minute)},
		inbox.Comment{ID: "later", AccountID: "111", Deadline: now.Add(90 * time.Minute)},
		inbox.Comment{ID: "live", AccountID: "111", Deadline: now.Add(10 * time.Minute), Live: true},
	)
	if err := s.TouchSession(ctx, nil, ava, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchSession(ctx, nil, ben, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for id, who := range map[string]int64{"ava-online": ava, "ben-offline": ben} {
		if _, err := s.Assign(ctx, inbox.Person{ID: ava, Name: "Ava"}, []string{id}, who); err != nil {
			t.Fatal(err)
		}
	}
	d := dispatch.New(s, dispatch.Options{AlertBefore: time.Hour, Now: func() time.Time { return now }})
	d.Alert(ctx)
	d.Alert(ctx)
	events, err := s.EventsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Name != outbound.CommentExpiring {
			continue // comment.created, recorded as they arrived
		}
		if e.AccountID != "111" {
			t.Errorf("event %+v", e)
		}
		got = append(got, e.CommentID)
	}
	slices.Sort(got)
	if want := []string{"ben-offline", "unassigned"}; !slices.Equal(got, want) {
		t.Errorf("events for %v, want %v", got, want)
	}
	for id, alerted := range map[string]bool{"unassigned": true, "ben-offline": true, "ava-online": false, "later": false, "live": false} {
		c, err := s.Comment(ctx, id)
		if err != nil || c.AlertedAt.IsZero() == alerted {
			t.Errorf("%s: alerted at %v (%v), want alerted %v", id, c.AlertedAt, err, alerted)
		}
	}
}
