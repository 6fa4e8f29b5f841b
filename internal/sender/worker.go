package sender

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/await"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/reply"
)

// Store is the storage the Worker needs (store.Store).
type Store interface {
	DueReplies(ctx context.Context, limit int) ([]reply.Reply, error)
	NextDue(ctx context.Context) (time.Time, error)
	ClaimReply(ctx context.Context, r reply.Reply, lease time.Duration, limit reply.Limit) (reply.Claim, error)
	FinishAttempt(ctx context.Context, r reply.Reply, res reply.Result) (int, error)
	RecoverInFlight(ctx context.Context) (int64, error)
	CallsSince(ctx context.Context, accountID string, t time.Time) (int, time.Time, error)
	CountAttempts(ctx context.Context, replyID int64, code int) (int, error)
	Reply(ctx context.Context, id int64) (reply.Reply, error)
	HeldAccounts(ctx context.Context) (map[string]account.Hold, error)
	ClaimProbe(ctx context.Context, accountID string, next time.Time) (bool, error)
	HoldAccount(ctx context.Context, accountID string, h account.Hold) (bool, error)
}

// Graph is the Send API (meta.Client).
type Graph interface {
	SendPrivateReply(ctx context.Context, pageToken, pageID, commentID, text string) (meta.Sent, meta.Usage, error)
}

// Tokens gives an account's Page token and hears when it stops working.
type Tokens interface {
	PageToken(ctx context.Context, accountID string) (pageID, token string, err error)
	MarkTokenFailed(ctx context.Context, accountID string, cause error) error
}

// Options tune a Worker.
type Options struct {
	Budget      int           // replies per rolling hour per account (REPLYDESK_REPLY_BUDGET)
	LivePerSec  float64       // Live replies per second per account (Meta allows 100)
	Workers     int           // concurrent Send API calls
	CallTimeout time.Duration // one Send API call; a claim lasts half as long again (Lease)
	MaxBackoff  time.Duration // longest wait between transient retries
	ThrottleCap time.Duration // longest wait when Meta throttles
	// BreakerAfter is how many unexplained refusals in a row put an
	// account on hold (the circuit breaker); default 5.
	BreakerAfter int
	// ProbeEvery is how often one queued reply of a held account tests
	// whether Meta accepts sends again; default 15 minutes.
	ProbeEvery time.Duration
	// MaybeBlockedSpan is about how long Meta's "unexpected error" (code 2)
	// is retried before the reply fails; default 30 minutes.
	MaybeBlockedSpan time.Duration
	Now              func() time.Time
	Logger           *slog.Logger
}

// Worker works the reply queue. Several Workers in several processes may
// share one database: each reply is claimed by one of them for a while
// (Lease), and the hourly budget is counted in the database, across them.
type Worker struct {
	st     Store
	graph  Graph
	tokens Tokens
	o      Options
	notify chan struct{}
	sem    chan struct{}

	waits await.Set // Service.Send waiting for a reply's attempt

	mu       sync.Mutex
	accounts map[string]*pace
}

// pace is one account's sending state.
type pace struct {
	inflight   int
	holdUntil  time.Time     // throttled by Meta, or out of budget
	budgetFree time.Time     // when the next budget slot frees, if spent
	gap        time.Duration // minimum time between sends when usage runs high
	last       time.Time
	live       *rate.Limiter
}

