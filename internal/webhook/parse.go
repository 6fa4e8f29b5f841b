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
	Events  []Event // comments and live_comments changes, in delivery order
	Own     int     // the account's own comments, skipped
	Ignored int     // other fields, other objects, or changes without a comment id
}

// ErrMalformed means the body is not the JSON of a webhook delivery.
var ErrMalformed = errors.New("webhook: malformed delivery")

// The wire shapes. Unknown fields are ignored; ids are strings (json.Number
// accepted as well, never float64, so 18-digit ids stay exact).
type envelope struct {
	Object string  `json:"object"`
	Entry  []entry `json:"entry"`
}

type entry struct {
	ID      flexString      `json:"id"`
	Time    json.Number     `json:"time"`
	Changes []change        `json:"changes"`
	Field   string          `json:"field"` // Instagram-Login shape: field/value on the entry
	Value   json.RawMessage `json:"value"`
}

type change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
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
// live_comments changes, skips the account's own comments, and counts the
// rest as ignored. Malformed JSON (or a body that is not a JSON object with
// an entry list) is ErrMalformed.
func Parse(body []byte) (Payload, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Payload{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var p Payload
	if env.Object != "" && env.Object != "instagram" {
		p.Ignored = len(env.Entry)
		return p, nil
	}
	for _, e := range env.Entry {
		at := entryTime(e.Time)
		if e.Field != "" {
			p.add(e, at, change{Field: e.Field, Value: e.Value})
		}
		for _, ch := range e.Changes {
			p.add(e, at, ch)
		}
	}
	return p, nil
}

func (p *Payload) add(e entry, at time.Time, ch change) {
	live := ch.Field == "live_comments"
	if ch.Field != "comments" && !live {
		p.Ignored++
		return
	}
	var v commentValue
	if len(ch.Value) == 0 || json.Unmarshal(ch.Value, &v) != nil {
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
	if v.From.ID != "" && v.From.ID == e.ID {
		p.Own++
		return
	}
	p.Events = append(p.Events, Event{
		AccountID: string(e.ID), EntryTime: at, Live: live, CommentID: id,
		Text: v.Text, FromID: string(v.From.ID), FromUsername: v.From.Username,
		MediaID: string(v.Media.ID), MediaProductType: v.Media.MediaProductType,
		AdID: string(v.Media.AdID), AdTitle: v.Media.AdTitle,
		OriginalMediaID: string(v.Media.OriginalMediaID), ParentID: string(v.ParentID),
	})
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

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		*f = flexString(n.String())
	}
	return nil
}
