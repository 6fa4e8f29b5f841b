package automation

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/sender"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/templates"
)

// RunnerStore is the storage the Runner needs (store.Store).
type RunnerStore interface {
	Rules(ctx context.Context) ([]rules.Rule, error)
	Template(ctx context.Context, id int64) (templates.Template, error)
	RulesMark(ctx context.Context) (int64, error)
	SaveRulesMark(ctx context.Context, mark int64) error
	RulesRewind(ctx context.Context) (int64, bool, error)
	PickedRulesRewind(ctx context.Context, at int64) error
	LatestArrival(ctx context.Context) (int64, error)
	Arrivals(ctx context.Context, after int64, limit int) ([]inbox.Item, int64, error)
	ApplyRules(ctx context.Context, outcomes []rules.Outcome, mark int64) (store.Applied, error)
	TryLease(ctx context.Context, name string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name string) error
}

// runnerLease is the lease one process holds while it applies the rules:
// with several processes on one database, one applies them (a rule applies
// to a comment once either way, in the store; the lease saves the others
// the work). Renewed every pass (Poll, 2 s by default); a killed process's
// runs out after runnerLeaseFor, short so that rules pause only seconds
// (also for the process itself restarted after a crash), and another takes
// over from the stored mark. A pass longer than the lease lets a second
// process run too, which costs work, not correctness.
const (
	runnerLease    = "rules runner"
	runnerLeaseFor = 8 * time.Second
)

// Replier prepares automatic replies and wakes the sending Worker
// (sender.Service).
type Replier interface {
	Automatic(ctx context.Context, it inbox.Item, by sender.RuleAuthor, t templates.Template) (reply.Reply, error)
	Kick()
}

// RunnerOptions tune a Runner; the zero value is fine.
type RunnerOptions struct {
	Batch   int           // comments looked at per transaction (default 1,000: the writer is held briefly)
	Gather  time.Duration // wait after a wake-up, so one pass serves many commits (default 250ms)
	Poll    time.Duration // look anyway this often: backfills, other processes (default 2s)
	Reload  time.Duration // reread the rules at least this often (default 5s)
	SaveGap time.Duration // when no rule applied, save the mark at most this often (default: Gather, so once a pass)
	Now     func() time.Time
	Logger  *slog.Logger
}

// Runner applies the rules to comments as they arrive.
type Runner struct {
	st      RunnerStore
	replies Replier
	svc     *Service // its Version says when to reload
	o       RunnerOptions
	wake    chan struct{}

	set      *rules.Set
	version  int64
	loadedAt time.Time
	current  atomic.Pointer[loadedSet] // set and version, for Presuggest; nil while another process leads
	mark     int64                     // arrivals up to here have been looked at
	saved    int64                     // the mark as stored
	savedAt  time.Time
}

// loadedSet is the rules a Runner applies, and the Service's Version they
// were read at.
type loadedSet struct {
	set     *rules.Set
	version int64
}

