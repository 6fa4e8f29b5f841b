package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/crypt"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/store"
)

// Tokens hands out decrypted Page tokens and records when one stops working.
// Webhook enrichment and reply sending use it; it is safe for concurrent use.
type Tokens struct {
	store  *store.Store
	sealer *crypt.Sealer
	log    *slog.Logger
}

// NewTokens makes a token source over the store's sealed tokens.
func NewTokens(st *store.Store, sealer *crypt.Sealer, log *slog.Logger) *Tokens {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Tokens{store: st, sealer: sealer, log: log}
}

// ErrNeedsReconnect is the person-facing refusal for an account whose token
// no longer works.
var ErrNeedsReconnect = apperr.New(apperr.Unprocessable, "needs_reconnect",
	"This account needs reconnecting: Facebook no longer accepts its access. Someone with a role on its Page should log in again with Facebook (Reconnect on the Accounts page).")

// PageToken answers the account's Page id and decrypted Page token. An
// account in needs_reconnect answers ErrNeedsReconnect (an *apperr.Error);
// an unknown one store.ErrNotFound.
func (t *Tokens) PageToken(ctx context.Context, accountID string) (pageID, token string, err error) {
	st, err := t.store.SealedPageToken(ctx, accountID)
	if err != nil {
		return "", "", fmt.Errorf("auth: page token of %s: %w", accountID, err)
	}
	if st.TokenState == account.TokenNeedsReconnect || len(st.Sealed) == 0 {
		return "", "", ErrNeedsReconnect
	}
	tok, err := t.sealer.OpenString(st.Sealed, pageTokenContext(accountID))
	if err != nil {
		// Sealed under another REPLYDESK_SECRET: only a new login can help.
		if merr := t.mark(ctx, accountID, "Replydesk cannot read the stored access (was REPLYDESK_SECRET changed?). Reconnect the account."); merr != nil {
			return "", "", merr
		}
		return "", "", ErrNeedsReconnect
	}
	return st.PageID, tok, nil
}

// MarkTokenFailed puts the account in needs_reconnect with the reason in
// plain words. It is idempotent: marking an account already marked changes
// nothing.
func (t *Tokens) MarkTokenFailed(ctx context.Context, accountID string, cause error) error {
	return t.mark(ctx, accountID, tokenReason(cause))
}

func (t *Tokens) mark(ctx context.Context, accountID, reason string) error {
	changed, err := t.store.MarkTokenFailed(ctx, accountID, reason)
	if err != nil {
		return fmt.Errorf("auth: mark token of %s failed: %w", accountID, err)
	}
	if changed {
		t.log.Warn("account needs reconnect", "account_id", accountID, "reason", reason)
	}
	return nil
}

// tokenReason says in plain words why Meta refused a token (Graph 190
// subcodes, meta-platform.md §4.2; 10/2534077, §10).
func tokenReason(err error) string {
	var me *meta.Error
	if errors.As(err, &me) {
		switch me.Subcode {
		case 2534077:
			return "Facebook asks this account to pass a security check (two-factor authentication or a login confirmation) before it sends messages. Complete it on Facebook or Instagram, then reconnect the account."
		case 460:
			return "Facebook ended this account's access (a password change or a security check). Reconnect the account."
		case 463, 467:
			return "This account's Facebook access expired. Reconnect the account."
		case 458:
			return "The Replydesk app was removed from Facebook for this Page. Reconnect the account."
		}
	}
	return "Facebook no longer accepts this account's access. Reconnect the account."
}
