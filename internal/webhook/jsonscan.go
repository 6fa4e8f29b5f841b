package webhook

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner walks JSON text that json.Valid has accepted, so it checks nothing
// the grammar already guarantees. It never allocates.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek answers the first byte of the next token (0 at the end).
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// next consumes c when it is the next token's first byte.
func (s *scanner) next(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// value skips the next value and answers its text.
func (s *scanner) value() []byte {
	s.ws()
	start := s.i
	switch s.b[s.i] {
	case '"':
		s.str()
	case '{', '[':
		depth := 0
		for {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				break
			}
		}
	default: // number, true, false, null
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return s.b[start:s.i]
			}
			s.i++
		}
	}
	return s.b[start:s.i]
}

// str consumes a string literal and answers its inside, still escaped.
func (s *scanner) str() []byte {
	s.i++ // opening quote
	start := s.i
	for s.b[s.i] != '"' {
		if s.b[s.i] == '\\' {
			s.i++
		}
		s.i++
	}
	s.i++
	return s.b[start : s.i-1]
}

// key reads an object member's name and its colon. ok is false for a name
// that is not plain ASCII: encoding/json unescapes names and matches them
// with Unicode case folding, which the caller leaves to it.
func (s *scanner) key() (name []byte, ok bool) {
	s.ws()
	name = s.str()
	s.next(':')
	return name, plainASCII(name)
}

// member steps through an object: it consumes the '{' (first) or the ','
// before a member, and answers false, consuming it, at the closing brace.
func (s *scanner) member(first bool) bool {
	if first {
		s.next('{')
	}
	if s.next('}') {
		return false
	}
	s.next(',')
	return true
}

// elem steps through an array the same way.
func (s *scanner) elem(first bool) bool {
	if first {
		s.next('[')
	}
	if s.next(']') {
		return false
	}
	s.next(',')
	return true
}

// writeUnquoted writes a string literal's inside decoded exactly as
// encoding/json decodes it: escapes, surrogate pairs, and U+FFFD for invalid
// UTF-8 or a lone surrogate.
func writeUnquoted(sb *strings.Builder, in []byte) {
	for r := 0; r < len(in); {
		c := in[r]
		switch {
		case c == '\\':
			r++
			switch e := in[r]; e {
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			case 'n':
				sb.WriteByte('\n')
			case 'r':
				sb.WriteByte('\r')
			case 't':
				sb.WriteByte('\t')
			case 'u':
				rr := hex4(in[r+1:])
				r += 5
				if utf16.IsSurrogate(rr) {
					if r+1 < len(in) && in[r] == '\\' && in[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, hex4(in[r+2:])); dec != unicode.ReplacementChar {
							r += 6
							sb.WriteRune(dec)
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				sb.WriteRune(rr)
				continue
			default: // '"', '\\', '/'
				sb.WriteByte(e)
			}
			r++
		case c < utf8.RuneSelf:
			sb.WriteByte(c)
			r++
		default:
			rr, size := utf8.DecodeRune(in[r:])
			sb.WriteRune(rr)
			r += size
		}
	}
}

// hex4 reads the four hex digits of a \u escape.
func hex4(h []byte) rune {
	var r rune
	for _, c := range h[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// plainASCII reports whether a JSON string's inside needs no unescaping and
// no UTF-8 repair: printable ASCII without a backslash.
func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= utf8.RuneSelf || c == '\\' {
			return false
		}
	}
	return true
}

// plainUTF8 reports whether a string's inside is its own text: no escapes
// and well-formed UTF-8.
func plainUTF8(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c == '\\' {
			return false
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		i += size
	}
	return true
}
