package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/web/webtest"
)

// TestSendErrors_notEligibleAfterAmbiguousAttempt: the first attempt gets
// no proper answer (a 500), the retry meets Meta's 100/2534025: the reply is
// unconfirmed (not failed), with words saying Meta refused a second reply.
func TestSendErrors_notEligibleAfterAmbiguousAttempt(t *testing.T) {
	w := newErrWorld(t)
	id := w.comment(t)
	w.fault(t, 1, 0, "", 1)         // HTTP 500: Meta may have taken the reply
	w.fault(t, 100, 2534025, "", 1) // then: not eligible
	w.send(t, id)
	w.settle(t, id, "the ambiguous attempt", func(r reply.Reply) bool { return r.State == reply.Retrying && r.Ambiguous })
	w.clock.Advance(10 * time.Minute)
	w.settle(t, id, "unconfirmed", func(r reply.Reply) bool { return r.State == reply.Unconfirmed })
	c := w.apiComment(t, id)
	if c.Status != "replied" || !strings.Contains(c.Reply.Error, "Meta then refused a second reply") {
		t.Errorf("comment %s, reply %s %q", c.Status, c.Reply.State, c.Reply.Error)
	}
	page := w.ava.Get(t, "/inbox/comments/"+id)
	if got := page.Find("[data-testid=reply-state]").Text(); got != "Sent (unconfirmed)" {
		t.Errorf("panel state = %q", got)
	}
}

// TestAccountHold_circuitBreaker: five unexplained refusals in a row hold
// the account (the sixth reply waits, shown on the inbox with the reason);
// a probe after the probe interval finds Meta accepting again and resumes
// it by itself.
func TestAccountHold_circuitBreaker(t *testing.T) {
	w := newErrWorld(t)
	w.fault(t, 12345, 0, "", 5)
	for range 5 {
		id := w.comment(t)
		w.send(t, id)
		w.settle(t, id, "a refusal", func(r reply.Reply) bool { return r.State == reply.Failed })
	}
	w.until(t, "the breaker holds the account", func() bool { return w.apiAccount(t).Hold != nil })
	a := w.apiAccount(t)
	if a.Hold.Cause != "breaker" || !strings.Contains(a.Hold.Reason, "refused the last 5 replies in a row") {
		t.Fatalf("hold %+v", a.Hold)
	}
	sixth := w.comment(t)
	w.send(t, sixth)
	if c := w.apiComment(t, sixth); c.Reply.State != "queued" {
		t.Fatalf("the sixth reply = %s", c.Reply.State)
	}
	band := w.ava.Get(t, "/inbox").Find("[data-testid=hold-band]")
	if !strings.Contains(band.Text(), "Meta stopped replies for @acme.coffee: Meta refused the last 5 replies in a row without saying why") {
		t.Errorf("band = %q", band.Text())
	}
	if n := len(repliesAtMeta(t, w.h, sixth)); n != 0 {
		t.Fatalf("%d replies sent while on hold", n)
	}
	w.clock.Advance(16 * time.Minute) // the probe is due
	w.settle(t, sixth, "the probe goes out", func(r reply.Reply) bool { return r.State == reply.Sent })
	w.until(t, "the account resumes", func() bool { return w.apiAccount(t).Hold == nil })
	card := w.ava.Get(t, "/accounts").Find("#account-" + w.acct.ID)
	if got := card.Find("[data-testid=account-resumed]").Text(); !strings.Contains(got, "resumed by themselves") {
		t.Errorf("resumed = %q", got)
	}
}

// TestAccountHold_reconcileResumes: a Page-level refusal with nothing else
// queued; once the hold has stood a while, the reconciler's passing check
// of the account brings a probe forward, which goes out and lifts it.
func TestAccountHold_reconcileResumes(t *testing.T) {
	w := newErrWorld(t)
	id := w.comment(t)
	w.fault(t, 200, 2534041, "", 1)
	w.send(t, id)
	w.settle(t, id, "held", func(r reply.Reply) bool { return r.ErrorKind == reply.KindOnHold })
	w.h.App.Auth.Reconcile(context.Background()) // right away: proves nothing
	if a := w.apiAccount(t); a.Hold == nil || !strings.Contains(a.Hold.Advice, "Allow access to messages") {
		t.Fatalf("hold right after a check: %+v", a.Hold)
	}
	w.clock.Advance(2 * time.Minute)
	w.h.App.Auth.Reconcile(context.Background())
	w.settle(t, id, "the probe goes out", func(r reply.Reply) bool { return r.State == reply.Sent })
	if a := w.apiAccount(t); a.Hold != nil {
		t.Errorf("still held: %+v", a.Hold)
	}
}

