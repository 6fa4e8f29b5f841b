package sender_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/ingest"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
)

// delivered makes a comment at the simulator, created age ago, and stores
// it as its webhook arriving now would: with the approximate deadline of
// a comment made now (a webhook carries no creation time).
func (f *fixture) delivered(t *testing.T, age time.Duration) string {
	t.Helper()
	id := f.sim.Comment(map[string]any{"account": f.acct, "text": "still there?", "age": age.String()})
	now := time.Now()
	c := inbox.Comment{ID: id, AccountID: f.acct, Surface: inbox.SurfacePost, Username: "fan", Text: "still there?",
		Status: inbox.StatusOpen, Deadline: inbox.ApproxDeadline(now, now, false), EntryTime: now, ReceivedAt: now, UpdatedAt: now}
	if _, err := f.st.CommitDeliveries(context.Background(), []store.DeliveryIn{{ReceivedAt: now, Body: []byte("{}"), Comments: []inbox.Comment{c}}}); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestSend_approximateDeadlineConfirmedFirst: a reply to a comment whose
// deadline is still approximate waits for Graph to say when the comment was
// written. One just over 7 days old is refused with the reason and leaves
// no record (nothing reaches Meta); a recent one is sent, its deadline now
// exact; when Graph cannot say, the reply is refused, again without a
// record, and so is a reply to a comment Graph no longer shows.
func TestSend_approximateDeadlineConfirmedFirst(t *testing.T) {
	f := newFixture(t)
	f.svc.ConfirmDeadlines(ingest.NewEnricher(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), ingest.EnricherOptions{}))
	ctx := context.Background()
	noRecord := func(t *testing.T, id string) {
		t.Helper()
		if hist, _ := f.st.Replies(ctx, id); len(hist) != 0 {
			t.Errorf("a refused reply left %d records: %+v", len(hist), hist)
		}
		if got := f.simReplies(t, id); len(got) != 0 {
			t.Errorf("Meta got %d replies", len(got))
		}
	}

	old := f.delivered(t, 7*24*time.Hour+time.Hour)
	if c, _ := f.st.Comment(ctx, old); c.DeadlineExact || !c.Deadline.After(time.Now().Add(6*24*time.Hour)) {
		t.Fatalf("setup: the webhook's deadline should look a week away: %+v", c)
	}
	_, _, err := f.svc.Send(ctx, f.ava, reply.Request{CommentID: old, Text: "Hi!"})
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.Unprocessable || ae.Code != "cannot_reply" || ae.Message == "" {
		t.Errorf("a comment 7 days and 1 hour old: err = %v, want the 7-day window refusal", err)
	}
	noRecord(t, old)
	if c, _ := f.st.Comment(ctx, old); !c.DeadlineExact || c.Deadline.After(time.Now()) {
		t.Errorf("the deadline was not corrected from Graph: %+v", c)
	}

	fresh := f.delivered(t, time.Hour)
	r, _, err := f.svc.Send(ctx, f.ava, reply.Request{CommentID: fresh, Text: "Hi!"})
	if err != nil || r.State != reply.Sent {
		t.Errorf("a comment 1 hour old: %+v %v", r, err)
	}
	if c, _ := f.st.Comment(ctx, fresh); !c.DeadlineExact {
		t.Errorf("the fresh comment's deadline was not confirmed: %+v", c)
	}

	down := f.delivered(t, time.Hour)
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "graph_5xx", "count": 20}, nil)
	_, _, err = f.svc.Send(ctx, f.ava, reply.Request{CommentID: down, Text: "Hi!"})
	f.sim.Control(http.MethodDelete, "/control/faults", nil, nil)
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.Unavailable || ae.Code != "deadline_unknown" {
		t.Errorf("Graph down: err = %v, want deadline_unknown", err)
	}
	noRecord(t, down)

	gone := f.delivered(t, time.Hour)
	f.sim.Control(http.MethodPost, "/control/comments/delete", map[string]string{"id": gone}, nil)
	_, _, err = f.svc.Send(ctx, f.ava, reply.Request{CommentID: gone, Text: "Hi!"})
	if ae, ok := apperr.As(err); !ok || ae.Code != "comment_unreadable" {
		t.Errorf("a deleted comment: err = %v, want comment_unreadable", err)
	}
	noRecord(t, gone)
}
