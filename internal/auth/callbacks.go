package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/signedreq"
	"github.com/replydesk/replydesk/internal/store"
)

// Meta's deauthorize and data-deletion callbacks (meta-platform.md §10):
// Meta POSTs a signed_request naming the Facebook user, signed with the app
// secret. The signature is the only authentication.

// clockSkew is how far apart Meta's clock and ours may be.
const clockSkew = 5 * time.Minute

// ErrBadSignedRequest refuses a callback whose signed_request does not
// verify: nothing is changed.
var ErrBadSignedRequest = apperr.New(apperr.Invalid, "bad_signed_request",
	"The signed_request is missing, malformed or not signed with this app's secret, so nothing was changed.")

// revokedReason is why an account connected through a person who removed
// Replydesk from Facebook needs reconnecting.
const revokedReason = "The person whose Facebook login connected this account removed Replydesk from their Facebook account, so Meta ended its access. Someone with a role on its Page should reconnect it."

// Deauthorize handles Meta's deauthorize callback: the person removed the
// app, so their sessions, API tokens, access and Facebook tokens go (the
// accounts connected through them wait for a reconnect). A person
// Replydesk never knew is no error.
func (s *Service) Deauthorize(ctx context.Context, signedRequest string) error {
	p, err := s.verifySigned(signedRequest)
	if err != nil {
		return err
	}
	got, err := s.store.ForgetUser(ctx, store.Forget{FacebookID: p.UserID, ReconnectReason: revokedReason})
	if err != nil {
		return fmt.Errorf("auth: deauthorize: %w", err)
	}
	s.log.Info("meta deauthorized a user", "known", got.UserFound, "sessions", got.Sessions, "api_tokens", got.APITokens,
		"access", got.Access, "accounts_to_reconnect", got.Accounts)
	return nil
}

// DeleteData handles Meta's data-deletion callback: everything Deauthorize
// does, and the user record and their name on replies and templates go
// too. It answers the erasure, whose code Meta shows the person with the
// status page's URL.
func (s *Service) DeleteData(ctx context.Context, signedRequest string) (identity.Erasure, error) {
	p, err := s.verifySigned(signedRequest)
	if err != nil {
		return identity.Erasure{}, err
	}
	raw := make([]byte, 10)
	rand.Read(raw)
	e, err := s.store.ForgetUser(ctx, store.Forget{FacebookID: p.UserID, Erase: true, Code: hex.EncodeToString(raw),
		ReconnectReason: revokedReason})
	if err != nil {
		return identity.Erasure{}, fmt.Errorf("auth: delete data: %w", err)
	}
	s.log.Info("meta data deletion done", "code", e.Code, "known", e.UserFound, "sessions", e.Sessions,
		"api_tokens", e.APITokens, "access", e.Access, "replies", e.Replies)
	return e, nil
}

// ErrNoErasure is an unknown confirmation code.
var ErrNoErasure = apperr.New(apperr.NotFound, "not_found",
	"There is no data-deletion request with this confirmation code. Check the link Facebook gave you.")

// Erasure answers a recorded data-deletion request by its code.
func (s *Service) Erasure(ctx context.Context, code string) (identity.Erasure, error) {
	e, err := s.store.Erasure(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return identity.Erasure{}, ErrNoErasure
	}
	if err != nil {
		return identity.Erasure{}, fmt.Errorf("auth: erasure: %w", err)
	}
	return e, nil
}

// verifySigned checks a signed_request against the app secret. A request
// past its own expiry (with five minutes for clocks apart) is refused too.
func (s *Service) verifySigned(signed string) (signedreq.Payload, error) {
	p, err := signedreq.Parse(s.opt.AppSecret, signed)
	if err != nil {
		return signedreq.Payload{}, withCause(ErrBadSignedRequest, err)
	}
	if !p.Expires.IsZero() && s.now().After(p.Expires.Add(clockSkew)) {
		return signedreq.Payload{}, withCause(ErrBadSignedRequest, errors.New("signed_request expired"))
	}
	return p, nil
}
