package webhook

import (
	"encoding/json"
	"strings"
	"time"
)

// eventEntry is what a change's event takes from its entry.
type eventEntry struct {
	account string
	at      time.Time
}

// verdict is how encoding/json would have taken a comment value.
type verdict int

const (
	decoded verdict = iota // decoded, possibly to nothing
	refused                // json.Unmarshal would fail: the change is ignored
	unsure                 // leave the whole delivery to the reflective path
)

// add is Payload.add for the fast path; false means give up.
func (f *fastParser) add(e *eventEntry, field, value []byte) bool {
	live := string(field) == "live_comments"
	if !live && string(field) != "comments" {
		f.p.Ignored++
		return true
	}
	var v commentFields
	switch f.comment(value, &v) {
	case unsure:
		return false
	case refused:
		f.p.Ignored++
		return true
	}
	id := v.id
	if id == "" {
		id = v.commentID
	}
	if id == "" || e.account == "" {
		f.p.Ignored++
		return true
	}
	if v.fromID != "" && v.fromID == e.account {
		f.p.Own++
		return true
	}
	f.p.Events = append(f.p.Events, Event{
		AccountID: e.account, EntryTime: e.at, Live: live, CommentID: id,
		Text: v.text, FromID: v.fromID, FromUsername: v.username,
		MediaID: v.mediaID, MediaProductType: v.productType,
		AdID: v.adID, AdTitle: v.adTitle, OriginalMediaID: v.originalMediaID, ParentID: v.parentID,
	})
	return true
}

// commentFields is commentValue, flattened.
type commentFields struct {
	id, commentID, text, parentID, fromID, username      string
	mediaID, productType, adID, adTitle, originalMediaID string
}

// comment decodes a comment value as json.Unmarshal into commentValue would.
func (f *fastParser) comment(raw []byte, v *commentFields) verdict {
	if isNull(raw) {
		return decoded
	}
	if raw[0] != '{' {
		return refused
	}
	s := scanner{b: raw}
	var seen uint8
	for first := true; s.member(first); first = false {
		name, ok := s.key()
		if !ok {
			return unsure
		}
		val := s.value()
		var bit uint8
		switch {
		case equalFold(name, "id"):
			bit, v.id = 1, flex(val)
		case equalFold(name, "comment_id"):
			bit, v.commentID = 2, flex(val)
		case equalFold(name, "parent_id"):
			bit, v.parentID = 4, flex(val)
		case equalFold(name, "text"):
			bit = 8
			if v.text, ok = str(val); !ok {
				return refused
			}
		case equalFold(name, "from"):
			bit = 16
			if r := f.from(val, v); r != decoded {
				return r
			}
		case equalFold(name, "media"):
			bit = 32
			if r := f.media(val, v); r != decoded {
				return r
			}
		}
		if seen&bit != 0 {
			return unsure // a repeated member: encoding/json merges, leave it to it
		}
		seen |= bit
	}
	return decoded
}

// from decodes the value's "from" object.
func (f *fastParser) from(raw []byte, v *commentFields) verdict {
	if isNull(raw) {
		return decoded
	}
	if raw[0] != '{' {
		return refused
	}
	s := scanner{b: raw}
	var seen uint8
	for first := true; s.member(first); first = false {
		name, ok := s.key()
		if !ok {
			return unsure
		}
		val := s.value()
		var bit uint8
		switch {
		case equalFold(name, "id"):
			bit, v.fromID = 1, flex(val)
		case equalFold(name, "username"):
			bit = 2
			if v.username, ok = str(val); !ok {
				return refused
			}
		}
		if seen&bit != 0 {
			return unsure
		}
		seen |= bit
	}
	return decoded
}

// media decodes the value's "media" object.
func (f *fastParser) media(raw []byte, v *commentFields) verdict {
	if isNull(raw) {
		return decoded
	}
	if raw[0] != '{' {
		return refused
	}
	s := scanner{b: raw}
	var seen uint8
	for first := true; s.member(first); first = false {
		name, ok := s.key()
		if !ok {
			return unsure
		}
		val := s.value()
		var bit uint8
		switch {
		case equalFold(name, "id"):
			bit, v.mediaID = 1, flex(val)
		case equalFold(name, "media_product_type"):
			bit = 2
			if v.productType, ok = productType(val); !ok {
				return refused
			}
		case equalFold(name, "ad_id"):
			bit, v.adID = 4, flex(val)
		case equalFold(name, "ad_title"):
			bit = 8
			if v.adTitle, ok = str(val); !ok {
				return refused
			}
		case equalFold(name, "original_media_id"):
			bit, v.originalMediaID = 16, flex(val)
		}
		if seen&bit != 0 {
			return unsure
		}
		seen |= bit
	}
	return decoded
}

// str decodes a string member as encoding/json does into a string field:
// null leaves it empty, another type is an error (ok false).
func str(raw []byte) (string, bool) {
	switch raw[0] {
	case 'n':
		return "", true
	case '"':
		return unquote(raw[1 : len(raw)-1]), true
	}
	return "", false
}

// flex decodes an id as flexString does: a string's text, a number's
// literal, and "" for anything else.
func flex(raw []byte) string {
	switch {
	case isNull(raw):
		return ""
	case raw[0] == '"':
		return unquote(raw[1 : len(raw)-1])
	case isNumber(raw):
		return string(raw)
	}
	return ""
}

// unquote answers a string literal's inside as a new string, with one
// allocation: escaped text is decoded straight into the string's bytes.
func unquote(in []byte) string {
	if plainUTF8(in) {
		return string(in)
	}
	var sb strings.Builder
	sb.Grow(len(in)) // decoding shrinks the text, except U+FFFD for a bad byte
	writeUnquoted(&sb, in)
	return sb.String()
}

// productType answers the media_product_type values Meta documents as
// constants, so the common ones cost no allocation.
func productType(raw []byte) (string, bool) {
	switch string(raw) {
	case `"FEED"`:
		return "FEED", true
	case `"REELS"`:
		return "REELS", true
	case `"STORY"`:
		return "STORY", true
	case `"AD"`:
		return "AD", true
	case `"LIVE"`:
		return "LIVE", true
	}
	return str(raw)
}

// timeOf reads an entry's time member (a number literal, or absent).
func timeOf(raw []byte) time.Time {
	if isNull(raw) {
		return time.Time{}
	}
	return entryTime(json.Number(raw))
}