// NewRunner makes a Runner; svc may be nil (rules are then reread on the
// Reload interval only).
func NewRunner(st RunnerStore, replies Replier, svc *Service, o RunnerOptions) *Runner {
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	if o.Gather <= 0 {
		o.Gather = 250 * time.Millisecond
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Reload <= 0 {
		o.Reload = 5 * time.Second
	}
	if o.SaveGap <= 0 {
		// Under load most passes apply nothing of their own (suggestions
		// are stored with their comments, Presuggest), so the mark is
		// saved by this: a few small writes a second while comments
		// arrive, none when they do not, and after a restart or a change
		// of lease the rules resume from less than a pass ago.
		o.SaveGap = o.Gather
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{st: st, replies: replies, svc: svc, o: o, wake: make(chan struct{}, 1), mark: -1}
}

// Kick says comments arrived. It never blocks (ingest calls it from its
// commit loop).
func (r *Runner) Kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// OnNew is Kick in the shape of ingest's new-comment hooks.
func (r *Runner) OnNew([]inbox.Comment) { r.Kick() }

// Run applies rules to arrivals until ctx is done.
func (r *Runner) Run(ctx context.Context) {
	t := time.NewTicker(r.o.Poll)
	defer t.Stop()
	for {
		if r.lead(ctx) {
			r.CatchUp(ctx)
		}
		select {
		case <-ctx.Done():
			if r.mark >= 0 {
				r.saveMark(context.WithoutCancel(ctx), true)
				if err := r.st.ReleaseLease(context.WithoutCancel(ctx), runnerLease); err != nil {
					r.o.Logger.Error("rules: giving up the lease", "error", err)
				}
			}
			return
		case <-t.C:
		case <-r.wake:
			// Let a few more commits land, so one pass serves them all.
			select {
			case <-ctx.Done():
			case <-time.After(r.o.Gather):
			}
		}
	}
}

// lead takes or renews the runner's lease. Without it, the mark in memory
// is forgotten: the process that holds the lease moves the stored one, and
// it is read again when this one leads again.
func (r *Runner) lead(ctx context.Context) bool {
	mine, err := r.st.TryLease(ctx, runnerLease, runnerLeaseFor)
	if err != nil && ctx.Err() == nil {
		r.o.Logger.Error("rules: taking the lease", "error", err)
	}
	if !mine {
		r.mark = -1
		r.current.Store(nil) // the rules it knows may be stale by now
	}
	return mine
}

// CatchUp applies rules to every comment that arrived since the last pass
// and reports how many it applied.
func (r *Runner) CatchUp(ctx context.Context) int {
	total := 0
	for ctx.Err() == nil {
		n, more, err := r.pass(ctx)
		total += n
		if err != nil {
			if ctx.Err() == nil {
				r.o.Logger.Error("applying rules", "error", err)
			}
			break
		}
		if !more {
			break
		}
	}
	r.saveMark(ctx, false)
	return total
}

// pass looks at one batch of arrivals: it reports the outcomes applied and
// whether more arrivals wait.
func (r *Runner) pass(ctx context.Context) (int, bool, error) {
	if err := r.load(ctx); err != nil {
		return 0, false, err
	}
	if r.set.Len() == 0 {
		// No rule to apply: what arrives meanwhile is passed over, not kept
		// for a rule enabled later.
		latest, err := r.st.LatestArrival(ctx)
		if err == nil {
			r.mark = max(r.mark, latest)
		}
		return 0, false, err
	}
	items, next, err := r.st.Arrivals(ctx, r.mark, r.o.Batch)
	if err != nil || len(items) == 0 {
		return 0, false, err
	}
	outcomes := r.decide(ctx, items)
	if len(outcomes) > 0 {
		t0 := time.Now()
		res, err := r.st.ApplyRules(ctx, outcomes, next)
		if err != nil {
			return 0, false, err
		}
		r.saved, r.savedAt = next, r.o.Now()
		if len(res.Replies) > 0 {
			r.replies.Kick()
		}
		if len(res.Outcomes) > 0 {
			r.o.Logger.Info("rules applied", "comments", len(res.Outcomes), "replies_queued", len(res.Replies), "took", time.Since(t0))
		}
		outcomes = res.Outcomes
	}
	r.mark = next
	return len(outcomes), len(items) == r.o.Batch, nil
}

// load reads the mark on the first pass, goes back where a purge says
// (the rowids of the newest comments deleted are handed out again), and
// (re)reads the rules when they changed, or every Reload interval.
func (r *Runner) load(ctx context.Context) error {
	if r.mark < 0 {
		m, err := r.st.RulesMark(ctx)
		if err != nil {
			return err
		}
		r.mark, r.saved, r.savedAt = m, m, r.o.Now()
	}
	at, ok, err := r.st.RulesRewind(ctx)
	if err != nil {
		return err
	}
	if ok {
		if err := r.st.PickedRulesRewind(ctx, at); err != nil {
			return err
		}
		r.mark, r.saved = min(r.mark, at), min(r.saved, at)
	}
	v := int64(0)
	if r.svc != nil {
		v = r.svc.Version()
	}
	if r.set != nil && v == r.version && r.o.Now().Sub(r.loadedAt) < r.o.Reload {
		return nil
	}
	list, err := r.st.Rules(ctx)
	if err != nil {
		return err
	}
	r.set, r.version, r.loadedAt = rules.Compile(list), v, r.o.Now()
	r.current.Store(&loadedSet{set: r.set, version: v})
	return nil
}

// Presuggest applies a suggestion as a comment is stored: when the first
// rule that matches c suggests a template, c carries the rule and the
// template, and the Runner, finding the rule recorded, passes it over.
// The comment is untouched by anyone yet, so the outcome is the Runner's
// own, without a second write of the row (and a suggestion shows in the
// inbox with the comment, not a pass later). Other actions (a send, an
// assignment, a dismissal) are left to the Runner: they queue a reply,
// write history or change the counts, in its transaction. It does nothing
// until the Runner has read the rules, when the rules changed since (the
// Runner reads them again first), or while another process applies them.
// Safe for concurrent use (ingest calls it for every comment).
func (r *Runner) Presuggest(c *inbox.Comment) {
	cur := r.current.Load()
	if cur == nil || (r.svc != nil && r.svc.Version() != cur.version) {
		return
	}
	if c.Status != inbox.StatusOpen || c.RuleID != 0 || (c.FromID != "" && c.FromID == c.AccountID) {
		return
	}
	if rule, ok := cur.set.First(*c); ok && rule.Action == rules.Suggest {
		c.RuleID, c.SuggestedTemplateID = rule.ID, rule.TemplateID
	}
}

// decide finds the first matching rule for each open comment not yet
// touched by a rule, and prepares what its action records.
func (r *Runner) decide(ctx context.Context, items []inbox.Item) []rules.Outcome {
	var out []rules.Outcome
	tpls := map[int64]*templates.Template{}
	for _, it := range items {
		if it.Status != inbox.StatusOpen || it.RuleID != 0 || (it.FromID != "" && it.FromID == it.AccountID) {
			continue
		}
		rule, ok := r.set.First(it.Comment)
		if !ok {
			continue
		}
		o := rules.Outcome{CommentID: it.ID, AccountID: it.AccountID, RuleID: rule.ID, Action: rule.Action}
		switch rule.Action {
		case rules.Suggest:
			o.SuggestedTemplateID = rule.TemplateID
		case rules.Send:
			// Should the reply not go, the composer opens with the template.
			o.SuggestedTemplateID = rule.TemplateID
			if t := r.template(ctx, tpls, rule.TemplateID); t != nil {
				rep, err := r.replies.Automatic(ctx, it, sender.RuleAuthor{ID: rule.ID, Name: rule.Name, OncePerUser: rule.OncePerUser}, *t)
				if err == nil {
					o.Reply = &rep
				} else {
					why := err.Error()
					if ae, ok := apperr.As(err); ok {
						why = ae.Message
					}
					r.o.Logger.Info("rule matched but does not send", "rule_id", rule.ID, "comment_id", it.ID, "reason", why)
				}
			}
		case rules.Assign:
			o.AssigneeID = rule.AssigneeID
		}
		out = append(out, o)
	}
	return out
}

// template reads template id once per pass (nil if it cannot be read).
func (r *Runner) template(ctx context.Context, cache map[int64]*templates.Template, id int64) *templates.Template {
	if t, ok := cache[id]; ok {
		return t
	}
	t, err := r.st.Template(ctx, id)
	if err != nil {
		r.o.Logger.Warn("a rule's template cannot be read", "template_id", id, "error", err)
		cache[id] = nil
		return nil
	}
	cache[id] = &t
	return &t
}

// saveMark stores the mark when it moved without a rule applying (the
// transactions that apply rules store it themselves), at most every
// SaveGap unless forced. Looking at comments again after a crash is
// harmless: a rule applies to a comment only once.
func (r *Runner) saveMark(ctx context.Context, force bool) {
	if r.mark <= r.saved || (!force && r.o.Now().Sub(r.savedAt) < r.o.SaveGap) {
		return
	}
	if err := r.st.SaveRulesMark(ctx, r.mark); err != nil {
		r.o.Logger.Error("saving where rules stopped", "error", err)
		return
	}
	r.saved, r.savedAt = r.mark, r.o.Now()
}