// TestAccountHold_agentsSeeItAdminsResume: an agent sees the hold on the
// inbox and accounts page but no Resume, and may not resume; the queue
// stays whole until an admin does.
func TestAccountHold_agentsSeeItAdminsResume(t *testing.T) {
	w := newErrWorld(t)
	d := w.h.World(t)
	id := w.comment(t)
	w.fault(t, 368, 0, "", 1)
	w.send(t, id)
	w.settle(t, id, "held", func(r reply.Reply) bool { return r.ErrorKind == reply.KindOnHold })
	eli := w.h.Login(t, d.User("Eli").ID) // an agent on @acme.coffee
	if band := eli.Get(t, "/inbox").Find("[data-testid=hold-band]"); band.Length() != 1 || strings.Contains(band.Text(), "Resume") {
		t.Errorf("agent's band = %q", band.Text())
	}
	card := eli.Get(t, "/accounts").Find("#account-" + w.acct.ID)
	if card.Find("[data-testid=resume]").Length() != 0 || !strings.Contains(card.Text(), "An admin can resume replies") {
		t.Errorf("agent's card = %q", card.Text())
	}
	if r := eli.PostJSON(t, "/api/v1/accounts/"+w.acct.ID+"/resume", nil); r.Status != http.StatusForbidden {
		t.Errorf("agent resume = %d %s", r.Status, r.Body)
	}
	panel := eli.Get(t, "/inbox/comments/"+id)
	if got := panel.Find("[data-testid=reply-state]").Text(); !strings.Contains(got, "on hold") {
		t.Errorf("panel state = %q", got)
	}
	if r := w.ava.PostJSON(t, "/api/v1/accounts/"+w.acct.ID+"/resume", nil); r.Status != http.StatusOK {
		t.Fatalf("admin resume = %d %s", r.Status, r.Body)
	}
	w.settle(t, id, "sent after resume", func(r reply.Reply) bool { return r.State == reply.Sent })
	if card := w.ava.Get(t, "/accounts").Find("#account-" + w.acct.ID); !strings.Contains(card.Find("[data-testid=account-resumed]").Text(), "resumed by Ava") {
		t.Errorf("admin's card = %q", card.Text())
	}
}

// TestBudget_countsFailedCalls: Meta's budget counts Send API calls, failed
// or not; the accounts page's meter and the pacer agree: with a budget of
// 2, one refused and one sent reply spend it, and a third waits.
func TestBudget_countsFailedCalls(t *testing.T) {
	clk := &clock{}
	h := webtest.New(t, webtest.Options{Now: clk.Now, Env: func(name string) string {
		if name == "REPLYDESK_REPLY_BUDGET" {
			return "2"
		}
		return ""
	}})
	d := h.World(t)
	w := &errWorld{h: h, clock: clk, avaID: d.User("Ava").ID, acct: d.Account("acme.coffee")}
	w.ava = h.Login(t, w.avaID)
	refused, sent, third := w.comment(t), w.comment(t), w.comment(t)
	w.fault(t, 551, 0, "", 1)
	w.send(t, refused)
	w.settle(t, refused, "refused", func(r reply.Reply) bool { return r.State == reply.Failed })
	w.send(t, sent)
	w.settle(t, sent, "sent", func(r reply.Reply) bool { return r.State == reply.Sent })
	if got := w.ava.Get(t, "/accounts").Find("#account-" + w.acct.ID + " [data-testid=account-budget-text]").Text(); got != "2 / 2" {
		t.Errorf("budget meter = %q, want 2 / 2", got)
	}
	w.send(t, third)
	if c := w.apiComment(t, third); c.Reply.State != "queued" {
		t.Errorf("third reply = %s, want queued", c.Reply.State)
	}
	clk.Advance(61 * time.Minute) // the hour has passed
	w.settle(t, third, "sent once the hour passed", func(r reply.Reply) bool { return r.State == reply.Sent })
}

// TestAccountHold_bandArrivesLive: an open inbox hears of the hold without
// a reload: the rail event that follows the reply's change carries the
// band, even when the reply comes within a second of the comment (a rail
// rendered before the hold is not reused).
func TestAccountHold_bandArrivesLive(t *testing.T) {
	w := newErrWorld(t)
	s := w.ava.OpenStream(t, eventsURL(t, w.ava), nil)
	id := w.comment(t)
	if _, _, ok := s.Until(5*time.Second, rowOf(id)); !ok {
		t.Fatal("no row for the comment")
	}
	w.fault(t, 368, 0, "", 1)
	w.send(t, id)
	_, seen, ok := s.Until(5*time.Second, func(e webtest.Event) bool {
		return e.Name == "rail" && strings.Contains(e.Data, `data-testid="hold-band"`)
	})
	if !ok {
		t.Fatalf("no rail event with the hold band; saw %d events", len(seen))
	}
}
