package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/team"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// teamWorld is two accounts, Ava on both, Ben on 111 only, Dana on none.
type teamWorld struct {
	s              *store.Store
	feed           *recorder
	clock          *clock
	ava, ben, dana int64
}

func newTeamWorld(t *testing.T) teamWorld {
	t.Helper()
	w := teamWorld{feed: &recorder{}, clock: &clock{t: time.Now()}}
	w.s = storetest.WithOptions(t, store.Options{Feed: w.feed, Now: w.clock.Now})
	storetest.Account(t, w.s, "111", "p1", "acme.coffee", nil)
	storetest.Account(t, w.s, "222", "p2", "acme.outdoor", nil)
	w.ava = storetest.User(t, w.s, "fb-ava", "Ava Martin", "admin")
	w.ben = storetest.User(t, w.s, "fb-ben", "Ben Okafor", "agent")
	w.dana = storetest.User(t, w.s, "fb-dana", "Dana Kowalski", "agent")
	storetest.Grant(t, w.s, w.ava, "111")
	storetest.Grant(t, w.s, w.ava, "222")
	storetest.Grant(t, w.s, w.ben, "111")
	return w
}

func (w teamWorld) person(id int64) inbox.Person {
	names := map[int64]string{w.ava: "Ava Martin", w.ben: "Ben Okafor", w.dana: "Dana Kowalski"}
	return inbox.Person{ID: id, Name: names[id]}
}

