package sender

import (
	"errors"
	"fmt"
	"strings"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/meta"
)

// holdWords explains one Page-level refusal (meta.ClassPause) in plain
// words: the reason, as a clause ("Meta stopped replies for @acme: <reason>"),
// and what to fix at Meta (resuming is said by whoever shows it: only
// admins may). Zero fields match anything; the first match wins.
type holdWords struct {
	code, subcode int
	message       string // a fragment of Meta's message (case and dash style ignored)
	reason        string
	advice        string
}

// holdTable follows meta-platform.md §10 "Page-level refusals".
var holdTable = []holdWords{
	{code: 10, subcode: 1893063, reason: "the Facebook Page is restricted from sending messages",
		advice: "Open the Page in Meta Business Suite and look at Page quality (or its Support Inbox) for the restriction and when it ends."},
	{code: 200, subcode: 2534041, reason: "the account's owner turned off access to messages for connected tools",
		advice: "In the Instagram app, open Settings → Messages and story replies → Connected tools and turn on Allow access to messages."},
	{code: 100, subcode: 2534013, reason: "the Facebook Page is no longer linked to the Instagram account",
		advice: "Link the Instagram account to its Facebook Page again (Meta Business Suite → Settings → Instagram accounts), and reconnect the account here with Facebook."},
	{code: 100, subcode: 2534029, reason: "Meta blocked this business from sending messages",
		advice: "Check Account status in Meta Business Suite for the block and ask for a review there."},
	{code: 100, message: "Unsupported request - method type: post", reason: "Meta refuses every send from the Replydesk app (the app may have lost its role or access, or Meta has an incident)",
		advice: "Check the app in Meta's App Dashboard (it must be Live, with Advanced Access) and Meta's status page, metastatus.com."},
	{code: 3, reason: "the Meta app is not allowed to send messages (a missing capability)",
		advice: "In Meta's App Dashboard, check that the app has Advanced Access to instagram_manage_comments and pages_messaging (App Review)."},
	{code: 368, reason: "Meta's policy systems blocked messages from this account",
		advice: "Check Account status in Meta Business Suite (and in the Instagram app) for the block and ask for a review."},
	{code: 199, reason: "the Meta app lacks a permission it needs to send (or Advanced Access to it)",
		advice: "Reconnect the account with Facebook and grant every permission Replydesk asks for; if that does not help, check the app's Advanced Access in Meta's App Dashboard."},
}

// pauseHold is the hold a Page-level refusal puts the account on.
func pauseHold(err error) account.Hold {
	h := account.Hold{Cause: account.HoldRefused}
	var me *meta.Error
	if !errors.As(err, &me) {
		h.Reason, h.Advice = "Meta refused to send", "Check the account in Meta Business Suite."
		return h
	}
	h.Code, h.Subcode = me.Code, me.Subcode
	msg := normalize(me.Message)
	for _, w := range holdTable {
		if (w.code == 0 || w.code == me.Code) && (w.subcode == 0 || w.subcode == me.Subcode) &&
			(w.message == "" || strings.Contains(msg, normalize(w.message))) {
			h.Reason, h.Advice = w.reason, w.advice
			return h
		}
	}
	h.Reason = fmt.Sprintf("Meta says a permission is missing (error %d)", me.Code)
	h.Advice = "Reconnect the account with Facebook, granting every permission Replydesk asks for, and check that whoever connects it has the Messages task on the Page."
	return h
}

// breakerHold is the hold after n unexplained refusals in a row.
func breakerHold(n int) account.Hold {
	return account.Hold{Cause: account.HoldBreaker,
		Reason: fmt.Sprintf("Meta refused the last %d replies in a row without saying why", n),
		Advice: "Open a refused reply in the inbox to see Meta's answer, and check the account and the app in Meta Business Suite."}
}

func normalize(s string) string {
	return strings.NewReplacer("\u2013", "-", "\u2014", "-").Replace(strings.ToLower(s))
}
