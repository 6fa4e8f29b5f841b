package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/store/testdb"
)

// twoProcesses opens two stores on one database, as two processes would
// (on SQLite, two connections to one file), on one clock.
func twoProcesses(t *testing.T) (a, b *store.Store, c *clock) {
	t.Helper()
	c = &clock{t: time.Now()}
	dsn := testdb.DSN(t)
	a = storetest.OpenWith(t, dsn, store.Options{Now: c.Now})
	b = storetest.OpenWith(t, dsn, store.Options{Now: c.Now})
	if a.Holder() == b.Holder() {
		t.Fatalf("two stores share the holder name %q", a.Holder())
	}
	return a, b, c
}

func TestLeases_oneHolderUntilItExpires(t *testing.T) {
	ctx := context.Background()
	a, b, c := twoProcesses(t)
	try := func(s *store.Store, name string) bool {
		t.Helper()
		ok, err := s.TryLease(ctx, name, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !try(a, "reconcile") || try(b, "reconcile") {
		t.Fatal("both processes hold the lease, or neither")
	}
	if !try(a, "reconcile") {
		t.Error("the holder could not renew its lease")
	}
	if !try(b, "backfill:111") {
		t.Error("another lease is taken too")
	}
	c.Add(59 * time.Second)
	if try(b, "reconcile") {
		t.Error("taken over before it ran out (renewed a second ago)")
	}
	c.Add(2 * time.Second)
	if !try(b, "reconcile") {
		t.Error("not taken over once it ran out")
	}
	if err := a.ReleaseLease(ctx, "reconcile"); err != nil {
		t.Fatal(err)
	}
	if try(a, "reconcile") {
		t.Error("releasing someone else's lease freed it")
	}
	if err := b.ReleaseLease(ctx, "reconcile"); err != nil {
		t.Fatal(err)
	}
	if !try(a, "reconcile") {
		t.Error("a released lease stays taken")
	}
}

// TestClaims_replyOfAStoppedProcessIsRetriedOnce: a reply claimed by a
// process that then stops is left alone while the claim lasts, retried as
// ambiguous by another once it runs out, and the first process's late
// answer no longer decides its state.
func TestClaims_replyOfAStoppedProcessIsRetriedOnce(t *testing.T) {
	ctx := context.Background()
	a, b, c := twoProcesses(t)
	storetest.Account(t, a, "111", "p1", "acme.coffee", nil)
	seed(t, a, inbox.Comment{ID: "c1", AccountID: "111", Deadline: c.Now().Add(time.Hour)})
	r, err := a.CreateReply(ctx, reply.Reply{CommentID: "c1", AccountID: "111", Text: "hi", Deadline: c.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	claim, err := a.ClaimReply(ctx, r, 30*time.Second, reply.Limit{Count: 700, Per: time.Hour})
	if err != nil || !claim.Claimed {
		t.Fatalf("claim: %+v %v", claim, err)
	}
	if again, _ := b.ClaimReply(ctx, r, 30*time.Second, reply.Limit{Count: 700, Per: time.Hour}); again.Claimed {
		t.Fatal("claimed twice")
	}
	if n, _ := b.RecoverInFlight(ctx); n != 0 {
		t.Fatalf("recovered %d replies whose claim still runs", n)
	}
	c.Add(31 * time.Second) // a stopped: its claim runs out
	if n, _ := b.RecoverInFlight(ctx); n != 1 {
		t.Fatalf("recovered %d replies, want the one whose claim ran out", n)
	}
	if got, _ := b.Reply(ctx, r.ID); got.State != reply.Retrying || !got.Ambiguous {
		t.Fatalf("after recovery: %s ambiguous=%v, want an ambiguous retry", got.State, got.Ambiguous)
	}
	_, late := a.FinishAttempt(ctx, r, reply.Result{State: reply.Sent, MessageID: "m.late"})
	if !errors.Is(late, reply.ErrClaimLost) {
		t.Errorf("the stopped process's late answer: %v, want ErrClaimLost", late)
	}
	if got, _ := b.Reply(ctx, r.ID); got.State != reply.Retrying {
		t.Errorf("the late answer changed the state to %s", got.State)
	}
	r.State = reply.Retrying
	claim, err = b.ClaimReply(ctx, r, 30*time.Second, reply.Limit{Count: 700, Per: time.Hour})
	if err != nil || !claim.Claimed {
		t.Fatalf("taking it over: %+v %v", claim, err)
	}
	if _, err := b.FinishAttempt(ctx, r, reply.Result{State: reply.Unconfirmed, Ambiguous: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Reply(ctx, r.ID); got.State != reply.Unconfirmed {
		t.Errorf("final state %s", got.State)
	}
}

func TestClaims_enrichmentOneProcessAtATime(t *testing.T) {
	ctx := context.Background()
	a, b, c := twoProcesses(t)
	storetest.Account(t, a, "111", "p1", "acme.coffee", nil)
	seed(t, a, inbox.Comment{ID: "c1", AccountID: "111", Deadline: c.Now().Add(time.Hour)})
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		s := []*store.Store{a, b}[i%2]
		wg.Go(func() {
			mine, err := s.ClaimEnrichments(ctx, []string{"c1", "unknown"}, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if len(mine) == 1 {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d claims of one fetch won, want 1", won)
	}
	c.Add(2 * time.Minute) // its process stopped mid-fetch
	if mine, _ := b.ClaimEnrichments(ctx, []string{"c1"}, time.Minute); len(mine) != 1 {
		t.Error("not due again once the claim ran out")
	}
	if _, err := b.RecordEnrichment(ctx, store.Enrichment{Exact: []store.CommentTime{{ID: "c1", Created: c.Now().Add(-time.Hour)}}}); err != nil {
		t.Fatal(err)
	}
	c.Add(2 * time.Minute)
	if mine, _ := a.ClaimEnrichments(ctx, []string{"c1"}, time.Minute); len(mine) != 0 {
		t.Error("claimed a comment whose deadline is exact")
	}
}

// TestClaims_moderationOfAStoppedProcessIsRetriedOnce: a moderation action
// (a public reply, say) claimed by a process that stops is left alone while
// the claim lasts, retried as ambiguous by another once it runs out, and the
// first process's late answer is not recorded.
func TestClaims_moderationOfAStoppedProcessIsRetriedOnce(t *testing.T) {
	ctx := context.Background()
	a, b, c := twoProcesses(t)
	storetest.Account(t, a, "111", "p1", "acme.coffee", nil)
	seed(t, a, inbox.Comment{ID: "c1", AccountID: "111", Deadline: c.Now().Add(time.Hour)})
	q, _, err := a.QueueActions(ctx, []moderation.Action{{CommentID: "c1", AccountID: "111", Kind: moderation.PublicReply, Text: "See DMs"}})
	if err != nil || len(q) != 1 {
		t.Fatalf("queue: %v %v", q, err)
	}
	act := q[0]
	if ok, err := a.ClaimAction(ctx, act.ID, 30*time.Second); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if ok, _ := b.ClaimAction(ctx, act.ID, 30*time.Second); ok {
		t.Fatal("claimed twice")
	}
	if n, _ := b.RecoverModeration(ctx); n != 0 {
		t.Fatalf("recovered %d actions whose claim still runs", n)
	}
	c.Add(31 * time.Second) // a stopped: its claim runs out
	if n, _ := b.RecoverModeration(ctx); n != 1 {
		t.Fatalf("recovered %d actions, want the one whose claim ran out", n)
	}
	if got, _ := b.Action(ctx, act.ID); got.State != moderation.Retrying || !got.Ambiguous {
		t.Fatalf("after recovery: %s ambiguous=%v, want an ambiguous retry", got.State, got.Ambiguous)
	}
	if ok, err := b.ClaimAction(ctx, act.ID, 30*time.Second); err != nil || !ok {
		t.Fatalf("taking it over: %v %v", ok, err)
	}
	late := a.FinishAction(ctx, act, moderation.Result{State: moderation.Done, ResultID: "r.late"})
	if !errors.Is(late, moderation.ErrClaimLost) {
		t.Errorf("the stopped process's late answer: %v, want ErrClaimLost", late)
	}
	if err := b.FinishAction(ctx, act, moderation.Result{State: moderation.Done, ResultID: "r.late"}); err != nil {
		t.Fatal(err)
	}
	got, _ := a.Action(ctx, act.ID)
	if got.State != moderation.Done || got.Attempts != 2 {
		t.Errorf("final: %s after %d attempts", got.State, got.Attempts)
	}
	if rs, _ := a.PublicReplies(ctx, []string{"c1"}); len(rs["c1"]) != 1 {
		t.Errorf("public replies recorded: %+v", rs)
	}
}
