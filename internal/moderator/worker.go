package moderator

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/replydesk/replydesk/internal/await"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/moderation"
)

// Queue is the storage the Worker needs (store.Store).
type Queue interface {
	ResolveNudges(ctx context.Context, failedReason, deletedReason string) (int, error)
	ModerationAccountsDue(ctx context.Context) ([]string, error)
	NextModerationDue(ctx context.Context) (time.Time, error)
	NextAction(ctx context.Context, accountID string) (moderation.Action, error)
	ClaimAction(ctx context.Context, id int64) (bool, error)
	FinishAction(ctx context.Context, a moderation.Action, res moderation.Result) error
	RecoverModeration(ctx context.Context) (int64, error)
	OwnReplyLike(ctx context.Context, accountID string, commentIDs []string, text string, since time.Time) (string, error)
	Comment(ctx context.Context, id string) (inbox.Comment, error)
	FailQueuedActions(ctx context.Context, accountID string, kind moderation.ErrorKind, reason string) (int, error)
}

// Graph is Meta's moderation edges (meta.Client).
type Graph interface {
	PublicReply(ctx context.Context, pageToken, commentID, text string) (string, meta.Usage, error)
	HideComment(ctx context.Context, pageToken, commentID string, hidden bool) (meta.Usage, error)
	DeleteComment(ctx context.Context, pageToken, commentID string) (meta.Usage, error)
	CommentReplies(ctx context.Context, token, commentID string) ([]meta.CommentRead, error)
}

// Tokens gives an account's Page token and hears when it stops working.
type Tokens interface {
	PageToken(ctx context.Context, accountID string) (pageID, token string, err error)
	MarkTokenFailed(ctx context.Context, accountID string, cause error) error
}

// DefaultRate is one account's sustained pace of moderation calls, a
// second. Moderation with a Page token counts against the account's
// Business Use Case quota, 4,800 × impressions a rolling day
// (meta-platform.md §5): 2 a second hides a wave of 500 spam comments in
// about four minutes and stays within the quota of any account with 36 or
// more daily impressions. Meta's usage headers slow it further.
const DefaultRate = 2.0

// Options tune a Worker.
type Options struct {
	PerSecond   float64       // calls a second per account (DefaultRate)
	Burst       int           // calls that may go at once after a pause
	CallTimeout time.Duration // one Graph call
	MaxBackoff  time.Duration // longest wait between transient retries
	ThrottleCap time.Duration // longest wait when Meta throttles
	MaxAttempts int           // attempts before a transient failure counts as final
	Now         func() time.Time
	Logger      *slog.Logger
}

// Worker works the moderation queue: one lane per account, so that one
// account's throttling never holds another's.
type Worker struct {
	st     Queue
	graph  Graph
	tokens Tokens
	o      Options
	notify chan struct{}

	waits await.Set // requests waiting for an action's attempt

	mu    sync.Mutex
	lanes map[string]bool
	paces map[string]*pace
}

// pace is one account's pacing: a rate, and a hold while Meta throttles.
type pace struct {
	lim       *rate.Limiter
	holdUntil time.Time
}

