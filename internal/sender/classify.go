package sender

import (
	"errors"
	"fmt"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/reply"
)

// outcome is what one attempt's result means.
type outcome struct {
	state   reply.State
	kind    reply.Kind
	message string        // plain words and the next step
	hold    *account.Hold // a Page-level refusal: hold the whole account
	wait    time.Duration // maybe-blocked: the wait before the next try
	// unexplained is a refusal no rule explains: it counts toward the
	// account's circuit breaker.
	unexplained bool
}

// attemptFacts are what classify needs to know about the reply besides
// Meta's answer.
type attemptFacts struct {
	live      bool
	ambiguous bool // an earlier attempt may have reached Meta without an answer
	// blockedTries counts Meta's "unexpected error" answers to this reply,
	// this one included.
	blockedTries int
	blockedSpan  time.Duration // over how long those tries are spread
}

// classify turns a Send API error into the reply's next state and the
// words a person reads. meta.Classify decides the class; this decides
// what the class means for one reply.
func classify(err error, f attemptFacts) outcome {
	switch class := meta.Classify(err); class {
	case meta.ClassTransient:
		return outcome{state: reply.Retrying, kind: reply.KindTransient,
			message: "Instagram did not answer properly; Replydesk will try again automatically until the deadline."}
	case meta.ClassThrottled:
		return outcome{state: reply.Retrying, kind: reply.KindThrottled,
			message: "Instagram asked to slow down; the reply waits and goes out as soon as it allows."}
	case meta.ClassToken:
		return outcome{state: reply.Queued, kind: reply.KindToken, message: tokenWaitWords(err)}
	case meta.ClassPause:
		h := pauseHold(err)
		return outcome{state: reply.Queued, kind: reply.KindOnHold, hold: &h,
			message: "Meta stopped replies from this account: " + h.Reason + ". This reply waits in the queue and goes out once the account is resumed; nothing is lost."}
	case meta.ClassWindow:
		if f.live {
			return outcome{state: reply.Failed, kind: reply.KindLiveEnded,
				message: "Meta says the Live broadcast has ended, so its comments can no longer get a private reply."}
		}
		return outcome{state: reply.Failed, kind: reply.KindWindow,
			message: "Meta says this comment is older than 7 days, so it can no longer get a private reply."}
	case meta.ClassNotEligible:
		if f.ambiguous {
			return outcome{state: reply.Unconfirmed, kind: reply.KindReplied,
				message: "An earlier attempt got no answer, and Meta then refused a second reply to this comment, so the first one most likely arrived. Meta did not confirm it."}
		}
		return outcome{state: reply.Failed, kind: reply.KindNotEligible,
			message: "Instagram says this comment can't get a private reply (too old, deleted, or already answered). Nothing was sent."}
	case meta.ClassUnreachable:
		return outcome{state: reply.Failed, kind: reply.KindUnreachable,
			message: "Instagram says this person cannot be reached (they may have blocked the account, turned off messages, or left Instagram), so nothing was sent. The account is fine: other replies go out as usual."}
	case meta.ClassMaybeBlocked:
		return maybeBlocked(f)
	}
	o := outcome{state: reply.Failed, kind: reply.KindRejected, unexplained: true,
		message: "Instagram refused this reply without saying why. Edit it and try again, or leave the comment."}
	var me *meta.Error
	if errors.As(err, &me) && me.Code == 100 {
		// Code 100 speaks of this comment (deleted, or its author cannot
		// receive messages), not of the account: it does not count toward
		// the circuit breaker.
		o.unexplained = false
		o.message = "Instagram refused a private reply to this comment: it may have been deleted, or the person cannot receive messages. Nothing more can be sent to it."
	}
	return o
}

// maybeBlocked is Meta's "unexpected error" (code 2): temporary, or the
// person blocked the account. It is tried meta.MaybeBlockedAttempts times
// in all, the waits growing so that the tries span about f.blockedSpan,
// then the reply fails with words that say what it likely means.
func maybeBlocked(f attemptFacts) outcome {
	n, total := f.blockedTries, meta.MaybeBlockedAttempts
	if n >= total {
		return outcome{state: reply.Failed, kind: reply.KindMaybeBlocked, message: fmt.Sprintf(
			"Instagram kept answering with an unexpected error after %d tries over about %s. That usually means this person blocked the account or cannot receive messages, so the reply was not sent.",
			total, spanWords(f.blockedSpan))}
	}
	// The n-th wait is n parts of the span, of 1+2+…+(total-1) parts.
	parts := (total - 1) * total / 2
	return outcome{state: reply.Retrying, kind: reply.KindMaybeBlocked,
		wait: f.blockedSpan * time.Duration(n) / time.Duration(parts),
		message: fmt.Sprintf("Instagram answered with an unexpected error, which can also mean this person blocked the account. Replydesk tries again (%d of %d tries, over about %s).",
			n+1, total, spanWords(f.blockedSpan))}
}

func spanWords(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return fmt.Sprintf("%d minutes", max(1, int(d/time.Minute)))
}

// tokenWaitWords says why the account must be reconnected and that the
// reply waits for it.
func tokenWaitWords(err error) string {
	var me *meta.Error
	why := "Facebook no longer accepts this account's access (the login expired or was revoked)"
	if errors.As(err, &me) && me.Code == 10 && me.Subcode == 2534077 {
		why = "Facebook asks this account to pass a security check (two-factor authentication or a login confirmation) before it sends messages"
	}
	return why + ". The reply waits in the queue and goes out once someone with a role on the Page reconnects the account (Reconnect on the Accounts page)."
}
