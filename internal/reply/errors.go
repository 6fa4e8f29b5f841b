package reply

// Kind classifies why a reply failed, for people and for the API.
type Kind string

// The kinds of failure.
const (
	KindNone         Kind = ""
	KindWindow       Kind = "window_closed"   // 7 days over
	KindLiveEnded    Kind = "live_ended"      // the broadcast ended
	KindReplied      Kind = "already_replied" // Meta holds another reply (an earlier attempt's)
	KindNotEligible  Kind = "not_eligible"    // too old, deleted or already answered
	KindUnreachable  Kind = "unreachable"     // this person cannot be reached
	KindMaybeBlocked Kind = "maybe_blocked"   // Meta's unexpected error: perhaps the person blocked the account
	KindOnHold       Kind = "on_hold"         // the account is on hold; the reply waits
	KindToken        Kind = "needs_reconnect" // the Page token no longer works; the reply waits
	KindPermission   Kind = "permission"      // a Page-level refusal, before such refusals held the account (old records)
	KindRejected     Kind = "rejected"        // Meta refused this reply for good
	KindTransient    Kind = "temporary"       // Meta or the network failed for now
	KindThrottled    Kind = "rate_limited"    // Meta asked to slow down
	KindStopped      Kind = "disconnected"    // an admin disconnected the account before it was sent
	KindCancelled    Kind = "cancelled"       // an automatic reply a person overtook
)

// CancelledByPerson is why a rule's queued reply was not sent.
const CancelledByPerson = "Not sent: a teammate handled this comment before the automatic reply went out."
