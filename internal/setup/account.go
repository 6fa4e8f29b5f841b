package setup

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/meta"
)

// The permissions private replies cannot work without, and those Replydesk
// asks for to be safe (meta-platform.md §6.2, §10).
var (
	requiredPermissions = []string{"instagram_basic", "instagram_manage_comments", "pages_show_list",
		"pages_read_engagement", "pages_manage_metadata", "pages_messaging"}
	reconnectFix = "Someone with the Messages task on the Page logs in to Replydesk with Facebook (Reconnect on the Accounts page)."
)

// account checks one connected account.
func (c *Checker) account(ctx context.Context, a account.Account) Section {
	s := Section{Title: "@" + a.Username, AccountID: a.ID}
	pageID, tok, err := c.tokens.PageToken(ctx, a.ID)
	var info meta.TokenInfo
	var infoErr error
	if err == nil {
		info, infoErr = c.graph.DebugToken(ctx, tok)
	}
	access := c.checkToken(a, err, info, infoErr)
	s.Checks = append(s.Checks, access)
	if access.Status == Fail || access.Status == Unknown {
		skip := "Not checked: Replydesk has no working access to this account."
		s.Checks = append(s.Checks,
			Check{Key: "page_subscription", Title: "Webhooks are on for the Page", Status: Unknown, Found: skip},
			Check{Key: "permissions", Title: "Permissions", Status: Unknown, Found: skip},
			Check{Key: "data_access", Title: "Meta's 90-day data access", Status: Unknown, Found: skip})
	} else {
		installed, subErr := c.graph.AppSubscribed(ctx, tok, pageID)
		s.Checks = append(s.Checks, c.checkPageSubscription(a, installed, subErr), checkPermissions(info), c.checkDataAccess(info))
	}
	s.Checks = append(s.Checks, c.checkActivity(ctx, a))
	return s
}

func (c *Checker) checkToken(a account.Account, tokErr error, info meta.TokenInfo, infoErr error) Check {
	ch := Check{Key: "token", Title: "Facebook access"}
	if ae, ok := apperr.As(tokErr); ok && ae.Code == "needs_reconnect" {
		ch.Status, ch.Found, ch.Fix = Fail, "Needs reconnecting. "+a.TokenError, reconnectFix
		return ch
	}
	switch {
	case tokErr != nil:
		ch.Status, ch.Found = Unknown, "Replydesk could not read its stored access."
	case infoErr != nil:
		ch.Status, ch.Found = Unknown, "Meta did not answer about the access: "+infoErr.Error()+"."
	case !info.Valid:
		ch.Status, ch.Found, ch.Fix = Fail, "Meta says the access no longer works: "+info.ErrorMessage, reconnectFix
	case info.ExpiresAt.IsZero():
		ch.Status, ch.Found = OK, "Works, and never expires (a Page token)."
	case info.ExpiresAt.Sub(c.opt.Now()) < 7*24*time.Hour:
		ch.Status, ch.Found = Warn, "Works, but expires on "+dateOf(info.ExpiresAt)+"."
		ch.Fix = reconnectFix + " A login exchanges it for one that does not expire."
	default:
		ch.Status, ch.Found = OK, "Works until "+dateOf(info.ExpiresAt)+"."
	}
	return ch
}

func (c *Checker) checkPageSubscription(a account.Account, installed bool, err error) Check {
	ch := Check{Key: "page_subscription", Title: "Webhooks are on for the Page"}
	switch {
	case err != nil:
		ch.Status, ch.Found = Unknown, "Meta did not answer: "+err.Error()+"."
	case installed:
		ch.Status, ch.Found = OK, "Replydesk is subscribed to the Page "+a.PageName+"."
	default:
		ch.Status, ch.Found = Fail, "Replydesk is not subscribed to the Page "+a.PageName+", so Meta sends no comments for @"+a.Username+"."
		ch.Fix = fmt.Sprintf("Meta removes the subscription after an hour of failed deliveries (the \"Webhooks Disabled\" "+
			"alert in the App Dashboard) or when someone removes the app from the Page. Fix the address checks above first; "+
			"Replydesk subscribes again within %s when someone with the Moderate task on the Page has logged in "+
			"(with pages_manage_metadata granted).", c.opt.ReconcileEach)
	}
	return ch
}

