package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/markbates/goth"
	"github.com/markbates/goth/gothic"
	"golang.org/x/oauth2"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/store"
)

// LoginResult is a completed login.
type LoginResult struct {
	User     identity.User
	Accounts int      // accounts the user can reply on now
	Declined []string // needed permissions the user declined
}

// Login failures shown to people (apperr codes; the web layer maps a code
// to the login page's message).
var (
	ErrLoginState = apperr.New(apperr.Forbidden, "login_state",
		"Facebook did not confirm the login (the state did not match). Please try again.")
	ErrLoginExpired = apperr.New(apperr.Forbidden, "login_expired",
		"This login was started too long ago or in another browser. Please try again.")
	ErrLoginCancelled = apperr.New(apperr.Unauthorized, "login_cancelled",
		"The Facebook login was cancelled, so you are not logged in. Try again when you are ready.")
	ErrLoginRefused = apperr.New(apperr.Unauthorized, "login_refused",
		"Facebook did not accept the login. Please try again; if it keeps failing, log out of Facebook and back in.")
	ErrMetaUnavailable = apperr.New(apperr.Unavailable, "meta_unavailable",
		"Facebook is not answering right now. Please try again in a minute.")
)

// CompleteLogin finishes the OAuth dance on the callback request: it checks
// the state, exchanges the code, then exchanges the token for a long-lived
// one, discovers Pages, records the user and their access, and subscribes
// their Pages to webhooks. Failures are *apperr.Error values in plain words.
func (s *Service) CompleteLogin(w http.ResponseWriter, r *http.Request) (LoginResult, error) {
	if r.URL.Query().Get("error") != "" {
		_ = gothic.Logout(w, r)
		return LoginResult{}, ErrLoginCancelled
	}
	gu, err := gothic.CompleteUserAuth(w, gothic.GetContextWithProvider(r, ProviderName))
	if err != nil {
		return LoginResult{}, s.gothicError(err)
	}
	return s.finishLogin(r.Context(), gu)
}

// gothicError turns what gothic and x/oauth2 answer into a person's error.
// gothic's errors are plain strings, so they are matched here, once.
func (s *Service) gothicError(err error) error {
	err = meta.RedactURL(err) // goth reads the profile with the token in the URL
	var re *oauth2.RetrieveError
	switch {
	case err.Error() == "state token mismatch":
		return withCause(ErrLoginState, err)
	case err.Error() == "could not find a matching session for this request":
		return withCause(ErrLoginExpired, err)
	case errors.As(err, &re):
		if re.Response != nil && re.Response.StatusCode >= 500 {
			return withCause(ErrMetaUnavailable, err)
		}
		return withCause(ErrLoginRefused, err)
	case isNetwork(err):
		return withCause(ErrMetaUnavailable, err)
	}
	return withCause(ErrLoginRefused, err)
}

// metaError turns a Graph failure during login into a person's error.
func metaError(err error) error {
	if meta.Classify(err).Retryable() {
		return withCause(ErrMetaUnavailable, err)
	}
	return withCause(ErrLoginRefused, err)
}

func withCause(e *apperr.Error, cause error) *apperr.Error {
	c := *e
	c.Err = cause
	return &c
}

