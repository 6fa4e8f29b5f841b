package store_test

import (
	"context"
	"testing"

	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

func TestOutboundEvents_expiringOncePerComment(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	ev := func(name, id string) outbound.Event {
		return outbound.Event{Name: name, CommentID: id, AccountID: "111"}
	}
	got, err := s.RecordEvents(ctx, []outbound.Event{ev(outbound.CommentCreated, "c1"), ev(outbound.CommentExpiring, "c1")})
	if err != nil || len(got) != 2 || got[0].ID == 0 || got[1].ID <= got[0].ID {
		t.Fatalf("first record: %+v %v", got, err)
	}
	got, err = s.RecordEvents(ctx, []outbound.Event{ev(outbound.CommentExpiring, "c1"), ev(outbound.CommentCreated, "c1")})
	if err != nil || len(got) != 1 || got[0].Name != outbound.CommentCreated {
		t.Errorf("again: %+v %v (expiring is once per comment)", got, err)
	}
	all, err := s.EventsAfter(ctx, 0, 10)
	if err != nil || len(all) != 3 {
		t.Errorf("events: %+v %v", all, err)
	}
}
