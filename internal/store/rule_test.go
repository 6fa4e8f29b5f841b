package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/live"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/templates"
)

func ruleNames(t *testing.T, s *store.Store) []string {
	t.Helper()
	list, err := s.Rules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, r := range list {
		if r.Position != i+1 {
			t.Errorf("rule %q at position %d, want %d", r.Name, r.Position, i+1)
		}
		out = append(out, r.Name)
	}
	return out
}

func TestRules_crudAndOrder(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	tpl, err := s.CreateTemplate(ctx, templates.Input{Name: "Price", Body: "Hi {{username}}"}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	in := rules.Input{Name: "A", Enabled: true, Keywords: []string{"price", "how much"}, Match: rules.MatchAll,
		ExcludeKeywords: []string{"scam"}, Surfaces: []inbox.Surface{inbox.SurfaceReel}, Accounts: []string{"111"},
		MediaIDs: []string{"17890000000000201"}, Action: rules.Send, TemplateID: tpl.ID, OncePerUser: true}
	a, err := s.CreateRule(ctx, in, ava, "Ava")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Position != 1 || a.CreatedBy != ava || a.CreatedByName != "Ava" || a.CreatedAt.IsZero() {
		t.Errorf("created = %+v", a)
	}
	if got := rules.InputOf(a); !slices.Equal(got.Keywords, in.Keywords) || !slices.Equal(got.Surfaces, in.Surfaces) ||
		!slices.Equal(got.MediaIDs, in.MediaIDs) || !slices.Equal(got.Accounts, in.Accounts) || !slices.Equal(got.ExcludeKeywords, in.ExcludeKeywords) ||
		got.Match != in.Match || got.Action != in.Action || got.TemplateID != in.TemplateID || !got.OncePerUser || !got.Enabled {
		t.Errorf("read back %+v, want %+v", got, in)
	}
	for _, name := range []string{"B", "C", "D"} {
		if _, err := s.CreateRule(ctx, rules.Input{Name: name, Action: rules.Dismiss, Keywords: []string{"spam"}, Match: rules.MatchAny}, 0, ""); err != nil {
			t.Fatal(err)
		}
	}
	if got := ruleNames(t, s); !slices.Equal(got, []string{"A", "B", "C", "D"}) {
		t.Fatalf("order = %q", got)
	}
	if err := s.MoveRule(ctx, a.ID, 3); err != nil {
		t.Fatal(err)
	}
	if got := ruleNames(t, s); !slices.Equal(got, []string{"B", "C", "A", "D"}) {
		t.Errorf("after moving A to 3: %q", got)
	}
	if err := s.MoveRule(ctx, a.ID, 99); err != nil {
		t.Fatal(err)
	}
	if got := ruleNames(t, s); !slices.Equal(got, []string{"B", "C", "D", "A"}) {
		t.Errorf("after moving A past the end: %q", got)
	}
	list, _ := s.Rules(ctx)
	if err := s.DeleteRule(ctx, list[1].ID); err != nil { // C
		t.Fatal(err)
	}
	if got := ruleNames(t, s); !slices.Equal(got, []string{"B", "D", "A"}) {
		t.Errorf("after deleting C: %q", got)
	}
	in.Name, in.Keywords, in.OncePerUser = "A2", []string{"cost"}, false
	up, err := s.UpdateRule(ctx, a.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "A2" || up.Position != 3 || !slices.Equal(up.Keywords, []string{"cost"}) || up.OncePerUser {
		t.Errorf("updated = %+v", up)
	}
	if off, err := s.SetRuleEnabled(ctx, a.ID, false); err != nil || off.Enabled {
		t.Errorf("disable = %+v, %v", off, err)
	}
	for name, err := range map[string]error{
		"update": func() error { _, err := s.UpdateRule(ctx, 999, in); return err }(),
		"delete": s.DeleteRule(ctx, 999), "move": s.MoveRule(ctx, 999, 1),
		"read": func() error { _, err := s.Rule(ctx, 999); return err }(),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of a missing rule = %v, want ErrNotFound", name, err)
		}
	}
	// A template in use by a rule stays.
	if err := s.DeleteTemplate(ctx, tpl.ID); !errors.Is(err, store.ErrInUse) {
		t.Errorf("deleting a template a rule uses = %v, want ErrInUse", err)
	}
}

// applyFixture is an account, a user who may see it, and comments.
func applyFixture(t *testing.T, feed store.Feed) (*store.Store, int64) {
	t.Helper()
	var s *store.Store
	if feed != nil {
		s = storetest.WithFeed(t, feed)
	} else {
		s = storetest.New(t)
	}
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	storetest.Grant(t, s, ava, "111")
	return s, ava
}

func TestArrivals_inOrderFromTheMark(t *testing.T) {
	ctx := context.Background()
	s, _ := applyFixture(t, nil)
	mark, err := s.RulesMark(ctx)
	if err != nil || mark != 0 {
		t.Fatalf("mark on a new database = %d, %v", mark, err)
	}
	h := time.Now().Add(time.Hour)
	seed(t, s, inbox.Comment{ID: "c1", AccountID: "111", Text: "one", Deadline: h},
		inbox.Comment{ID: "c2", AccountID: "111", Text: "two", Deadline: h})
	seed(t, s, inbox.Comment{ID: "c3", AccountID: "111", Text: "three", Deadline: h})
	got, next, err := s.Arrivals(ctx, mark, 2)
	if err != nil || ids(got) != "c1 c2 " || got[0].AccountUsername != "acme.coffee" {
		t.Fatalf("first page = %q (%+v), %v", ids(got), got, err)
	}
	got, next, err = s.Arrivals(ctx, next, 2)
	if err != nil || ids(got) != "c3 " {
		t.Fatalf("second page = %q, %v", ids(got), err)
	}
	if latest, _ := s.LatestArrival(ctx); latest != next {
		t.Errorf("latest = %d, want %d", latest, next)
	}
	if got, again, _ := s.Arrivals(ctx, next, 2); len(got) != 0 || again != next {
		t.Errorf("past the end = %q, %d", ids(got), again)
	}
}

func TestApplyRules(t *testing.T) {
	ctx := context.Background()
	hub := live.NewMemory(0)
	s, ava := applyFixture(t, hub)
	h := time.Now().Add(time.Hour)
	seed(t, s,
		inbox.Comment{ID: "sug", AccountID: "111", Text: "price?", Deadline: h},
		inbox.Comment{ID: "dis", AccountID: "111", Text: "free followers", Deadline: h},
		inbox.Comment{ID: "snd", AccountID: "111", MediaID: "m1", FromID: "u1", Text: "link", Deadline: h},
		inbox.Comment{ID: "snd2", AccountID: "111", MediaID: "m1", FromID: "u1", Text: "link again", Deadline: h},
		inbox.Comment{ID: "snd3", AccountID: "111", MediaID: "m2", FromID: "u1", Text: "link here too", Deadline: h},
		inbox.Comment{ID: "done", AccountID: "111", Text: "price", Deadline: h},
	)
	if _, err := s.SetStatus(ctx, ava, []string{"done"}, inbox.StatusDone); err != nil {
		t.Fatal(err)
	}
	sub := hub.Subscribe([]string{"111"})
	defer sub.Close()
	latest, _ := s.LatestArrival(ctx)
	auto := func(id, key string) *reply.Reply {
		return &reply.Reply{CommentID: id, AccountID: "111", Text: "Here you go", TemplateID: 5, TemplateName: "Link",
			UserName: "rule:Link", RuleID: 3, OnceKey: key, Deadline: h}
	}
	outcomes := []rules.Outcome{
		{CommentID: "sug", AccountID: "111", RuleID: 1, Action: rules.Suggest, SuggestedTemplateID: 7},
		{CommentID: "dis", AccountID: "111", RuleID: 2, Action: rules.Dismiss},
		{CommentID: "snd", AccountID: "111", RuleID: 3, Action: rules.Send, SuggestedTemplateID: 5, Reply: auto("snd", "111/m1/u1")},
		{CommentID: "snd2", AccountID: "111", RuleID: 3, Action: rules.Send, SuggestedTemplateID: 5, Reply: auto("snd2", "111/m1/u1")},
		{CommentID: "snd3", AccountID: "111", RuleID: 3, Action: rules.Send, SuggestedTemplateID: 5, Reply: auto("snd3", "111/m2/u1")},
		{CommentID: "done", AccountID: "111", RuleID: 1, Action: rules.Suggest, SuggestedTemplateID: 7},
	}
	res, err := s.ApplyRules(ctx, outcomes, latest)
	if err != nil {
		t.Fatal(err)
	}
	applied, queued := res.Outcomes, res.Replies
	if len(applied) != 5 {
		t.Errorf("applied %d outcomes, want 5 (not to the comment a person marked done)", len(applied))
	}
	var sent []string
	for _, r := range queued {
		sent = append(sent, r.CommentID)
		if r.State != reply.Queued || r.UserName != "rule:Link" || r.RuleID != 3 || r.UserID != 0 {
			t.Errorf("queued %+v", r)
		}
	}
	if !slices.Equal(sent, []string{"snd", "snd3"}) {
		t.Errorf("queued replies to %q, want snd and snd3 (once per commenter per media)", sent)
	}
	get := func(id string) inbox.Item {
		it, err := s.InboxItem(ctx, ava, id)
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	if c := get("sug"); c.RuleID != 1 || c.SuggestedTemplateID != 7 || c.Status != inbox.StatusOpen {
		t.Errorf("suggested comment = %+v", c.Comment)
	}
	if c := get("dis"); c.RuleID != 2 || c.Status != inbox.StatusDismissed || c.StatusBy != 0 || c.StatusAt.IsZero() {
		t.Errorf("dismissed comment = %+v", c.Comment)
	}
	if c := get("snd2"); c.RuleID != 3 || c.SuggestedTemplateID != 5 || c.Status != inbox.StatusOpen {
		t.Errorf("the second comment of the same person = %+v: it stays open with the template suggested", c.Comment)
	}
	if c := get("done"); c.RuleID != 0 || c.Status != inbox.StatusDone {
		t.Errorf("a comment a person handled = %+v", c.Comment)
	}
	if mark, _ := s.RulesMark(ctx); mark != latest {
		t.Errorf("mark = %d, want %d", mark, latest)
	}
	// Every applied outcome reached the feed, after commit.
	seen := map[string]bool{}
	changes, err := sub.Next(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		seen[c.CommentID] = true
	}
	if len(seen) != 5 || seen["done"] {
		t.Errorf("feed carried %v, want the 5 comments rules changed", seen)
	}
	// Applying again changes nothing: rules apply once per comment.
	again, err := s.ApplyRules(ctx, outcomes, latest)
	if err != nil || len(again.Outcomes) != 0 || len(again.Replies) != 0 {
		t.Errorf("second application = %+v, %v", again, err)
	}
}

func TestClaimReply_automaticReplyYieldsToAPerson(t *testing.T) {
	ctx := context.Background()
	s, ava := applyFixture(t, nil)
	h := time.Now().Add(time.Hour)
	seed(t, s, inbox.Comment{ID: "a", AccountID: "111", Text: "x", Deadline: h}, inbox.Comment{ID: "b", AccountID: "111", Text: "x", Deadline: h})
	latest, _ := s.LatestArrival(ctx)
	var outcomes []rules.Outcome
	for _, id := range []string{"a", "b"} {
		outcomes = append(outcomes, rules.Outcome{CommentID: id, AccountID: "111", RuleID: 9, Action: rules.Send,
			Reply: &reply.Reply{CommentID: id, AccountID: "111", Text: "hi", UserName: "rule:R", RuleID: 9, Deadline: h}})
	}
	res, err := s.ApplyRules(ctx, outcomes, latest)
	queued := res.Replies
	if err != nil || len(queued) != 2 {
		t.Fatalf("queued %d, %v", len(queued), err)
	}
	// While "a" waits (say the budget is spent), a person dismisses it.
	if _, err := s.SetStatus(ctx, ava, []string{"a"}, inbox.StatusDismissed); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ClaimReply(ctx, queued[0], time.Minute, reply.Limit{}); err != nil || c.Claimed {
		t.Errorf("claim of the overtaken reply = %v, %v; want false", c.Claimed, err)
	}
	if r, _ := s.Reply(ctx, queued[0].ID); r.State != reply.Failed || r.ErrorKind != reply.KindCancelled || r.Error == "" {
		t.Errorf("overtaken reply = %+v", r)
	}
	if c, err := s.ClaimReply(ctx, queued[1], time.Minute, reply.Limit{}); err != nil || !c.Claimed {
		t.Errorf("claim of the untouched one = %v, %v", c.Claimed, err)
	}
}

func TestRuleStats(t *testing.T) {
	ctx := context.Background()
	s, _ := applyFixture(t, nil)
	h := time.Now().Add(time.Hour)
	seed(t, s, inbox.Comment{ID: "a", AccountID: "111", Text: "x", Deadline: h}, inbox.Comment{ID: "b", AccountID: "111", Text: "x", Deadline: h},
		inbox.Comment{ID: "c", AccountID: "111", Text: "x", Deadline: h})
	latest, _ := s.LatestArrival(ctx)
	res, err := s.ApplyRules(ctx, []rules.Outcome{
		{CommentID: "a", AccountID: "111", RuleID: 1, Action: rules.Suggest, SuggestedTemplateID: 2},
		{CommentID: "b", AccountID: "111", RuleID: 4, Action: rules.Send,
			Reply: &reply.Reply{CommentID: "b", AccountID: "111", Text: "hi", UserName: "rule:R", RuleID: 4, Deadline: h}},
		{CommentID: "c", AccountID: "111", RuleID: 4, Action: rules.Send,
			Reply: &reply.Reply{CommentID: "c", AccountID: "111", Text: "hi", UserName: "rule:R", RuleID: 4, Deadline: h}},
	}, latest)
	if err != nil {
		t.Fatal(err)
	}
	queued := res.Replies
	if c, _ := s.ClaimReply(ctx, queued[0], time.Minute, reply.Limit{}); !c.Claimed {
		t.Fatal("claim")
	}
	r := queued[0]
	r.State = reply.Sending
	if _, err := s.FinishAttempt(ctx, r, reply.Result{State: reply.Sent, MessageID: "m"}); err != nil {
		t.Fatal(err)
	}
	stats, err := s.RuleStats(ctx, time.Now().Add(-rules.StatsWindow))
	if err != nil {
		t.Fatal(err)
	}
	if stats[1] != (rules.Stats{Matched: 1}) || stats[4] != (rules.Stats{Matched: 2, Sent: 1}) {
		t.Errorf("stats = %+v", stats)
	}
	if stats, _ := s.RuleStats(ctx, time.Now().Add(time.Minute)); len(stats) != 0 {
		t.Errorf("stats from the future = %+v", stats)
	}
}

func TestRecentComments_newestFirstVisibleWithinTheWindow(t *testing.T) {
	ctx := context.Background()
	s, ava := applyFixture(t, nil)
	storetest.Account(t, s, "222", "p2", "other", nil) // ava cannot see it
	h := time.Now().Add(time.Hour)
	for _, id := range []string{"c1", "c2", "c3", "c4", "c5"} {
		seed(t, s, inbox.Comment{ID: id, AccountID: "111", Text: id, Deadline: h}, inbox.Comment{ID: "x" + id, AccountID: "222", Text: id, Deadline: h})
	}
	var got []string
	before := int64(0)
	for pages := 0; ; pages++ {
		cs, next, err := s.RecentComments(ctx, ava, time.Now().Add(-time.Hour), before, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			got = append(got, c.ID)
			if c.Text != c.ID || c.Surface != inbox.SurfacePost || c.ReceivedAt.IsZero() {
				t.Errorf("comment %+v", c)
			}
		}
		if next == 0 || pages > 10 {
			break
		}
		before = next
	}
	if want := []string{"c5", "c4", "c3", "c2", "c1"}; !slices.Equal(got, want) {
		t.Errorf("recent = %q, want %q", got, want)
	}
	cs, next, err := s.RecentComments(ctx, ava, time.Now().Add(time.Hour), 0, 100)
	if err != nil || len(cs) != 0 || next != 0 {
		t.Errorf("nothing that recent: %d, %d, %v", len(cs), next, err)
	}
}

// TestApplyRules_assign: an assign rule gives the comment to its teammate
// (in the comment's assignment history, by the rule), only when they may
// reply on its account and nobody has the comment yet; a comment a person
// assigned is touched: no rule applies to it.
func TestApplyRules_assign(t *testing.T) {
	ctx := context.Background()
	s, ava := applyFixture(t, nil)
	bo := storetest.User(t, s, "fb-bo", "Bo", "agent")
	storetest.Grant(t, s, bo, "111")
	cy := storetest.User(t, s, "fb-cy", "Cy", "agent") // sees no account
	h := time.Now().Add(time.Hour)
	seed(t, s,
		inbox.Comment{ID: "vip", AccountID: "111", Text: "wholesale?", Deadline: h},
		inbox.Comment{ID: "blind", AccountID: "111", Text: "wholesale!", Deadline: h},
		inbox.Comment{ID: "taken", AccountID: "111", Text: "wholesale", Deadline: h},
		inbox.Comment{ID: "taken2", AccountID: "111", Text: "price", Deadline: h},
	)
	toBo, err := s.CreateRule(ctx, rules.Input{Name: "Wholesale to Bo", Enabled: true, Action: rules.Assign, AssigneeID: bo, Keywords: []string{"wholesale"}, Match: rules.MatchAny}, ava, "Ava")
	if err != nil {
		t.Fatal(err)
	}
	toCy, err := s.CreateRule(ctx, rules.Input{Name: "To Cy", Enabled: true, Action: rules.Assign, AssigneeID: cy, Keywords: []string{"wholesale"}, Match: rules.MatchAny}, ava, "Ava")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Assign(ctx, inbox.Person{ID: ava, Name: "Ava"}, []string{"taken", "taken2"}, ava); err != nil {
		t.Fatal(err)
	}
	latest, _ := s.LatestArrival(ctx)
	res, err := s.ApplyRules(ctx, []rules.Outcome{
		{CommentID: "vip", AccountID: "111", RuleID: toBo.ID, Action: rules.Assign, AssigneeID: bo},
		{CommentID: "blind", AccountID: "111", RuleID: toCy.ID, Action: rules.Assign, AssigneeID: cy},
		{CommentID: "taken", AccountID: "111", RuleID: toBo.ID, Action: rules.Assign, AssigneeID: bo},
		{CommentID: "taken2", AccountID: "111", RuleID: 1, Action: rules.Suggest, SuggestedTemplateID: 7},
	}, latest)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outcomes) != 1 || res.Outcomes[0].CommentID != "vip" {
		t.Errorf("applied %+v, want the assignment of vip alone", res.Outcomes)
	}
	for id, want := range map[string]struct{ rule, assignee int64 }{
		"vip": {toBo.ID, bo}, "blind": {0, 0}, "taken": {0, ava}, "taken2": {0, ava},
	} {
		it, err := s.InboxItem(ctx, ava, id)
		if err != nil {
			t.Fatal(err)
		}
		if it.RuleID != want.rule || it.AssigneeID != want.assignee {
			t.Errorf("%s: rule %d, assignee %d; want %d, %d", id, it.RuleID, it.AssigneeID, want.rule, want.assignee)
		}
	}
	hist, err := s.Assignments(ctx, "vip")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].AssigneeID != bo || hist[0].AssigneeName != "Bo" || hist[0].ByID != 0 ||
		hist[0].ByName != "rule:Wholesale to Bo" || hist[0].Auto {
		t.Errorf("history of vip = %+v", hist)
	}
}
