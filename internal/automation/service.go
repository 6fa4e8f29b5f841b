// Package automation runs keyword rules. The Service is where admins keep
// the ordered list (checked in plain words: the template must exist and,
// for a rule that sends on its own, always fit Instagram's limit) and test
// a rule against the last week's comments without changing anything. The
// Runner applies the rules to comments as they arrive, after they are
// committed and off the webhook's path: it reads arrivals in order from a
// mark, finds the first enabled rule that matches each, and records all
// outcomes of a batch in one transaction, whose changes reach the open
// inboxes through the store's change feed. Automatic replies are prepared
// by the sender's Service like a person's and sent by its Worker, within
// the budget, closest deadline first.
package automation

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/templates"
)

// Store keeps the rules (store.Store).
type Store interface {
	Rules(ctx context.Context) ([]rules.Rule, error)
	Rule(ctx context.Context, id int64) (rules.Rule, error)
	CreateRule(ctx context.Context, in rules.Input, byID int64, byName string) (rules.Rule, error)
	UpdateRule(ctx context.Context, id int64, in rules.Input) (rules.Rule, error)
	SetRuleEnabled(ctx context.Context, id int64, enabled bool) (rules.Rule, error)
	MoveRule(ctx context.Context, id int64, position int) error
	DeleteRule(ctx context.Context, id int64) error
	RuleStats(ctx context.Context, since time.Time) (map[int64]rules.Stats, error)
	RecentComments(ctx context.Context, userID int64, since time.Time, before int64, limit int) ([]inbox.Comment, int64, error)
	Items(ctx context.Context, ids []string) ([]inbox.Item, error)
	Template(ctx context.Context, id int64) (templates.Template, error)
	AccountsForUser(ctx context.Context, userID int64) ([]account.Account, error)
	User(ctx context.Context, id int64) (identity.User, error)
	RecentMedia(ctx context.Context, userID int64, limit int) ([]inbox.Media, error)
}

// Service keeps the rules and tests them.
type Service struct {
	st      Store
	now     func() time.Time
	version atomic.Int64 // bumped by every change, so the Runner reloads
}

// NewService makes a Service.
func NewService(st Store, now func() time.Time) *Service {
	return &Service{st: st, now: now}
}

// Version changes whenever a rule does.
func (s *Service) Version() int64 { return s.version.Load() }

func (s *Service) changed() { s.version.Add(1) }

// List is every rule in order, with what each did in the last week.
func (s *Service) List(ctx context.Context) ([]rules.Rule, map[int64]rules.Stats, error) {
	list, err := s.st.Rules(ctx)
	if err != nil {
		return nil, nil, err
	}
	stats, err := s.st.RuleStats(ctx, s.now().Add(-rules.StatsWindow))
	return list, stats, err
}

// Rule reads one rule; the store's not-found error when there is none.
func (s *Service) Rule(ctx context.Context, id int64) (rules.Rule, error) {
	return s.st.Rule(ctx, id)
}

// Create checks and stores a new rule, last in the order, made by actor.
// Problems are field errors (rules.Validate's, and the template, accounts
// and teammate the rule names).
func (s *Service) Create(ctx context.Context, actor identity.User, in rules.Input) (rules.Rule, error) {
	in, err := s.check(ctx, actor, in)
	if err != nil {
		return rules.Rule{}, err
	}
	list, err := s.st.Rules(ctx)
	if err != nil {
		return rules.Rule{}, err
	}
	if len(list) >= rules.MaxRules {
		return rules.Rule{}, apperr.New(apperr.Unprocessable, "too_many_rules", "There are already 500 rules. Delete some you no longer need first.")
	}
	r, err := s.st.CreateRule(ctx, in, actor.ID, actor.Name)
	if err == nil {
		s.changed()
	}
	return r, err
}

// Update checks and saves new fields for rule id, keeping its place.
func (s *Service) Update(ctx context.Context, actor identity.User, id int64, in rules.Input) (rules.Rule, error) {
	if _, err := s.st.Rule(ctx, id); err != nil {
		return rules.Rule{}, err
	}
	in, err := s.check(ctx, actor, in)
	if err != nil {
		return rules.Rule{}, err
	}
	r, err := s.st.UpdateRule(ctx, id, in)
	if err == nil {
		s.changed()
	}
	return r, err
}

// SetEnabled turns rule id on or off.
func (s *Service) SetEnabled(ctx context.Context, id int64, enabled bool) (rules.Rule, error) {
	r, err := s.st.SetRuleEnabled(ctx, id, enabled)
	if err == nil {
		s.changed()
	}
	return r, err
}

// Move puts rule id at position (1 is checked first).
func (s *Service) Move(ctx context.Context, id int64, position int) error {
	err := s.st.MoveRule(ctx, id, position)
	if err == nil {
		s.changed()
	}
	return err
}

// Delete removes rule id.
func (s *Service) Delete(ctx context.Context, id int64) error {
	err := s.st.DeleteRule(ctx, id)
	if err == nil {
		s.changed()
	}
	return err
}