// NewWorker makes a Worker.
func NewWorker(st Store, graph Graph, tokens Tokens, o Options) *Worker {
	if o.Budget <= 0 {
		o.Budget = 700
	}
	if o.LivePerSec <= 0 {
		o.LivePerSec = 90
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 20 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.ThrottleCap <= 0 {
		o.ThrottleCap = 15 * time.Minute
	}
	if o.BreakerAfter <= 0 {
		o.BreakerAfter = 5
	}
	if o.ProbeEvery <= 0 {
		o.ProbeEvery = 15 * time.Minute
	}
	if o.MaybeBlockedSpan <= 0 {
		o.MaybeBlockedSpan = 30 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{st: st, graph: graph, tokens: tokens, o: o,
		notify: make(chan struct{}, 1), sem: make(chan struct{}, o.Workers),
		accounts: map[string]*pace{}}
}

// Kick tells the Sender a reply was queued.
func (s *Worker) Kick() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Lease is how long a claim on a reply lasts: the call's timeout and half
// as much again, so a claim outlives every call made under it.
func (s *Worker) Lease() time.Duration { return s.o.CallTimeout * 3 / 2 }

// recover retries, as ambiguous, the replies whose claim ran out: their
// process stopped (or died) before recording Meta's answer.
func (s *Worker) recover(ctx context.Context) {
	if n, err := s.st.RecoverInFlight(ctx); err != nil {
		if ctx.Err() == nil {
			s.o.Logger.Error("recovering replies in flight", "error", err)
		}
	} else if n > 0 {
		s.o.Logger.Warn("replies were left in flight by a stopped process; retrying them as ambiguous", "replies", n)
	}
}

// Run sends until ctx is done, and now and then retries the replies whose
// claim ran out (this process's previous run, or another process's).
func (s *Worker) Run(ctx context.Context) {
	s.recover(ctx)
	recoverEvery := min(5*time.Second, s.Lease()/2)
	lastRecover := time.Now()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		if time.Since(lastRecover) >= recoverEvery {
			s.recover(ctx)
			lastRecover = time.Now()
		}
		s.dispatch(ctx, &wg)
		wait := min(time.Second, recoverEvery)
		if next, err := s.st.NextDue(ctx); err == nil && !next.IsZero() {
			wait = min(max(next.Sub(s.o.Now()), 50*time.Millisecond), wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.notify:
		case <-t.C:
		}
		t.Stop()
	}
}

// dispatch starts an attempt for every due reply whose account may send
// now. Of an account on hold, only one reply goes out when its probe is
// due (and those whose window closed, to be failed without a call).
func (s *Worker) dispatch(ctx context.Context, wg *sync.WaitGroup) {
	due, err := s.st.DueReplies(ctx, 500)
	if err == nil && len(due) > 0 {
		var held map[string]account.Hold
		if held, err = s.st.HeldAccounts(ctx); err == nil {
			s.startAll(ctx, wg, due, held)
		}
	}
	if err != nil && ctx.Err() == nil {
		s.o.Logger.Error("reading the reply queue", "error", err)
	}
}

func (s *Worker) startAll(ctx context.Context, wg *sync.WaitGroup, due []reply.Reply, held map[string]account.Hold) {
	probed := map[string]bool{}
	for _, r := range due {
		_, onHold := held[r.AccountID]
		probe := onHold && (r.Live || s.o.Now().Before(r.Deadline))
		if probe && probed[r.AccountID] {
			continue
		}
		if !s.mayStart(ctx, r) {
			continue
		}
		if probe {
			probed[r.AccountID] = true
			if ok, err := s.st.ClaimProbe(ctx, r.AccountID, s.o.Now().Add(s.o.ProbeEvery)); err != nil || !ok {
				s.release(r.AccountID)
				continue
			}
		}
		// A free slot first, so that a claim is not spent waiting for one.
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			s.release(r.AccountID)
			return
		}
		// The claim checks the account's limit against every process's
		// calls, in the database.
		claim, err := s.st.ClaimReply(ctx, r, s.Lease(), s.limit(r))
		if err != nil || !claim.Claimed {
			if !claim.BudgetFreeAt.IsZero() {
				s.mu.Lock()
				s.paceOf(r.AccountID).budgetFree = claim.BudgetFreeAt
				s.mu.Unlock()
			}
			if err != nil && ctx.Err() == nil {
				s.o.Logger.Error("claiming a reply", "reply_id", r.ID, "error", err)
			}
			<-s.sem
			s.release(r.AccountID)
			continue
		}
		r.State, r.Attempts = reply.Sending, r.Attempts+1
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-s.sem }()
			s.attempt(context.WithoutCancel(ctx), r, probe, claim.Until)
		}()
	}
}

