package meta

import (
	"encoding/json"
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