// check validates an input and what it names: a template that exists (and
// always fits, for send), accounts the actor can see.
func (s *Service) check(ctx context.Context, actor identity.User, in rules.Input) (rules.Input, error) {
	in, err := rules.Validate(in)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	if in.Action.UsesTemplate() && in.TemplateID > 0 {
		t, err := s.st.Template(ctx, in.TemplateID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			errs = append(errs, apperr.Field("template_id", "unknown_template", "That template no longer exists. Pick another one."))
		case err != nil:
			return in, err
		default:
			if err := rules.CheckTemplate(in.Action, t); err != nil {
				errs = append(errs, err)
			}
		}
	}
	var accts []account.Account // the actor's
	if len(in.Accounts) > 0 {
		if accts, err = s.st.AccountsForUser(ctx, actor.ID); err != nil {
			return in, err
		}
		for _, id := range in.Accounts {
			if !slices.ContainsFunc(accts, func(a account.Account) bool { return a.ID == id }) {
				errs = append(errs, apperr.Field("accounts", "unknown_account", "The account "+id+" is not one you can reply on. Pick from your accounts."))
				break
			}
		}
	}
	if in.Action == rules.Assign && in.AssigneeID > 0 {
		err := s.checkAssignee(ctx, in, accts)
		if _, ok := apperr.As(err); !ok && err != nil {
			return in, err
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return in, errors.Join(errs...)
}

// checkAssignee: the teammate a rule assigns to exists and may reply on
// the accounts the rule is about (on all accounts, on at least one: the
// rule then assigns only the comments of the accounts they can see).
func (s *Service) checkAssignee(ctx context.Context, in rules.Input, accts []account.Account) error {
	u, err := s.st.User(ctx, in.AssigneeID)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.Field("assignee_id", "unknown_user", "That teammate is no longer on the team. Pick another one.")
	}
	if err != nil {
		return err
	}
	theirs, err := s.st.AccountsForUser(ctx, u.ID)
	if err != nil {
		return err
	}
	if len(theirs) == 0 {
		return apperr.Field("assignee_id", "assignee_no_access",
			u.Name+" cannot reply on any account yet (their Facebook Page role has no Messages task), so no comment can be assigned to them.")
	}
	for _, id := range in.Accounts {
		if !slices.ContainsFunc(theirs, func(a account.Account) bool { return a.ID == id }) {
			name := id
			if i := slices.IndexFunc(accts, func(a account.Account) bool { return a.ID == id }); i >= 0 {
				name = "@" + accts[i].Username
			}
			return apperr.Field("assignee_id", "assignee_no_access",
				u.Name+" cannot see "+name+" (their Facebook Page role has no Messages task there), so its comments cannot be assigned to them. Pick another teammate, or untick that account.")
		}
	}
	return nil
}

// RecentMedia lists the 20 media of userID's accounts that comments arrived
// on most recently, for picking the posts a rule is about.
func (s *Service) RecentMedia(ctx context.Context, userID int64) ([]inbox.Media, error) {
	return s.st.RecentMedia(ctx, userID, 20)
}

// Bounds of a rule test: the comments it lists, and how many it reads.
const (
	TestLimit = 100
	TestScan  = 200_000 // about a second of reading
)

// TestResult is what a rule test found.
type TestResult struct {
	Items    []inbox.Item // newest first, at most TestLimit
	More     bool         // more comments matched than listed
	Checked  int          // comments looked at
	Complete bool         // the whole week was looked at (else the newest TestScan)
	Oldest   time.Time    // receipt time of the oldest comment looked at
}

// Test lists, newest first, the comments of the last week that userID may
// see and rule r alone would match (enabled or not, whatever the rules
// before it). It stops at TestLimit matches or TestScan comments read.
// Nothing changes.
func (s *Service) Test(ctx context.Context, userID int64, r rules.Rule) (TestResult, error) {
	r.Enabled = true
	set := rules.Compile([]rules.Rule{r})
	since := s.now().Add(-rules.StatsWindow)
	var res TestResult
	var ids []string
	for before := int64(0); ; {
		page, next, err := s.st.RecentComments(ctx, userID, since, before, 5000)
		if err != nil {
			return res, err
		}
		for _, c := range page {
			res.Checked++
			res.Oldest = c.ReceivedAt
			if _, ok := set.First(c); !ok {
				continue
			}
			if len(ids) == TestLimit {
				res.More = true
				break
			}
			ids = append(ids, c.ID)
		}
		if res.More || next == 0 {
			res.Complete = next == 0
			break
		}
		if res.Checked >= TestScan {
			break
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		before = next
	}
	items, err := s.st.Items(ctx, ids)
	if err != nil {
		return res, err
	}
	byID := make(map[string]inbox.Item, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	for _, id := range ids {
		if it, ok := byID[id]; ok {
			res.Items = append(res.Items, it)
		}
	}
	return res, nil
}
