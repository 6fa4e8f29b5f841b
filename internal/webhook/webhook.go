// Package webhook checks and parses Meta's Instagram webhook deliveries
// (meta-platform.md §1–2). It is pure: the caller reads the raw body, Verify
// checks its signature, and only then does Parse look inside.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"hash"
	"strings"
	"sync"
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
// body bytes, in constant time. It keys a new HMAC on every call; a
// Verifier keeps the keyed state and allocates nothing, for hot paths.
func Verify(appSecret string, body []byte, header string) error {
	want, err := parseSignature(header)
	if err != nil {
		return err
	}
	var m macState
	m.mac = hmac.New(sha256.New, []byte(appSecret))
	return m.check(body, &want)
}

// Verifier checks signatures made with one app secret. It is safe for
// concurrent use, and reuses keyed HMAC states so that a check allocates
// nothing.
type Verifier struct {
	pool sync.Pool // of *macState
}

// NewVerifier makes a Verifier for appSecret.
func NewVerifier(appSecret string) *Verifier {
	key := []byte(appSecret)
	return &Verifier{pool: sync.Pool{New: func() any {
		return &macState{mac: hmac.New(sha256.New, key)}
	}}}
}

// Verify is the package's Verify with the Verifier's secret.
func (v *Verifier) Verify(body []byte, header string) error {
	want, err := parseSignature(header)
	if err != nil {
		return err
	}
	m := v.pool.Get().(*macState)
	defer v.pool.Put(m)
	m.mac.Reset()
	return m.check(body, &want)
}

// macState is a keyed HMAC and room for its sum.
type macState struct {
	mac hash.Hash
	sum [sha256.Size]byte
}

func (m *macState) check(body []byte, want *[sha256.Size]byte) error {
	m.mac.Write(body)
	if !hmac.Equal(m.mac.Sum(m.sum[:0]), want[:]) {
		return ErrBadSignature
	}
	return nil
}

// parseSignature reads "sha256=<64 hex digits>" (either case of hex).
func parseSignature(header string) (sig [sha256.Size]byte, err error) {
	if header == "" {
		return sig, ErrNoSignature
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(hexSig) != sha256.Size*2 {
		return sig, ErrMalformedSignature
	}
	for i := range sig {
		hi, ok1 := fromHex(hexSig[2*i])
		lo, ok2 := fromHex(hexSig[2*i+1])
		if !ok1 || !ok2 {
			return sig, ErrMalformedSignature
		}
		sig[i] = hi<<4 | lo
	}
	return sig, nil
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
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
