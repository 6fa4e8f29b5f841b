// Package ceiling is the yardstick of the ingest benchmark (issue 16): a
// bare Echo v4 server whose handler only reads a webhook delivery's body and
// checks its X-Hub-Signature-256, the least any receiver must do before it
// parses or stores anything. `make bench` loads it in the same run as
// Replydesk and reports ingest as a fraction of it.
package ceiling

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/webhook"
)

// MaxBody is the largest body accepted, as on Replydesk's webhook route.
const MaxBody = webhook.MaxBody

// Handler answers POST on any path: 200 when the X-Hub-Signature-256 header
// matches the body for appSecret, 401 when it is missing, malformed or
// wrong, 413 for a body over MaxBody, 400 for a body that cannot be read.
// It uses no middleware and keeps nothing.
func Handler(appSecret string) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	v := webhook.NewVerifier(appSecret)
	e.POST("/*", func(c echo.Context) error {
		r := c.Request()
		body, err := webhook.ReadBody(r.Body, r.ContentLength)
		switch {
		case errors.Is(err, webhook.ErrTooLarge):
			return c.NoContent(http.StatusRequestEntityTooLarge)
		case err != nil:
			return c.NoContent(http.StatusBadRequest)
		}
		if v.Verify(body, r.Header.Get(webhook.SignatureHeader)) != nil {
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.NoContent(http.StatusOK)
	})
	return e
}
