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
// so it asks Graph for each comment's timestamp in the background, with
// bounded concurrency, retrying with backoff. A comment Graph cannot read
// (deleted, say) keeps its approximate deadline and stays visible.
type Enricher struct {
	st      *store.Store
	graph   *meta.Client
	tokens  Tokens
	log     *slog.Logger
	queue   chan string
	workers int
	scan    time.Duration
}

// NewEnricher makes an Enricher with workers concurrent Graph calls.
func NewEnricher(st *store.Store, graph *meta.Client, tokens Tokens, log *slog.Logger, workers int) *Enricher {
	return &Enricher{st: st, graph: graph, tokens: tokens, log: log,
		queue: make(chan string, 4096), workers: max(1, workers), scan: 30 * time.Second}
}

// Enqueue asks for the comments' timestamps soon. It never blocks: when the
// queue is full, the periodic scan picks the comments up later.
func (e *Enricher) Enqueue(cs []inbox.Comment) {
	for _, c := range cs {
		if c.Live || c.DeadlineExact {
			continue
		}
		select {
		case e.queue <- c.ID:
		default:
			return
		}
	}
}

// Run works the queue until ctx is done, and every scan interval looks for
// comments whose fetch is due again.
func (e *Enricher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range e.workers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case id := <-e.queue:
					e.enrich(ctx, id)
				}
			}
		})
	}
	t := time.NewTicker(e.scan)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-t.C:
			due, err := e.st.PendingEnrichment(ctx, 500)
			if err != nil {
				e.log.Error("enrichment scan", "error", err)
				continue
			}
			e.Enqueue(due)
		}
	}
}

func (e *Enricher) enrich(ctx context.Context, id string) {
	c, err := e.st.Comment(ctx, id)
	if err != nil || c.DeadlineExact || c.Live {
		return
	}
	_, token, err := e.tokens.PageToken(ctx, c.AccountID)
	if err != nil {
		return // the account cannot call Graph now; the periodic scan tries again
	}
	info, err := e.graph.Comment(ctx, token, id)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		tokenFailed, giveUp := afterFetchError(err)
		if tokenFailed {
			if merr := e.tokens.MarkTokenFailed(ctx, c.AccountID, err); merr != nil {
				e.log.Error("marking token failed", "account_id", c.AccountID, "error", merr)
			}
		}
		if giveUp {
			e.log.Info("comment timestamp unavailable; keeping the approximate deadline", "comment_id", id, "error", err)
		}
		e.postpone(ctx, id, giveUp)
		return
	}
	changed, err := e.st.SetExactDeadline(ctx, id, info.Timestamp)
	if err != nil {
		e.log.Error("storing comment deadline", "comment_id", id, "error", err)
		return
	}
	if changed {
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
	if _, err := e.st.SetExactDeadline(ctx, id, info.Timestamp); err != nil {
		return err
	}
	return nil
}

func (e *Enricher) postpone(ctx context.Context, id string, giveUp bool) {
	if err := e.st.DeferEnrichment(ctx, id, giveUp); err != nil && ctx.Err() == nil {
		e.log.Error("deferring enrichment", "comment_id", id, "error", err)
	}
}
