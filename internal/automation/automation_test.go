package automation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/automation"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/sender"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/templates"
)

// fixture is a store with one account (acme.coffee) seen by admin Ava, two
// templates, the rules Service and a Runner whose replies are prepared by
// the real sender Service (its Worker is not running: replies stay queued).
type fixture struct {
	st     *store.Store
	svc    *automation.Service
	runner *automation.Runner
	ava    identity.User
	bo, cy int64 // teammates (after teammates): Bo may reply on acme.coffee, Cy on nothing
	price  templates.Template
	echo   templates.Template
	seq    int
}

const (
	acct  = "17841400000000001"
	other = "17841400000000002"
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	storetest.Account(t, st, acct, "p1", "acme.coffee", nil)
	id := storetest.User(t, st, "fb-ava", "Ava", "admin")
	storetest.Grant(t, st, id, acct)
	f := &fixture{st: st, ava: identity.User{ID: id, Name: "Ava", Role: "admin"}}
	var err error
	if f.price, err = st.CreateTemplate(ctx, templates.Input{Name: "Price", Body: "Hi {{username|there}}! Prices are in the link."}, 0, ""); err != nil {
		t.Fatal(err)
	}
	if f.echo, err = st.CreateTemplate(ctx, templates.Input{Name: "Echo", Body: "You said: {{comment_text}}"}, 0, ""); err != nil {
		t.Fatal(err)
	}
	worker := sender.NewWorker(st, nil, nil, sender.Options{})
	f.svc = automation.NewService(st, time.Now)
	f.runner = automation.NewRunner(st, sender.NewService(st, nil, worker, time.Now), f.svc, automation.RunnerOptions{})
	return f
}

func (f *fixture) teammates(t *testing.T) {
	t.Helper()
	f.bo = storetest.User(t, f.st, "fb-bo", "Bo", "agent")
	storetest.Grant(t, f.st, f.bo, acct)
	f.cy = storetest.User(t, f.st, "fb-cy", "Cy", "agent")
}

func (f *fixture) rule(t *testing.T, in rules.Input) rules.Rule {
	t.Helper()
	in.Enabled = true
	r, err := f.svc.Create(context.Background(), f.ava, in)
	if err != nil {
		t.Fatalf("create rule %q: %v", in.Name, err)
	}
	return r
}

// arrive stores comments as a webhook delivery would and returns their ids.
func (f *fixture) arrive(t *testing.T, cs ...inbox.Comment) []string {
	t.Helper()
	now := time.Now()
	var ids []string
	for i := range cs {
		f.seq++
		c := &cs[i]
		if c.ID == "" {
			c.ID = fmt.Sprintf("1790000000000%04d", f.seq)
		}
		if c.AccountID == "" {
			c.AccountID = acct
		}
		if c.Surface == "" {
			c.Surface = inbox.SurfacePost
		}
		if c.Deadline.IsZero() {
			c.Deadline = now.Add(inbox.ReplyWindow)
		}
		c.Status, c.ReceivedAt, c.UpdatedAt = inbox.StatusOpen, now, now
		ids = append(ids, c.ID)
	}
	if _, err := f.st.CommitDeliveries(context.Background(), []store.DeliveryIn{{ReceivedAt: now, Body: []byte("{}"), Comments: cs}}); err != nil {
		t.Fatal(err)
	}
	return ids
}