// seen marks a user as seen at the store's now (online).
func (w teamWorld) seen(t *testing.T, id int64) {
	t.Helper()
	if err := w.s.TouchSession(context.Background(), nil, id, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// seedAt stores comments received at at.
func seedAt(t *testing.T, s *store.Store, at time.Time, cs ...inbox.Comment) {
	t.Helper()
	for i := range cs {
		cs[i].Status, cs[i].Surface = inbox.StatusOpen, inbox.SurfacePost
		cs[i].ReceivedAt, cs[i].UpdatedAt = at, at
	}
	if _, err := s.CommitDeliveries(context.Background(), []store.DeliveryIn{{ReceivedAt: at, Body: []byte("{}"), Comments: cs}}); err != nil {
		t.Fatal(err)
	}
}

func TestAssign_visibleToAssigneeRecordedAndPublished(t *testing.T) {
	ctx := context.Background()
	w := newTeamWorld(t)
	now := w.clock.Now()
	seed(t, w.s,
		inbox.Comment{ID: "c1", AccountID: "111", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "c2", AccountID: "222", Deadline: now.Add(2 * time.Hour)},
	)
	w.feed.take()

	got, err := w.s.Assign(ctx, w.person(w.ava), []string{"c1"}, w.ben)
	if err != nil || len(got) != 1 || got[0].AssigneeID != w.ben {
		t.Fatalf("assign c1 to Ben: %+v %v", got, err)
	}
	if pub := commentIDs(w.feed.take()); !slices.Equal(pub, []string{"c1"}) {
		t.Errorf("published %v, want [c1]", pub)
	}
	it, _ := w.s.InboxItem(ctx, w.ava, "c1")
	if it.Assignee != (inbox.Person{ID: w.ben, Name: "Ben Okafor"}) {
		t.Errorf("item assignee = %+v", it.Assignee)
	}
	// The same assignment again changes (and publishes) nothing.
	if got, err := w.s.Assign(ctx, w.person(w.ava), []string{"c1"}, w.ben); err != nil || len(got) != 0 {
		t.Errorf("again: %+v %v", got, err)
	}
	if pub := w.feed.take(); len(pub) != 0 {
		t.Errorf("published %v for no change", pub)
	}

	refusals := []struct {
		name     string
		by       int64
		ids      []string
		assignee int64
		code     string
		notFound bool
	}{
		{"Ben cannot see @acme.outdoor", w.ava, []string{"c1", "c2"}, w.ben, "assignee_no_access", false},
		{"Dana sees no account", w.ava, []string{"c1"}, w.dana, "assignee_no_access", false},
		{"no such user", w.ava, []string{"c1"}, 9999, "unknown_user", false},
		{"Ben may not see c2 himself", w.ben, []string{"c2"}, w.ben, "", true},
	}
	for _, r := range refusals {
		_, err := w.s.Assign(ctx, w.person(r.by), r.ids, r.assignee)
		ae, ok := apperr.As(err)
		switch {
		case r.notFound && !errors.Is(err, store.ErrNotFound):
			t.Errorf("%s: %v, want not found", r.name, err)
		case !r.notFound && (!ok || ae.Code != r.code || ae.Kind != apperr.Unprocessable):
			t.Errorf("%s: %v, want %s", r.name, err, r.code)
		}
	}
	if it, _ := w.s.InboxItem(ctx, w.ava, "c1"); it.AssigneeID != w.ben {
		t.Errorf("a refused bulk assignment changed c1: %+v", it.Assignee)
	}
	if it, _ := w.s.InboxItem(ctx, w.ava, "c2"); it.AssigneeID != 0 {
		t.Errorf("a refused assignment changed c2: %+v", it.Assignee)
	}

	// Bulk: both to Ava; then unassign c1.
	if got, err := w.s.Assign(ctx, w.person(w.ava), []string{"c1", "c2"}, w.ava); err != nil || len(got) != 2 {
		t.Fatalf("bulk: %+v %v", got, err)
	}
	w.clock.Add(time.Minute)
	if _, err := w.s.Assign(ctx, w.person(w.ben), []string{"c1"}, 0); err != nil {
		t.Fatal(err)
	}
	hist, err := w.s.Assignments(ctx, "c1")
	if err != nil || len(hist) != 3 {
		t.Fatalf("history: %+v %v", hist, err)
	}
	want := []team.Assignment{
		{CommentID: "c1", AssigneeID: w.ben, AssigneeName: "Ben Okafor", ByID: w.ava, ByName: "Ava Martin"},
		{CommentID: "c1", AssigneeID: w.ava, AssigneeName: "Ava Martin", ByID: w.ava, ByName: "Ava Martin"},
		{CommentID: "c1", ByID: w.ben, ByName: "Ben Okafor"},
	}
	for i := range want {
		want[i].At = hist[i].At
		if hist[i] != want[i] {
			t.Errorf("history[%d] = %+v, want %+v", i, hist[i], want[i])
		}
	}
	if !hist[2].At.Equal(now.Add(time.Minute).Truncate(time.Millisecond)) {
		t.Errorf("unassigned at %v, want %v", hist[2].At, now.Add(time.Minute))
	}
}

func TestInbox_assigneeFiltersAndTeamCounts(t *testing.T) {
	ctx := context.Background()
	w := newTeamWorld(t)
	now := w.clock.Now()
	seed(t, w.s,
		inbox.Comment{ID: "c1", AccountID: "111", Deadline: now.Add(30 * time.Minute)},
		inbox.Comment{ID: "c2", AccountID: "111", Deadline: now.Add(3 * time.Hour)},
		inbox.Comment{ID: "c3", AccountID: "222", Deadline: now.Add(50 * time.Minute)},
		inbox.Comment{ID: "c4", AccountID: "111", Deadline: now.Add(5 * time.Hour)},
	)
	if _, err := w.s.Assign(ctx, w.person(w.ava), []string{"c1", "c4"}, w.ben); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Assign(ctx, w.person(w.ava), []string{"c3"}, w.ava); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.SetStatus(ctx, w.ben, []string{"c4"}, inbox.StatusDone); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		user int64
		f    inbox.Filter
		want string
	}{
		{w.ava, inbox.Filter{View: "open", Assignee: inbox.AssigneeMe}, "c3 "},
		{w.ben, inbox.Filter{View: "open", Assignee: inbox.AssigneeMe}, "c1 "},
		{w.ben, inbox.Filter{View: "all", Assignee: inbox.AssigneeMe}, "c1 c4 "},
		{w.ava, inbox.Filter{View: "open", Assignee: inbox.AssigneeNone}, "c2 "},
		{w.ava, inbox.Filter{View: "open", Assignee: "2"}, "c1 "}, // Ben's id is 2
		{w.ava, inbox.Filter{View: inbox.ViewUrgent}, "c1 c3 "},
		{w.ava, inbox.Filter{View: inbox.ViewUrgent, UrgentWithin: 40 * time.Minute}, "c1 "},
		{w.ben, inbox.Filter{View: inbox.ViewUrgent}, "c1 "},
	}
	for _, c := range cases {
		page, err := w.s.ListInbox(ctx, c.user, c.f, nil, 50)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(page.Items); got != c.want {
			t.Errorf("user %d %+v: %q, want %q", c.user, c.f, got, c.want)
		}
		for _, it := range page.Items {
			if !c.f.Matches(it.Comment, now) && c.f.Assignee != inbox.AssigneeMe {
				t.Errorf("%+v lists %s but Matches says no", c.f, it.ID)
			}
		}
	}
	me := inbox.Filter{View: "open", Assignee: inbox.AssigneeMe, Me: w.ben}
	if it, _ := w.s.InboxItem(ctx, w.ben, "c1"); !me.Matches(it.Comment, now) {
		t.Error("Matches: c1 is Ben's")
	}
	if it, _ := w.s.InboxItem(ctx, w.ava, "c3"); me.Matches(it.Comment, now) {
		t.Error("Matches: c3 is not Ben's")
	}

	counts := []struct {
		user    int64
		account string
		want    inbox.TeamCounts
	}{
		{w.ava, "", inbox.TeamCounts{Urgent: 2, Mine: 1, Unassigned: 1}},
		{w.ava, "222", inbox.TeamCounts{Urgent: 1, Mine: 1, Unassigned: 0}},
		{w.ben, "", inbox.TeamCounts{Urgent: 1, Mine: 1, Unassigned: 1}},
	}
	for _, c := range counts {
		got, err := w.s.TeamCounts(ctx, c.user, c.account, time.Hour)
		if err != nil || got != c.want {
			t.Errorf("counts of %d on %q = %+v %v, want %+v", c.user, c.account, got, err, c.want)
		}
	}
}

func TestPresence_publishedOnceRefreshedExpired(t *testing.T) {
	ctx := context.Background()
	w := newTeamWorld(t)
	now := w.clock.Now()
	seed(t, w.s,
		inbox.Comment{ID: "c1", AccountID: "111", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "c2", AccountID: "222", Deadline: now.Add(time.Hour)},
	)
	w.feed.take()
	if err := w.s.SetPresence(ctx, w.ava, "c1", now.Add(team.PresenceTTL)); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(time.Second)
	if err := w.s.SetPresence(ctx, w.ben, "c1", w.clock.Now().Add(team.PresenceTTL)); err != nil {
		t.Fatal(err)
	}
	if pub := commentIDs(w.feed.take()); !slices.Equal(pub, []string{"c1", "c1"}) {
		t.Errorf("two people started: published %v", pub)
	}
	it, _ := w.s.InboxItem(ctx, w.ben, "c1")
	if want := []inbox.Person{w.person(w.ava), w.person(w.ben)}; !slices.Equal(it.Replying, want) {
		t.Errorf("replying = %+v, want %+v (longest first)", it.Replying, want)
	}
	// Ben may not see c2: no presence, nothing published.
	if err := w.s.SetPresence(ctx, w.ben, "c2", now.Add(team.PresenceTTL)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("presence on an unseen comment: %v", err)
	}
	// Ava keeps her composer open: refreshed, not published.
	w.clock.Add(team.PresenceRefresh)
	if err := w.s.SetPresence(ctx, w.ava, "c1", w.clock.Now().Add(team.PresenceTTL)); err != nil {
		t.Fatal(err)
	}
	if pub := w.feed.take(); len(pub) != 0 {
		t.Errorf("a refresh published %v", pub)
	}
	// Ben's tab closed: his presence expires, Ava's stays.
	w.clock.Add(team.PresenceTTL - team.PresenceRefresh)
	if n, err := w.s.ExpirePresence(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d %v, want 1", n, err)
	}
	if pub := commentIDs(w.feed.take()); !slices.Equal(pub, []string{"c1"}) {
		t.Errorf("expiry published %v", pub)
	}
	it, _ = w.s.InboxItem(ctx, w.ava, "c1")
	if want := []inbox.Person{w.person(w.ava)}; !slices.Equal(it.Replying, want) {
		t.Errorf("replying = %+v, want %+v", it.Replying, want)
	}
	if err := w.s.ClearPresence(ctx, w.ava, "c1"); err != nil {
		t.Fatal(err)
	}
	if pub := commentIDs(w.feed.take()); !slices.Equal(pub, []string{"c1"}) {
		t.Errorf("clearing published %v", pub)
	}
	if it, _ = w.s.InboxItem(ctx, w.ava, "c1"); len(it.Replying) != 0 {
		t.Errorf("replying = %+v after clearing", it.Replying)
	}
}

func TestAlerts_candidatesMarkedOnceAndRecordedOnce(t *testing.T) {
	ctx := context.Background()
	w := newTeamWorld(t)
	now := w.clock.Now()
	seed(t, w.s,
		inbox.Comment{ID: "soon", AccountID: "111", Deadline: now.Add(50 * time.Minute)},
		inbox.Comment{ID: "later", AccountID: "111", Deadline: now.Add(2 * time.Hour)},
		inbox.Comment{ID: "live", AccountID: "111", Deadline: now.Add(10 * time.Minute), Live: true, Surface: inbox.SurfaceLive},
		inbox.Comment{ID: "gone", AccountID: "111", Deadline: now.Add(-time.Minute)},
		inbox.Comment{ID: "taken", AccountID: "111", Deadline: now.Add(20 * time.Minute)},
	)
	if _, err := w.s.Assign(ctx, w.person(w.ava), []string{"taken"}, w.ben); err != nil {
		t.Fatal(err)
	}
	w.seen(t, w.ben)
	cands, err := w.s.AlertCandidates(ctx, time.Hour, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cands {
		got = append(got, c.Comment.ID)
		if c.Comment.ID == "taken" && !team.Online(c.AssigneeLastSeen, now) {
			t.Errorf("Ben was just seen: %v", c.AssigneeLastSeen)
		}
	}
	if !slices.Equal(got, []string{"taken", "soon"}) {
		t.Errorf("candidates %v, want [taken soon]", got)
	}
	w.feed.take()
	if n, err := w.s.MarkAlerted(ctx, []string{"soon"}); err != nil || n != 1 {
		t.Fatalf("marked %d %v", n, err)
	}
	if pub := commentIDs(w.feed.take()); !slices.Equal(pub, []string{"soon"}) {
		t.Errorf("published %v", pub)
	}
	if n, _ := w.s.MarkAlerted(ctx, []string{"soon"}); n != 0 {
		t.Errorf("marked again: %d", n)
	}
	if it, _ := w.s.InboxItem(ctx, w.ava, "soon"); it.AlertedAt.IsZero() {
		t.Error("the alert time is not on the item")
	}
	cands, _ = w.s.AlertCandidates(ctx, time.Hour, 100)
	if len(cands) != 1 || cands[0].Comment.ID != "taken" {
		t.Errorf("after marking: %+v", cands)
	}
	// Marking recorded the outbound event, once; nothing records it again.
	events, err := w.s.EventsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var expiring []outbound.Event
	for _, e := range events {
		if e.Name == outbound.CommentExpiring {
			expiring = append(expiring, e)
		}
	}
	if len(expiring) != 1 || expiring[0].CommentID != "soon" || expiring[0].AccountID != "111" {
		t.Fatalf("comment.expiring events %+v", expiring)
	}
	ev := []outbound.Event{{Name: outbound.CommentExpiring, CommentID: "soon", AccountID: "111"}}
	if got, _ := w.s.RecordEvents(ctx, ev); len(got) != 0 {
		t.Errorf("recorded twice: %+v", got)
	}
}

func TestAutoAssign_roundRobinOnlineUnderCap(t *testing.T) {
	ctx := context.Background()
	w := newTeamWorld(t)
	eli := storetest.User(t, w.s, "fb-eli", "Eli Navarro", "agent")
	storetest.Grant(t, w.s, eli, "111")
	now := w.clock.Now()
	seedAt(t, w.s, now, inbox.Comment{ID: "before", AccountID: "111", Deadline: now.Add(time.Hour)})
	w.clock.Add(time.Second)
	if err := w.s.SetAutoAssign(ctx, w.ava, "111", true, 2); err != nil {
		t.Fatal(err)
	}
	if err := w.s.SetAutoAssign(ctx, w.ava, "111", true, 0); err == nil {
		t.Error("a cap of 0 was accepted")
	}
	w.clock.Add(time.Second)
	var cs []inbox.Comment
	for _, id := range []string{"n1", "n2", "n3", "n4", "n5", "n6"} {
		cs = append(cs, inbox.Comment{ID: id, AccountID: "111", Deadline: now.Add(time.Duration(len(cs)+2) * time.Hour)})
	}
	seedAt(t, w.s, w.clock.Now(), cs...)
	// Nobody online: nothing is given.
	if n, err := w.s.AutoAssign(ctx, "111", 100); err != nil || n != 0 {
		t.Fatalf("nobody online: assigned %d %v", n, err)
	}
	w.seen(t, w.ava)
	w.seen(t, eli) // Ben stays offline
	// A comment someone unassigned by hand is not taken back.
	if _, err := w.s.Assign(ctx, w.person(w.ava), []string{"n6"}, w.ava); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Assign(ctx, w.person(w.ava), []string{"n6"}, 0); err != nil {
		t.Fatal(err)
	}
	n, err := w.s.AutoAssign(ctx, "111", 100)
	if err != nil || n != 4 {
		t.Fatalf("assigned %d %v, want 4 (two each, the cap)", n, err)
	}
	want := map[string]int64{"before": 0, "n1": w.ava, "n2": eli, "n3": w.ava, "n4": eli, "n5": 0, "n6": 0}
	for id, who := range want {
		it, _ := w.s.InboxItem(ctx, w.ava, id)
		if it.AssigneeID != who {
			t.Errorf("%s went to %d, want %d", id, it.AssigneeID, who)
		}
	}
	if h, _ := w.s.Assignments(ctx, "n1"); len(h) != 1 || !h[0].Auto || h[0].ByID != 0 {
		t.Errorf("n1 history: %+v", h)
	}
	// Ava answers one: her turn comes again, after Eli's.
	if _, err := w.s.SetStatus(ctx, w.ava, []string{"n1"}, inbox.StatusDone); err != nil {
		t.Fatal(err)
	}
	if n, _ := w.s.AutoAssign(ctx, "111", 100); n != 1 {
		t.Errorf("after Ava freed a slot: assigned %d, want 1", n)
	}
	if it, _ := w.s.InboxItem(ctx, w.ava, "n5"); it.AssigneeID != w.ava {
		t.Errorf("n5 went to %d, want Ava", it.AssigneeID)
	}
	// Turned off: new comments wait.
	if err := w.s.SetAutoAssign(ctx, w.ava, "111", false, 2); err != nil {
		t.Fatal(err)
	}
	if accts, _ := w.s.AutoAssignAccounts(ctx); len(accts) != 0 {
		t.Errorf("still on: %v", accts)
	}
}

func TestTeam_teammatesAndStats(t *testing.T) {
	ctx := context.Background()
	w := newTeamWorld(t)
	now := w.clock.Now()
	mates, err := w.s.Teammates(ctx, w.ben)
	if err != nil {
		t.Fatal(err)
	}
	if len(mates) != 2 || mates[0].Name != "Ava Martin" || !slices.Equal(mates[0].AccountIDs, []string{"111"}) ||
		mates[1].ID != w.ben {
		t.Errorf("Ben's teammates: %+v (only the shared account shows)", mates)
	}
	if mates, _ := w.s.Teammates(ctx, w.dana); len(mates) != 0 {
		t.Errorf("Dana shares no account: %+v", mates)
	}
	seed(t, w.s,
		inbox.Comment{ID: "c1", AccountID: "111", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "c2", AccountID: "111", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "c3", AccountID: "111", Deadline: now.Add(-time.Hour)},
		inbox.Comment{ID: "c4", AccountID: "222", Deadline: now.Add(time.Hour)},
	)
	if _, err := w.s.Assign(ctx, w.person(w.ava), []string{"c1", "c2", "c3"}, w.ben); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Assign(ctx, w.person(w.ava), []string{"c4"}, w.ava); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.ExpireDue(ctx, 10); err != nil {
		t.Fatal(err)
	}
	r, err := w.s.CreateReply(ctx, reply.Reply{CommentID: "c2", AccountID: "111", Text: "hi", UserID: w.ben, UserName: "Ben Okafor", Deadline: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := w.s.ClaimReply(ctx, r, time.Minute, reply.Limit{}); err != nil || !c.Claimed {
		t.Fatalf("claim: %v, %v", c.Claimed, err)
	}
	r.State = reply.Sending
	if _, err := w.s.FinishAttempt(ctx, r, reply.Result{State: reply.Sent, MessageID: "m.1", RecipientID: "r.1"}); err != nil {
		t.Fatal(err)
	}
	day := now.Add(-time.Hour)
	stats, err := w.s.TeamStats(ctx, w.ava, []int64{w.ava, w.ben}, day)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stats[w.ben], (team.Stats{Open: 1, RepliesToday: 1, Answered: 1, Missed: 1}); got != want {
		t.Errorf("Ben: %+v, want %+v", got, want)
	}
	if got, want := stats[w.ava], (team.Stats{Open: 1}); got != want {
		t.Errorf("Ava: %+v, want %+v", got, want)
	}
	// Seen by Ben, Ava's comment on @acme.outdoor does not count.
	stats, _ = w.s.TeamStats(ctx, w.ben, []int64{w.ava}, day)
	if got := stats[w.ava]; got.Open != 0 {
		t.Errorf("Ava as Ben sees her: %+v", got)
	}
}
