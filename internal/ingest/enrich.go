package ingest

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/store"
)

// Tokens gives the Page token an account's Graph calls use, and takes note
// when Meta says a token no longer works.
type Tokens interface {
	PageToken(ctx context.Context, accountID string) (pageID, token string, err error)
	MarkTokenFailed(ctx context.Context, accountID string, cause error) error
}

// Enricher corrects approximate deadlines: webhooks carry no creation time,
// so it asks Graph for the comments' timestamps in the background, many in
// one request (Graph batch requests, meta.MaxBatch a request), each account
// at a bounded pace of its own (meta.Limiter: a burst of comments cannot
// spend the account's rate limit, which its replies need), retrying with
// backoff. A comment Graph cannot read (deleted, say) keeps its approximate
// deadline and stays visible. Each round's comments are claimed first, so
// that of several processes sharing a database only one asks Meta about a
// comment; a process that dies mid-fetch leaves them due again once its
// claim runs out.
type Enricher struct {
	st     *store.Store
	graph  *meta.Client
	tokens Tokens
	log    *slog.Logger
	opt    EnricherOptions

	mu       sync.Mutex
	accounts map[string]*enrichQueue
	queued   map[string]bool // every comment id waiting or in flight
	wake     chan struct{}
}

// EnricherOptions tune an Enricher; zero values take the defaults.
type EnricherOptions struct {
	Rate     float64       // Graph calls a second per account (meta.DefaultReadRate); Meta counts each comment of a batch
	Linger   time.Duration // how long a first comment waits for others to share its request (1 s)
	Workers  int           // accounts worked on at once (4)
	MaxQueue int           // comments waiting in memory; beyond, the periodic scan finds them (10,000)
	Scan     time.Duration // how often the database is scanned for comments due (30 s)
}

// enrichQueue is one account's waiting comments.
type enrichQueue struct {
	ids     []string
	since   time.Time // when the oldest of ids arrived
	running bool      // a worker is on this account
	lim     *meta.Limiter
}

// NewEnricher makes an Enricher.
func NewEnricher(st *store.Store, graph *meta.Client, tokens Tokens, log *slog.Logger, opt EnricherOptions) *Enricher {
	if opt.Rate <= 0 {
		opt.Rate = meta.DefaultReadRate
	}
	if opt.Linger <= 0 {
		opt.Linger = time.Second
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.MaxQueue <= 0 {
		opt.MaxQueue = 10_000
	}
	if opt.Scan <= 0 {
		opt.Scan = 30 * time.Second
	}
	return &Enricher{st: st, graph: graph, tokens: tokens, log: log, opt: opt,
		accounts: map[string]*enrichQueue{}, queued: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// Enqueue asks for the comments' timestamps soon. It never blocks: beyond
// MaxQueue comments, the periodic scan picks them up later.
func (e *Enricher) Enqueue(cs []inbox.Comment) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now, woke := time.Now(), false
	for _, c := range cs {
		if c.Live || c.DeadlineExact || e.queued[c.ID] {
			continue
		}
		if len(e.queued) >= e.opt.MaxQueue {
			break
		}
		q := e.accounts[c.AccountID]
		if q == nil {
			q = &enrichQueue{lim: meta.NewLimiter(e.opt.Rate)}
			e.accounts[c.AccountID] = q
		}
		if len(q.ids) == 0 {
			q.since = now
		}
		q.ids = append(q.ids, c.ID)
		e.queued[c.ID] = true
		woke = woke || !q.running
	}
	if woke {
		select {
		case e.wake <- struct{}{}:
		default:
		}
	}
}

// Run works the queues until ctx is done, one worker per account with
// comments waiting (at most Workers calling Graph at once), and every Scan
// looks for comments whose fetch is due again.
func (e *Enricher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, e.opt.Workers)
	scan := time.NewTicker(e.opt.Scan)
	defer scan.Stop()
	for {
		for _, acct := range e.idleAccounts() {
			wg.Go(func() { e.work(ctx, slots, acct) })
		}
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		case <-scan.C:
			due, err := e.st.PendingEnrichment(ctx, 500)
			if err != nil {
				if ctx.Err() == nil {
					e.log.Error("enrichment scan", "error", err)
				}
				continue
			}
			e.Enqueue(due)
		}
	}
}

// idleAccounts marks the accounts with comments waiting and no worker as
// running, and answers them.
func (e *Enricher) idleAccounts() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for acct, q := range e.accounts {
		if len(q.ids) > 0 && !q.running {
			q.running = true
			out = append(out, acct)
		}
	}
	return out
}

// work corrects one account's comments, a batch at a time, until its queue
// is empty.
func (e *Enricher) work(ctx context.Context, slots chan struct{}, acct string) {
	for {
		ids, lim, wait := e.take(acct)
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			continue
		}
		if len(ids) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case slots <- struct{}{}:
		}
		e.enrich(ctx, acct, lim, ids)
		<-slots
		e.done(ids)
	}
}