func (f *fixture) item(t *testing.T, id string) inbox.Item {
	t.Helper()
	it, err := f.st.InboxItem(context.Background(), f.ava.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func (f *fixture) replies(t *testing.T, id string) []reply.Reply {
	t.Helper()
	hist, err := f.st.Replies(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return hist
}

func TestRunner_firstEnabledRuleAppliesOnArrival(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	before := f.arrive(t, inbox.Comment{Text: "price? (before any rule)"})
	f.runner.CatchUp(ctx) // no rules: passed over
	f.rule(t, rules.Input{Name: "Spam", Action: rules.Dismiss, Keywords: []string{"free followers", "crypto"}})
	f.rule(t, rules.Input{Name: "Price DM", Action: rules.Send, TemplateID: f.price.ID, Keywords: []string{"price", "how much"}, ExcludeKeywords: []string{"wholesale"}})
	f.rule(t, rules.Input{Name: "Price suggest", Action: rules.Suggest, TemplateID: f.price.ID, Keywords: []string{"price"}})
	off := f.rule(t, rules.Input{Name: "Off", Action: rules.Dismiss, Keywords: []string{"hello"}})
	if _, err := f.svc.SetEnabled(ctx, off.ID, false); err != nil {
		t.Fatal(err)
	}
	ids := f.arrive(t,
		inbox.Comment{Username: "kai_m", FromID: "u1", MediaID: "m1", Text: "How MUCH is the blue one?"},
		inbox.Comment{Username: "spam.bot", Text: "Free followers 💯 crypto"},
		inbox.Comment{Username: "buyer", Text: "wholesale price?"},
		inbox.Comment{Username: "hi", Text: "hello there"},
		inbox.Comment{Username: "acme.coffee", FromID: acct, Text: "price list in bio"}, // the account's own
	)
	if n := f.runner.CatchUp(ctx); n != 3 {
		t.Errorf("applied to %d comments, want 3", n)
	}
	rs := map[string]rules.Rule{}
	list, _, _ := f.svc.List(ctx)
	for _, r := range list {
		rs[r.Name] = r
	}
	sent := f.item(t, ids[0])
	if sent.RuleID != rs["Price DM"].ID || sent.SuggestedTemplateID != f.price.ID {
		t.Errorf("price question = %+v", sent.Comment)
	}
	if h := f.replies(t, ids[0]); len(h) != 1 || h[0].State != reply.Queued || h[0].Text != "Hi kai_m! Prices are in the link." ||
		h[0].UserName != "rule:Price DM" || h[0].RuleID != rs["Price DM"].ID || h[0].TemplateID != f.price.ID {
		t.Errorf("reply = %+v", h)
	}
	if c := f.item(t, ids[1]); c.Status != inbox.StatusDismissed || c.RuleID != rs["Spam"].ID {
		t.Errorf("spam = %+v", c.Comment)
	}
	if c := f.item(t, ids[2]); c.RuleID != rs["Price suggest"].ID || c.SuggestedTemplateID != f.price.ID || len(f.replies(t, ids[2])) != 0 {
		t.Errorf("wholesale question = %+v: the exclusion passes it to the next rule", c.Comment)
	}
	for _, id := range append(before, ids[3], ids[4]) {
		if c := f.item(t, id); c.RuleID != 0 || c.Status != inbox.StatusOpen || len(f.replies(t, id)) != 0 {
			t.Errorf("%q was touched: %+v", c.Text, c.Comment)
		}
	}
	if n := f.runner.CatchUp(ctx); n != 0 {
		t.Errorf("a second pass applied %d", n)
	}
	if tpl, _ := f.st.Template(ctx, f.price.ID); tpl.UseCount != 1 || tpl.LastUsedAt.IsZero() {
		t.Errorf("template use = %d, %v; the automatic reply counts once", tpl.UseCount, tpl.LastUsedAt)
	}
}

// TestRunner_backfilledComments: comments a backfill recovers (read from
// the Graph API after the webhook missed them) arrive like the others: the
// rules look at them, in the order they were stored.
func TestRunner_backfilledComments(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.rule(t, rules.Input{Name: "Price", Action: rules.Suggest, TemplateID: f.price.ID, Keywords: []string{"price"}})
	now := time.Now()
	missed := []inbox.Comment{
		{ID: "17900000000009001", AccountID: acct, Surface: inbox.SurfacePost, Text: "price? (missed by the webhook)",
			Status: inbox.StatusOpen, Deadline: now.Add(time.Hour), ReceivedAt: now, UpdatedAt: now},
		{ID: "17900000000009002", AccountID: acct, Surface: inbox.SurfacePost, Text: "nice",
			Status: inbox.StatusOpen, Deadline: now.Add(time.Hour), ReceivedAt: now, UpdatedAt: now},
	}
	if fresh, err := f.st.InsertComments(ctx, missed); err != nil || len(fresh) != 2 {
		t.Fatalf("backfill stored %d, %v", len(fresh), err)
	}
	if n := f.runner.CatchUp(ctx); n != 1 {
		t.Errorf("applied %d, want 1", n)
	}
	if c := f.item(t, missed[0].ID); c.RuleID == 0 || c.SuggestedTemplateID != f.price.ID {
		t.Errorf("backfilled price question = %+v", c.Comment)
	}
	if c := f.item(t, missed[1].ID); c.RuleID != 0 {
		t.Errorf("backfilled comment that does not match = %+v", c.Comment)
	}
}

// TestRunner_assigns: an assign rule gives a matching comment to its
// teammate on arrival; a comment someone already has is left alone, and so
// is one on an account the teammate cannot see.
func TestRunner_assigns(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.teammates(t)
	storetest.Account(t, f.st, other, "p2", "acme.outdoor", nil)
	storetest.Grant(t, f.st, f.ava.ID, other)
	r := f.rule(t, rules.Input{Name: "Wholesale to Bo", Action: rules.Assign, AssigneeID: f.bo, Keywords: []string{"wholesale", "mayorista"}})
	ids := f.arrive(t,
		inbox.Comment{Text: "Precio MAYORISTA?"},
		inbox.Comment{AccountID: other, Text: "wholesale?"},
		inbox.Comment{Text: "hello"},
	)
	if n := f.runner.CatchUp(ctx); n != 1 {
		t.Errorf("applied %d, want 1", n)
	}
	if c := f.item(t, ids[0]); c.AssigneeID != f.bo || c.RuleID != r.ID || c.Status != inbox.StatusOpen {
		t.Errorf("wholesale question = %+v, want assigned to Bo by the rule", c.Comment)
	}
	for _, id := range ids[1:] {
		if c := f.item(t, id); c.AssigneeID != 0 || c.RuleID != 0 {
			t.Errorf("%q = %+v, want left alone", c.Text, c.Comment)
		}
	}
	hist, err := f.st.Assignments(ctx, ids[0])
	if err != nil || len(hist) != 1 || hist[0].ByName != "rule:Wholesale to Bo" {
		t.Errorf("history = %+v, %v", hist, err)
	}
}

func TestRunner_oncePerCommenterPerMedia(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.rule(t, rules.Input{Name: "Link", Action: rules.Send, TemplateID: f.price.ID, Keywords: []string{"link"}, OncePerUser: true})
	first := f.arrive(t, inbox.Comment{FromID: "u1", Username: "kai", MediaID: "m1", Text: "link please"})
	f.runner.CatchUp(ctx)
	again := f.arrive(t,
		inbox.Comment{FromID: "u1", Username: "kai", MediaID: "m1", Text: "link??"},
		inbox.Comment{FromID: "u1", Username: "kai", MediaID: "m2", Text: "link for this one"},
		inbox.Comment{FromID: "u2", Username: "lee", MediaID: "m1", Text: "link"},
	)
	f.runner.CatchUp(ctx)
	for id, want := range map[string]int{first[0]: 1, again[0]: 0, again[1]: 1, again[2]: 1} {
		if got := len(f.replies(t, id)); got != want {
			t.Errorf("%s has %d automatic replies, want %d", f.item(t, id).Text, got, want)
		}
	}
	// The second comment stays open for a person, the template suggested.
	if c := f.item(t, again[0]); c.Status != inbox.StatusOpen || c.SuggestedTemplateID != f.price.ID {
		t.Errorf("second comment = %+v", c.Comment)
	}
}

func TestRunner_sendsOnlyWhatCanGo(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.rule(t, rules.Input{Name: "Price DM", Action: rules.Send, TemplateID: f.price.ID, Keywords: []string{"price"}})
	ids := f.arrive(t,
		inbox.Comment{Text: "price?", Deadline: time.Now().Add(-time.Minute)}, // the window closed
		inbox.Comment{Text: "price?", Username: "acme.coffee"},                // the account's own, by name
	)
	f.runner.CatchUp(ctx)
	for _, id := range ids {
		if h := f.replies(t, id); len(h) != 0 {
			t.Errorf("%s got %+v", id, h)
		}
	}
}

func TestRunner_burstOfLiveComments(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.rule(t, rules.Input{Name: "Live link", Action: rules.Send, TemplateID: f.price.ID, Keywords: []string{"link"}, Surfaces: []inbox.Surface{inbox.SurfaceLive}})
	var cs []inbox.Comment
	for i := range 1000 {
		cs = append(cs, inbox.Comment{Live: true, Surface: inbox.SurfaceLive, MediaID: "live1", FromID: fmt.Sprint("u", i), Username: fmt.Sprint("fan", i),
			Text: "link pls 🔥", Deadline: time.Now().Add(inbox.LiveWindow)})
	}
	f.arrive(t, cs...)
	start := time.Now()
	if n := f.runner.CatchUp(ctx); n != 1000 {
		t.Errorf("applied %d, want 1000", n)
	}
	t.Logf("1,000 Live comments matched and 1,000 replies queued in %s", time.Since(start))
	due, err := f.st.DueReplies(ctx, 2000)
	if err != nil || len(due) != 1000 {
		t.Errorf("queued %d, %v", len(due), err)
	}
}

func TestService_checksWhatARuleNames(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.teammates(t)
	storetest.Account(t, f.st, other, "p2", "acme.outdoor", nil)
	storetest.Grant(t, f.st, f.ava.ID, other)
	for _, tc := range []struct {
		name  string
		in    rules.Input
		field string
	}{
		{"send with a template that could exceed", rules.Input{Name: "Echo", Action: rules.Send, TemplateID: f.echo.ID, Keywords: []string{"x"}}, "template_id"},
		{"a template that is gone", rules.Input{Name: "Gone", Action: rules.Suggest, TemplateID: 999}, "template_id"},
		{"an account the admin cannot see", rules.Input{Name: "Other", Action: rules.Suggest, TemplateID: f.price.ID, Accounts: []string{"999"}}, "accounts"},
		{"assign to nobody on the team", rules.Input{Name: "Assign", Action: rules.Assign, AssigneeID: 999}, "assignee_id"},
		{"assign to someone who sees no account", rules.Input{Name: "Assign", Action: rules.Assign, AssigneeID: f.cy}, "assignee_id"},
		{"assign to someone who cannot see the rule's account", rules.Input{Name: "Assign", Action: rules.Assign, AssigneeID: f.bo, Accounts: []string{acct, other}}, "assignee_id"},
		{"the rule's own checks", rules.Input{Name: "", Action: rules.Suggest, TemplateID: f.price.ID}, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Create(ctx, f.ava, tc.in)
			if msg := templates.FieldErrors(err)[tc.field]; msg == "" {
				t.Errorf("error = %v, want one on %s", err, tc.field)
			}
		})
	}
	// Suggesting a long template is fine: a person edits before sending.
	if _, err := f.svc.Create(ctx, f.ava, rules.Input{Name: "Echo", Action: rules.Suggest, TemplateID: f.echo.ID, Accounts: []string{acct}}); err != nil {
		t.Errorf("suggest echo: %v", err)
	}
	r, _ := f.svc.Create(ctx, f.ava, rules.Input{Name: "Price", Action: rules.Suggest, TemplateID: f.price.ID})
	_, err := f.svc.Update(ctx, f.ava, r.ID, rules.Input{Name: "Price", Action: rules.Send, TemplateID: f.echo.ID, Keywords: []string{"price"}})
	if templates.FieldErrors(err)["template_id"] == "" {
		t.Errorf("update to send the echo template = %v", err)
	}
	// Bo may reply on acme.coffee: comments there can be his.
	if _, err := f.svc.Create(ctx, f.ava, rules.Input{Name: "To Bo", Action: rules.Assign, AssigneeID: f.bo, Accounts: []string{acct}}); err != nil {
		t.Errorf("assign to Bo on acme.coffee: %v", err)
	}
	if _, err := f.svc.Update(ctx, f.ava, 999, rules.Input{Name: "x", Action: rules.Suggest, TemplateID: f.price.ID}); err != store.ErrNotFound {
		t.Errorf("update of a missing rule = %v", err)
	}
}

func TestService_testListsWhatTheRuleWouldMatch(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ids := f.arrive(t,
		inbox.Comment{Text: "Cuánto cuesta el envío?"},
		inbox.Comment{Text: "envio a Chile?", Surface: inbox.SurfaceReel},
		inbox.Comment{Text: "nice!"},
		inbox.Comment{Text: "ENVÍO gratis es spam"},
	)
	r := f.rule(t, rules.Input{Name: "Shipping", Action: rules.Suggest, TemplateID: f.price.ID, Keywords: []string{"envío"}, ExcludeKeywords: []string{"spam"}})
	if _, err := f.svc.SetEnabled(ctx, r.ID, false); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Test(ctx, f.ava.ID, r)
	if err != nil || res.More || !res.Complete || res.Checked != 4 {
		t.Fatalf("test = %+v, %v", res, err)
	}
	var got []string
	for _, it := range res.Items {
		got = append(got, it.ID)
	}
	if want := []string{ids[1], ids[0]}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("test found %q, want %q (newest first, a disabled rule too)", got, want)
	}
	// Nothing changed.
	for _, id := range ids {
		if c := f.item(t, id); c.RuleID != 0 || c.Status != inbox.StatusOpen {
			t.Errorf("the test changed %+v", c.Comment)
		}
	}
	// A user who cannot see the account finds nothing.
	ben := storetest.User(t, f.st, "fb-ben", "Ben", "agent")
	if res, _ := f.svc.Test(ctx, ben, r); len(res.Items) != 0 || res.Checked != 0 {
		t.Errorf("ben's test found %+v in an account he cannot see", res)
	}
	if _, err := f.svc.Create(ctx, f.ava, rules.Input{Name: "x", Action: "reply"}); err == nil {
		t.Error("an unknown action was saved")
	} else if _, ok := apperr.As(err); !ok {
		t.Errorf("error %v is not for a person", err)
	}
}

func TestSeedDemo(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	if _, err := st.SeedTemplates(ctx, templates.Demo()); err != nil {
		t.Fatal(err)
	}
	if err := automation.SeedDemo(ctx, st); err != nil {
		t.Fatal(err)
	}
	list, err := st.Rules(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("demo rules = %+v, %v", list, err)
	}
	set := rules.Compile(list)
	for text, want := range map[string]string{"これはいくらですか？": "Price questions", "Does it ship to Canada? 🇨🇦": "Shipping questions",
		"Fiyatı nedir? Türkiye'ye gönderiyor musunuz?": "Price questions", "Love this ☕️😍": ""} {
		r, _ := set.First(inbox.Comment{Text: text})
		if r.Name != want {
			t.Errorf("%q → %q, want %q", text, r.Name, want)
		}
	}
}

// TestRunner_afterAPurge: deleting the newest comments (an account
// disconnected with purge) lets SQLite hand their rowids out again; rules
// still look at the comments that get them, whether the runner had stored
// how far it looked (a rule applied) or only kept it in memory (none did).
func TestRunner_afterAPurge(t *testing.T) {
	for _, tc := range []struct {
		name    string
		purged  string // text of the comments purged
		applied int    // how many of them a rule applied to
	}{
		{"matched", "price", 3},
		{"not matched", "hello", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			storetest.Account(t, f.st, other, "p2", "acme.outdoor", nil)
			f.rule(t, rules.Input{Name: "Price", Action: rules.Suggest, TemplateID: f.price.ID, Keywords: []string{"price"}})
			f.arrive(t, inbox.Comment{Text: "price?"})
			f.arrive(t, inbox.Comment{AccountID: other, Text: tc.purged + " one"}, inbox.Comment{AccountID: other, Text: tc.purged + " two"},
				inbox.Comment{AccountID: other, Text: tc.purged + " three"})
			if n := f.runner.CatchUp(ctx); n != 1+tc.applied {
				t.Fatalf("applied %d, want %d", n, 1+tc.applied)
			}
			for {
				n, err := f.st.PurgeAccountComments(ctx, other, 2)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
			}
			ids := f.arrive(t, inbox.Comment{Text: "price after the purge"}, inbox.Comment{Text: "and the price?"})
			if n := f.runner.CatchUp(ctx); n != 2 {
				t.Errorf("applied %d after the purge, want 2", n)
			}
			for _, id := range ids {
				if c := f.item(t, id); c.RuleID == 0 {
					t.Errorf("%q was passed over", c.Text)
				}
			}
			if _, ok, err := f.st.RulesRewind(ctx); ok || err != nil {
				t.Errorf("the rewind is still there (%v)", err)
			}
		})
	}
}

