package webhook

// This file keeps the first implementation of Parse, changed only where the
// rules changed (issue 13: the account's own replies are kept as OwnReplies;
// issue 17: a body must name its object and carry an entry list; comments
// with ids that are not Meta's digits are rejected), as the oracle the
// optimised parser is checked against (FuzzParseMatchesReference): same
// events, same counts, same failures.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

type refEnvelope struct {
	Object *string     `json:"object"`
	Entry  *[]refEntry `json:"entry"`
}

// refMetaID is what a Meta id looks like: digits, at most 30 of them.
var refMetaID = regexp.MustCompile(`^[0-9]{1,30}$`)

type refEntry struct {
	ID      refFlexString   `json:"id"`
	Time    json.Number     `json:"time"`
	Changes []refChange     `json:"changes"`
	Field   string          `json:"field"` // Instagram-Login shape: field/value on the entry
	Value   json.RawMessage `json:"value"`
}

type refChange struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type refCommentValue struct {
	ID        refFlexString `json:"id"`
	CommentID refFlexString `json:"comment_id"`
	Text      string        `json:"text"`
	ParentID  refFlexString `json:"parent_id"`
	From      struct {
		ID       refFlexString `json:"id"`
		Username string        `json:"username"`
	} `json:"from"`
	Media struct {
		ID               refFlexString `json:"id"`
		MediaProductType string        `json:"media_product_type"`
		AdID             refFlexString `json:"ad_id"`
		AdTitle          string        `json:"ad_title"`
		OriginalMediaID  refFlexString `json:"original_media_id"`
	} `json:"media"`
}

// Parse walks every refEntry and every refChange of a delivery, in both shapes Meta
// uses (changes[] or field/value on the entry). It keeps comments and
// live_comments changes, skips the account's own comments, and counts the
// rest as ignored. Malformed JSON (or a body that is not a JSON object with
// an refEntry list) is ErrMalformed.
func parseReference(body []byte) (Payload, error) {
	var env refEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Payload{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if env.Object == nil || *env.Object == "" || env.Entry == nil {
		return Payload{}, fmt.Errorf("%w: not a delivery", ErrMalformed)
	}
	var p Payload
	if *env.Object != "instagram" {
		p.Ignored = len(*env.Entry)
		return p, nil
	}
	for _, e := range *env.Entry {
		at := refEntryTime(e.Time)
		if e.Field != "" {
			refAdd(&p, e, at, refChange{Field: e.Field, Value: e.Value})
		}
		for _, ch := range e.Changes {
			refAdd(&p, e, at, ch)
		}
	}
	return p, nil
}

func refAdd(p *Payload, e refEntry, at time.Time, ch refChange) {
	live := ch.Field == "live_comments"
	if ch.Field != "comments" && !live {
		p.Ignored++
		return
	}
	var v refCommentValue
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
	own := v.From.ID != "" && v.From.ID == e.ID
	if own && v.ParentID == "" {
		p.Own++
		return
	}
	list := &p.Events
	if own {
		p.Own++
		list = &p.OwnReplies
	}
	if !refMetaID.MatchString(string(e.ID)) || !refMetaID.MatchString(id) || v.Media.ID != "" && !refMetaID.MatchString(string(v.Media.ID)) {
		p.Rejected++
		return
	}
	*list = append(*list, Event{
		AccountID: string(e.ID), EntryTime: at, Live: live, CommentID: id,
		Text: v.Text, FromID: string(v.From.ID), FromUsername: v.From.Username,
		MediaID: string(v.Media.ID), MediaProductType: v.Media.MediaProductType,
		AdID: string(v.Media.AdID), AdTitle: v.Media.AdTitle,
		OriginalMediaID: string(v.Media.OriginalMediaID), ParentID: string(v.ParentID),
	})
}

// refEntryTime reads refEntry.time: unix seconds for Instagram comments (a value in
// milliseconds, as messaging webhooks use, is accepted too). Zero if absent.
func refEntryTime(n json.Number) time.Time {
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

// refFlexString accepts a JSON string or number (ids sent as numbers keep every
// digit) and leaves other types empty.
type refFlexString string

func (f *refFlexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = refFlexString(s)
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		*f = refFlexString(n.String())
	}
	return nil
}
