package sender_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/sender"
)

func (f *fixture) fault(t *testing.T, fault map[string]any) {
	t.Helper()
	fault["kind"], fault["account"] = "send_error", f.acct
	f.sim.Control(http.MethodPost, "/control/faults", fault, nil)
}

func (f *fixture) account(t *testing.T) account.Account {
	t.Helper()
	a, err := f.st.Account(context.Background(), f.acct)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// waitHeld polls until the account is on hold (the breaker holds it just
// after recording the refusal that trips it).
func (f *fixture) waitHeld(t *testing.T) account.Account {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if a := f.account(t); a.Held() {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("account %s never went on hold", f.acct)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSend_pageRefusalHoldsAccount: a policy block (368) holds the whole
// account; the refused reply and the next ones stay queued, nothing is
// failed or sent, and Resume sends them all.
func TestSend_pageRefusalHoldsAccount(t *testing.T) {
	f := newFixture(t)
	a := f.comment(t, map[string]any{"text": "a"})
	b := f.comment(t, map[string]any{"text": "b"})
	f.fault(t, map[string]any{"code": 368})
	f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: a, Text: "first"})
	r := f.waitKind(t, a, reply.KindOnHold)
	acct := f.account(t)
	if r.State != reply.Queued || !acct.Held() || acct.Hold.Code != 368 || acct.Hold.Cause != account.HoldRefused ||
		!strings.Contains(acct.Hold.Reason, "policy") || acct.Hold.Advice == "" || !strings.Contains(r.Error, "nothing is lost") {
		t.Fatalf("reply %+v, account %+v", r, acct)
	}
	rb, _, err := f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: b, Text: "second"})
	if err != nil || rb.State != reply.Queued {
		t.Fatalf("a reply while on hold: %+v %v", rb, err)
	}
	it, _ := f.st.InboxItem(context.Background(), f.ava.ID, b)
	if ps, _ := f.svc.Panel(context.Background(), f.ava.ID, it); ps.Hold == nil || ps.Hold.Code != 368 {
		t.Errorf("panel while on hold: %+v", ps)
	}
	if n := len(f.simReplies(t, a)) + len(f.simReplies(t, b)); n != 0 {
		t.Fatalf("%d replies sent while on hold", n)
	}
	if _, err := f.svc.ResumeAccount(context.Background(), f.ava.ID, "Ava", f.acct); err != nil {
		t.Fatal(err)
	}
	f.waitState(t, a, reply.Sent)
	f.waitState(t, b, reply.Sent)
	if acct := f.account(t); acct.Held() || acct.ResumedBy != "Ava" {
		t.Errorf("after resume: %+v", acct)
	}
}

// TestSend_probeResumesHeldAccount: once the probe is due, one queued reply
// tests the hold; Meta accepts it, so the account resumes by itself.
func TestSend_probeResumesHeldAccount(t *testing.T) {
	f := newFixture(t, func(o *sender.Options) { o.ProbeEvery = 300 * time.Millisecond })
	a := f.comment(t, map[string]any{"text": "a"})
	b := f.comment(t, map[string]any{"text": "b"})
	f.fault(t, map[string]any{"code": 10, "subcode": 1893063, "count": 2})
	f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: a, Text: "first"})
	f.waitKind(t, a, reply.KindOnHold)
	f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: b, Text: "second"})
	// The first probe meets the second refusal; the next one goes through.
	f.waitState(t, a, reply.Sent)
	f.waitState(t, b, reply.Sent)
	if acct := f.account(t); acct.Held() || acct.ResumedBy != account.ResumedByProbe {
		t.Errorf("after the probe: %+v", acct)
	}
}