// take answers the next batch of acct's comments, or how long to wait for
// a fuller one; with neither, the account's worker is done.
func (e *Enricher) take(acct string) (ids []string, lim *meta.Limiter, wait time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.accounts[acct]
	if len(q.ids) == 0 {
		q.running = false
		return nil, nil, 0
	}
	if len(q.ids) < meta.MaxBatch {
		if w := e.opt.Linger - time.Since(q.since); w > 0 {
			return nil, nil, w
		}
	}
	n := min(len(q.ids), meta.MaxBatch)
	ids = append([]string(nil), q.ids[:n]...)
	q.ids = q.ids[n:]
	q.since = time.Now()
	return ids, q.lim, 0
}

// done forgets comments once their fetch is over.
func (e *Enricher) done(ids []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range ids {
		delete(e.queued, id)
	}
}

// drop empties acct's queue: it cannot call Graph now, and the periodic
// scan tries its comments again later.
func (e *Enricher) drop(acct string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.accounts[acct]
	if q == nil {
		return
	}
	for _, id := range q.ids {
		delete(e.queued, id)
	}
	q.ids = nil
}

// enrich reads one batch of an account's comment timestamps and records
// the outcome in one transaction.
// enrichLease is how long a claimed round of timestamp fetches is this
// process's.
const enrichLease = 2 * time.Minute

func (e *Enricher) enrich(ctx context.Context, acct string, lim *meta.Limiter, ids []string) {
	ids, err := e.st.ClaimEnrichments(ctx, ids, enrichLease)
	if err != nil || len(ids) == 0 {
		if err != nil && ctx.Err() == nil {
			e.log.Error("claiming timestamp fetches", "account_id", acct, "error", err)
		}
		return // exact already, or another process is on them, or not due yet
	}
	_, token, err := e.tokens.PageToken(ctx, acct)
	if err != nil {
		e.drop(acct) // needs reconnecting, say
		return
	}
	got, _, err := e.graph.CommentTimestamps(ctx, token, ids, lim)
	if err != nil && ctx.Err() != nil {
		return
	}
	var out store.Enrichment
	var unreadable error
	for _, ct := range got {
		if ct.Err == nil {
			out.Exact = append(out.Exact, store.CommentTime{ID: ct.ID, Created: ct.Timestamp})
			continue
		}
		tokenFailed, giveUp := afterFetchError(ct.Err)
		if giveUp { // deleted or unreadable: keep the approximate deadline
			out.GiveUp = append(out.GiveUp, ct.ID)
			unreadable = ct.Err
			continue
		}
		out.Retry = append(out.Retry, ct.ID)
		if tokenFailed && err == nil {
			err = ct.Err
		}
	}
	if err != nil { // the rest of the batch was not read
		out.Retry = append(out.Retry, ids[len(got):]...)
		if meta.Classify(err) == meta.ClassToken {
			if merr := e.tokens.MarkTokenFailed(ctx, acct, err); merr != nil {
				e.log.Error("marking token failed", "account_id", acct, "error", merr)
			}
			e.drop(acct)
		}
	}
	if unreadable != nil {
		e.log.Info("comment timestamps unavailable; keeping the approximate deadlines",
			"account_id", acct, "comments", len(out.GiveUp), "error", unreadable)
	}
	if len(out.Retry) > 0 {
		e.log.Info("comment timestamps not read this time; asking again later",
			"account_id", acct, "comments", len(out.Retry), "error", err)
	}
	if _, err := e.st.RecordEnrichment(ctx, out); err != nil && ctx.Err() == nil {
		e.log.Error("storing comment deadlines", "account_id", acct, "comments", len(ids), "error", err)
	}
}

// afterFetchError says what a failed timestamp read means: the token no
// longer works (try again once reconnected), Meta may answer later (a
// retryable class: transient, throttled, its "unexpected error"), or the
// comment cannot be read (deleted): give up and keep the approximate
// deadline.
func afterFetchError(err error) (tokenFailed, giveUp bool) {
	switch class := meta.Classify(err); {
	case class == meta.ClassToken:
		return true, false
	case class.Retryable():
		return false, false
	}
	return false, true
}

// Confirm reads a comment's creation time from Graph now and stores its
// exact deadline, unless it is known already (or the comment is Live, whose
// window is its broadcast). The sender asks before a reply to a comment
// whose deadline is still approximate: the comment may be older than its
// webhook suggests. An error is the Graph call's (meta.Classify tells a
// deleted comment from an outage) or the token's.
func (e *Enricher) Confirm(ctx context.Context, id string) error {
	c, err := e.st.Comment(ctx, id)
	if err != nil || c.DeadlineExact || c.Live {
		return err
	}
	_, token, err := e.tokens.PageToken(ctx, c.AccountID)
	if err != nil {
		return err
	}
	info, err := e.graph.Comment(ctx, token, id)
	if err != nil {
		if meta.Classify(err) == meta.ClassToken {
			if merr := e.tokens.MarkTokenFailed(ctx, c.AccountID, err); merr != nil {
				e.log.Error("marking token failed", "account_id", c.AccountID, "error", merr)
			}
		}
		return err
	}
	_, err = e.st.RecordEnrichment(ctx, store.Enrichment{Exact: []store.CommentTime{{ID: id, Created: info.Timestamp}}})
	return err
}
