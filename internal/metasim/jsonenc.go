package metasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"unicode/utf16"
	"unicode/utf8"
)

// metaJSON encodes v the way Meta puts JSON on the wire: no HTML escaping,
// every non-ASCII character as a \uXXXX escape with lowercase hex (UTF-16
// surrogate pairs above U+FFFF), and "/" as "\/".
func metaJSON(v any) ([]byte, error) {
	b, err := marshalPlain(v)
	if err != nil {
		return nil, err
	}
	return escapeMeta(b), nil
}

// marshalPlain is json.Marshal without HTML escaping and without the
// trailing newline an Encoder adds.
func marshalPlain(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("metasim: encode json: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// escapeMeta rewrites compact JSON from encoding/json into Meta's escaped
// form. encoding/json emits non-ASCII bytes and "/" only inside strings, and
// never emits "\/" itself, so a byte-wise pass is exact.
func escapeMeta(b []byte) []byte {
	const hex = "0123456789abcdef"
	appendU := func(out []byte, r rune) []byte {
		return append(out, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
	}
	out := make([]byte, 0, len(b)+len(b)/4)
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '/':
			out = append(out, '\\', '/')
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			i += size
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				out = appendU(appendU(out, r1), r2)
			} else {
				out = appendU(out, r)
			}
		}
	}
	return out
}

// writeMetaJSON answers with v in Meta's encoding.
func writeMetaJSON(w http.ResponseWriter, status int, v any) {
	b, err := metaJSON(v)
	if err != nil { // only a programming error gets here
		var body graphErrorBody
		status, body = newGraphError(errTemporary)
		b, _ = marshalPlain(body)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// obj is a JSON object that keeps its keys in insertion order, so Graph
// answers list fields in the order they were asked for, as Meta does.
type obj []kv

type kv struct {
	key string
	val any
}

// set appends or replaces key.
func (o *obj) set(key string, val any) {
	for i := range *o {
		if (*o)[i].key == key {
			(*o)[i].val = val
			return
		}
	}
	*o = append(*o, kv{key, val})
}

// MarshalJSON encodes the object with its keys in order.
func (o obj) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := marshalPlain(p.key)
		if err != nil {
			return nil, err
		}
		v, err := marshalPlain(p.val)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
