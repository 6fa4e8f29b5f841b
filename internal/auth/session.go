package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/store"
)

// Session lifetimes (the cookie itself is a session cookie of the browser
// plus these server-side limits).
const (
	SessionCookie   = "replydesk_session"
	IdleTimeout     = 7 * 24 * time.Hour  // sliding: each visit extends it
	AbsoluteTimeout = 30 * 24 * time.Hour // from login, whatever the activity
	touchEvery      = time.Minute         // last_seen_at is written at most this often
)

// ErrNoSession means the cookie names no live session (missing, unknown,
// idle too long or past its absolute expiry).
var ErrNoSession = errors.New("auth: no session")

// NewSession is a session just started: the cookie value to set and the
// session's CSRF token.
type NewSession struct {
	Cookie  string
	CSRF    string
	Expires time.Time
}

// StartSession creates a session for userID.
func (s *Service) StartSession(ctx context.Context, userID int64) (NewSession, error) {
	raw := randomBytes(32)
	now := s.now().UTC()
	sess := identity.Session{
		IDHash: hashID(raw), UserID: userID, CSRF: base64.RawURLEncoding.EncodeToString(randomBytes(32)),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(AbsoluteTimeout),
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return NewSession{}, fmt.Errorf("auth: start session: %w", err)
	}
	return NewSession{Cookie: base64.RawURLEncoding.EncodeToString(raw), CSRF: sess.CSRF, Expires: sess.ExpiresAt}, nil
}

// Session answers the live session a cookie value names and its user, and
// slides the idle expiry. ErrNoSession when there is none.
func (s *Service) Session(ctx context.Context, cookie string) (identity.Session, identity.User, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil || len(raw) != 32 {
		return identity.Session{}, identity.User{}, ErrNoSession
	}
	sess, err := s.store.Session(ctx, hashID(raw))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return identity.Session{}, identity.User{}, ErrNoSession
	case err != nil:
		return identity.Session{}, identity.User{}, fmt.Errorf("auth: session: %w", err)
	}
	now := s.now()
	if now.Sub(sess.LastSeenAt) > IdleTimeout || !now.Before(sess.ExpiresAt) {
		if err := s.store.DeleteSession(ctx, sess.IDHash); err != nil {
			s.log.Error("deleting expired session", "error", err)
		}
		return identity.Session{}, identity.User{}, ErrNoSession
	}
	user, err := s.store.User(ctx, sess.UserID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return identity.Session{}, identity.User{}, ErrNoSession
	case err != nil:
		return identity.Session{}, identity.User{}, fmt.Errorf("auth: session user: %w", err)
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.store.TouchSession(ctx, sess.IDHash, sess.UserID, now); err != nil {
			s.log.Warn("touching session", "error", err) // the visit still counts as logged in
		}
	}
	return sess, user, nil
}

// EndSession deletes the session a cookie value names (logout).
func (s *Service) EndSession(ctx context.Context, cookie string) error {
	raw, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil || len(raw) != 32 {
		return nil
	}
	if err := s.store.DeleteSession(ctx, hashID(raw)); err != nil {
		return fmt.Errorf("auth: end session: %w", err)
	}
	return nil
}

func hashID(raw []byte) []byte {
	sum := sha256.Sum256(raw)
	return sum[:]
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics on a broken system)
	return b
}
