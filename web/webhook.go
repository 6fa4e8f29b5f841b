package web

import (
	"errors"
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

// receiveWebhook takes one signed delivery. The body is read raw, in one
// buffer (over 1 MiB gets 413), and the answer is 200 only once its
// comments are committed. Deliveries are counted for the summary line
// (webhook_tally.go), not logged one by one.
func (s *Server) receiveWebhook(c echo.Context) error {
	r := c.Request()
	body, err := webhook.ReadBody(r.Body, r.ContentLength)
	// The route's BodyLimit refuses a declared length over the cap before
	// this handler runs; a chunked body (no Content-Length) is cut while it
	// is read, as an *echo.HTTPError 413 (or ReadBody's own ErrTooLarge).
	var limit *echo.HTTPError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, webhook.ErrTooLarge), errors.As(err, &tooBig),
		errors.As(err, &limit) && limit.Code == http.StatusRequestEntityTooLarge:
		s.hooks.refusal("too_large")
		return echo.ErrStatusRequestEntityTooLarge
	case err != nil:
		s.hooks.refusal("unreadable_body")
		return apperr.New(apperr.Invalid, "unreadable_body", "The request body could not be read.")
	}
	res, err := s.deps.Webhooks.Receive(r.Context(), body, r.Header.Get(webhook.SignatureHeader))
	switch {
	case errors.Is(err, webhook.ErrNoSignature), errors.Is(err, webhook.ErrMalformedSignature), errors.Is(err, webhook.ErrBadSignature):
		s.hooks.refusal("bad_signature")
		return apperr.New(apperr.Unauthorized, "bad_signature", "The X-Hub-Signature-256 header is missing or does not match the body.")
	case errors.Is(err, webhook.ErrMalformed):
		s.hooks.refusal("malformed_payload")
		return apperr.New(apperr.Invalid, "malformed_payload", "The body is not a webhook delivery in JSON.")
	case err != nil:
		return err // 500: Meta retries
	}
	s.hooks.delivered(res)
	return c.String(http.StatusOK, "EVENT_RECEIVED")
}