// finishLogin is everything after goth: long-lived token, permissions,
// Pages, the one store transaction, then subscriptions.
func (s *Service) finishLogin(ctx context.Context, gu goth.User) (LoginResult, error) {
	long, err := s.meta.ExchangeToken(ctx, gu.AccessToken)
	if err != nil {
		return LoginResult{}, metaError(err)
	}
	perms, err := s.meta.Permissions(ctx, long.AccessToken)
	if err != nil {
		return LoginResult{}, metaError(err)
	}
	declined := DeclinedNeeded(perms)
	pages, err := s.meta.Accounts(ctx, long.AccessToken)
	if err != nil {
		return LoginResult{}, metaError(err)
	}
	rec := store.LoginRecord{
		FacebookID: gu.UserID, Name: gu.Name, Email: gu.Email, AvatarURL: gu.AvatarURL,
		UserToken: s.sealer.SealString(long.AccessToken, userTokenContext(gu.UserID)),
		Declined:  declined, Grants: s.grants(pages, declined),
	}
	if long.ExpiresIn > 0 {
		rec.UserTokenExpires = s.now().Add(long.ExpiresIn)
	}
	if rec.Name == "" {
		rec.Name = "Facebook user " + gu.UserID
	}
	user, err := s.store.RecordLogin(ctx, rec)
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: complete login: %w", err)
	}
	res := LoginResult{User: user, Declined: declined}
	for _, p := range pages {
		if p.Instagram != nil && identity.CanReply(p.Tasks) {
			res.Accounts++
			s.subscribe(ctx, p)
		}
	}
	s.log.Info("login", "user_id", user.ID, "role", user.Role, "accounts", res.Accounts, "declined", declined)
	return res, nil
}

// grants keeps the Pages with a linked Instagram account and seals their
// tokens, bound to the Instagram account id.
func (s *Service) grants(pages []meta.Page, declined []string) []store.Grant {
	var out []store.Grant
	for _, p := range pages {
		if p.Instagram == nil {
			continue
		}
		g := store.Grant{
			Account: account.Account{
				ID: p.Instagram.ID, Username: p.Instagram.Username, Name: p.Instagram.Name,
				PictureURL: p.Instagram.PictureURL, PageID: p.ID, PageName: p.Name, MissingPermissions: declined,
			},
			Tasks: p.Tasks,
		}
		if identity.CanReply(p.Tasks) && p.AccessToken != "" {
			g.PageToken = s.sealer.SealString(p.AccessToken, pageTokenContext(p.Instagram.ID))
		}
		out = append(out, g)
	}
	return out
}

// subscribe makes sure the app is installed on a Page (reading
// subscribed_apps with the fresh Page token, installing it when missing)
// and records the result; a failure is shown on the accounts page and
// never fails the login.
func (s *Service) subscribe(ctx context.Context, p meta.Page) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	installed, err := s.meta.AppSubscribed(ctx, p.AccessToken, p.ID)
	if err == nil && !installed {
		if !identity.CanModerate(p.Tasks) {
			s.recordSubscription(ctx, p.Instagram.ID, false,
				"Webhooks are off for this Page, and turning them on needs someone with the Moderate task on it to log in.")
			return
		}
		err = s.meta.SubscribeApp(ctx, p.AccessToken, p.ID, "feed")
		installed = err == nil
	}
	s.recordSubscription(ctx, p.Instagram.ID, installed, subscriptionReason(err))
	if err != nil {
		s.log.Warn("subscribing page", "page_id", p.ID, "error", err)
		return
	}
	s.checkPassed(ctx, p.Instagram.ID) // a reconnect may have fixed what held the account
}

func (s *Service) recordSubscription(ctx context.Context, accountID string, ok bool, reason string) {
	if err := s.store.SetSubscription(ctx, accountID, ok, reason); err != nil {
		s.log.Error("recording subscription", "account_id", accountID, "error", err)
	}
}

// subscriptionReason says in plain words why subscribing failed.
func subscriptionReason(err error) string {
	switch class := meta.Classify(err); {
	case class == meta.ClassNone:
		return ""
	case class == meta.ClassToken:
		return "Facebook no longer accepts this account's access, so webhooks could not be turned on. Reconnect the account."
	case class.Retryable():
		return "Facebook did not answer when turning on webhooks; Replydesk will try again in a few minutes."
	}
	return "Facebook refused to turn on webhooks for this Page (the Moderate task and the pages_manage_metadata permission are needed)."
}

func pageTokenContext(accountID string) string  { return "page-token:" + accountID }
func userTokenContext(facebookID string) string { return "user-token:" + facebookID }

func isNetwork(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne)
}
