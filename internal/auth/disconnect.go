package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
)

// Disconnection is what disconnecting an account did.
type Disconnection struct {
	Account account.Account
	// Unsubscribed is true when Meta confirmed the app left the Page;
	// otherwise UnsubscribeProblem says what to do (Replydesk ignores the
	// account's webhooks either way).
	Unsubscribed       bool
	UnsubscribeProblem string
	RepliesStopped     int // queued or retrying replies that will not be sent
	Purged             int // comments deleted (with purge)
}

var (
	errAdminOnly = apperr.New(apperr.Forbidden, "admin_only",
		"Only admins can connect or disconnect accounts. Ask an admin on the Team page.")
	errNoAccount           = apperr.New(apperr.NotFound, "not_found", "That account does not exist.")
	errAlreadyDisconnected = apperr.New(apperr.Conflict, "already_disconnected",
		"This account is already disconnected.")
	errNotDisconnected = apperr.New(apperr.Conflict, "not_disconnected",
		"This account is connected; only a disconnected account can be connected again.")
)

// stoppedReason is the error of a reply an admin's disconnect stopped.
const stoppedReason = "Not sent: an admin disconnected this account before the reply went out."

// purgeBatch is how many comments one purge transaction deletes.
const purgeBatch = 500

// DisconnectAccount is an admin's disconnect: the app leaves the Page
// (webhooks stop), the Page token is forgotten, replies not yet sent are
// stopped, nobody can reach the account, and with purge its comments are
// deleted for good (they leave open inboxes at once). Logins no longer
// reconnect it; an admin connects it again (ReconnectAccount).
func (s *Service) DisconnectAccount(ctx context.Context, actor identity.User, accountID string, purge bool) (Disconnection, error) {
	if !actor.IsAdmin() {
		return Disconnection{}, errAdminOnly
	}
	a, err := s.store.Account(ctx, accountID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Disconnection{}, errNoAccount
	case err != nil:
		return Disconnection{}, fmt.Errorf("auth: disconnect %s: %w", accountID, err)
	case a.Disconnected():
		return Disconnection{}, errAlreadyDisconnected
	}
	out := Disconnection{Account: a}
	out.Unsubscribed, out.UnsubscribeProblem = s.unsubscribe(ctx, a)
	out.RepliesStopped, err = s.store.DisconnectAccount(ctx, a.ID, reply.KindStopped, stoppedReason)
	if errors.Is(err, store.ErrNotFound) {
		return Disconnection{}, errAlreadyDisconnected // another admin was quicker
	}
	if err != nil {
		return Disconnection{}, fmt.Errorf("auth: disconnect %s: %w", accountID, err)
	}
	for purge {
		n, err := s.store.PurgeAccountComments(ctx, a.ID, purgeBatch)
		if err != nil {
			return out, fmt.Errorf("auth: purge %s: %w", accountID, err)
		}
		out.Purged += n
		purge = n > 0
	}
	s.log.Info("account disconnected", "by", actor.ID, "account_id", a.ID, "unsubscribed", out.Unsubscribed,
		"replies_stopped", out.RepliesStopped, "comments_purged", out.Purged)
	return out, nil
}

// unsubscribe removes the app from the account's Page with its Page token.
func (s *Service) unsubscribe(ctx context.Context, a account.Account) (bool, string) {
	const fix = " Replydesk ignores its webhooks from now on; to stop them at Meta too, remove Replydesk from the Page in Meta Business Suite (Settings → Business integrations)."
	pageID, tok, err := s.tokens.PageToken(ctx, a.ID)
	if err != nil {
		return false, "Replydesk no longer holds a working Facebook access for this Page, so it could not turn webhooks off." + fix
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.meta.UnsubscribeApp(ctx, tok, pageID); err != nil {
		s.log.Warn("disconnect: unsubscribing page", "account_id", a.ID, "page_id", pageID, "error", err)
		return false, "Facebook did not confirm that webhooks for this Page are off." + fix
	}
	return true, ""
}

// ReconnectAccount lets a disconnected account be connected again: the next
// login by someone with the Messages task on its Page connects it.
func (s *Service) ReconnectAccount(ctx context.Context, actor identity.User, accountID string) error {
	if !actor.IsAdmin() {
		return errAdminOnly
	}
	err := s.store.ReconnectAccount(ctx, accountID,
		"Waiting for someone with the Messages task on its Facebook Page to log in with Facebook, which connects it again.")
	if errors.Is(err, store.ErrNotFound) {
		if _, aerr := s.store.Account(ctx, accountID); errors.Is(aerr, store.ErrNotFound) {
			return errNoAccount
		}
		return errNotDisconnected
	}
	if err != nil {
		return fmt.Errorf("auth: reconnect %s: %w", accountID, err)
	}
	s.log.Info("account may connect again", "by", actor.ID, "account_id", accountID)
	return nil
}
