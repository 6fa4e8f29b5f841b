package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/webhook"
)

// verifyWebhook answers Meta's subscription handshake: the challenge as
// plain text when the verify token matches, 403 otherwise.
func (s *Server) verifyWebhook(c echo.Context) error {
	q := c.QueryParams()
	challenge, ok := webhook.VerifyChallenge(q.Get("hub.mode"), q.Get("hub.verify_token"), q.Get("hub.challenge"), s.opt.VerifyToken)
	if !ok {
		s.log.Warn("webhook handshake refused", "mode", q.Get("hub.mode"))
		return apperr.New(apperr.Forbidden, "verify_token_mismatch", "The verify token does not match this server's META_VERIFY_TOKEN.")
	}
	return c.String(http.StatusOK, challenge)
}

// receiveWebhook takes one signed delivery. The body is read raw (the route's
// BodyLimit answers 413 above 1 MiB), and the answer is 200 only once its
// comments are committed.
func (s *Server) receiveWebhook(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		// The route's BodyLimit refuses a declared length over the cap before
		// this handler runs; a chunked body (no Content-Length) is cut while
		// it is read, as an *echo.HTTPError 413.
		var tooBig *http.MaxBytesError
		var he *echo.HTTPError
		if errors.As(err, &tooBig) || errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return apperr.New(apperr.Invalid, "unreadable_body", "The request body could not be read.")
	}
	_, err = s.deps.Webhooks.Receive(c.Request().Context(), body, c.Request().Header.Get(webhook.SignatureHeader))
	switch {
	case errors.Is(err, webhook.ErrNoSignature), errors.Is(err, webhook.ErrMalformedSignature), errors.Is(err, webhook.ErrBadSignature):
		s.log.Warn("webhook refused: bad signature", "request_id", requestID(c), "reason", err.Error(), "bytes", len(body))
		return apperr.New(apperr.Unauthorized, "bad_signature", "The X-Hub-Signature-256 header is missing or does not match the body.")
	case errors.Is(err, webhook.ErrMalformed):
		s.log.Warn("webhook refused: malformed JSON", "request_id", requestID(c), "error", err)
		return apperr.New(apperr.Invalid, "malformed_payload", "The body is not a webhook delivery in JSON.")
	case err != nil:
		return err // 500: Meta retries
	}
	return c.String(http.StatusOK, "EVENT_RECEIVED")
}