// limit is what the claim of r checks against every process's calls: the
// hourly budget, or Live's per-second limit.
func (s *Worker) limit(r reply.Reply) reply.Limit {
	if r.Live {
		return reply.Limit{Count: int(s.o.LivePerSec), Per: time.Second}
	}
	return reply.Limit{Count: s.o.Budget, Per: time.Hour}
}

// mayStart applies this process's view of the account's pacing (the claim
// then checks the limits against every process's calls): Meta's throttling, the hourly
// budget (rolling, from the Send API calls made, failed or not, as Meta
// counts them), Live's per-second limit,
// and a gap between sends while Meta reports high usage. It reserves an
// in-flight slot when it says yes.
func (s *Worker) mayStart(ctx context.Context, r reply.Reply) bool {
	now := s.o.Now()
	s.mu.Lock()
	p := s.paceOf(r.AccountID)
	if now.Before(p.holdUntil) || (p.gap > 0 && now.Sub(p.last) < p.gap) {
		s.mu.Unlock()
		return false
	}
	inflight := p.inflight
	s.mu.Unlock()
	if r.Live {
		if !p.live.Allow() {
			return false
		}
	} else {
		n, oldest, err := s.st.CallsSince(ctx, r.AccountID, now.Add(-time.Hour))
		if err != nil {
			return false
		}
		if n+inflight >= s.o.Budget {
			s.mu.Lock()
			if !oldest.IsZero() {
				p.budgetFree = oldest.Add(time.Hour)
			}
			s.mu.Unlock()
			return false
		}
	}
	s.mu.Lock()
	p.inflight++
	p.last = now
	s.mu.Unlock()
	return true
}

func (s *Worker) paceOf(accountID string) *pace {
	p := s.accounts[accountID]
	if p == nil {
		// Meta counts Live replies per second: rate plus burst must stay
		// under its 100, or a burst of Live comments is throttled for a
		// minute (a bucket as deep as the rate allowed twice the rate).
		p = &pace{live: rate.NewLimiter(rate.Limit(s.o.LivePerSec), max(1, int(s.o.LivePerSec)/10))}
		s.accounts[accountID] = p
	}
	return p
}

func (s *Worker) release(accountID string) {
	s.mu.Lock()
	if p := s.accounts[accountID]; p != nil && p.inflight > 0 {
		p.inflight--
	}
	s.mu.Unlock()
}

// noteUsage slows an account down while Meta reports usage above 80 %.
func (s *Worker) noteUsage(accountID string, u meta.Usage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.paceOf(accountID)
	switch {
	case u.Percent >= 95:
		p.gap = 10 * time.Second
	case u.Percent >= 80:
		p.gap = 2 * time.Second
	default:
		p.gap = 0
	}
	p.gap = min(p.gap, s.o.ThrottleCap)
	if u.RegainAfter > 0 {
		p.holdUntil = s.o.Now().Add(min(u.RegainAfter, s.o.ThrottleCap))
	}
}

func (s *Worker) hold(accountID string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.paceOf(accountID); until.After(p.holdUntil) {
		p.holdUntil = until
	}
}

// EstimatedStart is when an account's queued replies can next go out ("" in
// words when now): the end of Meta's throttling or of the spent budget.
func (s *Worker) EstimatedStart(accountID string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.accounts[accountID]
	if p == nil {
		return time.Time{}
	}
	t := p.holdUntil
	if p.budgetFree.After(t) {
		t = p.budgetFree
	}
	if t.Before(s.o.Now()) {
		return time.Time{}
	}
	return t
}

// wait blocks until reply id reaches a final state or retrying, or timeout.
func (s *Worker) wait(ctx context.Context, id int64, timeout time.Duration) {
	s.waits.Wait(ctx, id, timeout)
}

func (s *Worker) wake(id int64, _ reply.State) { s.waits.Done(id) }
