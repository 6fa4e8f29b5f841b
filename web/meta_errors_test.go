package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/web/webtest"
)

// clock is the app's clock in a test: real time plus whatever the test
// skipped ahead (retry waits of minutes pass at once).
type clock struct {
	mu   sync.Mutex
	skip time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.skip)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.skip += d
	c.mu.Unlock()
}

// errWorld is the app and simulator of the Send API error tests, with Ava
// (admin) logged in on @acme.coffee.
type errWorld struct {
	h     *webtest.Harness
	clock *clock
	ava   *webtest.Client
	avaID string
	acct  webtest.WorldAccount
	n     int
}

func newErrWorld(t *testing.T) *errWorld {
	t.Helper()
	clk := &clock{}
	h := webtest.New(t, webtest.Options{Now: clk.Now})
	d := h.World(t)
	w := &errWorld{h: h, clock: clk, avaID: d.User("Ava").ID, acct: d.Account("acme.coffee")}
	w.ava = h.Login(t, w.avaID)
	return w
}

// comment makes a comment at the simulator and waits until the app has it.
func (w *errWorld) comment(t *testing.T) string {
	t.Helper()
	w.n++
	id := w.h.Sim.Comment(t, map[string]any{"account": w.acct.ID, "username": "fan.no" + fmt.Sprint(w.n), "text": "How much is it?"})
	w.until(t, "the comment arrives", func() bool {
		_, err := w.h.App.Store.Comment(context.Background(), id)
		return err == nil
	})
	return id
}

func (w *errWorld) fault(t *testing.T, code, subcode int, message string, count int) {
	t.Helper()
	f := map[string]any{"kind": "send_error", "code": code, "count": count, "account": w.acct.ID}
	if subcode != 0 {
		f["subcode"] = subcode
	}
	if message != "" {
		f["message"] = message
	}
	w.h.Sim.Control(t, http.MethodPost, "/control/faults", f, nil)
}

// send replies through the JSON API, as a person would.
func (w *errWorld) send(t *testing.T, id string) {
	t.Helper()
	if r := w.ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]any{"text": "Hi! It is €39."}); r.Status != 200 && r.Status != 202 {
		t.Fatalf("reply = %d %s", r.Status, r.Body)
	}
}

// settle waits until the comment's reply is not in flight and ok says yes.
func (w *errWorld) settle(t *testing.T, id, what string, ok func(reply.Reply) bool) reply.Reply {
	t.Helper()
	var last reply.Reply
	w.until(t, what, func() bool {
		hist, err := w.h.App.Store.Replies(context.Background(), id)
		if r := reply.Latest(hist); err == nil && r != nil && r.State != reply.Sending {
			last = *r
			return ok(last)
		}
		return false
	})
	return last
}

