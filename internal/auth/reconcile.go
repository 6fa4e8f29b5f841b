package auth

import (
	"context"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/meta"
)

// firstReconcile is how soon after start the reconciler first runs.
const firstReconcile = 10 * time.Second

// RunReconciler re-checks every account and every user's access every
// Options.ReconcileEvery (the first pass comes shortly after start) until
// ctx is done.
func (s *Service) RunReconciler(ctx context.Context) {
	interval := s.opt.ReconcileEvery
	t := time.NewTimer(min(firstReconcile, interval))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.Reconcile(ctx)
		t.Reset(interval)
	}
}

// Reconcile is one pass: each connected account's Page token is checked with
// a cheap Graph call that also tells whether the app is still installed on
// the Page (re-installing it when Meta dropped it); a token Meta refuses
// (Graph error 190) puts the account in needs_reconnect. Then each user's
// Page roles are re-read with their long-lived token, and expired sessions
// are swept. A passing check of an account on hold brings its probe forward
// (or lifts the hold when no reply waits). Meta's retryable answers prove
// nothing and are tried again on the next pass. Problems are logged and recorded, never returned.
func (s *Service) Reconcile(ctx context.Context) {
	accounts, err := s.store.ConnectedAccounts(ctx)
	if err != nil {
		s.log.Error("reconcile: listing accounts", "error", err)
		return
	}
	for _, a := range accounts {
		if ctx.Err() != nil {
			return
		}
		if !a.NeedsReconnect() {
			s.reconcileAccount(ctx, a)
		}
	}
	s.reconcileAccess(ctx)
	if n, err := s.store.DeleteExpiredSessions(ctx, s.now().Add(-IdleTimeout), s.now()); err != nil {
		s.log.Error("reconcile: sweeping sessions", "error", err)
	} else if n > 0 {
		s.log.Info("reconcile: expired sessions removed", "count", n)
	}
}

func (s *Service) reconcileAccount(ctx context.Context, a account.Account) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	pageID, tok, err := s.tokens.PageToken(ctx, a.ID)
	if err != nil {
		return // needs reconnect (recorded) or the account just went away
	}
	installed, err := s.meta.AppSubscribed(ctx, tok, pageID)
	if err == nil && !installed {
		s.log.Info("reconcile: app missing from page; subscribing again", "account_id", a.ID, "page_id", pageID)
		err = s.meta.SubscribeApp(ctx, tok, pageID, "feed")
		installed = err == nil
	}
	switch class := meta.Classify(err); {
	case class == meta.ClassNone:
		s.recordSubscription(ctx, a.ID, installed, "")
		s.checkPassed(ctx, a.ID)
	case class == meta.ClassToken:
		if err := s.tokens.MarkTokenFailed(ctx, a.ID, err); err != nil {
			s.log.Error("reconcile: marking token", "account_id", a.ID, "error", err)
		}
	case class.Retryable(): // try later, it proves nothing either way
		s.log.Warn("reconcile: Meta did not answer; next pass retries", "account_id", a.ID, "error", err)
		if err := s.store.MarkChecked(ctx, a.ID); err != nil {
			s.log.Error("reconcile: marking checked", "account_id", a.ID, "error", err)
		}
	default:
		s.log.Warn("reconcile: subscription refused", "account_id", a.ID, "error", err)
		s.recordSubscription(ctx, a.ID, false, subscriptionReason(err))
	}
}

// reconcileAccess re-reads each user's Page roles. A user token Meta refuses
// is dropped with the user's access: nothing vouches for their roles until
// they log in again.
func (s *Service) reconcileAccess(ctx context.Context) {
	toks, err := s.store.UserTokens(ctx)
	if err != nil {
		s.log.Error("reconcile: listing user tokens", "error", err)
		return
	}
	for _, ut := range toks {
		if ctx.Err() != nil {
			return
		}
		tok, err := s.sealer.OpenString(ut.Sealed, userTokenContext(ut.FacebookID))
		if err != nil {
			s.dropUser(ctx, ut.UserID, "stored token unreadable")
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		pages, err := s.meta.Accounts(cctx, tok)
		cancel()
		switch class := meta.Classify(err); {
		case class == meta.ClassNone:
			if err := s.store.RefreshAccess(ctx, ut.UserID, s.grants(pages, nil)); err != nil {
				s.log.Error("reconcile: refreshing access", "user_id", ut.UserID, "error", err)
			}
		case class == meta.ClassToken:
			s.dropUser(ctx, ut.UserID, err.Error())
		default:
			s.log.Warn("reconcile: reading a user's Pages failed; next pass retries", "user_id", ut.UserID, "error", err)
		}
	}
}

// holdSettle is how long a hold stands before a passing check of the
// account may test it: a check right after Meta's refusal proves nothing.
const holdSettle = time.Minute

// checkPassed tells a held account's hold that Meta's check of the account
// succeeded: a probe goes out now, or the hold lifts when nothing waits.
func (s *Service) checkPassed(ctx context.Context, accountID string) {
	if err := s.store.HoldCheckPassed(ctx, accountID, s.now().Add(-holdSettle)); err != nil {
		s.log.Error("hold check", "account_id", accountID, "error", err)
	}
}

func (s *Service) dropUser(ctx context.Context, userID int64, why string) {
	s.log.Warn("reconcile: user token no longer works; access removed until they log in", "user_id", userID, "why", why)
	if err := s.store.DropUserToken(ctx, userID); err != nil {
		s.log.Error("reconcile: dropping user token", "user_id", userID, "error", err)
	}
}
