package meta

import (
	"errors"
	"strings"
)

// Class is what a caller should do about a failed Graph call. The rules
// below decide it; meta-platform.md §4 and §10 (§10 wins) are the sources.
type Class int

// The classes of failure. Their numbers are stable: new ones are appended.
const (
	// ClassNone is no error at all.
	ClassNone Class = iota
	// ClassTransient is a passing fault (Meta or the network): retry with backoff.
	ClassTransient
	// ClassThrottled is a rate limit: wait as the usage headers say, then retry.
	ClassThrottled
	// ClassToken means the token no longer works (expired, revoked, or a
	// two-factor or security check): the account needs reconnecting.
	ClassToken
	// ClassPause is a Page-level refusal (capability, restriction, policy
	// block, messaging turned off, Page not linked, business blocked,
	// missing permission): every further send for the account fails the same
	// way, so hold the whole account until a person acts.
	ClassPause
	// ClassWindow means the reply window is over: 7 days since the comment,
	// or the Live broadcast ended.
	ClassWindow
	// ClassNotEligible means Meta refuses a private reply to this comment:
	// too old, deleted, or already answered. It is not proof of delivery.
	ClassNotEligible
	// ClassPermanent is any other refusal: this request will never succeed as it is.
	ClassPermanent
	// ClassUnreachable means this person cannot be reached (blocked the
	// account, deactivated, unavailable): fail this reply, the Page is fine.
	ClassUnreachable
	// ClassMaybeBlocked is Meta's "unexpected error" (code 2), which also
	// means the person blocked the business: retry up to
	// MaybeBlockedAttempts times in all, then fail.
	ClassMaybeBlocked
)

// ClassReplied is the old name of ClassNotEligible.
//
// Deprecated: Meta's 100/2534025 also answers old and deleted comments, so
// it proves no delivery; use ClassNotEligible.
const ClassReplied = ClassNotEligible

// MaybeBlockedAttempts is how many times in all a send failing with
// ClassMaybeBlocked is tried before it counts as failed.
const MaybeBlockedAttempts = 5

var classNames = [...]string{"none", "transient", "throttled", "token", "pause", "window",
	"not_eligible", "permanent", "unreachable", "maybe_blocked"}

func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return "unknown"
	}
	return classNames[c]
}

// Retryable reports whether a call failing so may succeed later unchanged:
// transient, throttled and (a bounded number of times) maybe-blocked.
func (c Class) Retryable() bool {
	return c == ClassTransient || c == ClassThrottled || c == ClassMaybeBlocked
}

// rule maps Graph errors to a class. Zero fields match anything: code 0 any
// code, subcode 0 any subcode, message "" any message.
type rule struct {
	code    int    // error code, or the first of a range
	upTo    int    // the last code of a range; 0 for one code
	subcode int    // error_subcode
	message string // text the message contains (case and dash style ignored)
	class   Class
}

