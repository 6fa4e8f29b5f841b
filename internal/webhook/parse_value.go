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
	switch comment(value, &v) {
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
	f.p.addEvent(Event{
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
func comment(raw []byte, v *commentFields) verdict {
	return members(raw, func(name, val []byte) (uint8, verdict) {
		switch {
		case equalFold(name, "id"):
			v.id = flex(val)
			return 1, decoded
		case equalFold(name, "comment_id"):
			v.commentID = flex(val)
			return 2, decoded
		case equalFold(name, "parent_id"):
			v.parentID = flex(val)
			return 4, decoded
		case equalFold(name, "text"):
			return 8, str(val, &v.text)
		case equalFold(name, "from"):
			return 16, from(val, v)
		case equalFold(name, "media"):
			return 32, media(val, v)
		}
		return 0, decoded
	})
}

// from decodes the value's "from" object.
func from(raw []byte, v *commentFields) verdict {
	return members(raw, func(name, val []byte) (uint8, verdict) {
		switch {
		case equalFold(name, "id"):
			v.fromID = flex(val)
			return 1, decoded
		case equalFold(name, "username"):
			return 2, str(val, &v.username)
		}
		return 0, decoded
	})
}

// media decodes the value's "media" object.
func media(raw []byte, v *commentFields) verdict {
	return members(raw, func(name, val []byte) (uint8, verdict) {
		switch {
		case equalFold(name, "id"):
			v.mediaID = flex(val)
			return 1, decoded
		case equalFold(name, "media_product_type"):
			return 2, productType(val, &v.productType)
		case equalFold(name, "ad_id"):
			v.adID = flex(val)
			return 4, decoded
		case equalFold(name, "ad_title"):
			return 8, str(val, &v.adTitle)
		case equalFold(name, "original_media_id"):
			v.originalMediaID = flex(val)
			return 16, decoded
		}
		return 0, decoded
	})
}

// members decodes an object member by member as json.Unmarshal into a
// struct would: null leaves everything as it is, another non-object is
// refused. set decodes one member and answers its bit (0 for a member not
// decoded); a repeated member or a name that is not plain ASCII makes the
// result unsure.
func members(raw []byte, set func(name, val []byte) (uint8, verdict)) verdict {
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
		bit, v := set(name, s.value())
		if v != decoded {
			return v
		}
		if seen&bit != 0 {
			return unsure // encoding/json would merge the two: leave it to it
		}
		seen |= bit
	}
	return decoded
}

// str decodes a string member into dst as encoding/json decodes into a
// string field: null leaves it empty, another type is refused.
func str(raw []byte, dst *string) verdict {
	switch raw[0] {
	case 'n':
		return decoded
	case '"':
		*dst = unquote(raw[1 : len(raw)-1])
		return decoded
	}
	return refused
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

// productType is str for media_product_type: the values Meta documents
// are constants, so the common ones cost no allocation.
func productType(raw []byte, dst *string) verdict {
	for _, c := range [...]string{"FEED", "REELS", "STORY", "AD", "LIVE"} {
		if len(raw) == len(c)+2 && string(raw[1:len(raw)-1]) == c && raw[0] == '"' {
			*dst = c
			return decoded
		}
	}
	return str(raw, dst)
}

// timeOf reads an entry's time member (a number literal, or absent).
func timeOf(raw []byte) time.Time {
	if isNull(raw) {
		return time.Time{}
	}
	return entryTime(json.Number(raw))
}
