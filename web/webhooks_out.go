package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/views"
)

// recentDeliveries is how many deliveries per webhook the page and the API show.
const recentDeliveries = 10

// eventLabels say what each event means, for the webhook form.
var eventLabels = map[string]string{
	outbound.CommentCreated:  "a comment arrived",
	outbound.CommentReplied:  "a comment got its private reply",
	outbound.CommentExpiring: "a comment nobody is answering is about to close",
	outbound.ReplyFailed:     "Instagram refused a private reply",
}

// webhooksPage is GET /settings/webhooks (admins).
func (s *Server) webhooksPage(c echo.Context) error {
	return s.renderWebhooks(c, http.StatusOK, nil, "", outbound.Names, nil)
}

// createWebhook is POST /settings/webhooks (admins): the signing secret is
// shown on the page this once.
func (s *Server) createWebhook(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	url, events := form.Get("url"), form["events"]
	w, secret, err := s.deps.Outbound.Create(c.Request().Context(), *userOf(c), url, events)
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.Unprocessable {
		return s.renderWebhooks(c, http.StatusUnprocessableEntity, nil, url, events, ae)
	}
	if err != nil {
		return err
	}
	return s.renderWebhooks(c, http.StatusOK, &views.NewWebhookVM{URL: w.URL, Secret: secret}, "", outbound.Names, nil)
}

// deleteWebhook is POST /settings/webhooks/:id/delete (admins).
func (s *Server) deleteWebhook(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Outbound.Delete(c.Request().Context(), *userOf(c), id); err != nil {
		return err
	}
	s.setFlash(c, "webhook_deleted")
	return redirect(c, "/settings/webhooks")
}

func (s *Server) renderWebhooks(c echo.Context, status int, created *views.NewWebhookVM, url string, checked []string, problem *apperr.Error) error {
	ctx := c.Request().Context()
	hooks, err := s.deps.Outbound.List(ctx)
	if err != nil {
		return err
	}
	vm := views.WebhooksVM{Layout: s.layout(c, "Outbound webhooks"), Tabs: settingsTabs(userOf(c), "webhooks"),
		Created: created, URL: url}
	if problem != nil {
		vm.Error, vm.ErrorField = problem.Message, problem.Field
	}
	for _, n := range outbound.Names {
		vm.Events = append(vm.Events, views.EventOptionVM{Name: n, Label: eventLabels[n], Checked: slices.Contains(checked, n)})
	}
	now := s.now()
	for _, h := range hooks {
		ds, err := s.deps.Outbound.Recent(ctx, h.ID, recentDeliveries)
		if err != nil {
			return err
		}
		id := strconv.FormatInt(h.ID, 10)
		hv := views.WebhookVM{ID: id, URL: h.URL, Events: h.Events, Slack: h.Slack(), CreatedBy: h.CreatedBy,
			Created: ago(h.CreatedAt, now), DeleteURL: "/settings/webhooks/" + id + "/delete"}
		for _, d := range ds {
			hv.Deliveries = append(hv.Deliveries, toDeliveryVM(d, now))
		}
		vm.Hooks = append(vm.Hooks, hv)
	}
	return render(c, status, views.WebhooksPage(vm))
}

func toDeliveryVM(d outbound.Delivery, now time.Time) views.DeliveryVM {
	vm := views.DeliveryVM{Event: d.Event, State: d.State, Attempts: counted(d.Attempts, "attempt", "attempts"),
		When: ago(d.UpdatedAt, now), WhenISO: isoMS(d.UpdatedAt), Answer: d.LastAnswer, Status: "HTTP " + strconv.Itoa(d.LastStatus)}
	switch d.State {
	case outbound.Delivered:
		vm.StateLabel = "Delivered"
	case outbound.Failed:
		vm.StateLabel = "Gave up after 24 h"
	default:
		vm.StateLabel = "Retrying"
		if d.Attempts == 0 {
			vm.StateLabel = "Sending"
		}
		if d.NextAttemptAt.After(now) {
			vm.Next = "next try " + in(d.NextAttemptAt.Sub(now))
		}
	}
	if d.Attempts == 0 {
		vm.Status = "not sent yet"
	} else if d.LastStatus == 0 {
		vm.Status = "no answer"
	}
	return vm
}