func checkPermissions(info meta.TokenInfo) Check {
	ch := Check{Key: "permissions", Title: "Permissions"}
	var missing, optional []string
	for _, p := range meta.Scopes() {
		if info.HasScope(p) {
			continue
		}
		if slices.Contains(requiredPermissions, p) {
			missing = append(missing, p)
		} else {
			optional = append(optional, p)
		}
	}
	fix := "Log in to Replydesk with Facebook and grant them (Accounts → Grant permissions again). With Facebook Login " +
		"for Business, add them to the configuration in App Dashboard → Facebook Login for Business → Configurations. " +
		"People without a role on the app also need Advanced Access to them (App Review)."
	switch {
	case len(missing) > 0:
		ch.Status, ch.Found, ch.Fix = Fail, "Not granted: "+strings.Join(missing, ", ")+".", fix
	case len(optional) > 0:
		ch.Status, ch.Found, ch.Fix = Warn, "Everything private replies need is granted; not granted: "+strings.Join(optional, ", ")+
			" (needed for Pages owned through a Business portfolio).", fix
	default:
		ch.Status, ch.Found = OK, "Every permission Replydesk asks for is granted."
	}
	return ch
}

func (c *Checker) checkDataAccess(info meta.TokenInfo) Check {
	ch := Check{Key: "data_access", Title: "Meta's 90-day data access"}
	end, now := info.DataAccessExpiresAt, c.opt.Now()
	fix := "Someone with the Messages task on the Page logs in to Replydesk with Facebook before then: every login renews it."
	switch {
	case end.IsZero():
		ch.Status, ch.Found = OK, "Meta reports no end."
	case !now.Before(end):
		ch.Status, ch.Found, ch.Fix = Fail, "Ended on "+dateOf(end)+": Meta no longer lets Replydesk read or answer for this account.", reconnectFix
	case end.Sub(now) < 14*24*time.Hour:
		ch.Status, ch.Found, ch.Fix = Warn, "Ends on "+dateOf(end)+".", fix
	default:
		ch.Status, ch.Found = OK, "Runs until "+dateOf(end)+"."
	}
	return ch
}

// checkActivity looks at when webhooks last came for the account, and
// whether comments arrived since only through the periodic catch-up: the
// sign that Meta stopped sending.
func (c *Checker) checkActivity(ctx context.Context, a account.Account) Check {
	ch := Check{Key: "webhook_activity", Title: "Comments arrive by webhook"}
	now := c.opt.Now()
	week := now.Add(-7 * 24 * time.Hour)
	stopped := "Meta stops sending after an hour of failed deliveries (\"Webhooks Disabled\" in the App Dashboard). " +
		"Fix the checks above that fail, re-verify the callback in App Dashboard → Webhooks → Instagram, and " +
		"Replydesk subscribes the Page again by itself."
	if a.LastWebhookAt.IsZero() {
		if now.Sub(a.ConnectedAt) < time.Hour {
			ch.Status, ch.Found = OK, "No comment has arrived yet; the account was connected "+ago(now.Sub(a.ConnectedAt))+"."
			return ch
		}
		ch.Status, ch.Found = Warn, "No webhook has arrived for @"+a.Username+" since it was connected."
		ch.Fix = "Comment on one of its posts from another Instagram account. If nothing arrives: the app must be Live " +
			"with Advanced Access for instagram_manage_comments, the Instagram account must be public, and the checks above must pass."
		return ch
	}
	since := now.Sub(a.LastWebhookAt)
	missed, err := c.st.CommentsReceived(ctx, a.ID, a.LastWebhookAt.Add(-7*24*time.Hour), a.LastWebhookAt)
	if err != nil {
		ch.Status, ch.Found = Unknown, "Replydesk could not count recent comments."
		return ch
	}
	if missed > 0 && since > time.Hour {
		ch.Status, ch.Fix = Fail, stopped
		ch.Found = fmt.Sprintf("The last webhook came %s; since then %d comments arrived only through Replydesk's periodic catch-up.", ago(since), missed)
		return ch
	}
	weekly, err := c.st.CommentsReceived(ctx, a.ID, week, week)
	if err == nil && weekly >= 20 {
		gap := 7 * 24 * time.Hour / time.Duration(weekly)
		if since > max(2*time.Hour, 8*gap) {
			ch.Status, ch.Fix = Warn, stopped
			ch.Found = fmt.Sprintf("The last webhook came %s, while @%s usually gets a comment every %s: Meta may have stopped sending.",
				ago(since), a.Username, span(gap))
			return ch
		}
	}
	ch.Status, ch.Found = OK, "The last webhook came "+ago(since)+"."
	return ch
}

// ago says how long ago, in words.
func ago(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute ago"
	}
	return span(d) + " ago"
}

// span says a duration in words: "12 min", "3 h", "2 days".
func span(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", max(1, int(d/time.Minute)))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}