// TestRunner_presuggestsAsCommentsAreStored: once the Runner has read the
// rules, a comment whose first matching rule suggests a template is stored
// with the suggestion (ingest calls Presuggest), and the Runner passes it
// over; a send, the account's own comments, rules changed since the Runner
// read them, and a Runner that has not read them yet are left to its pass.
func TestRunner_presuggestsAsCommentsAreStored(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.rule(t, rules.Input{Name: "Price DM", Action: rules.Send, TemplateID: f.price.ID, Keywords: []string{"price"}})
	colour := f.rule(t, rules.Input{Name: "Colour", Action: rules.Suggest, TemplateID: f.echo.ID, Keywords: []string{"colour"}})
	f.rule(t, rules.Input{Name: "Price suggest", Action: rules.Suggest, TemplateID: f.price.ID, Keywords: []string{"price"}})
	prepared := func(c inbox.Comment) inbox.Comment {
		c.AccountID, c.Surface, c.Status = acct, inbox.SurfacePost, inbox.StatusOpen
		f.runner.Presuggest(&c)
		return c
	}
	if c := prepared(inbox.Comment{Text: "which colour?"}); c.RuleID != 0 {
		t.Errorf("before the Runner read the rules, Presuggest set rule %d", c.RuleID)
	}
	f.runner.CatchUp(ctx) // reads the rules

	ids := f.arrive(t,
		prepared(inbox.Comment{Username: "kai", FromID: "u1", Text: "Which COLOUR is this?"}),
		prepared(inbox.Comment{Username: "ana", FromID: "u2", Text: "price?"}), // a send comes first
		prepared(inbox.Comment{Username: "acme.coffee", FromID: acct, Text: "colour of the week"}),
	)
	if c := f.item(t, ids[0]); c.RuleID != colour.ID || c.SuggestedTemplateID != f.echo.ID {
		t.Errorf("stored without a pass: rule %d, template %d; want %d, %d", c.RuleID, c.SuggestedTemplateID, colour.ID, f.echo.ID)
	}
	for _, id := range ids[1:] {
		if c := f.item(t, id); c.RuleID != 0 {
			t.Errorf("%q was stored with rule %d", c.Text, c.RuleID)
		}
	}
	if n := f.runner.CatchUp(ctx); n != 1 { // the send only
		t.Errorf("the pass applied %d rules, want 1", n)
	}
	if c := f.item(t, ids[0]); c.RuleID != colour.ID || len(f.replies(t, ids[0])) != 0 {
		t.Errorf("the pass changed the suggested comment: %+v", c.Comment)
	}
	if h := f.replies(t, ids[1]); len(h) != 1 || h[0].State != reply.Queued {
		t.Errorf("the price question's reply = %+v", h)
	}

	// A rule turned off: nothing is suggested until the Runner read again,
	// and then by the rules as they are.
	if _, err := f.svc.SetEnabled(ctx, colour.ID, false); err != nil {
		t.Fatal(err)
	}
	if c := prepared(inbox.Comment{Text: "colour?"}); c.RuleID != 0 {
		t.Errorf("with the rules changed, Presuggest set rule %d", c.RuleID)
	}
	f.runner.CatchUp(ctx)
	if c := prepared(inbox.Comment{Text: "colour?"}); c.RuleID != 0 {
		t.Errorf("a rule turned off still suggests: rule %d", c.RuleID)
	}
}
