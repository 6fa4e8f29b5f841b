package web

import (
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
)

// cleanText reports whether s is text Replydesk takes in: valid UTF-8
// without NUL bytes (SQLite's search, Meta and people's browsers all
// stumble on them).
func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// paramLabels name parameters and fields for people.
var paramLabels = map[string]string{
	"q": "The search text", "folder": "The folder", "sort": "The sort order", "status": "The status",
	"account": "The account", "surface": "The surface", "cursor": "The page cursor", "id": "The address",
	"text": "The reply", "name": "The name", "body": "The template text", "shortcut": "The shortcut",
	"ids": "The selection", "template_id": "The template",
}

// errBadText is the refusal of a parameter that is not clean text.
func errBadText(name string) error {
	if !cleanText(name) || name == "" {
		return apperr.BadText("", "A parameter name")
	}
	label, ok := paramLabels[name]
	if !ok {
		label = `The parameter "` + name + `"`
	}
	return apperr.BadText(name, label)
}

// checkParams refuses with 400 a request whose path or query parameters
// are not clean text, before any handler sees them.
func checkParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for i, name := range c.ParamNames() {
			if vals := c.ParamValues(); i < len(vals) && !cleanText(vals[i]) {
				return errBadText(name)
			}
		}
		if err := cleanValues(c.QueryParams()); err != nil {
			return err
		}
		return next(c)
	}
}

// cleanValues refuses query or form values (and names) that are not clean
// text.
func cleanValues(v url.Values) error {
	for name, vals := range v {
		if !cleanText(name) {
			return errBadText("")
		}
		for _, s := range vals {
			if !cleanText(s) {
				return errBadText(name)
			}
		}
	}
	return nil
}

// cleanJSON refuses a decoded JSON body any of whose strings is not clean
// text (encoding/json lets "\u0000" through, and turns bad bytes into
// U+FFFD, which is clean).
func cleanJSON(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return cleanJSON(v.Elem(), field)
		}
	case reflect.String:
		if !cleanText(v.String()) {
			return errBadText(field)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" {
				name = t.Field(i).Name
			}
			if err := cleanJSON(v.Field(i), name); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := cleanJSON(v.Index(i), field); err != nil {
				return err
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if err := cleanJSON(k, field); err != nil {
				return err
			}
			if err := cleanJSON(v.MapIndex(k), field); err != nil {
				return err
			}
		}
	}
	return nil
}
