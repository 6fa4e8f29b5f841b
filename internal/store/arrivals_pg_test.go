package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/store/testdb"
)

// TestArrivals_lateCommitIsNotPassedOver: on PostgreSQL another process's
// transaction that stored a comment first but commits last still reaches
// the rules: arrivals stop below it while it runs, then include it.
func TestArrivals_lateCommitIsNotPassedOver(t *testing.T) {
	testdb.SkipUnlessPostgres(t)
	ctx := context.Background()
	dsn := testdb.DSN(t)
	s := storetest.Open(t, dsn)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	mark, err := s.RulesMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := time.Now().Add(time.Hour)
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", Text: "one", Deadline: h})

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
	now := time.Now().UnixMilli()
	if _, err := late.Exec(`INSERT INTO comments (id, account_id, surface, text, deadline, received_at, updated_at)
		VALUES ('late', '111', 'post', 'late', $1, $2, $2)`, h.UnixMilli(), now); err != nil {
		t.Fatal(err)
	}
	seed(t, s, inbox.Comment{ID: "c2", AccountID: "111", Text: "two", Deadline: h}) // committed after "late" began

	got, next, err := s.Arrivals(ctx, mark, 10)
	if err != nil || ids(got) != "c1 " {
		t.Fatalf("arrivals while the late one runs = %q, %v; want c1 only", ids(got), err)
	}
	if err := late.Commit(); err != nil {
		t.Fatal(err)
	}
	got, _, err = s.Arrivals(ctx, next, 10)
	if err != nil || ids(got) != "late c2 " {
		t.Fatalf("arrivals once it committed = %q, %v; want late, then c2", ids(got), err)
	}
}

// TestApplyRules_twoProcessesApplyOnce: two processes applying the same
// outcomes at once change each comment once and queue one reply each.
func TestApplyRules_twoProcessesApplyOnce(t *testing.T) {
	testdb.SkipUnlessPostgres(t)
	ctx := context.Background()
	dsn := testdb.DSN(t)
	a, b := storetest.Open(t, dsn), storetest.Open(t, dsn)
	storetest.Account(t, a, "111", "p1", "acme.coffee", nil)
	h := time.Now().Add(time.Hour)
	var cs []inbox.Comment
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		cs = append(cs, inbox.Comment{ID: id, AccountID: "111", Text: "price?", Deadline: h})
	}
	seed(t, a, cs...)
	latest, _ := a.LatestArrival(ctx)
	var outcomes []rules.Outcome
	for _, c := range cs {
		outcomes = append(outcomes, rules.Outcome{CommentID: c.ID, AccountID: "111", RuleID: 7, Action: rules.Dismiss})
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 2)
	for _, st := range []*store.Store{a, b} {
		go func() {
			res, err := st.ApplyRules(ctx, outcomes, latest)
			done <- result{len(res.Outcomes), err}
		}()
	}
	r1, r2 := <-done, <-done
	if r1.err != nil || r2.err != nil || r1.n+r2.n != len(cs) {
		t.Errorf("applied %d and %d (%v, %v); want %d in all", r1.n, r2.n, r1.err, r2.err, len(cs))
	}
}

// TestAutoAssign_twoProcessesGiveEachCommentOnce: two processes passing
// over one account's waiting comments at once give each comment once, in
// one turn (the pass is one at a time per account).
func TestAutoAssign_twoProcessesGiveEachCommentOnce(t *testing.T) {
	testdb.SkipUnlessPostgres(t)
	ctx := context.Background()
	dsn := testdb.DSN(t)
	c := &clock{t: time.Now()}
	a := storetest.OpenWith(t, dsn, store.Options{Now: c.Now})
	b := storetest.OpenWith(t, dsn, store.Options{Now: c.Now})
	storetest.Account(t, a, "111", "p1", "acme.coffee", nil)
	ava := storetest.User(t, a, "fb-ava", "Ava", "admin")
	eli := storetest.User(t, a, "fb-eli", "Eli", "agent")
	for _, u := range []int64{ava, eli} {
		storetest.Grant(t, a, u, "111")
		if err := a.TouchSession(ctx, nil, u, c.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.SetAutoAssign(ctx, ava, "111", true, 1000); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Second)
	var cs []inbox.Comment
	for i := range 40 {
		cs = append(cs, inbox.Comment{ID: fmt.Sprint("n", i), AccountID: "111", Deadline: c.Now().Add(time.Hour)})
	}
	seedAt(t, a, c.Now(), cs...)
	done := make(chan int, 2)
	for _, st := range []*store.Store{a, b} {
		go func() {
			total := 0
			for range 4 {
				n, err := st.AutoAssign(ctx, "111", 10)
				if err != nil {
					t.Error(err)
				}
				total += n
			}
			done <- total
		}()
	}
	if n := <-done + <-done; n != len(cs) {
		t.Errorf("assigned %d in all, want %d (each once)", n, len(cs))
	}
	perUser := map[int64]int{}
	for _, cm := range cs {
		h, err := a.Assignments(ctx, cm.ID)
		if err != nil || len(h) != 1 {
			t.Fatalf("%s: %d assignments, %v; want 1", cm.ID, len(h), err)
		}
		perUser[h[0].AssigneeID]++
	}
	if perUser[ava] != 20 || perUser[eli] != 20 {
		t.Errorf("given %v, want 20 each (one turn for both processes)", perUser)
	}
}