// NewWorker makes a Worker.
func NewWorker(st Queue, graph Graph, tokens Tokens, o Options) *Worker {
	if o.PerSecond <= 0 {
		o.PerSecond = DefaultRate
	}
	if o.Burst <= 0 {
		o.Burst = 5
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
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{st: st, graph: graph, tokens: tokens, o: o, notify: make(chan struct{}, 1),
		lanes: map[string]bool{}, paces: map[string]*pace{}}
}

// Kick tells the Worker an action was queued.
func (w *Worker) Kick() {
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

// Run works the queue until ctx is done. First it recovers actions a crash
// left in flight: they retry as ambiguous.
func (w *Worker) Run(ctx context.Context) {
	if n, err := w.st.RecoverModeration(ctx); err != nil {
		w.o.Logger.Error("recovering moderation in flight", "error", err)
	} else if n > 0 {
		w.o.Logger.Warn("moderation calls were in flight at the last stop; retrying them as ambiguous", "actions", n)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		if _, err := w.st.ResolveNudges(ctx, "Not posted: "+nudgeReplyFailed, msgDeleted); err != nil && ctx.Err() == nil {
			w.o.Logger.Error("resolving nudges", "error", err)
		}
		accts, err := w.st.ModerationAccountsDue(ctx)
		if err != nil && ctx.Err() == nil {
			w.o.Logger.Error("reading the moderation queue", "error", err)
		}
		w.mu.Lock()
		for _, id := range accts {
			if !w.lanes[id] {
				w.lanes[id] = true
				wg.Go(func() { w.lane(ctx, id) })
			}
		}
		w.mu.Unlock()
		// Nudges wait on private replies, which no one announces here: look
		// again within a second, or when a retry falls due (what is due now
		// is in a lane, which kicks when it closes).
		wait := time.Second
		if next, err := w.st.NextModerationDue(ctx); err == nil && !next.IsZero() {
			if d := next.Sub(w.o.Now()); d > 0 {
				wait = min(max(d, 20*time.Millisecond), time.Second)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-w.notify:
		case <-t.C:
		}
		t.Stop()
	}
}

// lane works one account's due actions one at a time, at the account's
// pace, until none is due.
func (w *Worker) lane(ctx context.Context, accountID string) {
	defer func() {
		w.mu.Lock()
		delete(w.lanes, accountID)
		w.mu.Unlock()
		w.Kick() // anything queued while the lane was closing is picked up
	}()
	p := w.paceOf(accountID)
	for ctx.Err() == nil {
		if _, err := w.st.NextAction(ctx, accountID); err != nil {
			return
		}
		if err := w.await(ctx, p); err != nil {
			return
		}
		a, err := w.st.NextAction(ctx, accountID) // the best one now
		if err != nil {
			return
		}
		ok, err := w.st.ClaimAction(ctx, a.ID)
		if err != nil {
			w.o.Logger.Error("claiming a moderation action", "action_id", a.ID, "error", err)
			return
		}
		if !ok {
			continue
		}
		a.State, a.Attempts = moderation.Working, a.Attempts+1
		w.attempt(context.WithoutCancel(ctx), a)
	}
}

// await waits for the account's pace: the end of Meta's throttling, then a
// token of its rate.
func (w *Worker) await(ctx context.Context, p *pace) error {
	w.mu.Lock()
	hold := p.holdUntil.Sub(w.o.Now())
	w.mu.Unlock()
	if hold > 0 {
		t := time.NewTimer(hold)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return p.lim.Wait(ctx)
}

func (w *Worker) paceOf(accountID string) *pace {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.paces[accountID]
	if p == nil {
		p = &pace{lim: rate.NewLimiter(rate.Limit(w.o.PerSecond), w.o.Burst)}
		w.paces[accountID] = p
	}
	return p
}

// observe slows an account down while Meta reports high usage, and holds it
// while Meta throttles.
func (w *Worker) observe(accountID string, u meta.Usage, hold time.Duration) {
	p := w.paceOf(accountID)
	w.mu.Lock()
	defer w.mu.Unlock()
	if u.Percent >= 75 {
		p.lim.SetLimit(rate.Limit(w.o.PerSecond / 4))
	} else {
		p.lim.SetLimit(rate.Limit(w.o.PerSecond))
	}
	if u.RegainAfter > 0 {
		hold = max(hold, min(u.RegainAfter, w.o.ThrottleCap))
	}
	if until := w.o.Now().Add(hold); hold > 0 && until.After(p.holdUntil) {
		p.holdUntil = until
	}
}

// attempt makes one call for a and records what came of it.
func (w *Worker) attempt(ctx context.Context, a moderation.Action) {
	res, usage, err := w.call(ctx, a)
	hold := time.Duration(0)
	if res.ErrorKind == moderation.ErrRateLimited {
		hold = res.NextAttemptAt.Sub(w.o.Now())
	}
	w.observe(a.AccountID, usage, hold)
	if ferr := w.st.FinishAction(ctx, a, res); ferr != nil {
		w.o.Logger.Error("recording a moderation attempt", "action_id", a.ID, "state", res.State, "error", ferr)
	}
	log := w.o.Logger.Info
	if res.State == moderation.Failed {
		log = w.o.Logger.Warn
	}
	attrs := []any{"action_id", a.ID, "kind", a.Kind, "comment_id", a.CommentID, "account_id", a.AccountID,
		"attempt", a.Attempts, "state", res.State, "error_kind", res.ErrorKind}
	var me *meta.Error
	if errors.As(err, &me) {
		attrs = append(attrs, "meta_code", me.Code, "meta_subcode", me.Subcode, "fbtrace_id", me.TraceID, "meta_message", me.Message)
	} else if err != nil {
		attrs = append(attrs, "error", err)
	}
	log("moderation attempt", attrs...)
	if res.ErrorKind == moderation.ErrToken || res.ErrorKind == moderation.ErrPermission {
		// Every other action of the account would fail the same way.
		if n, ferr := w.st.FailQueuedActions(ctx, a.AccountID, res.ErrorKind, res.Error); ferr != nil {
			w.o.Logger.Error("failing queued moderation", "account_id", a.AccountID, "error", ferr)
		} else if n > 0 {
			w.o.Logger.Warn("queued moderation failed with the account", "account_id", a.AccountID, "actions", n)
		}
	}
	w.waits.Done(a.ID)
	if res.State == moderation.Retrying {
		w.Kick()
	}
}

// call makes the Graph call for a and classifies its outcome.
func (w *Worker) call(ctx context.Context, a moderation.Action) (moderation.Result, meta.Usage, error) {
	if a.Kind != moderation.Delete {
		// Deleted since it was queued (a nudge waits for its private reply):
		// there is nothing left to act on.
		if c, err := w.st.Comment(ctx, a.CommentID); err == nil && c.Deleted {
			return moderation.Result{State: moderation.Failed, ErrorKind: moderation.ErrGone, Error: msgDeleted}, meta.Usage{}, nil
		}
	}
	_, token, err := w.tokens.PageToken(ctx, a.AccountID)
	if err != nil {
		return moderation.Result{State: moderation.Failed, ErrorKind: moderation.ErrToken, Error: msgToken}, meta.Usage{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, w.o.CallTimeout)
	defer cancel()
	var (
		res   = moderation.Result{State: moderation.Done}
		usage meta.Usage
	)
	switch a.Kind {
	case moderation.PublicReply:
		if a.Ambiguous {
			// An earlier attempt may have posted it: look before posting again.
			id, err := w.findPosted(cctx, token, a)
			if err != nil {
				return w.retry(a, moderation.ErrTemporary, msgTemporary, meta.Usage{}, err), meta.Usage{}, err
			}
			if id != "" {
				res.ResultID = id
				return res, usage, nil
			}
		}
		res.ResultID, usage, err = w.graph.PublicReply(cctx, token, a.CommentID, a.Text)
	case moderation.Hide, moderation.Unhide:
		usage, err = w.graph.HideComment(cctx, token, a.CommentID, a.Kind == moderation.Hide)
	case moderation.Delete:
		usage, err = w.graph.DeleteComment(cctx, token, a.CommentID)
	}
	if err == nil {
		return res, usage, nil
	}
	var me *meta.Error
	httpStatus := 0
	if errors.As(err, &me) {
		httpStatus = me.HTTPStatus
	}
	ambiguous := meta.IsNetError(err) || httpStatus >= 500
	o := classify(err, a)
	switch {
	case o.done:
		return moderation.Result{State: moderation.Done}, usage, nil
	case o.retry:
		r := w.retry(a, o.kind, o.message, usage, err)
		r.Ambiguous = ambiguous
		return r, usage, err
	}
	if o.kind == moderation.ErrToken {
		if merr := w.tokens.MarkTokenFailed(ctx, a.AccountID, err); merr != nil {
			w.o.Logger.Error("marking token failed", "account_id", a.AccountID, "error", merr)
		}
	}
	return moderation.Result{State: moderation.Failed, ErrorKind: o.kind, Error: o.message, Ambiguous: ambiguous}, usage, err
}

// retry schedules the next attempt after a passing failure, or gives up
// after MaxAttempts.
func (w *Worker) retry(a moderation.Action, kind moderation.ErrorKind, message string, usage meta.Usage, err error) moderation.Result {
	if a.Attempts >= w.o.MaxAttempts {
		return moderation.Result{State: moderation.Failed, ErrorKind: kind, Error: msgGaveUp}
	}
	wait := backoff(a.Attempts, w.o.MaxBackoff)
	if kind == moderation.ErrRateLimited {
		regain := usage.RegainAfter
		var me *meta.Error
		if errors.As(err, &me) {
			regain = max(regain, me.Usage.RegainAfter)
		}
		wait = min(max(wait, regain, 30*time.Second), w.o.ThrottleCap)
	}
	return moderation.Result{State: moderation.Retrying, ErrorKind: kind, Error: message, NextAttemptAt: w.o.Now().Add(wait)}
}

// findPosted looks for a public reply an ambiguous attempt may have posted:
// first among the account's own replies that came by webhook, then in the
// thread on Instagram. "" when it was not posted.
func (w *Worker) findPosted(ctx context.Context, token string, a moderation.Action) (string, error) {
	c, err := w.st.Comment(ctx, a.CommentID)
	if err != nil {
		return "", err
	}
	root := c.ID
	if c.ParentID != "" {
		root = c.ParentID // Instagram files a reply to a reply in its top comment's thread
	}
	since := a.CreatedAt.Add(-time.Minute)
	if id, err := w.st.OwnReplyLike(ctx, a.AccountID, []string{c.ID, root}, a.Text, since); err != nil || id != "" {
		return id, err
	}
	thread, err := w.graph.CommentReplies(ctx, token, root)
	if err != nil {
		return "", err
	}
	for _, r := range thread {
		if r.FromID == a.AccountID && r.Text == a.Text && (r.Timestamp.IsZero() || !r.Timestamp.Before(since)) {
			return r.ID, nil
		}
	}
	return "", nil
}

// backoff is the wait before retry n: 2 s doubling, with jitter, capped.
func backoff(attempt int, limit time.Duration) time.Duration {
	d := min(2*time.Second<<min(attempt, 12), limit)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
