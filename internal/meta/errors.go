package meta

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Error is Meta's error JSON: {"error":{"message","type","code","error_subcode",
// "is_transient","fbtrace_id"}} plus the HTTP status it came with.
type Error struct {
	HTTPStatus int
	Code       int
	Subcode    int
	Type       string
	Message    string
	Transient  bool
	TraceID    string
	Usage      Usage // the usage headers that came with it
}

func (e *Error) Error() string {
	s := fmt.Sprintf("meta: graph error %d", e.Code)
	if e.Subcode != 0 {
		s += fmt.Sprintf("/%d", e.Subcode)
	}
	return s + fmt.Sprintf(" (HTTP %d, fbtrace_id %s): %s", e.HTTPStatus, e.TraceID, e.Message)
}

func parseError(status int, raw []byte, usage Usage) error {
	var body struct {
		Error struct {
			Message   string `json:"message"`
			Type      string `json:"type"`
			Code      int    `json:"code"`
			Subcode   int    `json:"error_subcode"`
			Transient bool   `json:"is_transient"`
			TraceID   string `json:"fbtrace_id"`
		} `json:"error"`
	}
	e := &Error{HTTPStatus: status, Usage: usage}
	if json.Unmarshal(raw, &body) == nil && (body.Error.Code != 0 || body.Error.Message != "") {
		b := body.Error
		e.Code, e.Subcode, e.Type, e.Message, e.Transient, e.TraceID = b.Code, b.Subcode, b.Type, b.Message, b.Transient, b.TraceID
		return e
	}
	// Not Meta's JSON (a proxy's error page, say): keep the status only.
	e.Message = http.StatusText(status)
	e.Transient = status >= 500
	return e
}

// Class is what a caller should do about a failed call (meta-platform.md §4.5).
type Class int

// The classes of failure.
const (
	ClassNone      Class = iota // not an error
	ClassTransient              // retry with backoff
	ClassThrottled              // rate limited: wait as the usage headers say, then retry
	ClassToken                  // token expired or invalid: the account needs reconnecting
	ClassPause                  // permission or policy problem: stop sending for the Page, a human must act
	ClassWindow                 // outside the reply window (7 days over, or the Live broadcast ended)
	ClassReplied                // Meta already holds a private reply to this comment
	ClassPermanent              // this request will never succeed as it is
)

func (c Class) String() string {
	return [...]string{"none", "transient", "throttled", "token", "pause", "window", "replied", "permanent"}[c]
}

// rule maps a (code, subcode) to a class; subcode 0 matches any subcode.
// ONE table, so that a corrected code is a one-line change. Sources and
// uncertainty: meta-platform.md §4.2–4.5.
type rule struct {
	code, subcode int
	class         Class
}

var rules = []rule{
	{10, 2534022, ClassWindow},   // "sent outside of allowed window" (IG: 7 days over or Live ended) — unverified
	{10, 2018278, ClassWindow},   // Messenger flavour of the same
	{100, 2534025, ClassReplied}, // "comment is invalid for a private reply": reported as "already replied" — unverified
	{10900, 0, ClassReplied},     // Facebook: "Activity already replied to"
	{10, 1893063, ClassPause},    // Page temporarily restricted from sending
	{1, 0, ClassTransient},       // API unknown, possibly temporary
	{2, 0, ClassTransient},       // API service, temporary
	{4, 0, ClassThrottled},       // app-level rate limit
	{17, 0, ClassThrottled},      // user-level rate limit
	{32, 0, ClassThrottled},      // Pages request limit
	{613, 0, ClassThrottled},     // custom rate limit (where the 750/h private-reply cap is expected)
	{341, 0, ClassThrottled},     // application limit reached
	{2018300, 0, ClassTransient}, // another app controls the thread (handover): retry later
	{2018321, 0, ClassTransient}, // same
	{190, 0, ClassToken},         // access token expired or invalid
	{102, 0, ClassToken},         // session invalid
	{3, 0, ClassPause},           // capability missing for this call (wrong node, app setup)
	{368, 0, ClassPause},         // temporarily blocked for policy violations
	{100, 0, ClassPermanent},     // invalid parameter or object
	{551, 0, ClassPermanent},     // person unavailable
	{10, 0, ClassPermanent},      // not allowed
}

// Classify says what to do about err. Network errors and 5xx are transient;
// permission codes 200–299 pause the Page; throttling codes 80001–80014 wait.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	if IsNetError(err) {
		return ClassTransient
	}
	var e *Error
	if !errors.As(err, &e) {
		return ClassTransient
	}
	for _, r := range rules {
		if r.code == e.Code && (r.subcode == 0 || r.subcode == e.Subcode) {
			return r.class
		}
		if r.subcode == 0 && e.Subcode == r.code && (r.code == 2018300 || r.code == 2018321) {
			return r.class
		}
	}
	switch {
	case e.Code >= 200 && e.Code <= 299:
		return ClassPause
	case e.Code >= 80001 && e.Code <= 80014:
		return ClassThrottled
	case e.Transient || e.HTTPStatus >= 500:
		return ClassTransient
	}
	return ClassPermanent
}

// IsTokenError reports whether err means the token no longer works.
func IsTokenError(err error) bool { return Classify(err) == ClassToken }
