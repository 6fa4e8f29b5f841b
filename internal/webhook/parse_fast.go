package webhook

import (
	"bytes"
	"encoding/json"
)

// fastParser parses deliveries of the shapes Meta sends without reflection,
// allocating little more than the strings of the events. It gives up
// (ok=false) on anything it could not decode exactly as encoding/json would:
// invalid JSON, a member of the wrong type in the envelope, a repeated
// member, a member name that is not plain ASCII, a quoted entry time. Parse
// then takes the reflective path, which defines the behaviour.
type fastParser struct {
	p           Payload
	lastAccount string // entry ids repeat: keep one copy
}

// parseFast answers the payload and true, or false to leave body to
// parseReflect.
func parseFast(body []byte) (Payload, bool) {
	if !json.Valid(body) {
		return Payload{}, false
	}
	if top := (scanner{b: body}); top.peek() != '{' {
		return Payload{}, false
	}
	var f fastParser
	// One event per "field" member at most; Meta sends up to 1,000 a delivery.
	if n := bytes.Count(body, []byte(`"field"`)); n > 0 {
		f.p.Events = make([]Event, 0, min(n, 1000))
	}
	var object, entry []byte
	if !spans(body, []string{"object", "entry"}, &object, &entry) {
		return Payload{}, false
	}
	// Not a delivery (no object name, no entry list) is parseReflect's to
	// refuse, as is an object name it would decode.
	if isNull(object) || isNull(entry) || object[0] != '"' || len(object) == 2 || !plainASCII(object[1:len(object)-1]) {
		return Payload{}, false
	}
	entries, ok := f.entries(entry)
	if !ok {
		return Payload{}, false
	}
	if string(object) != `"instagram"` {
		return Payload{Ignored: entries}, true
	}
	if len(f.p.Events) == 0 {
		f.p.Events = nil
	}
	return f.p, true
}

// entries walks the entry list, adding its events, and answers its length.
func (f *fastParser) entries(list []byte) (n int, ok bool) {
	if list[0] != '[' {
		return 0, false
	}
	s := scanner{b: list}
	for first := true; s.elem(first); first = false {
		n++
		raw := s.value()
		if isNull(raw) {
			continue // a zero entry: nothing to add
		}
		if raw[0] != '{' || !f.entry(raw) {
			return n, false
		}
	}
	return n, true
}

// entrySpans holds the members of one entry as JSON text (nil: absent).
type entrySpans struct {
	id, time, changes, field, value []byte
}

// entry adds the events of one entry object, in Parse's order: the
// entry-level field/value first, then its changes.
func (f *fastParser) entry(raw []byte) bool {
	var e entrySpans
	if !spans(raw, []string{"id", "time", "changes", "field", "value"}, &e.id, &e.time, &e.changes, &e.field, &e.value) {
		return false
	}
	if !isNull(e.time) && !isNumber(e.time) {
		return false // a quoted time, or a type encoding/json refuses
	}
	field, ok := plainString(e.field)
	if !ok || !isNull(e.changes) && e.changes[0] != '[' {
		return false
	}
	ev := eventEntry{account: f.account(e.id), at: timeOf(e.time)}
	if len(field) > 0 && !f.add(&ev, field, e.value) {
		return false
	}
	if isNull(e.changes) {
		return true
	}
	s := scanner{b: e.changes}
	for first := true; s.elem(first); first = false {
		ch := s.value()
		if isNull(ch) {
			f.p.Ignored++ // a zero change has no field
			continue
		}
		if ch[0] != '{' || !f.change(&ev, ch) {
			return false
		}
	}
	return true
}

// change adds one element of an entry's changes.
func (f *fastParser) change(ev *eventEntry, raw []byte) bool {
	var fieldRaw, value []byte
	if !spans(raw, []string{"field", "value"}, &fieldRaw, &value) {
		return false
	}
	field, ok := plainString(fieldRaw)
	return ok && f.add(ev, field, value)
}

// spans reads the members of an object whose names match names (as
// encoding/json matches them, ignoring case) into the matching slots, as
// JSON text; other members are skipped. It answers false for a repeated
// member or a name that is not plain ASCII.
func spans(raw []byte, names []string, slots ...*[]byte) bool {
	s := scanner{b: raw}
	for first := true; s.member(first); first = false {
		name, ok := s.key()
		if !ok {
			return false
		}
		i := 0
		for i < len(names) && !equalFold(name, names[i]) {
			i++
		}
		if i == len(names) {
			s.value()
			continue
		}
		if *slots[i] != nil {
			return false
		}
		*slots[i] = s.value()
	}
	return true
}

// account decodes an entry id, reusing the previous entry's string when the
// id repeats.
func (f *fastParser) account(raw []byte) string {
	if len(raw) > 2 && raw[0] == '"' && string(raw[1:len(raw)-1]) == f.lastAccount {
		return f.lastAccount
	}
	f.lastAccount = flex(raw)
	return f.lastAccount
}

// equalFold is bytes.EqualFold for an ASCII name, which is how
// encoding/json matches member names to fields.
func equalFold(name []byte, want string) bool {
	if len(name) != len(want) {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[i] {
			return false
		}
	}
	return true
}

// isNull reports whether a member is absent or JSON null.
func isNull(raw []byte) bool { return len(raw) == 0 || raw[0] == 'n' }

func isNumber(raw []byte) bool { return raw[0] == '-' || '0' <= raw[0] && raw[0] <= '9' }

// plainString answers the inside of a string member that needs no decoding
// ("" when absent or null); ok is false for any other type, or a string
// with escapes or non-ASCII bytes.
func plainString(raw []byte) (inside []byte, ok bool) {
	if isNull(raw) {
		return nil, true
	}
	if raw[0] != '"' || !plainASCII(raw[1:len(raw)-1]) {
		return nil, false
	}
	return raw[1 : len(raw)-1], true
}
