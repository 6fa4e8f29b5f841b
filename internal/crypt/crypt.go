// Package crypt derives Replydesk's keys from REPLYDESK_SECRET and seals
// small secrets (Page access tokens) with AES-256-GCM. Every purpose gets its
// own key through HKDF-SHA256, so a key used for cookies never opens a token.
package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Key purposes: the HKDF info strings. Changing one changes that key, which
// makes everything sealed with the old key unreadable.
const (
	PurposePageTokens  = "page-tokens"
	PurposeCookieHash  = "cookie-hash"
	PurposeCookieBlock = "cookie-block"
	PurposeWebhooks    = "webhook-secrets"
)

// salt is fixed and public: HKDF's secret is the operator's REPLYDESK_SECRET,
// and the salt only separates Replydesk's keys from other uses of it.
var salt = []byte("replydesk/v1")

// ErrOpen is returned when sealed data cannot be opened: it was sealed with
// another key (REPLYDESK_SECRET changed), for another record, or altered.
var ErrOpen = errors.New("crypt: cannot open sealed data (wrong key, other record, or altered)")

// DeriveKey derives an n-byte key for purpose from secret.
func DeriveKey(secret, purpose string, n int) ([]byte, error) {
	if secret == "" {
		return nil, errors.New("crypt: empty secret")
	}
	k, err := hkdf.Key(sha256.New, []byte(secret), salt, "replydesk "+purpose, n)
	if err != nil {
		return nil, fmt.Errorf("crypt: derive %s key: %w", purpose, err)
	}
	return k, nil
}

// Keys are every key Replydesk derives from its secret.
type Keys struct {
	PageTokens  *Sealer // seals Page and user access tokens at rest
	CookieHash  []byte  // 64 bytes: signs gothic's OAuth cookie (HMAC-SHA256)
	CookieBlock []byte  // 32 bytes: encrypts gothic's OAuth cookie (AES-256)
	Webhooks    *Sealer // seals outbound webhooks' signing secrets at rest
}

// NewKeys derives all keys from secret.
func NewKeys(secret string) (Keys, error) {
	tok, err := DeriveKey(secret, PurposePageTokens, 32)
	if err != nil {
		return Keys{}, err
	}
	sealer, err := NewSealer(tok)
	if err != nil {
		return Keys{}, err
	}
	hash, err := DeriveKey(secret, PurposeCookieHash, 64)
	if err != nil {
		return Keys{}, err
	}
	block, err := DeriveKey(secret, PurposeCookieBlock, 32)
	if err != nil {
		return Keys{}, err
	}
	hooks, err := DeriveKey(secret, PurposeWebhooks, 32)
	if err != nil {
		return Keys{}, err
	}
	hookSealer, err := NewSealer(hooks)
	if err != nil {
		return Keys{}, err
	}
	return Keys{PageTokens: sealer, CookieHash: hash, CookieBlock: block, Webhooks: hookSealer}, nil
}

// Sealer encrypts and authenticates with AES-256-GCM and a random nonce per
// message. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer makes a Sealer from a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("crypt: key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("crypt: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("crypt: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext bound to context (for example the record's id, so
// a sealed value copied to another record does not open). The result is
// nonce || ciphertext || tag.
func (s *Sealer) Seal(plaintext []byte, context string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	rand.Read(nonce) // never fails (crypto/rand panics on a broken system)
	return s.aead.Seal(nonce, nonce, plaintext, []byte(context))
}

// Open decrypts what Seal produced for the same context; ErrOpen otherwise.
func (s *Sealer) Open(sealed []byte, context string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrOpen
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// SealString seals a string; OpenString reverses it.
func (s *Sealer) SealString(plaintext, context string) []byte {
	return s.Seal([]byte(plaintext), context)
}

// OpenString opens a sealed string.
func (s *Sealer) OpenString(sealed []byte, context string) (string, error) {
	b, err := s.Open(sealed, context)
	return string(b), err
}