// in says a wait in words: "in 30 s", "in 4 min", "in 2 h".
func in(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "in " + strconv.Itoa(max(1, int(d/time.Second))) + " s"
	case d < time.Hour:
		return "in " + strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return "in " + strconv.Itoa(int(d/time.Hour)) + " h"
}

// apiWebhook is an outbound webhook in the JSON API; Secret is only in the
// answer that creates it.
type apiWebhook struct {
	ID         int64         `json:"id"`
	URL        string        `json:"url"`
	Events     []string      `json:"events"`
	Secret     string        `json:"secret,omitempty"`
	CreatedAt  time.Time     `json:"created_at"`
	CreatedBy  string        `json:"created_by"`
	Deliveries []apiDelivery `json:"deliveries"`
}

// apiDelivery is one of a webhook's latest deliveries.
type apiDelivery struct {
	ID          int64      `json:"id"`
	EventID     int64      `json:"event_id"`
	Event       string     `json:"event"`
	CommentID   string     `json:"comment_id"`
	State       string     `json:"state"`
	Attempts    int        `json:"attempts"`
	LastStatus  int        `json:"last_status"`
	LastAnswer  string     `json:"last_answer"`
	NextAttempt *time.Time `json:"next_attempt_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
}

func (s *Server) toAPIWebhook(ctx context.Context, h outbound.Webhook) (apiWebhook, error) {
	out := apiWebhook{ID: h.ID, URL: h.URL, Events: h.Events, CreatedAt: h.CreatedAt.UTC(), CreatedBy: h.CreatedBy,
		Deliveries: []apiDelivery{}}
	ds, err := s.deps.Outbound.Recent(ctx, h.ID, recentDeliveries)
	if err != nil {
		return out, err
	}
	for _, d := range ds {
		ad := apiDelivery{ID: d.ID, EventID: d.EventID, Event: d.Event, CommentID: d.CommentID, State: d.State,
			Attempts: d.Attempts, LastStatus: d.LastStatus, LastAnswer: d.LastAnswer}
		if d.State == outbound.Pending {
			t := d.NextAttemptAt.UTC()
			ad.NextAttempt = &t
		}
		if !d.DeliveredAt.IsZero() {
			t := d.DeliveredAt.UTC()
			ad.DeliveredAt = &t
		}
		out.Deliveries = append(out.Deliveries, ad)
	}
	return out, nil
}

// apiCreateWebhook is POST /api/v1/webhooks {"url","events"} → 201
// {"id","url","events","secret"} (admins).
func (s *Server) apiCreateWebhook(c echo.Context) error {
	var in struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, secret, err := s.deps.Outbound.Create(c.Request().Context(), *userOf(c), in.URL, in.Events)
	if err != nil {
		return err
	}
	out, err := s.toAPIWebhook(c.Request().Context(), w)
	if err != nil {
		return err
	}
	out.Secret = secret
	return c.JSON(http.StatusCreated, out)
}

// apiListWebhooks is GET /api/v1/webhooks (admins): each webhook with its
// latest deliveries.
func (s *Server) apiListWebhooks(c echo.Context) error {
	ctx := c.Request().Context()
	hooks, err := s.deps.Outbound.List(ctx)
	if err != nil {
		return err
	}
	data := make([]apiWebhook, len(hooks))
	for i, h := range hooks {
		if data[i], err = s.toAPIWebhook(ctx, h); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"data": data})
}

// apiDeleteWebhook is DELETE /api/v1/webhooks/:id → 204 (admins).
func (s *Server) apiDeleteWebhook(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Outbound.Delete(c.Request().Context(), *userOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
