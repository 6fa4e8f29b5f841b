package templates

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError is a body refused by Parse or ValidateBody, with the place
// it goes wrong.
type SyntaxError struct {
	Offset int    // byte offset into the body, from 0
	Len    int    // bytes of the offending text at Offset (at least 1 unless the body is empty)
	Line   int    // 1-based
	Col    int    // 1-based, counted in characters (Unicode code points)
	Code   string // stable, snake_case: "unknown_variable", "unclosed_braces", …
	Msg    string // what is wrong: "Unknown variable {{price}}"
	Hint   string // what to do, a sentence; may be empty
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("templates: line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Message is the error in a sentence for a person, e.g. "Unknown variable
// {{price}} at line 2, column 5. Use {{username}}, {{comment_text}} or
// {{account}}."
func (e *SyntaxError) Message() string {
	s := fmt.Sprintf("%s at line %d, column %d.", e.Msg, e.Line, e.Col)
	if e.Hint != "" {
		s += " " + e.Hint
	}
	return s
}

// Excerpt splits the error's line of body into the text before the
// offending part, the part itself, and the rest of the line, so an editor
// can highlight it. body must be the text the error came from.
func (e *SyntaxError) Excerpt(body string) (before, at, after string) {
	off := min(max(e.Offset, 0), len(body))
	start := strings.LastIndexByte(body[:off], '\n') + 1
	end := len(body)
	if k := strings.IndexByte(body[off:], '\n'); k >= 0 {
		end = off + k
	}
	stop := min(off+max(e.Len, 0), end)
	return body[start:off], body[off:stop], body[stop:end]
}

func newError(body string, off, n int, code, msg, hint string) *SyntaxError {
	line, col := position(body, off)
	return &SyntaxError{Offset: off, Len: n, Line: line, Col: col, Code: code, Msg: msg, Hint: hint}
}

// position turns a byte offset into a 1-based line and a 1-based column in
// characters. Bytes that are not valid UTF-8 count one each.
func position(body string, off int) (line, col int) {
	before := body[:off]
	line = 1 + strings.Count(before, "\n")
	start := strings.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCountInString(before[start:])
}
