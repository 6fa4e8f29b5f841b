// Package webhook checks and parses Meta's Instagram webhook deliveries
// (meta-platform.md §1–2). It is pure: the caller reads the raw body, Verify
// checks its signature, and only then does Parse look inside.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strings"
)

// SignatureHeader carries the HMAC-SHA256 of the body, keyed with the app secret.
const SignatureHeader = "X-Hub-Signature-256"

// Signature errors; all of them mean "reject with 401, store nothing".
var (
	ErrNoSignature        = errors.New("webhook: missing X-Hub-Signature-256")
	ErrMalformedSignature = errors.New("webhook: malformed X-Hub-Signature-256 (want sha256=<64 hex digits>)")
	ErrBadSignature       = errors.New("webhook: signature does not match the body")
)

// Verify checks header (the X-Hub-Signature-256 value) against the exact
// body bytes, in constant time.
func Verify(appSecret string, body []byte, header string) error {
	if header == "" {
		return ErrNoSignature
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(hexSig) != sha256.Size*2 {
		return ErrMalformedSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return ErrMalformedSignature
	}
	if !hmac.Equal(got, Sign(appSecret, body)) {
		return ErrBadSignature
	}
	return nil
}

// Sign is the raw HMAC-SHA256 of body keyed with appSecret.
func Sign(appSecret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return m.Sum(nil)
}

// VerifyChallenge answers Meta's subscription handshake: the challenge to
// echo back, and whether mode and token are right (constant-time compare).
func VerifyChallenge(mode, token, challenge, wantToken string) (string, bool) {
	if mode != "subscribe" || wantToken == "" || challenge == "" {
		return "", false
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(wantToken)) != 1 {
		return "", false
	}
	return challenge, true
}
