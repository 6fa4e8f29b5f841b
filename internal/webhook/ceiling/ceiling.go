// Package ceiling is the yardstick of the ingest benchmark (issue 16): a
// bare Echo v4 server whose handler only reads a webhook delivery's body and
// checks its X-Hub-Signature-256, the least any receiver must do before it
// parses or stores anything. `make bench` loads it in the same run as
// Replydesk and reports ingest as a fraction of it.
package ceiling

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/webhook"
)

// MaxBody is the largest body accepted, as on Replydesk's webhook route
// (1 MiB; Meta's deliveries reach a few hundred KB).
const MaxBody = 1 << 20

// errTooLarge is a body over MaxBody.
var errTooLarge = errors.New("ceiling: body over 1 MiB")

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
		body, err := readBody(r.Body, r.ContentLength)
		switch {
		case errors.Is(err, errTooLarge):
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

// readBody reads the whole body into one buffer sized by Content-Length
// (size, -1 when unknown), refusing more than MaxBody bytes.
func readBody(r io.Reader, size int64) ([]byte, error) {
	if size > MaxBody {
		return nil, errTooLarge
	}
	if size < 0 {
		size = 512
	}
	b := make([]byte, 0, size+1) // +1: EOF is seen without growing
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if len(b) > MaxBody {
			return nil, errTooLarge
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, fmt.Errorf("ceiling: read body: %w", err)
		}
	}
}
