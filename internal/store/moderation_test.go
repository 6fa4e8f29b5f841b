package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

func moderationStore(t *testing.T) (*store.Store, *recorder, int64) {
	t.Helper()
	feed := &recorder{}
	s := storetest.WithFeed(t, feed)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	storetest.Grant(t, s, ava, "111")
	return s, feed, ava
}

// queue records one action and fails the test unless it was queued.
func queue(t *testing.T, s *store.Store, a moderation.Action) moderation.Action {
	t.Helper()
	q, dup, err := s.QueueActions(context.Background(), []moderation.Action{a})
	if err != nil || len(q) != 1 || len(dup) != 0 {
		t.Fatalf("queue %+v: %v %v %v", a, q, dup, err)
	}
	return q[0]
}

// TestModeration_deletedLeavesViewsAndCounts: a deleted comment matches
// only the All view (in SQL and in Filter.Matches, which the live stream
// uses), stops counting in the rail, and later status changes to it do not
// count either; its change is published.
func TestModeration_deletedLeavesViewsAndCounts(t *testing.T) {
	ctx := context.Background()
	s, feed, ava := moderationStore(t)
	now := time.Now()
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", MediaID: "m1", Deadline: now.Add(time.Hour), Text: "spam"},
		inbox.Comment{ID: "c2", AccountID: "111", MediaID: "m1", Deadline: now.Add(time.Hour), Text: "hello"})
	feed.take()
	a := queue(t, s, moderation.Action{CommentID: "c1", AccountID: "111", Kind: moderation.Delete, UserID: ava, UserName: "Ava"})
	if got := commentIDs(feed.take()); len(got) != 1 || got[0] != "c1" {
		t.Fatalf("queueing published %v", got)
	}
	if err := s.FinishAction(ctx, a, moderation.Result{State: moderation.Done}); err != nil {
		t.Fatal(err)
	}
	if got := commentIDs(feed.take()); len(got) != 1 || got[0] != "c1" {
		t.Fatalf("deleting published %v", got)
	}
	it, err := s.InboxItem(ctx, ava, "c1")
	if err != nil || !it.Deleted {
		t.Fatalf("deleted comment: %+v, %v", it, err)
	}
	if other, err := s.InboxItem(ctx, ava, "c2"); err != nil || other.OpenOnMedia != 1 {
		t.Errorf("open comments on the post after a delete = %d, %v; want 1", other.OpenOnMedia, err)
	}
	for _, view := range []string{"open", inbox.ViewDue, inbox.ViewAll} {
		f := inbox.Filter{View: view}
		page, err := s.ListInbox(ctx, ava, f, nil, 50)
		if err != nil {
			t.Fatal(err)
		}
		want := "c2 "
		if view == inbox.ViewAll {
			want = "c1 c2 "
		}
		if got := ids(page.Items); got != want {
			t.Errorf("view %s lists %q, want %q", view, got, want)
		}
		if f.Matches(it.Comment, now) != (view == inbox.ViewAll) {
			t.Errorf("view %s: Matches(deleted) = %v", view, !(view == inbox.ViewAll))
		}
	}
	counts, _ := s.InboxCounts(ctx, ava, "")
	if counts.Open != 1 || counts.Due != 1 {
		t.Errorf("counts %+v, want one open and due", counts)
	}
	if _, err := s.SetStatus(ctx, ava, []string{"c1"}, inbox.StatusDone); err != nil {
		t.Fatal(err)
	}
	counts, _ = s.InboxCounts(ctx, ava, "")
	if counts.Open != 1 || counts.Done != 0 {
		t.Errorf("counts after triaging the deleted comment %+v", counts)
	}
}

