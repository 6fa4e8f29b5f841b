package inbox

import (
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
)

// MaxBulk bounds one status change of several comments.
const MaxBulk = 500

// Triage is the status a person's action moves c to: done and dismiss work
// on open and expired comments (and switch between each other); reopen
// brings a done or dismissed comment back, as open while it can still be
// answered, else as expired. A replied comment stays replied.
func Triage(c Comment, to Status, now time.Time) (Status, error) {
	switch to {
	case StatusDone, StatusDismissed:
		switch c.Status {
		case StatusOpen, StatusExpired, StatusDone, StatusDismissed:
			return to, nil
		}
	case StatusOpen:
		switch c.Status {
		case StatusDone, StatusDismissed:
			if now.Before(c.Deadline) {
				return StatusOpen, nil // a Live one expires again if its broadcast has ended
			}
			return StatusExpired, nil
		case StatusOpen:
			return StatusOpen, nil
		}
	default:
		return "", apperr.Field("status", "bad_status", "status must be done, dismissed or open.")
	}
	if c.Status == StatusReplied {
		return "", apperr.New(apperr.Conflict, "already_replied", "This comment already has its private reply, so its status stays Replied.")
	}
	return "", apperr.New(apperr.Conflict, "bad_transition", "This comment's status cannot change that way.")
}
