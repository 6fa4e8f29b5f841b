// Package ingest turns verified webhook deliveries into durable comments and
// keeps them accurate afterwards: a group-committing Ingester (every 200 means
// committed), an Enricher that corrects deadlines from Graph, a LiveWatcher
// that expires Live comments when their broadcast ends, and a Backfiller
// that reads what webhooks missed. What they change reaches the open inboxes
// through the store's change feed.
package ingest

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/moderation"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/webhook"
)

// MaxBatch bounds how many deliveries one transaction commits.
const MaxBatch = 256

// gatherWindow is how long, under concurrent load, a commit waits for
// more deliveries to share it (counted from when the first one arrived).
// A commit's fixed cost (BEGIN, the log writes of COMMIT, a page per
// index) is most of a small one's: shared by 20 deliveries instead of 5,
// each costs about half the CPU, which under load is what limits
// throughput and latency alike.
var gatherWindow = 2 * time.Millisecond

// ErrStopped is returned by Submit once the Ingester has stopped.
var ErrStopped = errors.New("ingest: stopped")

// Ingester commits deliveries in groups: concurrent Submits that arrive while
// a transaction runs are committed together by the next one, so throughput
// stays high while every Submit still returns only once its delivery is durable.
type Ingester struct {
	sig     *webhook.Verifier // deliveries are signed with the Meta app secret
	st      *store.Store
	log     *slog.Logger
	now     func() time.Time
	reqs    chan *pending
	stopped chan struct{}
	onNew   []func([]inbox.Comment)
	prepare []func(*inbox.Comment)
}

type pending struct {
	at   time.Time // when it was submitted
	d    store.DeliveryIn
	done chan outcome
}

type outcome struct {
	res store.DeliveryResult
	err error
}

// NewIngester makes an Ingester; Run must be running for Submit to return.
func NewIngester(appSecret string, st *store.Store, log *slog.Logger, now func() time.Time) *Ingester {
	return &Ingester{sig: webhook.NewVerifier(appSecret), st: st, log: log, now: now,
		reqs: make(chan *pending, 4*MaxBatch), stopped: make(chan struct{})}
}

// OnNew registers f to be called (from the commit loop, so it must not
// block) with the comments each commit stored for the first time.
func (g *Ingester) OnNew(f func([]inbox.Comment)) { g.onNew = append(g.onNew, f) }

// OnPrepare registers f to be called, from the request's goroutine, with
// each comment of a delivery before it is stored (automation's Presuggest).
func (g *Ingester) OnPrepare(f func(*inbox.Comment)) { g.prepare = append(g.prepare, f) }

// Receive checks a delivery's signature over the raw body, parses it, and
// returns once its comments are committed. A bad signature is one of
// webhook's signature errors and malformed JSON is webhook.ErrMalformed;
// neither stores anything. Comments of accounts that are not connected are
// dropped, and named in the result.
func (g *Ingester) Receive(ctx context.Context, body []byte, signature string) (store.DeliveryResult, error) {
	if err := g.sig.Verify(body, signature); err != nil {
		return store.DeliveryResult{}, err
	}
	p, err := webhook.Parse(body)
	if err != nil {
		return store.DeliveryResult{}, err
	}
	return g.Submit(ctx, g.Delivery(body, signature, p))
}

// Delivery builds the record of one verified delivery from its parsed payload.
func (g *Ingester) Delivery(body []byte, signature string, p webhook.Payload) store.DeliveryIn {
	now := g.now().UTC()
	d := store.DeliveryIn{ReceivedAt: now, Signature: signature, Body: body, Own: p.Own, Rejected: p.Rejected}
	for _, e := range p.Events {
		d.Comments = append(d.Comments, inbox.Comment{
			ID: e.CommentID, AccountID: e.AccountID, MediaID: e.MediaID, MediaProductType: e.MediaProductType,
			Surface: inbox.SurfaceOf(e.MediaProductType, e.AdID, e.Live), AdID: e.AdID, AdTitle: e.AdTitle,
			OriginalMediaID: e.OriginalMediaID, ParentID: e.ParentID, FromID: e.FromID, Username: e.FromUsername,
			Text: e.Text, Live: e.Live, Status: inbox.StatusOpen,
			Deadline:  inbox.ApproxDeadline(e.EntryTime, now, e.Live),
			EntryTime: e.EntryTime, ReceivedAt: now, UpdatedAt: now,
		})
		for _, f := range g.prepare {
			f(&d.Comments[len(d.Comments)-1])
		}
	}
	for _, e := range p.OwnReplies {
		at := e.EntryTime
		if at.IsZero() || at.After(now) {
			at = now
		}
		d.OwnReplies = append(d.OwnReplies, moderation.Reply{
			ID: e.CommentID, CommentID: e.ParentID, AccountID: e.AccountID, Text: e.Text, CreatedAt: at,
		})
	}
	return d
}

// Submit persists d and returns once it is committed (or failed).
func (g *Ingester) Submit(ctx context.Context, d store.DeliveryIn) (store.DeliveryResult, error) {
	p := &pending{at: time.Now(), d: d, done: make(chan outcome, 1)}
	select {
	case g.reqs <- p:
	case <-g.stopped:
		return store.DeliveryResult{}, ErrStopped
	case <-ctx.Done():
		return store.DeliveryResult{}, ctx.Err()
	}
	select {
	case o := <-p.done:
		return o.res, o.err
	case <-g.stopped:
		// Run drains what it accepted before stopping; this answer may still come.
		select {
		case o := <-p.done:
			return o.res, o.err
		default:
			return store.DeliveryResult{}, ErrStopped
		}
	}
}

// Run commits submitted deliveries until ctx is done. The HTTP server must
// be shut down first, so that no handler waits on a stopped Ingester.
func (g *Ingester) Run(ctx context.Context) {
	defer close(g.stopped)
	batch := make([]*pending, 0, MaxBatch)
	last := 0 // deliveries in the previous commit
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-g.reqs:
			batch = append(batch[:0], p)
		}
		// When the previous commit had company, wait up to gatherWindow
		// (from the first one's arrival) for more deliveries; a lone
		// delivery is committed at once.
		var deadline *time.Timer
		if last > 1 {
			deadline = time.NewTimer(time.Until(batch[0].at.Add(gatherWindow)))
		}
	fill:
		for len(batch) < MaxBatch {
			select {
			case p := <-g.reqs:
				batch = append(batch, p)
				continue
			default:
			}
			if deadline == nil {
				break
			}
			select {
			case p := <-g.reqs:
				batch = append(batch, p)
			case <-deadline.C:
				break fill
			}
		}
		if deadline != nil {
			deadline.Stop()
		}
		last = len(batch)
		g.commit(context.WithoutCancel(ctx), batch)
	}
}

func (g *Ingester) commit(ctx context.Context, batch []*pending) {
	ds := make([]store.DeliveryIn, len(batch))
	for i, p := range batch {
		ds[i] = p.d
	}
	results, err := g.st.CommitDeliveries(ctx, ds)
	if err != nil {
		g.log.Error("webhook commit failed", "deliveries", len(batch), "error", err)
		for _, p := range batch {
			p.done <- outcome{err: err}
		}
		return
	}
	var fresh []inbox.Comment
	for i, p := range batch {
		p.done <- outcome{res: results[i]}
		fresh = append(fresh, results[i].New...)
		if p.d.Rejected > 0 {
			g.log.Warn("webhook comments with ids that are not Meta's dropped", "comments", p.d.Rejected)
		}
	}
	if len(fresh) == 0 {
		return
	}
	for _, f := range g.onNew {
		f(fresh)
	}
}
