package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/views"
)

// apiError is DESIGN §6's JSON error body.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Errors lists every field's problem when there are several (the
	// first is also Code, Message and Field).
	Errors []apiFieldError `json:"errors,omitempty"`
}

type apiFieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

var kindStatus = map[apperr.Kind]int{
	apperr.Invalid:       http.StatusBadRequest,
	apperr.Unauthorized:  http.StatusUnauthorized,
	apperr.Forbidden:     http.StatusForbidden,
	apperr.NotFound:      http.StatusNotFound,
	apperr.Conflict:      http.StatusConflict,
	apperr.Unprocessable: http.StatusUnprocessableEntity,
	apperr.Unavailable:   http.StatusServiceUnavailable,
	apperr.TooLarge:      http.StatusRequestEntityTooLarge,
}

var statusCode = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnprocessableEntity:   "invalid",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusServiceUnavailable:    "unavailable",
}

// statusClientClosed is the status of a request whose client went away
// before it was answered (nginx's 499: no standard status fits).
const statusClientClosed = 499

// handleError is the one error handler: it maps an error to a status and a
// message a person can act on, logs server faults once, and answers in the
// route group's format: JSON, an HTML page, or, for an htmx request from a
// page, a toast.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := s.classify(err)
	ctx := c.Request().Context()
	switch {
	case ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		// The client went away (or the request ran out of time) mid-way.
		// The answer still says so, rendered without the request's
		// context, so that the log and any proxy see 499, never an empty 200.
		status, body = statusClientClosed, apiErrorBody{Code: "cancelled",
			Message: "The request was cancelled before it finished, so it may not have taken effect. Reload the page to see where things stand."}
		c.SetRequest(c.Request().WithContext(context.WithoutCancel(ctx)))
	case status >= 500:
		s.log.Error("request failed", "request_id", requestID(c), "path", c.Request().URL.Path, "error", err)
	}
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(status)
	case wantsJSON(c):
		werr = c.JSON(status, apiError{Error: body})
	case isHTMX(c):
		// A page's action failed: say so in a toast, leaving the page as it is.
		c.Response().Header().Set("HX-Reswap", "none")
		werr = render(c, status, views.Toast(views.ToastVM{Message: body.Message, Kind: "error"}))
	default:
		title := http.StatusText(status)
		if status == statusClientClosed {
			title = "Request cancelled"
		}
		vm := views.ErrorVM{
			Layout:    s.layout(c, title),
			Status:    status,
			Title:     title,
			Message:   body.Message,
			RequestID: requestID(c),
		}
		werr = render(c, status, views.ErrorPage(vm))
	}
	if werr != nil {
		s.log.Error("writing error response", "error", werr)
	}
}

func (s *Server) classify(err error) (int, apiErrorBody) {
	if ae, ok := apperr.As(err); ok {
		st := kindStatus[ae.Kind]
		if st == 0 {
			st = http.StatusInternalServerError
		}
		body := apiErrorBody{Code: ae.Code, Message: ae.Message, Field: ae.Field}
		if all := apperr.Fields(err); len(all) > 1 {
			for _, e := range all {
				body.Errors = append(body.Errors, apiFieldError{Field: e.Field, Code: e.Code, Message: e.Message})
			}
		}
		return st, body
	}
	if errors.Is(err, store.ErrNotFound) {
		return http.StatusNotFound, apiErrorBody{Code: "not_found", Message: "That item does not exist, or you do not have access to it."}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && m != "" {
			msg = m
		}
		switch he.Code {
		case http.StatusNotFound:
			msg = "There is no page at this address."
		case http.StatusRequestEntityTooLarge:
			msg = "The request body is larger than this server accepts."
		}
		code := statusCode[he.Code]
		if code == "" {
			code = strings.ToLower(strings.ReplaceAll(http.StatusText(he.Code), " ", "_"))
		}
		return he.Code, apiErrorBody{Code: code, Message: msg}
	}
	return http.StatusInternalServerError, apiErrorBody{
		Code:    "internal",
		Message: "Something went wrong on our side. Try again; if it keeps happening, tell your administrator the request id.",
	}
}

// wantsJSON is true where the route group answers in JSON, and for a
// client that asks only for JSON.
func wantsJSON(c echo.Context) bool {
	if f, _ := c.Get(ctxErrorFormat).(errorFormat); f == formatJSON {
		return true
	}
	return strings.HasPrefix(c.Request().Header.Get("Accept"), "application/json")
}