// TestModeration_oneVisibilityChangeAndOneTextAtATime: the unique indexes
// refuse a second pending hide (a double click) and the same public reply
// twice, but not after a failure.
func TestModeration_oneVisibilityChangeAndOneTextAtATime(t *testing.T) {
	ctx := context.Background()
	s, _, ava := moderationStore(t)
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", Deadline: time.Now().Add(time.Hour)})
	hide := moderation.Action{CommentID: "c1", AccountID: "111", Kind: moderation.Hide, UserID: ava}
	first := queue(t, s, hide)
	if _, dup, err := s.QueueActions(ctx, []moderation.Action{hide, {CommentID: "c1", AccountID: "111", Kind: moderation.Delete}}); err != nil || len(dup) != 2 {
		t.Fatalf("second pending visibility change: dup %v, %v", dup, err)
	}
	pending, err := s.PendingVisibility(ctx, []string{"c1"})
	if err != nil || pending["c1"].ID != first.ID {
		t.Fatalf("pending %+v, %v", pending, err)
	}
	if it, _ := s.InboxItem(ctx, ava, "c1"); it.PendingModeration != "hide" {
		t.Errorf("item's pending moderation %q", it.PendingModeration)
	}
	if err := s.FinishAction(ctx, first, moderation.Result{State: moderation.Done}); err != nil {
		t.Fatal(err)
	}
	if it, _ := s.InboxItem(ctx, ava, "c1"); it.PendingModeration != "" || !it.Hidden {
		t.Errorf("after the hide: %+v", it)
	}
	queue(t, s, moderation.Action{CommentID: "c1", AccountID: "111", Kind: moderation.Unhide}) // no longer pending: allowed

	pub := moderation.Action{CommentID: "c1", AccountID: "111", Kind: moderation.PublicReply, Text: "See DMs"}
	p := queue(t, s, pub)
	if _, dup, _ := s.QueueActions(ctx, []moderation.Action{pub}); len(dup) != 1 {
		t.Fatal("the same public reply was queued twice")
	}
	if err := s.FinishAction(ctx, p, moderation.Result{State: moderation.Failed, ErrorKind: moderation.ErrRejected, Error: "no"}); err != nil {
		t.Fatal(err)
	}
	queue(t, s, pub) // after a failure it may be tried again
}

