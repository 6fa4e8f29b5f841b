package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"

	"github.com/replydesk/replydesk/static"
)

var staticFS = static.FS

// render writes a component as the complete response. It renders into a
// buffer first, so a failing component becomes a clean 500 and never a
// half-written 200.
func render(c echo.Context, status int, comp templ.Component) error {
	buf := templ.GetBuffer()
	defer templ.ReleaseBuffer(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// isHTMX reports whether htmx made the request (a partial is wanted).
func isHTMX(c echo.Context) bool {
	return c.Request().Header.Get("HX-Request") == "true" && c.Request().Header.Get("HX-Boosted") != "true"
}

// redirect sends the browser to url: through HX-Redirect for htmx requests,
// with 303 See Other otherwise.
func redirect(c echo.Context, url string) error {
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", url)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, url)
}

// setTrigger adds an event to the HX-Trigger response header, which htmx
// dispatches on the page (e.g. "toast").
func setTrigger(c echo.Context, name string, detail any) {
	b, err := json.Marshal(map[string]any{name: detail})
	if err != nil {
		return
	}
	c.Response().Header().Set("HX-Trigger", string(b))
}

// decodeJSON reads a JSON request body into v, refusing unknown fields and
// anything but one JSON object.
func decodeJSON(c echo.Context, v any) error {
	// The route group caps the body (capBody).
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if tl, ok := tooLarge(c, err); ok {
			return tl
		}
		return apperr.New(apperr.Invalid, "bad_json", "The request body must be a JSON object with the documented fields: "+err.Error())
	}
	return cleanJSON(reflect.ValueOf(v), "the body")
}
