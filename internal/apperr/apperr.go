// Package apperr is the small vocabulary of failures that reach a person:
// each carries a kind (which decides the HTTP status), a stable code for the
// JSON API, and a message in plain words that says what to do next.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies a failure.
type Kind int

// The kinds of failure, each mapped to one HTTP status by the web layer.
const (
	Invalid       Kind = iota + 1 // 400: the request itself is malformed
	Unauthorized                  // 401: not logged in
	Forbidden                     // 403: logged in, not allowed
	NotFound                      // 404
	Conflict                      // 409: the state changed under the request
	Unprocessable                 // 422: well-formed but refused by a rule
	Unavailable                   // 503: a dependency is down; try again
	TooLarge                      // 413: the request body is over the route's cap
)

// Error is a failure meant to be shown.
type Error struct {
	Kind    Kind
	Code    string // stable, snake_case, e.g. "reply_too_long"
	Message string // plain words and the next step
	Field   string // the form field at fault, when there is one
	Err     error  // the cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an Error.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Field makes an Unprocessable error about one form field.
func Field(field, code, message string) *Error {
	return &Error{Kind: Unprocessable, Code: code, Message: message, Field: field}
}

// Param makes an Invalid error (400) about one query or path parameter.
func Param(name, code, message string) *Error {
	return &Error{Kind: Invalid, Code: code, Message: message, Field: name}
}

// BadText is the refusal (400) of a parameter or field whose text is not
// UTF-8 or holds a NUL byte; label names it for a person ("The search
// text").
func BadText(field, label string) *Error {
	return Param(field, "bad_parameter", label+
		" holds a character Replydesk does not accept (a NUL byte, or bytes that are not UTF-8 text). Remove it and try again.")
}

// As finds an *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Fields lists every *Error naming a field in err, joined errors
// (errors.Join) included, in order: a form or an API answer can name every
// problem at once, not only the first.
func Fields(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if e, ok := err.(*Error); ok && e.Field != "" {
			out = append(out, e)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}
