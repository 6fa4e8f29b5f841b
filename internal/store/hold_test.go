package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

// TestHold_queueSkipsWaitingAccounts: the queue leaves out the replies of an
// account on hold (until its probe is due) or needing reconnecting, but
// hands over those whose window closed, to be failed without a call; a
// resumed account's replies are due again.
func TestHold_queueSkipsWaitingAccounts(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	storetest.Account(t, s, "222", "p2", "acme.outdoor", nil)
	now := time.Now()
	seed(t, s,
		inbox.Comment{ID: "held", AccountID: "111", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "closed", AccountID: "111", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "other", AccountID: "222", Deadline: now.Add(2 * time.Hour)},
	)
	for _, r := range []reply.Reply{
		{CommentID: "held", AccountID: "111", Text: "a", Deadline: now.Add(time.Hour)},
		{CommentID: "closed", AccountID: "111", Text: "b", Deadline: now.Add(-time.Minute)}, // its window closed since
		{CommentID: "other", AccountID: "222", Text: "c", Deadline: now.Add(2 * time.Hour)},
	} {
		if _, err := s.CreateReply(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	due := func() []string {
		t.Helper()
		rs, err := s.DueReplies(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.CommentID)
		}
		slices.Sort(ids)
		return ids
	}
	if got := due(); !slices.Equal(got, []string{"closed", "held", "other"}) {
		t.Fatalf("before: %v", got)
	}
	h := account.Hold{Cause: account.HoldRefused, Reason: "a policy block", Advice: "appeal", Code: 368, ProbeAt: now.Add(time.Hour)}
	if held, err := s.HoldAccount(ctx, "111", h); !held || err != nil {
		t.Fatalf("hold: %v %v", held, err)
	}
	if held, _ := s.HoldAccount(ctx, "111", h); held {
		t.Error("held twice")
	}
	if got := due(); !slices.Equal(got, []string{"closed", "other"}) {
		t.Errorf("on hold: %v", got)
	}
	if ok, _ := s.ClaimProbe(ctx, "111", now.Add(2*time.Hour)); ok {
		t.Error("a probe claimed before it is due")
	}
	if _, err := s.MarkTokenFailed(ctx, "222", "expired"); err != nil {
		t.Fatal(err)
	}
	if got := due(); !slices.Equal(got, []string{"closed"}) {
		t.Errorf("on hold and needing reconnect: %v", got)
	}
	if resumed, err := s.ResumeAccount(ctx, "111", "Ava"); !resumed || err != nil {
		t.Fatalf("resume: %v %v", resumed, err)
	}
	a, _ := s.Account(ctx, "111")
	if a.Held() || a.ResumedBy != "Ava" || a.ResumedAt.IsZero() {
		t.Errorf("after resume: %+v", a)
	}
	if got := due(); !slices.Equal(got, []string{"closed", "held"}) {
		t.Errorf("resumed: %v", got)
	}
}
