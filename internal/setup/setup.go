// Package setup checks an installation against what Meta needs before it
// sends real webhooks and accepts private replies (/setup, admins): the
// public address and the webhook handshake, the app's credentials and its
// Instagram subscription, the Graph API version, and for each connected
// account its Page subscription, access, permissions, Meta's 90-day data
// access and whether webhooks still arrive. Every check says what it found
// and, when something is wrong, what to do (mostly in Meta's dashboard).
package setup

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/meta"
)

// Status is how a check came out.
type Status string

// The outcomes of a check.
const (
	OK      Status = "ok"
	Warn    Status = "warn"    // works now, needs attention soon
	Fail    Status = "fail"    // broken: Meta will not deliver or accept something
	Unknown Status = "unknown" // could not be checked (what it depends on failed)
)

// Check is one line of the report.
type Check struct {
	Key    string // stable, e.g. "handshake", "permissions"
	Title  string
	Status Status
	Found  string // what Replydesk saw, in plain words
	Fix    string // what to do, when the status is not OK
}

// Section groups checks: the installation, then one per account.
type Section struct {
	Title     string
	AccountID string // "" for the installation
	Checks    []Check
}

// Report is the outcome of one run.
type Report struct {
	At       time.Time
	Sections []Section
}

// Problems counts the checks that failed or need attention.
func (r Report) Problems() int {
	n := 0
	for _, s := range r.Sections {
		for _, c := range s.Checks {
			if c.Status == Fail || c.Status == Warn {
				n++
			}
		}
	}
	return n
}

// Store is what the checker reads from storage (store.Store).
type Store interface {
	ConnectedAccounts(ctx context.Context) ([]account.Account, error)
	CommentsReceived(ctx context.Context, accountID string, createdAfter, receivedAfter time.Time) (int, error)
}

// Graph is what the checker asks Meta (meta.Client).
type Graph interface {
	AppSubscriptions(ctx context.Context) ([]meta.AppSubscription, error)
	DebugToken(ctx context.Context, token string) (meta.TokenInfo, error)
	AppSubscribed(ctx context.Context, pageToken, pageID string) (bool, error)
}

// Tokens hands out Page tokens (auth.Tokens).
type Tokens interface {
	PageToken(ctx context.Context, accountID string) (pageID, token string, err error)
}

// Options are the installation's settings the checks look at.
type Options struct {
	BaseURL       string
	AppSecret     string
	VerifyToken   string
	GraphVersion  string
	Demo          bool
	ReconcileEach time.Duration // how often the reconciler re-subscribes Pages
	Now           func() time.Time
	Logger        *slog.Logger
	Client        *http.Client // for the requests to the public address; default 10 s, no redirects
}

// Checker runs the checks and keeps the last report.
type Checker struct {
	opt    Options
	st     Store
	graph  Graph
	tokens Tokens
	client *http.Client

	mu   sync.Mutex
	last *Report
}

// New makes a Checker.
func New(opt Options, st Store, graph Graph, tokens Tokens) *Checker {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Client == nil {
		opt.Client = &http.Client{
			Timeout: 10 * time.Second,
			// Meta does not follow redirects: neither does the check.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &Checker{opt: opt, st: st, graph: graph, tokens: tokens, client: opt.Client}
}

// runTimeout bounds a whole run.
const runTimeout = 20 * time.Second

// Run checks everything now (the installation and every account at once)
// and keeps the report as the last one.
func (c *Checker) Run(ctx context.Context) Report {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	r := Report{At: c.opt.Now()}
	accts, err := c.st.ConnectedAccounts(ctx)
	if err != nil {
		c.opt.Logger.Error("setup: listing accounts", "error", err)
	}
	sections := make([]Section, 1+len(accts))
	var wg sync.WaitGroup
	wg.Go(func() { sections[0] = c.installation(ctx) })
	for i, a := range accts {
		wg.Go(func() { sections[1+i] = c.account(ctx, a) })
	}
	wg.Wait()
	r.Sections = sections
	c.mu.Lock()
	c.last = &r
	c.mu.Unlock()
	if n := r.Problems(); n > 0 {
		c.opt.Logger.Warn("setup check found problems", "problems", n)
	}
	return r
}

// Last is the report of the latest run, if any.
func (c *Checker) Last() (Report, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		return Report{}, false
	}
	return *c.last, true
}

// RunEvery runs the checks shortly after start and then every interval
// until ctx is done, so the accounts page can point admins here when
// something breaks.
func (c *Checker) RunEvery(interval time.Duration) func(ctx context.Context) {
	return func(ctx context.Context) {
		t := time.NewTimer(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			c.Run(ctx)
			t.Reset(interval)
		}
	}
}