// TestSend_circuitBreaker: five unexplained refusals in a row hold the
// account; the sixth reply waits.
func TestSend_circuitBreaker(t *testing.T) {
	f := newFixture(t, func(o *sender.Options) { o.BreakerAfter = 3 })
	f.fault(t, map[string]any{"code": 12345, "count": 3})
	var ids []string
	for range 3 {
		id := f.comment(t, map[string]any{"text": "q"})
		f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "hello"})
		if r := f.waitState(t, id, reply.Failed); r.ErrorKind != reply.KindRejected {
			t.Fatalf("refusal: %+v", r)
		}
		ids = append(ids, id)
	}
	acct := f.waitHeld(t)
	if acct.Hold.Cause != account.HoldBreaker || !strings.Contains(acct.Hold.Reason, "last 3 replies") {
		t.Fatalf("after 3 refusals: %+v", acct)
	}
	next := f.comment(t, map[string]any{"text": "q"})
	if r, _, _ := f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: next, Text: "hello"}); r.State != reply.Queued {
		t.Fatalf("a reply after the breaker tripped: %+v", r)
	}
	f.svc.ResumeAccount(context.Background(), f.ava.ID, "Ava", f.acct)
	f.waitState(t, next, reply.Sent)
	if acct := f.account(t); acct.RefusalStreak != 0 {
		t.Errorf("streak after a delivery: %d", acct.RefusalStreak)
	}
}

// TestSend_refusalsOfOneCommentDoNotTripTheBreaker: Meta's code 100 says
// something about the comment (deleted, or its author cannot receive
// messages): refusals of that kind, however many in a row, fail their own
// replies and leave the account sending.
func TestSend_refusalsOfOneCommentDoNotTripTheBreaker(t *testing.T) {
	f := newFixture(t, func(o *sender.Options) { o.BreakerAfter = 2 })
	f.fault(t, map[string]any{"code": 100, "count": 3})
	for range 3 {
		id := f.comment(t, map[string]any{"text": "q"})
		f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "hello"})
		if r := f.waitState(t, id, reply.Failed); !strings.Contains(r.Error, "deleted") {
			t.Fatalf("refusal: %+v", r)
		}
	}
	if acct := f.account(t); acct.Held() || acct.RefusalStreak != 0 {
		t.Fatalf("after 3 refusals of single comments: %+v", acct)
	}
	next := f.comment(t, map[string]any{"text": "q"})
	f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: next, Text: "hello"})
	f.waitState(t, next, reply.Sent)
}

// TestSend_maybeBlockedRetriesThenFails: Meta's code 2 is tried
// MaybeBlockedAttempts times, then fails with words about a block.
func TestSend_maybeBlockedRetriesThenFails(t *testing.T) {
	f := newFixture(t, func(o *sender.Options) { o.MaybeBlockedSpan = 300 * time.Millisecond })
	id := f.comment(t, map[string]any{"text": "q"})
	f.fault(t, map[string]any{"code": 2, "count": meta.MaybeBlockedAttempts})
	f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: id, Text: "hello"})
	r := f.waitState(t, id, reply.Failed)
	if r.Attempts != meta.MaybeBlockedAttempts || r.ErrorKind != reply.KindMaybeBlocked || !strings.Contains(r.Error, "blocked the account") {
		t.Errorf("reply %+v", r)
	}
}

// TestSend_budgetCountsFailedCalls: a refused call spends the hourly budget
// as Meta counts it, so with a budget of one the next reply waits.
func TestSend_budgetCountsFailedCalls(t *testing.T) {
	f := newFixture(t, func(o *sender.Options) { o.Budget = 1 })
	a := f.comment(t, map[string]any{"text": "a"})
	b := f.comment(t, map[string]any{"text": "b"})
	f.fault(t, map[string]any{"code": 551, "subcode": 1545041})
	f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: a, Text: "first"})
	if r := f.waitState(t, a, reply.Failed); r.ErrorKind != reply.KindUnreachable {
		t.Fatalf("reply %+v", r)
	}
	if n, _, _ := f.st.CallsSince(context.Background(), f.acct, time.Now().Add(-time.Hour)); n != 1 {
		t.Errorf("calls counted: %d, want 1", n)
	}
	if r, _, _ := f.svc.Send(context.Background(), f.ava, reply.Request{CommentID: b, Text: "second"}); r.State != reply.Queued {
		t.Errorf("over budget after a failed call: %+v", r)
	}
	if est := f.sender.EstimatedStart(f.acct); est.Before(time.Now().Add(50 * time.Minute)) {
		t.Errorf("estimated start %v, want about an hour from now", est)
	}
}
