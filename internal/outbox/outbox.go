// Package outbox delivers recorded events (internal/outbound) to the
// outbound webhooks admins set up. The store records each event in the
// transaction that makes it happen; the outbox fans events out into one
// durable delivery row per webhook, then POSTs each, signed, and retries
// with backoff for 24 hours. Rows are leased while an attempt is in flight,
// so a restart (or a crash) loses nothing: what was not acknowledged is
// attempted again. A receiver may therefore see an event twice, never
// miss one; the event id in the body is for deduplication.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/crypt"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
)

// Store is the storage the outbox needs (store.Store).
type Store interface {
	CreateWebhook(ctx context.Context, w outbound.Webhook, createdBy int64, max int) (outbound.Webhook, error)
	Webhooks(ctx context.Context) ([]outbound.Webhook, error)
	DeleteWebhook(ctx context.Context, id int64) error
	WebhookCursors(ctx context.Context) (map[int64]int64, error)
	EventsAfter(ctx context.Context, after int64, limit int) ([]outbound.Event, error)
	Items(ctx context.Context, ids []string) ([]inbox.Item, error)
	Replies(ctx context.Context, commentID string) ([]reply.Reply, error)
	FanOut(ctx context.Context, webhookID, upTo int64, ds []outbound.Delivery) error
	DueDeliveries(ctx context.Context, limit int) ([]outbound.Delivery, error)
	ClaimDelivery(ctx context.Context, d outbound.Delivery, until time.Time) (bool, error)
	FinishDelivery(ctx context.Context, d outbound.Delivery) error
	RecentDeliveries(ctx context.Context, webhookID int64, limit int) ([]outbound.Delivery, error)
}

// Options tune the outbox; the zero value is fine but for BaseURL.
type Options struct {
	BaseURL string // links to comments in payloads
	Now     func() time.Time
	Logger  *slog.Logger
	Client  *http.Client  // default: 10 s timeout (keep it under the 15 s lease), no redirects followed
	Poll    time.Duration // how often new events and due retries are looked for; default 500 ms
}

// Outbox manages outbound webhooks and delivers their events.
type Outbox struct {
	st     Store
	sealer *crypt.Sealer
	opt    Options
	log    *slog.Logger
	now    func() time.Time
	client *http.Client
	kick   chan struct{}

	mu      sync.Mutex
	secrets map[int64]string // opened signing secrets, by webhook
}

// New makes an Outbox; sealer seals the webhooks' signing secrets.
func New(st Store, sealer *crypt.Sealer, opt Options) *Outbox {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Poll <= 0 {
		opt.Poll = 500 * time.Millisecond
	}
	if opt.Client == nil {
		opt.Client = &http.Client{
			Timeout: 10 * time.Second,
			// A receiver that redirects is answered as it answered: a POST
			// is not replayed somewhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &Outbox{st: st, sealer: sealer, opt: opt, log: opt.Logger, now: opt.Now, client: opt.Client,
		kick: make(chan struct{}, 1), secrets: map[int64]string{}}
}

// secretContext binds sealed secrets to their use.
const secretContext = "webhook-secret"

// Errors people see.
var (
	errTooMany = apperr.New(apperr.Unprocessable, "too_many_webhooks",
		fmt.Sprintf("There are already %d outbound webhooks; delete one first.", outbound.MaxWebhooks))
	errNotFound = apperr.New(apperr.NotFound, "not_found", "That webhook does not exist (it may have been deleted).")
)

// Create adds a webhook and answers it with its signing secret, which is
// shown this once (it is stored sealed, for signing only).
func (o *Outbox) Create(ctx context.Context, by identity.User, rawURL string, events []string) (outbound.Webhook, string, error) {
	u, evs, err := outbound.CheckWebhook(rawURL, events)
	if err != nil {
		return outbound.Webhook{}, "", err
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	secret := outbound.SecretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	w := outbound.Webhook{URL: u, Events: evs, CreatedBy: by.Name, SealedSecret: o.sealer.SealString(secret, secretContext)}
	w, err = o.st.CreateWebhook(ctx, w, by.ID, outbound.MaxWebhooks)
	if errors.Is(err, store.ErrTooMany) {
		return outbound.Webhook{}, "", errTooMany
	}
	if err != nil {
		return outbound.Webhook{}, "", fmt.Errorf("outbox: create webhook: %w", err)
	}
	o.log.Info("outbound webhook added", "webhook_id", w.ID, "by", by.ID, "events", evs, "slack", w.Slack())
	o.Kick()
	return w, secret, nil
}

// List answers every webhook, oldest first.
func (o *Outbox) List(ctx context.Context) ([]outbound.Webhook, error) {
	hooks, err := o.st.Webhooks(ctx)
	if err != nil {
		return nil, fmt.Errorf("outbox: list: %w", err)
	}
	return hooks, nil
}

// Delete removes a webhook; its pending deliveries are dropped.
func (o *Outbox) Delete(ctx context.Context, by identity.User, id int64) error {
	err := o.st.DeleteWebhook(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return fmt.Errorf("outbox: delete: %w", err)
	}
	o.mu.Lock()
	delete(o.secrets, id)
	o.mu.Unlock()
	o.log.Info("outbound webhook deleted", "webhook_id", id, "by", by.ID)
	return nil
}

// Recent answers a webhook's newest deliveries, newest first.
func (o *Outbox) Recent(ctx context.Context, webhookID int64, limit int) ([]outbound.Delivery, error) {
	ds, err := o.st.RecentDeliveries(ctx, webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: recent deliveries: %w", err)
	}
	return ds, nil
}

// Kick wakes the worker now (a webhook was added).
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Run fans events out and delivers them until ctx is done.
func (o *Outbox) Run(ctx context.Context) {
	t := time.NewTicker(o.opt.Poll)
	defer t.Stop()
	for {
		o.Pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-o.kick:
		}
	}
}

// Pass does one round of work: it fans out new events, then makes every
// attempt that is due.
func (o *Outbox) Pass(ctx context.Context) {
	if err := o.fanOut(ctx); err != nil && ctx.Err() == nil {
		o.log.Error("outbox: fanning out events", "error", err)
	}
	if err := o.deliverDue(ctx); err != nil && ctx.Err() == nil {
		o.log.Error("outbox: delivering", "error", err)
	}
}
