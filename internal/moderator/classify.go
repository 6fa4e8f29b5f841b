package moderator

import (
	"errors"

	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/moderation"
)

// What people read when a moderation call fails: plain words and the next
// step, never Meta's payload (that goes to the log).
const (
	msgTemporary      = "Instagram did not answer properly; Replydesk tries again by itself."
	msgThrottled      = "Instagram asked to slow down; Replydesk waits and tries again as soon as it allows."
	msgToken          = "Facebook no longer accepts this account's access (the login expired or was revoked). Reconnect the account, then try again."
	msgPermission     = "Meta refused: moderating comments needs the instagram_manage_comments permission and a Page task that allows moderating (MODERATE or MANAGE). An admin should reconnect the account granting it, or ask the Page's owner for the task."
	msgAccountRefused = "Meta refused this for the whole account (a restriction, a policy block, or the Page is no longer linked to the Instagram account). Check Account status in Meta Business Suite; the account's page in Replydesk says more if private replies stopped too."
	msgGone           = "Instagram says this comment no longer exists or can't be changed: its author may have deleted it."
	msgDeleted        = "The comment was deleted before this could be done, so nothing was sent to Instagram."
	msgGaveUp         = "Instagram kept failing, so Replydesk stopped trying. Try again later."
)

var rejected = map[moderation.Kind]string{
	moderation.PublicReply: "Instagram refused this public reply. Edit it and try again.",
	moderation.Hide:        "Instagram refused to hide this comment.",
	moderation.Unhide:      "Instagram refused to show this comment again.",
	moderation.Delete:      "Instagram refused to delete this comment.",
}

// outcome is what a failed call means.
type outcome struct {
	retry   bool // a passing failure: try again later
	done    bool // the failure shows the action already took effect
	kind    moderation.ErrorKind
	message string
}

// classify turns a Graph error for action a into what happens next.
func classify(err error, a moderation.Action) outcome {
	switch meta.Classify(err) {
	case meta.ClassTransient, meta.ClassMaybeBlocked:
		return outcome{retry: true, kind: moderation.ErrTemporary, message: msgTemporary}
	case meta.ClassThrottled:
		return outcome{retry: true, kind: moderation.ErrRateLimited, message: msgThrottled}
	case meta.ClassToken:
		return outcome{kind: moderation.ErrToken, message: msgToken}
	}
	var me *meta.Error
	if meta.Classify(err) == meta.ClassPause {
		// Page-level refusals: a missing permission (10, 199, 200–299) has
		// its own next step; the others (capability, policy block, Page not
		// linked, business blocked) are Meta's decision about the account.
		if errors.As(err, &me) && me.Subcode == 0 && (me.Code == 10 || me.Code == 199 || me.Code >= 200 && me.Code <= 299) {
			return outcome{kind: moderation.ErrPermission, message: msgPermission}
		}
		return outcome{kind: moderation.ErrPermission, message: msgAccountRefused}
	}
	if errors.As(err, &me) && me.Code == 100 && me.Subcode == 33 {
		// "Object does not exist, cannot be loaded or does not support this
		// operation": after an attempt whose answer was lost, a delete that
		// finds nothing has done its work.
		if a.Kind == moderation.Delete && a.Ambiguous {
			return outcome{done: true}
		}
		return outcome{kind: moderation.ErrGone, message: msgGone}
	}
	return outcome{kind: moderation.ErrRejected, message: rejected[a.Kind]}
}