func (w *errWorld) until(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// apiComment is the comment and its reply as the JSON API shows them.
type apiState struct {
	Status string `json:"status"`
	Reply  *struct {
		State string `json:"state"`
		Error string `json:"error"`
	} `json:"reply"`
}

type apiAcct struct {
	TokenState string `json:"token_state"`
	TokenError string `json:"token_error"`
	Hold       *struct {
		Cause   string `json:"cause"`
		Reason  string `json:"reason"`
		Advice  string `json:"advice"`
		Code    int    `json:"code"`
		Subcode int    `json:"subcode"`
	} `json:"hold"`
}

func (w *errWorld) apiComment(t *testing.T, id string) apiState {
	t.Helper()
	var c apiState
	w.ava.GetJSON(t, "/api/v1/comments/"+id, &c)
	if c.Reply == nil {
		t.Fatalf("comment %s has no reply in the API", id)
	}
	return c
}

func (w *errWorld) apiAccount(t *testing.T) apiAcct {
	t.Helper()
	var a apiAcct
	w.ava.GetJSON(t, "/api/v1/accounts/"+w.acct.ID, &a)
	return a
}

// expectation is what a person sees after Meta answers a send with an
// error of one class: the reply's state and words, the account's state.
type expectation struct {
	state     reply.State
	words     string // in the reply's error
	held      bool   // the account is on hold
	reconnect bool   // the account needs reconnecting
	commentTo string // the comment's status afterwards ("" = open)
}

var byClass = map[meta.Class]expectation{
	meta.ClassWindow:       {state: reply.Failed, words: "older than 7 days", commentTo: "expired"},
	meta.ClassNotEligible:  {state: reply.Failed, words: "can't get a private reply (too old, deleted, or already answered)"},
	meta.ClassToken:        {state: reply.Queued, words: "reconnects the account", reconnect: true},
	meta.ClassPause:        {state: reply.Queued, words: "Meta stopped replies from this account", held: true},
	meta.ClassUnreachable:  {state: reply.Failed, words: "this person cannot be reached"},
	meta.ClassMaybeBlocked: {state: reply.Failed, words: "blocked the account"},
	meta.ClassTransient:    {state: reply.Sent},
	meta.ClassThrottled:    {state: reply.Sent},
	meta.ClassPermanent:    {state: reply.Failed, words: "Instagram refused"},
}

// TestSendErrors_everyCodeInTheTable runs every row of the Graph client's
// error table (meta.Rules) through the simulator's send_error fault, end to
// end: a comment arrives by webhook, Ava replies through the API, Meta
// answers with that error, and the test checks the reply's state and
// words, the account's state, and what follows (a held account resumed by
// an admin and a reconnected one send the waiting reply; transient errors
// and rate limits retry and send; code 2 is retried, then fails).
func TestSendErrors_everyCodeInTheTable(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	w := newErrWorld(t)
	for i, rule := range meta.Rules() {
		code := rule.Code
		if code == 0 { // a row matching any code with that subcode
			code = 10
		}
		want, ok := byClass[rule.Class]
		if !ok {
			t.Fatalf("no expectation for class %s", rule.Class)
		}
		t.Run(fmt.Sprintf("%02d_%d_%d_%s", i, code, rule.Subcode, rule.Class), func(t *testing.T) {
			id := w.comment(t)
			count := 1
			if rule.Class == meta.ClassMaybeBlocked {
				count = meta.MaybeBlockedAttempts
			}
			w.fault(t, code, rule.Subcode, rule.Message, count)
			w.send(t, id)
			r := w.settle(t, id, "Meta's answer", func(r reply.Reply) bool { return r.Attempts > 0 })
			switch rule.Class {
			case meta.ClassTransient, meta.ClassThrottled:
				if r.State != reply.Retrying {
					t.Fatalf("after a %s error: %s %q", rule.Class, r.State, r.Error)
				}
				w.clock.Advance(16 * time.Minute) // past the backoff and the throttle cap
			case meta.ClassMaybeBlocked:
				for try := 1; try < meta.MaybeBlockedAttempts; try++ {
					if r.State != reply.Retrying || !strings.Contains(r.Error, "can also mean this person blocked the account") {
						t.Fatalf("try %d: %s %q", try, r.State, r.Error)
					}
					w.clock.Advance(r.NextAttemptAt.Sub(w.clock.Now()) + time.Second)
					r = w.settle(t, id, "the next try", func(n reply.Reply) bool { return n.Attempts > try })
				}
			}
			r = w.settle(t, id, "the final state", func(r reply.Reply) bool { return r.State == want.state })
			c, a := w.apiComment(t, id), w.apiAccount(t)
			if c.Reply.State != string(want.state) || !strings.Contains(c.Reply.Error, want.words) {
				t.Errorf("reply %s %q, want %s with %q", c.Reply.State, c.Reply.Error, want.state, want.words)
			}
			wantStatus := "open"
			switch {
			case want.commentTo != "":
				wantStatus = want.commentTo
			case want.state.Delivered():
				wantStatus = "replied"
			}
			if c.Status != wantStatus {
				t.Errorf("comment status %s, want %s", c.Status, wantStatus)
			}
			if (a.Hold != nil) != want.held || (a.TokenState == "needs_reconnect") != want.reconnect {
				t.Errorf("account %+v, want held %v, needs reconnect %v", a, want.held, want.reconnect)
			}
			switch {
			case want.held:
				w.checkHold(t, a, code, rule.Subcode, i%2 == 0)
				w.settle(t, id, "the held reply goes out once resumed", func(r reply.Reply) bool { return r.State == reply.Sent })
			case want.reconnect:
				if code == 10 && rule.Subcode == 2534077 && !strings.Contains(a.TokenError+c.Reply.Error, "security check") {
					t.Errorf("a security check is not named: %q / %q", a.TokenError, c.Reply.Error)
				}
				w.ava = w.h.Login(t, w.avaID) // reconnect: logging in again refreshes the Page token
				w.settle(t, id, "the waiting reply goes out once reconnected", func(r reply.Reply) bool { return r.State == reply.Sent })
			}
			if n := len(repliesAtMeta(t, w.h, id)); n != map[bool]int{true: 1, false: 0}[want.state.Delivered() || want.held || want.reconnect] {
				t.Errorf("%d replies at Meta", n)
			}
		})
	}
}

// checkHold checks what a held account shows (the hold in the API, the band
// above the inbox, the card with Resume on the accounts page) and resumes
// it, through the form or the API.
func (w *errWorld) checkHold(t *testing.T, a apiAcct, code, subcode int, byForm bool) {
	t.Helper()
	if a.Hold.Code != code || a.Hold.Subcode != subcode || a.Hold.Cause != "refused" || a.Hold.Reason == "" || a.Hold.Advice == "" {
		t.Errorf("hold %+v", a.Hold)
	}
	headline := "Meta stopped replies for @" + w.acct.Username + ": " + a.Hold.Reason
	page := w.ava.Get(t, "/inbox")
	if band := page.Find("[data-testid=hold-band]"); !strings.Contains(band.Text(), headline) || !strings.Contains(band.Text(), a.Hold.Advice) ||
		!strings.Contains(band.Text(), "1 reply waits in the queue") {
		t.Errorf("inbox band = %q", band.Text())
	}
	card := w.ava.Get(t, "/accounts").Find("#account-" + w.acct.ID)
	if got := card.Find("[data-testid=account-status]").Text(); got != "Replies on hold" {
		t.Errorf("account status = %q", got)
	}
	if !strings.Contains(card.Find("[data-testid=account-hold]").Text(), headline) || card.Find("[data-testid=resume]").Length() != 1 {
		t.Errorf("account card = %q", card.Text())
	}
	if byForm {
		if r := w.ava.PostForm(t, "/accounts/"+w.acct.ID+"/resume", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("resume form = %d %s", r.Status, r.Body)
		}
	} else if r := w.ava.PostJSON(t, "/api/v1/accounts/"+w.acct.ID+"/resume", nil); r.Status != http.StatusOK || !strings.Contains(r.Body, `"hold":null`) {
		t.Fatalf("resume API = %d %s", r.Status, r.Body)
	}
}

// repliesAtMeta lists the replies the simulator accepted for a comment.
func repliesAtMeta(t *testing.T, h *webtest.Harness, commentID string) []string {
	t.Helper()
	var out struct {
		Replies []struct {
			CommentID string `json:"comment_id"`
			Text      string `json:"text"`
		} `json:"replies"`
	}
	h.Sim.Control(t, http.MethodGet, "/control/replies", nil, &out)
	var texts []string
	for _, r := range out.Replies {
		if r.CommentID == commentID {
			texts = append(texts, r.Text)
		}
	}
	return texts
}
