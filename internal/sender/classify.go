package sender

import (
	"errors"

	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/reply"
)

// outcome is what one attempt's result means.
type outcome struct {
	state   reply.State
	kind    reply.Kind
	message string // plain words and the next step
}

// classify turns a Send API error into the reply's next state. ambiguous
// says an earlier attempt may have reached Meta without an answer.
func classify(err error, live, ambiguous bool) outcome {
	switch meta.Classify(err) {
	case meta.ClassTransient:
		return outcome{reply.Retrying, reply.KindTransient, "Instagram did not answer properly; Replydesk will try again automatically until the deadline."}
	case meta.ClassThrottled:
		return outcome{reply.Retrying, reply.KindThrottled, "Instagram asked to slow down; the reply waits and goes out as soon as it allows."}
	case meta.ClassToken:
		return outcome{reply.Failed, reply.KindToken, "Facebook no longer accepts this account's access (the login expired or was revoked). Reconnect the account, then send again."}
	case meta.ClassPause:
		return outcome{reply.Failed, reply.KindPermission, "Meta refused because of a permission or policy problem on the Facebook Page. An admin should check the Page's roles and the app's permissions on the Accounts page."}
	case meta.ClassWindow:
		if live {
			return outcome{reply.Failed, reply.KindLiveEnded, "Meta says the Live broadcast has ended, so its comments can no longer get a private reply."}
		}
		return outcome{reply.Failed, reply.KindWindow, "Meta says this comment is older than 7 days, so it can no longer get a private reply."}
	case meta.ClassReplied:
		if ambiguous {
			return outcome{reply.Unconfirmed, reply.KindReplied, "Instagram already holds a reply to this comment from an earlier attempt whose answer was lost; it was delivered."}
		}
		return outcome{reply.Failed, reply.KindReplied, "Instagram says this comment already has a private reply (perhaps sent from another tool). Only one is allowed."}
	}
	var me *meta.Error
	if errors.As(err, &me) && me.Code == 100 {
		return outcome{reply.Failed, reply.KindRejected, "Instagram refused a private reply to this comment: it may have been deleted, or the person cannot receive messages. Nothing more can be sent to it."}
	}
	return outcome{reply.Failed, reply.KindRejected, "Instagram refused this reply. Edit it and try again, or leave the comment."}
}
