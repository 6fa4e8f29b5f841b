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

// PostReader reads the post each comment is on (caption, link, type, time
// and picture) from Graph, off the request path: once per media, when its
// first comments arrive, then again rarely; a failed read is retried with
// backoff and the panel meanwhile shows what it has (the post's id). Reads
// are paced per account like the Enricher's, so they never spend the rate
// limit replies need.
type PostReader struct {
	st     *store.Store
	graph  *meta.Client
	tokens Tokens
	log    *slog.Logger
	now    func() time.Time
	opt    PostReaderOptions

	wake chan struct{}
	mu   sync.Mutex
	lims map[string]*meta.Limiter
}

// PostReaderOptions tune a PostReader; zero values take the defaults.
type PostReaderOptions struct {
	Rate    float64       // Graph reads a second per account (meta.DefaultReadRate)
	Refresh time.Duration // how long a read post is kept before it is read again (24 h)
	Retry   time.Duration // the first wait after a failed read, doubling up to Refresh (1 min)
	Scan    time.Duration // how often media due a read are looked for without new comments (30 s)
	Gap     time.Duration // the least time between two looks while comments stream in (250 ms)
	Now     func() time.Time
}

// NewPostReader makes a PostReader.
func NewPostReader(st *store.Store, graph *meta.Client, tokens Tokens, log *slog.Logger, opt PostReaderOptions) *PostReader {
	if opt.Rate <= 0 {
		opt.Rate = meta.DefaultReadRate
	}
	if opt.Refresh <= 0 {
		opt.Refresh = 24 * time.Hour
	}
	if opt.Retry <= 0 {
		opt.Retry = time.Minute
	}
	if opt.Scan <= 0 {
		opt.Scan = 30 * time.Second
	}
	if opt.Gap <= 0 {
		opt.Gap = 250 * time.Millisecond
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &PostReader{st: st, graph: graph, tokens: tokens, log: log, now: opt.Now, opt: opt,
		wake: make(chan struct{}, 1), lims: map[string]*meta.Limiter{}}
}

// OnNew wakes the reader: new comments may be on media never read. It never
// blocks.
func (r *PostReader) OnNew([]inbox.Comment) {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run reads the media due until ctx is done.
func (r *PostReader) Run(ctx context.Context) {
	scan := time.NewTicker(r.opt.Scan)
	defer scan.Stop()
	for {
		for r.ReadDue(ctx) > 0 && ctx.Err() == nil {
		}
		// Every group commit of new comments wakes the reader, hundreds
		// of times a second under load, and a look is a query that
		// usually finds nothing: look at most every Gap.
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.opt.Gap):
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-scan.C:
		}
	}
}

// ReadDue reads up to a page of media due a read and answers how many it
// tried.
func (r *PostReader) ReadDue(ctx context.Context) int {
	due, err := r.st.MediaDue(ctx, 20)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("posts due a read", "error", err)
		}
		return 0
	}
	for _, m := range due {
		if ctx.Err() != nil {
			return 0
		}
		r.read(ctx, m)
	}
	return len(due)
}

// read reads one media's post and picture and stores them, or notes the
// failure and when to try again.
func (r *PostReader) read(ctx context.Context, m store.MediaToRead) {
	fail := func(err error) {
		if ctx.Err() != nil {
			return
		}
		wait := r.opt.Retry << min(m.Failures, 16)
		if wait > r.opt.Refresh || wait <= 0 {
			wait = r.opt.Refresh
		}
		r.log.Warn("post read failed; the panel shows the post's id until it succeeds", "media_id", m.ID, "account_id", m.AccountID,
			"failures", m.Failures+1, "retry_in", wait, "error", err)
		if err := r.st.RecordPostFailed(ctx, m.ID, r.now().Add(wait)); err != nil && ctx.Err() == nil {
			r.log.Error("recording a failed post read", "media_id", m.ID, "error", err)
		}
	}
	_, token, err := r.tokens.PageToken(ctx, m.AccountID)
	if err != nil {
		fail(err) // needs reconnecting, say
		return
	}
	lim := r.limiter(m.AccountID)
	if err := lim.Wait(ctx, 1); err != nil {
		return
	}
	p, err := r.graph.Post(ctx, token, m.ID)
	lim.Observe(meta.Usage{}, err)
	if err != nil {
		if meta.Classify(err) == meta.ClassToken {
			if merr := r.tokens.MarkTokenFailed(ctx, m.AccountID, err); merr != nil {
				r.log.Error("marking token failed", "account_id", m.AccountID, "error", merr)
			}
		}
		fail(err)
		return
	}
	read := store.PostRead{MediaID: m.ID, MediaType: p.MediaType, Caption: p.Caption, Permalink: p.Permalink, PostedAt: p.Timestamp}
	if p.PictureURL != "" {
		data, ct, err := r.graph.Picture(ctx, p.PictureURL)
		if err != nil {
			r.log.Warn("post picture unavailable", "media_id", m.ID, "error", err) // the post shows without it
		} else {
			read.Picture, read.PictureType = data, ct
		}
	}
	if err := r.st.RecordPost(ctx, read, r.now().Add(r.opt.Refresh)); err != nil && ctx.Err() == nil {
		r.log.Error("storing a post", "media_id", m.ID, "error", err)
	}
}

func (r *PostReader) limiter(acct string) *meta.Limiter {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.lims[acct]
	if l == nil {
		l = meta.NewLimiter(r.opt.Rate)
		r.lims[acct] = l
	}
	return l
}
