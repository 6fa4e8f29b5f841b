package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
)

// Request body caps, per route group (routes.go). Meta's webhooks have
// their own (1 MiB, BodyLimit).
const (
	formCap     = 64 << 10  // a page's form or an API write
	templateCap = 128 << 10 // a template: its body may be pasted over-long, and is then refused field by field
	logoutCap   = 4 << 10   // logout carries only its token
)

// capBody caps the request body of writes at limit bytes. It reads
// nothing: a declared length over the cap is refused at once, and a longer
// body (chunked) is cut where it is read (readForm, decodeJSON), as 413. It
// runs after the session is known, so a request without one never gets
// this far (requireUser).
func capBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				return next(c)
			}
			if r.ContentLength > limit {
				return errTooLarge(limit)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			c.Set(ctxBodyCap, limit)
			return next(c)
		}
	}
}

// ctxBodyCap is the echo.Context key holding the route group's body cap.
const ctxBodyCap = "body_cap"

// errTooLarge is the refusal of a body over limit bytes.
func errTooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, "too_large", fmt.Sprintf(
		"This is more than Replydesk accepts here (at most %d KiB), so nothing was saved. Shorten it and try again.", limit>>10))
}

// tooLarge turns a read cut short by capBody into the 413 refusal.
func tooLarge(c echo.Context, err error) (error, bool) {
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		return nil, false
	}
	limit, _ := c.Get(ctxBodyCap).(int64)
	if limit == 0 {
		limit = mbe.Limit
	}
	return errTooLarge(limit), true
}

// readForm parses a form body (URL-encoded or multipart) once, within the
// group's cap, so that a form cut short is a 413 and never a form that
// looks empty to c.FormValue, which hides read errors; a value that is not
// clean text is a 400. Other bodies are left to their handler.
func readForm(c echo.Context) error {
	r := c.Request()
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	var err error
	switch mt {
	case echo.MIMEApplicationForm:
		err = r.ParseForm()
	case echo.MIMEMultipartForm:
		limit, _ := c.Get(ctxBodyCap).(int64)
		// A body within the cap is held in memory: no temporary files.
		err = r.ParseMultipartForm(max(limit, 1<<10))
	default:
		return nil
	}
	if err == nil {
		return cleanValues(r.PostForm)
	}
	if tl, ok := tooLarge(c, err); ok {
		return tl
	}
	return apperr.New(apperr.Invalid, "bad_form", "The form could not be read, so nothing was changed. Reload the page and try again.")
}