// TestModeration_ownRepliesFromWebhookAndAnswer: a public reply's webhook
// may come before the answer to our call (filed under the thread's top
// comment) or after it (ignored); either way it ends up once, under the
// comment it answers, with who posted it.
func TestModeration_ownRepliesFromWebhookAndAnswer(t *testing.T) {
	ctx := context.Background()
	s, feed, ava := moderationStore(t)
	now := time.Now()
	seed(t, s, inbox.Comment{ID: "top", AccountID: "111", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "child", AccountID: "111", ParentID: "top", Deadline: now.Add(time.Hour)})
	feed.take()
	deliver := func(replyID, parent, text string) {
		t.Helper()
		_, err := s.CommitDeliveries(ctx, []store.DeliveryIn{{ReceivedAt: time.Now(), Body: []byte("{}"), Own: 1,
			OwnReplies: []moderation.Reply{{ID: replyID, CommentID: parent, AccountID: "111", Text: text, CreatedAt: time.Now()}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Webhook first: our reply to "child" arrives filed under "top".
	deliver("r1", "top", "Check your DMs")
	if got := commentIDs(feed.take()); len(got) != 1 || got[0] != "top" {
		t.Fatalf("webhook published %v", got)
	}
	if id, err := s.OwnReplyLike(ctx, "111", []string{"child", "top"}, "Check your DMs", now.Add(-time.Minute)); err != nil || id != "r1" {
		t.Fatalf("own reply like: %q, %v", id, err)
	}
	a := queue(t, s, moderation.Action{CommentID: "child", AccountID: "111", Kind: moderation.PublicReply, Text: "Check your DMs", UserID: ava, UserName: "Ava"})
	if err := s.FinishAction(ctx, a, moderation.Result{State: moderation.Done, ResultID: "r1"}); err != nil {
		t.Fatal(err)
	}
	// Answer first: the webhook that follows changes nothing.
	b := queue(t, s, moderation.Action{CommentID: "top", AccountID: "111", Kind: moderation.PublicReply, Text: "Thanks!", UserID: ava, UserName: "Ava"})
	if err := s.FinishAction(ctx, b, moderation.Result{State: moderation.Done, ResultID: "r2"}); err != nil {
		t.Fatal(err)
	}
	feed.take()
	deliver("r2", "top", "Thanks!")
	if got := feed.take(); len(got) != 0 {
		t.Errorf("a known reply's webhook published %v", got)
	}
	// Posted on Instagram itself: shown, by no one in particular.
	deliver("r3", "top", "Posted from the app")
	reps, err := s.PublicReplies(ctx, []string{"top", "child"})
	if err != nil {
		t.Fatal(err)
	}
	if c := reps["child"]; len(c) != 1 || c[0].ID != "r1" || c[0].By != "Ava" || c[0].ActionID != a.ID {
		t.Errorf("under child: %+v", c)
	}
	var got []string
	for _, r := range reps["top"] {
		got = append(got, r.ID+":"+r.By)
	}
	if strings.Join(got, ",") != "r2:Ava,r3:" {
		t.Errorf("under top: %v", got)
	}
	// Own replies never enter the inbox.
	if page, _ := s.ListInbox(ctx, ava, inbox.Filter{View: inbox.ViewAll}, nil, 50); ids(page.Items) != "child top " && ids(page.Items) != "top child " {
		t.Errorf("inbox lists %q", ids(page.Items))
	}
}

// TestModeration_nudgeFollowsItsPrivateReply: a nudge waits while its
// private reply is on its way, is queued once it is delivered, and is
// cancelled with the caller's words when it fails.
func TestModeration_nudgeFollowsItsPrivateReply(t *testing.T) {
	ctx := context.Background()
	s, _, ava := moderationStore(t)
	deadline := time.Now().Add(time.Hour)
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", Deadline: deadline}, inbox.Comment{ID: "c2", AccountID: "111", Deadline: deadline})
	var rs []reply.Reply
	for _, id := range []string{"c1", "c2"} {
		r, err := s.CreateReply(ctx, reply.Reply{CommentID: id, AccountID: "111", Text: "hi", Deadline: deadline, UserID: ava})
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	var nudges []moderation.Action
	for i, id := range []string{"c1", "c2"} {
		n, err := s.QueueNudge(ctx, moderation.Action{CommentID: id, AccountID: "111", Kind: moderation.PublicReply, Text: "DMs!", AfterReplyID: rs[i].ID}, "reply failed")
		if err != nil || n.State != moderation.Waiting || !n.Nudge {
			t.Fatalf("nudge: %+v, %v", n, err)
		}
		nudges = append(nudges, n)
	}
	if _, err := s.QueueNudge(ctx, moderation.Action{CommentID: "c1", AccountID: "111", Kind: moderation.PublicReply, Text: "x", AfterReplyID: 999}, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("nudge after an unknown reply: %v", err)
	}
	if _, err := s.NextAction(ctx, "111"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a waiting nudge is due: %v", err)
	}
	if _, err := s.FinishAttempt(ctx, rs[0], reply.Result{State: reply.Sent, MessageID: "m1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishAttempt(ctx, rs[1], reply.Result{State: reply.Failed, Error: "no"}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ResolveNudges(ctx, "reply failed", "deleted"); err != nil || n != 2 {
		t.Fatalf("resolved %d, %v", n, err)
	}
	next, err := s.NextAction(ctx, "111")
	if err != nil || next.ID != nudges[0].ID {
		t.Fatalf("next %+v, %v", next, err)
	}
	if c, _ := s.Action(ctx, nudges[1].ID); c.State != moderation.Cancelled || c.Error != "reply failed" {
		t.Errorf("nudge after a failed reply: %+v", c)
	}
	// Once the private reply is out, a new nudge is queued at once.
	n, err := s.QueueNudge(ctx, moderation.Action{CommentID: "c1", AccountID: "111", Kind: moderation.PublicReply, Text: "DMs again", AfterReplyID: rs[0].ID}, "")
	if err != nil || n.State != moderation.Queued {
		t.Errorf("nudge after a sent reply: %+v, %v", n, err)
	}
}

// TestModeration_pendingSubqueryUsesIndex: the inbox's rows read their
// pending change of visibility through the partial unique index, not by
// scanning the actions.
func TestModeration_pendingSubqueryUsesIndex(t *testing.T) {
	s, _, _ := moderationStore(t)
	plan, err := s.ExplainItems(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "comment_actions_one_visibility") || strings.Contains(plan, "SCAN m") {
		t.Errorf("plan:\n%s", plan)
	}
}
