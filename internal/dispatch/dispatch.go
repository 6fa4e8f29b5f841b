// Package dispatch runs the team's background work: it sweeps presences
// nobody refreshed ("Ana is replying" goes away when her tab closes), gives
// new comments to teammates in turn on accounts that assign automatically,
// and raises the deadline alert of comments nobody is on. Every change goes
// through the store, which publishes it on the change feed.
package dispatch

import (
	"context"
	"log/slog"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/team"
)

// Store is the storage the workers need (store.Store).
type Store interface {
	ExpirePresence(ctx context.Context) (int, error)
	AutoAssignAccounts(ctx context.Context) ([]string, error)
	AutoAssign(ctx context.Context, accountID string, limit int) (int, error)
	AlertCandidates(ctx context.Context, before time.Duration, limit int) ([]store.AlertCandidate, error)
	MarkAlerted(ctx context.Context, ids []string) (int, error)
}

// Options tune the workers; zero values take the defaults.
type Options struct {
	AlertBefore time.Duration // REPLYDESK_ALERT_BEFORE (default an hour)
	AlertEvery  time.Duration // how often deadlines are checked (default 5 s)
	AssignEvery time.Duration // how often waiting comments are offered again (default 30 s)
	Now         func() time.Time
	Logger      *slog.Logger
}

// Dispatcher runs the workers.
type Dispatcher struct {
	st     Store
	opt    Options
	log    *slog.Logger
	assign chan struct{} // new comments arrived: run auto-assignment soon
}

// New makes a Dispatcher.
func New(st Store, opt Options) *Dispatcher {
	if opt.AlertBefore <= 0 {
		opt.AlertBefore = team.DefaultAlertBefore
	}
	if opt.AlertEvery <= 0 {
		opt.AlertEvery = 5 * time.Second
	}
	if opt.AssignEvery <= 0 {
		opt.AssignEvery = 30 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{st: st, opt: opt, log: opt.Logger, assign: make(chan struct{}, 1)}
}

// NewComments tells the Dispatcher comments arrived (ingest.Ingester.OnNew);
// it never blocks.
func (d *Dispatcher) NewComments([]inbox.Comment) {
	select {
	case d.assign <- struct{}{}:
	default:
	}
}

// Run works until ctx is done.
func (d *Dispatcher) Run(ctx context.Context) {
	sweep := time.NewTicker(team.PresenceSweep)
	defer sweep.Stop()
	alert := time.NewTicker(d.opt.AlertEvery)
	defer alert.Stop()
	assign := time.NewTicker(d.opt.AssignEvery)
	defer assign.Stop()
	// Arrivals ask for an auto-assignment pass; passes run at most every
	// assignGap, so a flood of webhooks costs a pass a moment, not one a
	// commit.
	const assignGap = 500 * time.Millisecond
	var due <-chan time.Time // a pass is scheduled
	var last time.Time
	schedule := func() {
		if due == nil {
			due = time.After(time.Until(last.Add(assignGap)))
		}
	}
	schedule()
	d.Alert(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-sweep.C:
			if _, err := d.st.ExpirePresence(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("expiring presence", "error", err)
			}
		case <-alert.C:
			d.Alert(ctx)
		case <-d.assign:
			schedule()
		case <-assign.C:
			schedule()
		case <-due:
			due = nil
			d.AutoAssign(ctx)
			last = time.Now()
		}
	}
}

// AutoAssign gives the waiting comments of every account that assigns
// automatically to its teammates in turn.
func (d *Dispatcher) AutoAssign(ctx context.Context) {
	accts, err := d.st.AutoAssignAccounts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("auto-assignment", "error", err)
		}
		return
	}
	const batch = 200
	for _, a := range accts {
		for {
			n, err := d.st.AutoAssign(ctx, a, batch)
			if err != nil {
				if ctx.Err() == nil {
					d.log.Error("auto-assignment", "account_id", a, "error", err)
				}
				break
			}
			if n < batch {
				break
			}
		}
	}
}

// Alert raises the alert of every open comment within AlertBefore of its
// deadline that nobody is on: the store marks the comment, which the open
// inboxes show and notify, and records the outbound event comment.expiring
// (for outbound webhooks to deliver) in the same transaction, once per
// comment.
func (d *Dispatcher) Alert(ctx context.Context) {
	const batch = 500
	cands, err := d.st.AlertCandidates(ctx, d.opt.AlertBefore, batch)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("deadline alerts", "error", err)
		}
		return
	}
	now := d.opt.Now()
	var ids []string
	for _, c := range cands {
		if team.ShouldAlert(c.Comment, team.Online(c.AssigneeLastSeen, now), d.opt.AlertBefore, now) {
			ids = append(ids, c.Comment.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	n, err := d.st.MarkAlerted(ctx, ids)
	if err != nil {
		d.log.Error("marking deadline alerts", "error", err)
		return
	}
	if n > 0 {
		d.log.Info("deadline alerts raised", "comments", n, "before", d.opt.AlertBefore)
	}
}