// rules is THE table of Graph errors, first match wins, so a corrected code
// is a one-line change. Each row cites meta-platform.md.
var rules = []rule{
	// The reply window is over.
	{code: 10, subcode: 2534022, class: ClassWindow}, // §10 "window error" (HTTP 403); §4.4
	{code: 10, subcode: 2018278, class: ClassWindow}, // §10 "window error"; §4.3 (Messenger flavour)

	// Not eligible: too old, deleted or already answered.
	{code: 100, subcode: 2534025, class: ClassNotEligible}, // §10 "100/2534025"
	{code: -1, subcode: 2534023, class: ClassNotEligible},  // §10 "100/2534025": "already replied" as -1/2534023 under HTTP 500
	{code: 10900, class: ClassNotEligible},                 // §4.4 Facebook "Activity already replied to"

	// The account must be reconnected.
	{code: 10, subcode: 2534077, class: ClassToken}, // §10 "10/2534077": two-factor / security check
	{code: 190, class: ClassToken},                  // §4.2 access token expired or invalid
	{code: 102, class: ClassToken},                  // §4.2 session invalid

	// Page-level refusals: hold the whole account.
	{code: 10, subcode: 1893063, class: ClassPause},                                    // §10 "Page-level refusals" (Page restricted); §4.3
	{code: 200, subcode: 2534041, class: ClassPause},                                   // §10 "Page-level refusals" (owner turned off message access)
	{code: 100, subcode: 2534013, class: ClassPause},                                   // §10 "100/2534013": Page not linked to an Instagram account
	{code: 100, subcode: 2534029, class: ClassPause},                                   // §10 "Page-level refusals" (business blocked)
	{code: 100, message: "Unsupported request - method type: post", class: ClassPause}, // §10 "Page-level refusals" (chatwoot #14932)
	{code: 3, class: ClassPause},                                                       // §10 "Page-level refusals" (capability); §4.2, §3.4
	{code: 368, class: ClassPause},                                                     // §10 "Page-level refusals" (policy block); §4.2
	{code: 199, class: ClassPause},                                                     // §10 "Page-level refusals" (missing permission / Advanced Access)

	// This person cannot be reached; the Page is fine.
	{code: 200, subcode: 1545041, class: ClassUnreachable}, // §10 "551, 200/1545041"
	{code: 551, class: ClassUnreachable},                   // §10 "551, 200/1545041"; §4.3
	{code: 100, subcode: 2534014, class: ClassUnreachable}, // §4.4 "user cannot be found" (unverified)
	{code: 10, subcode: 2018108, class: ClassUnreachable},  // §4.3 "person can't receive messages now"

	// "Unexpected error": temporary, or the person blocked the business.
	{code: 2, class: ClassMaybeBlocked}, // §10 "code 2"

	// Passing faults.
	{code: 1, class: ClassTransient},          // §4.2 API unknown, possibly temporary
	{subcode: 2018300, class: ClassTransient}, // §4.3 another app controls the thread (handover)
	{subcode: 2018321, class: ClassTransient}, // §4.3 same

	// Rate limits.
	{code: 613, subcode: 2534040, class: ClassThrottled}, // §10 "613/2534040": the private-replies rate limit
	{code: 613, class: ClassThrottled},                   // §4.2 custom rate limit
	{code: 4, class: ClassThrottled},                     // §4.2 app-level rate limit
	{code: 17, class: ClassThrottled},                    // §4.2 user-level rate limit
	{code: 32, class: ClassThrottled},                    // §4.2 Pages request limit
	{code: 341, class: ClassThrottled},                   // §4.2 application limit reached
	{code: 80001, upTo: 80014, class: ClassThrottled},    // §4.5 business-use-case throttles

	// Missing permissions (after the 200 rows above).
	{code: 200, upTo: 299, class: ClassPause}, // §4.2 "200-299 permission missing"; §4.5 pause

	// Refusals of this one request.
	{code: 100, class: ClassPermanent}, // §4.2 invalid parameter; §4.5
	{code: 10, class: ClassPermanent},  // §4.5 "10 with other subcodes"
}

// Rule is one row of the error table as others read it (tests that run
// every documented code end to end, documentation): Code (through UpTo when
// a range), Subcode and a Message fragment, zero or empty when any matches.
type Rule struct {
	Code, UpTo, Subcode int
	Message             string
	Class               Class
}

// Rules answers the table of Graph errors, in the order Classify tries it.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		out[i] = Rule{Code: r.code, UpTo: r.upTo, Subcode: r.subcode, Message: r.message, Class: r.class}
	}
	return out
}

// Classify says what to do about err. Network errors are transient; a Graph
// error takes the class of the first matching rule; an error no rule knows
// is transient when Meta says so (is_transient) or the status is 5xx, and
// permanent otherwise.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	var e *Error
	if IsNetError(err) || !errors.As(err, &e) {
		return ClassTransient
	}
	msg := normalizeMessage(e.Message)
	for _, r := range rules {
		if r.matches(e.Code, e.Subcode, msg) {
			return r.class
		}
	}
	switch {
	case e.Code == 0 && e.HTTPStatus == 429: // not Meta's JSON: a proxy's "too many requests"
		return ClassThrottled
	case e.Transient || e.HTTPStatus >= 500:
		return ClassTransient
	}
	return ClassPermanent
}

func (r rule) matches(code, subcode int, msg string) bool {
	switch {
	case r.code != 0 && r.upTo == 0 && code != r.code:
		return false
	case r.upTo != 0 && (code < r.code || code > r.upTo):
		return false
	case r.subcode != 0 && subcode != r.subcode:
		return false
	}
	return r.message == "" || strings.Contains(msg, normalizeMessage(r.message))
}

// normalizeMessage lowercases a message and writes en and em dashes as
// hyphens, since Meta's texts are quoted with either.
func normalizeMessage(s string) string {
	return strings.NewReplacer("\u2013", "-", "\u2014", "-").Replace(strings.ToLower(s))
}

// IsTokenError reports whether err means the token no longer works.
func IsTokenError(err error) bool { return Classify(err) == ClassToken }
