package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/store"
)

// ErrNoToken means a bearer token names no live API token (malformed,
// unknown, revoked, or its user is gone).
var ErrNoToken = errors.New("auth: no such API token")

var (
	errTooManyTokens = apperr.New(apperr.Unprocessable, "too_many_tokens",
		fmt.Sprintf("You already have %d API tokens. Revoke one you no longer use first.", identity.MaxAPITokens))
	errNoSuchToken = apperr.New(apperr.NotFound, "not_found", "That token does not exist (it may already be revoked).")
)

// CreateAPIToken makes a personal API token for userID and answers it with
// the token's value, which exists only in this answer: only its hash is
// stored.
func (s *Service) CreateAPIToken(ctx context.Context, userID int64, name string) (identity.APIToken, string, error) {
	name, err := identity.CheckTokenName(name)
	if err != nil {
		return identity.APIToken{}, "", err
	}
	value := identity.APITokenPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	t := identity.APIToken{UserID: userID, Name: name, Hint: value[len(value)-4:]}
	t, err = s.store.CreateAPIToken(ctx, t, tokenHash(value), identity.MaxAPITokens)
	if errors.Is(err, store.ErrTooMany) {
		return identity.APIToken{}, "", errTooManyTokens
	}
	if err != nil {
		return identity.APIToken{}, "", fmt.Errorf("auth: create API token: %w", err)
	}
	s.log.Info("API token created", "user_id", userID, "token_id", t.ID)
	return t, value, nil
}

// APITokens lists a user's tokens, newest first.
func (s *Service) APITokens(ctx context.Context, userID int64) ([]identity.APIToken, error) {
	ts, err := s.store.APITokens(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: API tokens: %w", err)
	}
	return ts, nil
}

// RevokeAPIToken deletes one of the user's tokens: it stops working at once.
func (s *Service) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	err := s.store.DeleteAPIToken(ctx, userID, id)
	if errors.Is(err, store.ErrNotFound) {
		return errNoSuchToken
	}
	if err != nil {
		return fmt.Errorf("auth: revoke API token: %w", err)
	}
	s.log.Info("API token revoked", "user_id", userID, "token_id", id)
	return nil
}

// TokenUser answers the user a bearer token acts as, or ErrNoToken.
func (s *Service) TokenUser(ctx context.Context, value string) (identity.User, error) {
	if !strings.HasPrefix(value, identity.APITokenPrefix) || len(value) > 100 {
		return identity.User{}, ErrNoToken
	}
	t, err := s.store.APITokenByHash(ctx, tokenHash(value))
	if errors.Is(err, store.ErrNotFound) {
		return identity.User{}, ErrNoToken
	}
	if err != nil {
		return identity.User{}, fmt.Errorf("auth: API token: %w", err)
	}
	u, err := s.store.User(ctx, t.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return identity.User{}, ErrNoToken
	}
	if err != nil {
		return identity.User{}, fmt.Errorf("auth: API token user: %w", err)
	}
	if now := s.now(); now.Sub(t.LastUsedAt) >= touchEvery {
		if err := s.store.TouchAPIToken(ctx, t, now); err != nil {
			s.log.Warn("touching API token", "error", err) // the request still counts
		}
	}
	return u, nil
}

// tokenHash is what is stored of a token: its SHA-256. The token carries
// 256 random bits, so a fast hash is enough.
func tokenHash(value string) []byte {
	sum := sha256.Sum256([]byte(value))
	return sum[:]
}
