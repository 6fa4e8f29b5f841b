package outbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/replydesk/replydesk/internal/outbound"
)

const (
	dueBatch    = 50               // deliveries attempted per pass
	parallel    = 8                // attempts in flight at once
	lease       = 15 * time.Second // a claimed delivery is not tried again before this (the client gives up after 10 s)
	answerBytes = 512              // how much of an answer is kept to show
	userAgent   = "Replydesk-Webhooks/1"
)

// deliverDue makes every attempt that is due, a few at a time.
func (o *Outbox) deliverDue(ctx context.Context) error {
	due, err := o.st.DueDeliveries(ctx, dueBatch)
	if err != nil || len(due) == 0 {
		return err
	}
	hooks, err := o.st.Webhooks(ctx)
	if err != nil {
		return err
	}
	byID := make(map[int64]outbound.Webhook, len(hooks))
	for _, h := range hooks {
		byID[h.ID] = h
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, d := range due {
		h, ok := byID[d.WebhookID]
		if !ok {
			continue // deleted meanwhile; its deliveries went with it
		}
		ok, err := o.st.ClaimDelivery(ctx, d, o.now().Add(lease))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			o.attempt(ctx, h, d)
		})
	}
	wg.Wait()
	return nil
}

// attempt POSTs one delivery and records what came of it. When ctx ends
// mid-attempt nothing is recorded: the lease runs out and the delivery is
// attempted again after the restart.
func (o *Outbox) attempt(ctx context.Context, h outbound.Webhook, d outbound.Delivery) {
	status, answer, retryAfter, err := o.post(ctx, h, d)
	if ctx.Err() != nil {
		return
	}
	now := o.now()
	d.Attempts++
	d.LastStatus = status
	switch {
	case err != nil:
		d.LastAnswer = "No answer: " + err.Error()
	default:
		d.LastAnswer = answer
	}
	if err == nil && status >= 200 && status < 300 {
		d.State, d.DeliveredAt, d.NextAttemptAt = outbound.Delivered, now, now
	} else if next, ok := outbound.NextAttempt(d.CreatedAt, now, d.Attempts, retryAfter); ok {
		d.State, d.NextAttemptAt = outbound.Pending, next
	} else {
		d.State, d.NextAttemptAt = outbound.Failed, now
		o.log.Warn("outbox: delivery given up after 24 h", "webhook_id", h.ID, "delivery_id", d.ID, "event", d.Event, "status", status)
	}
	if err := o.st.FinishDelivery(context.WithoutCancel(ctx), d); err != nil {
		o.log.Error("outbox: recording an attempt", "delivery_id", d.ID, "error", err)
	}
}

// post sends the delivery and answers the receiver's status, the start of
// its answer, and its Retry-After (0 when absent).
func (o *Outbox) post(ctx context.Context, h outbound.Webhook, d outbound.Delivery) (int, string, time.Duration, error) {
	secret, err := o.secret(h)
	if err != nil {
		return 0, "", 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, "", 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("X-Replydesk-Event", d.Event)
	req.Header.Set("X-Replydesk-Delivery", strconv.FormatInt(d.ID, 10))
	req.Header.Set("X-Replydesk-Signature", outbound.Sign(secret, d.Body))
	resp, err := o.client.Do(req)
	if err != nil {
		return 0, "", 0, unwrapURL(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, answerBytes))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return resp.StatusCode, answerText(raw), retryAfter(resp.Header.Get("Retry-After"), o.now()), nil
}

// secret opens (once) a webhook's signing secret.
func (o *Outbox) secret(h outbound.Webhook) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if s, ok := o.secrets[h.ID]; ok {
		return s, nil
	}
	s, err := o.sealer.OpenString(h.SealedSecret, secretContext)
	if err != nil {
		return "", errors.New("the signing secret cannot be read (was REPLYDESK_SECRET changed?); delete this webhook and add it again")
	}
	o.secrets[h.ID] = s
	return s, nil
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return max(time.Duration(n)*time.Second, time.Second) // "0": as soon as allowed
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// answerText is the start of an answer as text, on one line.
func answerText(raw []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(raw), "")), " ")
	if len(raw) == answerBytes {
		s += "…"
	}
	return s
}

// unwrapURL drops *url.Error's "Post <url>:" prefix: the page shows the URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
