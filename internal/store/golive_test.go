package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

func TestAPITokens_hashedScopedAndLimited(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	ben := storetest.User(t, s, "fb-ben", "Ben", "agent")
	tok, err := s.CreateAPIToken(ctx, identity.APIToken{UserID: ava, Name: "export", Hint: "wxyz"}, []byte("hash-1"), 2)
	if err != nil || tok.ID == 0 || tok.CreatedAt.IsZero() {
		t.Fatalf("create: %+v %v", tok, err)
	}
	if _, err := s.CreateAPIToken(ctx, identity.APIToken{UserID: ava, Name: "again"}, []byte("hash-2"), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAPIToken(ctx, identity.APIToken{UserID: ava, Name: "third"}, []byte("hash-3"), 2); !errors.Is(err, store.ErrTooMany) {
		t.Errorf("third token: %v, want ErrTooMany", err)
	}
	got, err := s.APITokenByHash(ctx, []byte("hash-1"))
	if err != nil || got.ID != tok.ID || got.UserID != ava {
		t.Errorf("by hash: %+v %v", got, err)
	}
	if err := s.DeleteAPIToken(ctx, ben, tok.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ben revokes ava's token: %v", err)
	}
	if err := s.DeleteAPIToken(ctx, ava, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APITokenByHash(ctx, []byte("hash-1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token still found: %v", err)
	}
	if list, _ := s.APITokens(ctx, ava); len(list) != 1 || list[0].Name != "again" {
		t.Errorf("list = %+v", list)
	}
}

func TestForgetUser_deauthorizeKeepsTheUserEraseDeletesThem(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	coffee, outdoor := storetest.NewAccount("acme.coffee"), storetest.NewAccount("acme.outdoor")
	ava := storetest.Login(t, s, "Ava", coffee, outdoor)
	ben := storetest.Login(t, s, "Ben", outdoor) // outdoor's token now comes from Ben
	for _, u := range []identity.User{ava, ben} {
		if err := s.CreateSession(ctx, identity.Session{IDHash: []byte("s-" + u.Name), UserID: u.ID, CSRF: "x",
			CreatedAt: time.Now(), LastSeenAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateAPIToken(ctx, identity.APIToken{UserID: u.ID, Name: "t"}, []byte("h-"+u.Name), 5); err != nil {
			t.Fatal(err)
		}
	}
	seed(t, s, inbox.Comment{ID: "c1", AccountID: outdoor.ID, Deadline: time.Now().Add(time.Hour)})
	if _, err := s.CreateReply(ctx, reply.Reply{CommentID: "c1", AccountID: outdoor.ID, Text: "hi", UserID: ben.ID,
		UserName: "Ben", Deadline: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	got, err := s.ForgetUser(ctx, store.Forget{FacebookID: ben.FacebookID, ReconnectReason: "gone"})
	if err != nil || !got.UserFound || got.Sessions != 1 || got.APITokens != 1 || got.Access != 1 || got.Accounts != 1 {
		t.Fatalf("deauthorize = %+v, %v", got, err)
	}
	if _, err := s.User(ctx, ben.ID); err != nil {
		t.Errorf("deauthorize deleted the user: %v", err)
	}
	if ids, _ := s.AccessibleAccountIDs(ctx, ben.ID); len(ids) != 0 {
		t.Errorf("ben still reaches %v", ids)
	}
	if a, _ := s.Account(ctx, outdoor.ID); !a.NeedsReconnect() || a.TokenError != "gone" {
		t.Errorf("outdoor = %+v, want needs reconnect", a)
	}
	if a, _ := s.Account(ctx, coffee.ID); a.NeedsReconnect() {
		t.Error("coffee's token came from Ava, yet it needs reconnecting")
	}
	if _, err := s.Session(ctx, []byte("s-Ava")); err != nil {
		t.Errorf("ava's session went too: %v", err)
	}

	e, err := s.ForgetUser(ctx, store.Forget{FacebookID: ben.FacebookID, Erase: true, Code: "abc123"})
	if err != nil || !e.UserFound || e.Replies != 1 {
		t.Fatalf("erase = %+v, %v", e, err)
	}
	if _, err := s.User(ctx, ben.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("erased user still there: %v", err)
	}
	if rs, _ := s.Replies(ctx, "c1"); len(rs) != 1 || rs[0].UserName != "" || rs[0].UserID != 0 {
		t.Errorf("reply still names ben: %+v", rs)
	}
	rec, err := s.Erasure(ctx, "abc123")
	if err != nil || !rec.UserFound || rec.Replies != 1 || rec.CompletedAt.IsZero() {
		t.Errorf("recorded erasure = %+v, %v", rec, err)
	}
	// Someone Replydesk never knew: recorded, nothing found.
	if e, err := s.ForgetUser(ctx, store.Forget{FacebookID: "nobody", Erase: true, Code: "def456"}); err != nil || e.UserFound {
		t.Errorf("unknown person = %+v, %v", e, err)
	}
	if _, err := s.Erasure(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown code: %v", err)
	}
}

func TestDisconnectAccount_stopsSendsIgnoresWebhooksAndLoginsDoNotReconnect(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	coffee, outdoor := storetest.NewAccount("acme.coffee"), storetest.NewAccount("acme.outdoor")
	ava := storetest.Login(t, s, "Ava", coffee, outdoor)
	seed(t, s, inbox.Comment{ID: "c1", AccountID: coffee.ID, Deadline: time.Now().Add(time.Hour)})
	r, err := s.CreateReply(ctx, reply.Reply{CommentID: "c1", AccountID: coffee.ID, Text: "hi", Deadline: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.EventsAfter(ctx, 0, 100)

	stopped, err := s.DisconnectAccount(ctx, coffee.ID, reply.KindStopped, "stopped")
	if err != nil || stopped != 1 {
		t.Fatalf("disconnect = %d, %v", stopped, err)
	}
	if _, err := s.DisconnectAccount(ctx, coffee.ID, reply.KindStopped, "stopped"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second disconnect: %v", err)
	}
	if got, _ := s.Reply(ctx, r.ID); got.State != reply.Failed || got.ErrorKind != reply.KindStopped {
		t.Errorf("reply = %+v, want failed", got)
	}
	after, _ := s.EventsAfter(ctx, 0, 100)
	if len(after) != len(before)+1 || after[len(after)-1].Name != outbound.ReplyFailed {
		t.Errorf("events %v → %v, want one reply.failed more", before, after)
	}
	if ids, _ := s.AccessibleAccountIDs(ctx, ava.ID); !slices.Equal(ids, []string{outdoor.ID}) {
		t.Errorf("ava reaches %v", ids)
	}
	if tok, _ := s.SealedPageToken(ctx, coffee.ID); len(tok.Sealed) != 0 {
		t.Error("the Page token is still stored")
	}
	if accts, _ := s.ConnectedAccounts(ctx); len(accts) != 1 || accts[0].ID != outdoor.ID {
		t.Errorf("connected = %+v", accts)
	}
	res, err := s.CommitDeliveries(ctx, []store.DeliveryIn{{ReceivedAt: time.Now(), Body: []byte("{}"), Comments: []inbox.Comment{
		{ID: "c2", AccountID: coffee.ID, Surface: inbox.SurfacePost, Status: inbox.StatusOpen, Deadline: time.Now().Add(time.Hour)}}}})
	if err != nil || len(res[0].New) != 0 || res[0].Unknown != 1 {
		t.Errorf("webhook for a disconnected account: %+v %v", res, err)
	}
	// Logging in again does not reconnect it, and gives no access to it.
	storetest.Login(t, s, "Ava again", coffee)
	if a, _ := s.Account(ctx, coffee.ID); !a.Disconnected() {
		t.Error("a login reconnected a disconnected account")
	}
	if un, _ := s.UnattendedAccounts(ctx); len(un) != 1 || un[0].ID != coffee.ID {
		t.Errorf("unattended = %+v", un)
	}
	// An admin lets it connect again: the next login does.
	if err := s.ReconnectAccount(ctx, coffee.ID, "waiting"); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Account(ctx, coffee.ID); a.Disconnected() || !a.NeedsReconnect() {
		t.Errorf("after reconnect: %+v", a)
	}
	u := storetest.Login(t, s, "Ben", coffee)
	if a, _ := s.Account(ctx, coffee.ID); a.TokenState != account.TokenOK {
		t.Errorf("after a login: %+v", a)
	}
	if ids, _ := s.AccessibleAccountIDs(ctx, u.ID); !slices.Equal(ids, []string{coffee.ID}) {
		t.Errorf("ben reaches %v", ids)
	}
}

func TestPurgeAccountComments_publishesEachAndKeepsSearchWhole(t *testing.T) {
	ctx := context.Background()
	feed := &recorder{}
	s := storetest.WithFeed(t, feed)
	coffee, outdoor := storetest.NewAccount("acme.coffee"), storetest.NewAccount("acme.outdoor")
	ava := storetest.Login(t, s, "Ava", coffee, outdoor)
	now := time.Now()
	seed(t, s,
		inbox.Comment{ID: "k1", AccountID: outdoor.ID, Text: "keep me", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "p1", AccountID: coffee.ID, Text: "purple", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "p2", AccountID: coffee.ID, Text: "purple too", Deadline: now.Add(2 * time.Hour)},
		inbox.Comment{ID: "p3", AccountID: coffee.ID, Text: "purple three", Deadline: now.Add(3 * time.Hour)},
	)
	if _, err := s.CreateReply(ctx, reply.Reply{CommentID: "p1", AccountID: coffee.ID, Text: "hi", Deadline: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	feed.take()
	var purged int
	for {
		n, err := s.PurgeAccountComments(ctx, coffee.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		purged += n
	}
	gone := commentIDs(feed.take())
	slices.Sort(gone)
	if purged != 3 || !slices.Equal(gone, []string{"p1", "p2", "p3"}) {
		t.Errorf("purged %d, published %v", purged, gone)
	}
	if n, _ := s.CommentCount(ctx, coffee.ID); n != 0 {
		t.Errorf("%d comments left", n)
	}
	if rs, _ := s.Replies(ctx, "p1"); len(rs) != 0 {
		t.Errorf("replies left: %+v", rs)
	}
	// The newest comments went: new ones still get indexed and found.
	seed(t, s, inbox.Comment{ID: "k2", AccountID: outdoor.ID, Text: "purple again", Deadline: now.Add(time.Hour)})
	page, err := s.ListInbox(ctx, ava.ID, inbox.Filter{View: inbox.ViewAll, Query: "purple"}, nil, 10)
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != "k2" {
		t.Errorf("search after purge = %s, %v", ids(page.Items), err)
	}
}

func TestOutboundEvents_recordedWhereTheyHappen(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	now := time.Now()
	// While no webhook wants comment.created, a new comment records none.
	seed(t, s, inbox.Comment{ID: "c0", AccountID: "111", Deadline: now.Add(time.Hour)})
	if evs, err := s.EventsAfter(ctx, 0, 100); err != nil || len(evs) != 0 {
		t.Fatalf("events with no webhook = %+v, %v", evs, err)
	}
	if _, err := s.CreateWebhook(ctx, outbound.Webhook{URL: "https://example.com/h", Events: []string{outbound.CommentCreated}, SealedSecret: []byte("s")}, 0, 5); err != nil {
		t.Fatal(err)
	}
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "c2", AccountID: "111", Deadline: now.Add(time.Hour)})
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", Deadline: now.Add(time.Hour)}) // a retry: no new event
	for _, tc := range []struct {
		id    string
		state reply.State
	}{{"c1", reply.Sent}, {"c2", reply.Failed}} {
		r, err := s.CreateReply(ctx, reply.Reply{CommentID: tc.id, AccountID: "111", Text: "hi", Deadline: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.FinishAttempt(ctx, r, reply.Result{State: reply.Retrying, NextAttemptAt: now}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FinishAttempt(ctx, r, reply.Result{State: tc.state, MessageID: "m"}); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := s.EventsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Name+" "+e.CommentID)
	}
	want := []string{"comment.created c1", "comment.created c2", "comment.replied c1", "reply.failed c2"}
	if !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}

func TestWebhookDeliveries_fanOutOnceClaimOnceAndFinish(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	seed(t, s, inbox.Comment{ID: "old", AccountID: "111", Deadline: time.Now().Add(time.Hour)})
	w, err := s.CreateWebhook(ctx, outbound.Webhook{URL: "https://example.com/h", Events: outbound.Names, SealedSecret: []byte("s")}, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	cursors, _ := s.WebhookCursors(ctx)
	evs, _ := s.EventsAfter(ctx, cursors[w.ID], 10)
	if len(evs) != 0 {
		t.Fatalf("a new webhook sees earlier events: %v", evs)
	}
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", Deadline: time.Now().Add(time.Hour)})
	evs, _ = s.EventsAfter(ctx, cursors[w.ID], 10)
	if len(evs) != 1 {
		t.Fatalf("events = %v", evs)
	}
	d := outbound.Delivery{EventID: evs[0].ID, Event: evs[0].Name, CommentID: "c1", Body: []byte(`{}`)}
	for range 2 { // fanned out twice (a crash between the two steps): one delivery
		if err := s.FanOut(ctx, w.ID, evs[0].ID, []outbound.Delivery{d}); err != nil {
			t.Fatal(err)
		}
	}
	due, err := s.DueDeliveries(ctx, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	if ok, _ := s.ClaimDelivery(ctx, due[0], time.Now().Add(time.Minute)); !ok {
		t.Fatal("first claim refused")
	}
	if ok, _ := s.ClaimDelivery(ctx, due[0], time.Now().Add(time.Minute)); ok {
		t.Error("the same delivery was claimed twice")
	}
	if again, _ := s.DueDeliveries(ctx, 10); len(again) != 0 {
		t.Errorf("a leased delivery is due: %+v", again)
	}
	got := due[0]
	got.State, got.Attempts, got.LastStatus, got.LastAnswer, got.DeliveredAt = outbound.Delivered, 1, 200, "ok", time.Now()
	if err := s.FinishDelivery(ctx, got); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.RecentDeliveries(ctx, w.ID, 5); len(list) != 1 || list[0].State != outbound.Delivered || list[0].LastAnswer != "ok" {
		t.Errorf("recent = %+v", list)
	}
	if err := s.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.RecentDeliveries(ctx, w.ID, 5); len(list) != 0 {
		t.Errorf("deliveries outlived their webhook: %+v", list)
	}
}

func TestPruneOutbound_keepsWhatAWebhookHasNotHadAndExpiringMarks(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	old := time.Now().Add(-2 * time.Hour)
	ev := func(name, id string) outbound.Event {
		return outbound.Event{Name: name, CommentID: id, AccountID: "111", At: old}
	}
	if _, err := s.RecordEvents(ctx, []outbound.Event{ev(outbound.CommentCreated, "a"), ev(outbound.CommentExpiring, "a")}); err != nil {
		t.Fatal(err)
	}
	w, err := s.CreateWebhook(ctx, outbound.Webhook{URL: "https://example.com", Events: outbound.Names, SealedSecret: []byte("s")}, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordEvents(ctx, []outbound.Event{ev(outbound.CommentCreated, "b")}); err != nil { // not fanned out yet
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := s.PruneOutbound(ctx, now.Add(-time.Hour), now.Add(-8*24*time.Hour), now); err != nil {
		t.Fatal(err)
	}
	left, _ := s.EventsAfter(ctx, 0, 10)
	var got []string
	for _, e := range left {
		got = append(got, e.Name+" "+e.CommentID)
	}
	if want := []string{"comment.expiring a", "comment.created b"}; !slices.Equal(got, want) {
		t.Errorf("left %v, want %v (webhook %d)", got, want, w.ID)
	}
	// Past the longest retention everything goes.
	if _, err := s.PruneOutbound(ctx, now, now, now); err != nil {
		t.Fatal(err)
	}
	if left, _ := s.EventsAfter(ctx, 0, 10); len(left) != 0 {
		t.Errorf("left %v", left)
	}
}
