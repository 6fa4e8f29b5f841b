// Package signedreq verifies Meta's signed_request, the form field Meta POSTs
// to an app's deauthorize and data-deletion callbacks: a base64url HMAC-SHA256
// signature, a dot, and a base64url JSON payload, signed with the app secret
// (meta-platform.md §10, "Data deletion / deauthorize callbacks").
package signedreq

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm Meta uses and Parse accepts.
const Algorithm = "HMAC-SHA256"

// MaxLen bounds the signed_request Parse reads; Meta's are a few hundred bytes.
const MaxLen = 16 << 10

// Sentinel errors; Parse wraps one of them, so test with errors.Is.
var (
	// ErrNoSecret means the app secret is empty, so nothing can be verified.
	ErrNoSecret = errors.New("signedreq: no app secret configured")
	// ErrMalformed means the value is not "<signature>.<payload>" in base64url.
	ErrMalformed = errors.New("signedreq: malformed signed_request")
	// ErrBadSignature means the signature does not match the payload and secret.
	ErrBadSignature = errors.New("signedreq: bad signature")
	// ErrAlgorithm means the payload names an algorithm other than HMAC-SHA256.
	ErrAlgorithm = errors.New("signedreq: unsupported algorithm")
	// ErrNoUser means the signed payload carries no user_id.
	ErrNoUser = errors.New("signedreq: payload has no user_id")
)

// Payload is the verified content of a signed_request.
type Payload struct {
	// Algorithm is "HMAC-SHA256".
	Algorithm string
	// UserID is the app-scoped Facebook user id the request is about.
	UserID string
	// IssuedAt is when Meta signed the request; zero when absent.
	IssuedAt time.Time
	// Expires is when the request stops being valid; zero when absent.
	Expires time.Time
	// Raw is the decoded JSON payload, for fields not modelled here.
	Raw json.RawMessage
}

// payloadJSON is the wire form; user_id and the times arrive as strings or
// numbers depending on the callback, so both are accepted.
type payloadJSON struct {
	Algorithm string          `json:"algorithm"`
	UserID    json.RawMessage `json:"user_id"`
	IssuedAt  json.RawMessage `json:"issued_at"`
	Expires   json.RawMessage `json:"expires"`
}

// Parse verifies signedRequest with appSecret and decodes its payload. The
// signature is checked, in constant time, before the payload is parsed.
// Base64url with or without '=' padding is accepted (implementers report
// padded signatures from Meta).
func Parse(appSecret, signedRequest string) (Payload, error) {
	if appSecret == "" {
		return Payload{}, ErrNoSecret
	}
	if len(signedRequest) > MaxLen {
		return Payload{}, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, MaxLen)
	}
	encSig, encPayload, ok := strings.Cut(strings.TrimSpace(signedRequest), ".")
	if !ok || encSig == "" || encPayload == "" || strings.Contains(encPayload, ".") {
		return Payload{}, fmt.Errorf("%w: want <signature>.<payload>", ErrMalformed)
	}
	sig, err := decode(encSig)
	if err != nil {
		return Payload{}, fmt.Errorf("%w: signature: %w", ErrMalformed, err)
	}
	raw, err := decode(encPayload)
	if err != nil {
		return Payload{}, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	// Meta signs the payload exactly as encoded on the wire (padding
	// included, if any), so the MAC is over the received text.
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte(encPayload))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return Payload{}, ErrBadSignature
	}
	var pj payloadJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&pj); err != nil {
		return Payload{}, fmt.Errorf("%w: payload JSON: %w", ErrMalformed, err)
	}
	if !strings.EqualFold(pj.Algorithm, Algorithm) {
		return Payload{}, fmt.Errorf("%w: %q", ErrAlgorithm, pj.Algorithm)
	}
	p := Payload{Algorithm: Algorithm, Raw: json.RawMessage(raw)}
	if p.UserID, err = stringOrNumber(pj.UserID); err != nil {
		return Payload{}, fmt.Errorf("%w: user_id: %w", ErrMalformed, err)
	}
	if p.UserID == "" {
		return Payload{}, ErrNoUser
	}
	if p.IssuedAt, err = unixTime(pj.IssuedAt); err != nil {
		return Payload{}, fmt.Errorf("%w: issued_at: %w", ErrMalformed, err)
	}
	if p.Expires, err = unixTime(pj.Expires); err != nil {
		return Payload{}, fmt.Errorf("%w: expires: %w", ErrMalformed, err)
	}
	return p, nil
}

// Sign makes a signed_request for payload as Meta does (unpadded base64url
// for both parts). It exists for tests of the app's callbacks.
func Sign(appSecret string, payload []byte) string {
	enc := base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte(enc))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) + "." + enc
}

// decode reads base64url with or without padding.
func decode(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// stringOrNumber reads a JSON string or integer as a string; absent is "".
func stringOrNumber(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", errors.New("not a string or number")
	}
	if _, err := strconv.ParseUint(n.String(), 10, 64); err != nil {
		return "", errors.New("not an integer")
	}
	return n.String(), nil
}

// unixTime reads unix seconds given as a number or a numeric string.
func unixTime(raw json.RawMessage) (time.Time, error) {
	s, err := stringOrNumber(raw)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, errors.New("not unix seconds")
	}
	return time.Unix(n, 0).UTC(), nil
}
