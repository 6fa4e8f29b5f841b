package reply

// Kind classifies why a reply failed, for people and for the API.
type Kind string

// The kinds of failure.
const (
	KindNone       Kind = ""
	KindWindow     Kind = "window_closed"   // 7 days over
	KindLiveEnded  Kind = "live_ended"      // the broadcast ended
	KindReplied    Kind = "already_replied" // Meta holds another reply
	KindToken      Kind = "needs_reconnect" // the Page token no longer works
	KindPermission Kind = "permission"      // a permission or policy problem on the Page
	KindRejected   Kind = "rejected"        // Meta refused this reply for good
	KindTransient  Kind = "temporary"       // Meta or the network failed for now
	KindThrottled  Kind = "rate_limited"    // Meta asked to slow down
	KindStopped    Kind = "disconnected"    // an admin disconnected the account before it was sent
	KindCancelled  Kind = "cancelled"       // an automatic reply a person overtook
)

// CancelledByPerson is why a rule's queued reply was not sent.
const CancelledByPerson = "Not sent: a teammate handled this comment before the automatic reply went out."
