// Package inbox holds the rules of the comment inbox: comment statuses,
// surfaces, reply deadlines, filters and cursors. It is pure: no I/O.
package inbox

import (
	"strings"
	"time"
)

// ReplyWindow is how long after its creation a comment can get a private
// reply (meta-platform.md §3.1).
const ReplyWindow = 7 * 24 * time.Hour

// LiveWindow bounds a Live comment's deadline: a broadcast lasts at most
// four hours, and the real end comes from watching live_media.
const LiveWindow = 4 * time.Hour

// Status is where a comment stands in triage.
type Status string

// The comment statuses.
const (
	StatusOpen      Status = "open"      // waiting for a reply
	StatusReplied   Status = "replied"   // its private reply is sent (or Meta holds one)
	StatusDone      Status = "done"      // handled without a reply
	StatusDismissed Status = "dismissed" // not worth a reply
	StatusExpired   Status = "expired"   // the window closed unanswered
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusOpen, StatusReplied, StatusDone, StatusDismissed, StatusExpired}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Surface is where on Instagram the comment was made.
type Surface string

// The surfaces.
const (
	SurfacePost  Surface = "post"
	SurfaceReel  Surface = "reel"
	SurfaceStory Surface = "story"
	SurfaceAd    Surface = "ad"
	SurfaceLive  Surface = "live"
)

// Surfaces lists every surface in display order.
var Surfaces = []Surface{SurfacePost, SurfaceReel, SurfaceStory, SurfaceAd, SurfaceLive}

// Valid reports whether s is a known surface.
func (s Surface) Valid() bool {
	for _, v := range Surfaces {
		if s == v {
			return true
		}
	}
	return false
}

// SurfaceOf maps a comment's media to its surface (DESIGN §5): a
// live_comments change or LIVE media is live; any media with an ad id is an
// ad; otherwise FEED is a post, REELS a reel, STORY a story.
func SurfaceOf(mediaProductType, adID string, live bool) Surface {
	t := strings.ToUpper(mediaProductType)
	switch {
	case live || t == "LIVE":
		return SurfaceLive
	case adID != "" || t == "AD":
		return SurfaceAd
	case t == "REELS" || t == "CLIPS":
		return SurfaceReel
	case t == "STORY":
		return SurfaceStory
	default:
		return SurfacePost
	}
}

// Comment is one Instagram comment in the inbox.
type Comment struct {
	ID               string // Meta's comment id
	AccountID        string // the Instagram account commented on
	MediaID          string
	MediaProductType string
	Surface          Surface
	AdID             string
	AdTitle          string
	OriginalMediaID  string
	ParentID         string // set when it replies to another comment
	FromID           string // the commenter's Instagram-scoped id
	Username         string
	Text             string
	Live             bool
	Hidden           bool // hidden on Instagram from everyone but its author
	Deleted          bool // deleted on Instagram: kept for the record, out of the views but "All"
	Status           Status
	StatusBy         int64 // user who last triaged it; 0 for the system
	StatusAt         time.Time
	Deadline         time.Time
	DeadlineExact    bool
	CreatedAt        time.Time // from Graph; zero until known
	EntryTime        time.Time // the webhook's send time
	ReceivedAt       time.Time
	UpdatedAt        time.Time
	// What a rule did (rules): the rule that applied, and the template the
	// composer opens with; 0 when none.
	RuleID              int64
	SuggestedTemplateID int64
	AssigneeID          int64     // the teammate it is assigned to; 0 for nobody
	AlertedAt           time.Time // when its deadline alert went out; zero for none
}

// Person is a teammate as a comment shows them.
type Person struct {
	ID   int64
	Name string
}

// ApproxDeadline is the deadline stored on arrival, before Graph confirms the
// creation time: the webhook's send time (or, without one, the receipt time)
// plus the window. A Live comment is answerable only while its broadcast
// runs, bounded by the longest possible broadcast.
func ApproxDeadline(entryTime, receivedAt time.Time, live bool) time.Time {
	base := entryTime
	if base.IsZero() || base.After(receivedAt) {
		base = receivedAt
	}
	if live {
		return base.Add(LiveWindow)
	}
	return base.Add(ReplyWindow)
}

// ExactDeadline is the deadline of a comment created at created.
func ExactDeadline(created time.Time) time.Time { return created.Add(ReplyWindow) }

// Expired reports whether the comment can no longer get a reply at now.
func (c Comment) Expired(now time.Time) bool {
	return c.Status == StatusExpired || (c.Status == StatusOpen && !now.Before(c.Deadline))
}
