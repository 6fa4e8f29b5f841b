package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Event is one comment change from a delivery.
type Event struct {
	AccountID        string // entry.id: the Instagram professional account
	EntryTime        time.Time
	Live             bool // a live_comments change
	CommentID        string
	Text             string
	FromID           string
	FromUsername     string
	MediaID          string
	MediaProductType string
	AdID             string
	AdTitle          string
	OriginalMediaID  string
	ParentID         string
}

// Payload is what a delivery holds.
type Payload struct {
	Events   []Event // comments and live_comments changes, in delivery order
	Own      int     // the account's own comments, skipped
	Ignored  int     // other fields, other objects, or changes without a comment id
	Rejected int     // comments whose account, comment or media id is not Meta-shaped (MetaID), dropped
	// OwnReplies are those of the account's own comments that reply to
	// another (public replies, ours among them): kept apart from Events,
	// they never enter the inbox.
	OwnReplies []Event
}

// ErrMalformed means the body is not the JSON of a webhook delivery: not
// JSON, or not an object with a non-empty "object" name and an "entry" list.
var ErrMalformed = errors.New("webhook: malformed delivery")

// MaxIDLen bounds the length of a Meta id; Meta's are 15 to 20 digits.
const MaxIDLen = 30

// MetaID reports whether id is shaped like the ids Meta gives comments,
// media and accounts: 1 to MaxIDLen ASCII digits.
func MetaID(id string) bool {
	if id == "" || len(id) > MaxIDLen {
		return false
	}
	for i := range len(id) {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// The wire shapes. Unknown fields are ignored; ids are strings (json.Number
// accepted as well, never float64, so 18-digit ids stay exact).
type envelope struct {
	Object string  `json:"object"`
	Entry  []entry `json:"entry"`
}

type entry struct {
	ID      flexString  `json:"id"`
	Time    json.Number `json:"time"`
	Changes []change    `json:"changes"`
	Field   string      `json:"field"` // Instagram-Login shape: field/value on the entry
	Value   rawValue    `json:"value"`
}

type change struct {
	Field string   `json:"field"`
	Value rawValue `json:"value"`
}

// rawValue is a value's JSON text, decoded only for comment fields. Unlike
// json.RawMessage it is not copied: it points into the body given to
// json.Unmarshal, which hands UnmarshalJSON sub-slices of it, and the body
// outlives the parse.
type rawValue []byte

func (r *rawValue) UnmarshalJSON(b []byte) error {
	*r = b
	return nil
}

type commentValue struct {
	ID        flexString `json:"id"`
	CommentID flexString `json:"comment_id"`
	Text      string     `json:"text"`
	ParentID  flexString `json:"parent_id"`
	From      struct {
		ID       flexString `json:"id"`
		Username string     `json:"username"`
	} `json:"from"`
	Media struct {
		ID               flexString `json:"id"`
		MediaProductType string     `json:"media_product_type"`
		AdID             flexString `json:"ad_id"`
		AdTitle          string     `json:"ad_title"`
		OriginalMediaID  flexString `json:"original_media_id"`
	} `json:"media"`
}

// Parse walks every entry and every change of a delivery, in both shapes Meta
// uses (changes[] or field/value on the entry). It keeps comments and
// live_comments changes, skips the account's own comments, drops (and
// counts as rejected) comments whose ids are not Meta-shaped, and counts the
// rest as ignored; a delivery for another object (a Page's, say) is ignored
// whole. Malformed JSON, or a body that is not a JSON object with an
// "object" name and an "entry" list (null, an array, {}), is ErrMalformed.
//
// The usual shapes take parseFast, which decodes without reflection; the
// rest, and every malformed body, take parseReflect, whose behaviour both
// share (FuzzParseMatchesReference holds them to the reference
// implementation).
func Parse(body []byte) (Payload, error) {
	p, ok := parseFast(body)
	if !ok {
		var err error
		if p, err = parseReflect(body); err != nil {
			return Payload{}, err
		}
	}
	p.rejectOddIDs()
	return p, nil
}

// rejectOddIDs drops the comments (and own replies) whose account, comment
// or (when given) media id is not Meta-shaped, counting them.
func (p *Payload) rejectOddIDs() {
	p.Events = p.keepMetaShaped(p.Events)
	p.OwnReplies = p.keepMetaShaped(p.OwnReplies)
}

func (p *Payload) keepMetaShaped(events []Event) []Event {
	kept := events[:0]
	for _, e := range events {
		if MetaID(e.AccountID) && MetaID(e.CommentID) && (e.MediaID == "" || MetaID(e.MediaID)) {
			kept = append(kept, e)
		} else {
			p.Rejected++
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return kept
}

// parseReflect is Parse through encoding/json's reflection.
func parseReflect(body []byte) (Payload, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Payload{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	// An absent or null list decodes to nil; [] to an empty list.
	switch {
	case env.Object == "":
		return Payload{}, fmt.Errorf("%w: no \"object\" name", ErrMalformed)
	case env.Entry == nil:
		return Payload{}, fmt.Errorf("%w: no \"entry\" list", ErrMalformed)
	}
	var p Payload
	if env.Object != "instagram" {
		p.Ignored = len(env.Entry)
		return p, nil
	}
	for i := range env.Entry {
		e := &env.Entry[i]
		at := entryTime(e.Time)
		if e.Field != "" {
			p.add(e, at, e.Field, e.Value)
		}
		for j := range e.Changes {
			p.add(e, at, e.Changes[j].Field, e.Changes[j].Value)
		}
	}
	return p, nil
}

func (p *Payload) add(e *entry, at time.Time, field string, value rawValue) {
	live := field == "live_comments"
	if field != "comments" && !live {
		p.Ignored++
		return
	}
	var v commentValue
	if len(value) == 0 || json.Unmarshal(value, &v) != nil {
		p.Ignored++
		return
	}
	id := string(v.ID)
	if id == "" {
		id = string(v.CommentID)
	}
	if id == "" || e.ID == "" {
		p.Ignored++
		return
	}
	ev := Event{
		AccountID: string(e.ID), EntryTime: at, Live: live, CommentID: id,
		Text: v.Text, FromID: string(v.From.ID), FromUsername: v.From.Username,
		MediaID: string(v.Media.ID), MediaProductType: v.Media.MediaProductType,
		AdID: string(v.Media.AdID), AdTitle: v.Media.AdTitle,
		OriginalMediaID: string(v.Media.OriginalMediaID), ParentID: string(v.ParentID),
	}
	p.addEvent(ev)
}

// addEvent files a comment: the account's own comments are counted and
// skipped, those that reply to another kept as OwnReplies.
func (p *Payload) addEvent(ev Event) {
	if ev.FromID != "" && ev.FromID == ev.AccountID {
		p.Own++
		if ev.ParentID != "" {
			p.OwnReplies = append(p.OwnReplies, ev)
		}
		return
	}
	p.Events = append(p.Events, ev)
}

// entryTime reads entry.time: unix seconds for Instagram comments (a value in
// milliseconds, as messaging webhooks use, is accepted too). Zero if absent.
func entryTime(n json.Number) time.Time {
	v, err := n.Int64()
	if err != nil || v <= 0 {
		if f, ferr := n.Float64(); ferr == nil && f > 0 {
			v = int64(f)
		} else {
			return time.Time{}
		}
	}
	if v > 1e12 {
		return time.UnixMilli(v).UTC()
	}
	return time.Unix(v, 0).UTC()
}

// flexString accepts a JSON string or number (ids sent as numbers keep every
// digit) and leaves other types empty.
type flexString string

// The decoder hands over one valid JSON value, so no second decode is
// needed: a string is unquoted, a number is its literal, null clears the
// field, and true, false, objects and arrays leave it as it was.
func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0:
	case b[0] == '"':
		*f = flexString(unquote(b[1 : len(b)-1]))
	case isNumber(b):
		*f = flexString(b)
	case b[0] == 'n':
		*f = ""
	}
	return nil
}
