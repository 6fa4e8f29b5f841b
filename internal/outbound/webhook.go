package outbound

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
)

// Webhook is a URL that hears some of the events (admins set them up).
type Webhook struct {
	ID           int64
	URL          string
	Events       []string
	CreatedBy    string // the admin's name, "" once they are gone
	CreatedAt    time.Time
	SealedSecret []byte // the signing secret, sealed (only the outbox reads it)
}

// Wants reports whether the webhook hears events called name.
func (w Webhook) Wants(name string) bool { return slices.Contains(w.Events, name) }

// Slack reports whether the URL is a Slack incoming webhook, which gets a
// readable text message instead of the JSON event.
func (w Webhook) Slack() bool { return IsSlack(w.URL) }

// IsSlack reports whether rawURL is a Slack incoming-webhook URL.
func IsSlack(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Host == "hooks.slack.com" && strings.HasPrefix(u.Path, "/services/")
}

// Delivery states.
const (
	Pending   = "pending"   // waiting for its first or next attempt
	Delivered = "delivered" // the receiver answered 2xx
	Failed    = "failed"    // no 2xx within Window: given up
)

// Delivery is one event on its way to one webhook.
type Delivery struct {
	ID            int64
	WebhookID     int64
	EventID       int64
	Event         string
	CommentID     string
	Body          []byte
	State         string
	Attempts      int
	NextAttemptAt time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeliveredAt   time.Time
	LastStatus    int    // the receiver's HTTP status; 0 when it did not answer
	LastAnswer    string // the start of its answer, or why there was none
}

// Window is how long a delivery is retried before it is given up.
const Window = 24 * time.Hour

// MaxWebhooks is how many outbound webhooks an installation may have.
const MaxWebhooks = 20

// retrySchedule is the wait after each failed attempt; the last one repeats.
var retrySchedule = []time.Duration{
	10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
	10 * time.Minute, 20 * time.Minute, 30 * time.Minute, time.Hour,
}

// NextAttempt is when a delivery that failed its attempts-th attempt tries
// again: the receiver's Retry-After when it gave one (between a second and
// an hour), else the backoff schedule. ok is false once that would fall
// after Window from the delivery's creation: it is given up.
func NextAttempt(created, now time.Time, attempts int, retryAfter time.Duration) (time.Time, bool) {
	wait := retrySchedule[min(max(attempts-1, 0), len(retrySchedule)-1)]
	if retryAfter > 0 {
		wait = min(max(retryAfter, time.Second), time.Hour)
	}
	next := now.Add(wait)
	if next.After(created.Add(Window)) {
		return time.Time{}, false
	}
	return next, true
}

// Sign is the X-Replydesk-Signature of a body: "sha256=" and the hex
// HMAC-SHA256 of the body with the webhook's secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// SecretPrefix starts every webhook signing secret.
const SecretPrefix = "whsec_"

// CheckWebhook validates a webhook's URL and events, answering them
// cleaned up (events in their canonical order, without repeats).
func CheckWebhook(rawURL string, events []string) (string, []string, error) {
	rawURL = strings.TrimSpace(rawURL)
	u, err := url.Parse(rawURL)
	switch {
	case rawURL == "":
		return "", nil, apperr.Field("url", "url_required", "Enter the URL that should receive the events.")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return "", nil, apperr.Field("url", "bad_url", "The URL must be a full web address starting with https:// (or http://).")
	case u.User != nil:
		return "", nil, apperr.Field("url", "bad_url", "Leave the user name and password out of the URL; check the signature header instead.")
	case len(rawURL) > 2000:
		return "", nil, apperr.Field("url", "bad_url", "The URL is too long.")
	}
	var out []string
	for _, e := range events {
		if !slices.Contains(Names, e) {
			return "", nil, apperr.Field("events", "unknown_event",
				"Unknown event "+quote(e)+": choose from "+strings.Join(Names, ", ")+".")
		}
	}
	for _, n := range Names {
		if slices.Contains(events, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return "", nil, apperr.Field("events", "events_required", "Choose at least one event to send.")
	}
	return rawURL, out, nil
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "“" + s + "”"
}
