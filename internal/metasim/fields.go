package metasim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// field is one entry of a Graph "fields" parameter, such as
// instagram_business_account{id,username} or replies.limit(5){id}.
type field struct {
	name  string
	limit int // from a .limit(n) modifier; 0 when absent
	sub   []field
}

// fieldsError reports a syntax error in a fields parameter.
type fieldsError struct {
	input string
	pos   int
	msg   string
}

func (e *fieldsError) Error() string {
	return fmt.Sprintf("metasim: fields: %s at character %d", e.msg, e.pos)
}

// parseFields parses a fields parameter. Modifiers other than limit(n), such
// as picture.type(large), are accepted and ignored.
func parseFields(s string) ([]field, error) {
	p := &fieldsParser{in: s}
	fs, err := p.list()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.in) {
		return nil, p.fail(fmt.Sprintf("Expected end of string instead of %q.", p.in[p.pos:p.pos+1]))
	}
	return fs, nil
}

type fieldsParser struct {
	in  string
	pos int
}

func (p *fieldsParser) fail(msg string) error {
	return &fieldsError{input: p.in, pos: p.pos, msg: msg}
}

func (p *fieldsParser) skipSpace() {
	for p.pos < len(p.in) && (p.in[p.pos] == ' ' || p.in[p.pos] == '\t' || p.in[p.pos] == '\n') {
		p.pos++
	}
}

func (p *fieldsParser) list() ([]field, error) {
	var out []field
	for {
		p.skipSpace()
		if p.pos >= len(p.in) || p.in[p.pos] == '}' {
			return out, nil
		}
		if p.in[p.pos] == ',' { // tolerate empty items like "id,,name"
			p.pos++
			continue
		}
		f, err := p.item()
		if err != nil {
			return nil, err
		}
		out = append(out, f)
		p.skipSpace()
		if p.pos < len(p.in) && p.in[p.pos] == ',' {
			p.pos++
		}
	}
}

func (p *fieldsParser) name() string {
	start := p.pos
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		break
	}
	return p.in[start:p.pos]
}

func (p *fieldsParser) item() (field, error) {
	f := field{name: p.name()}
	if f.name == "" {
		return f, p.fail(fmt.Sprintf("Expected field name instead of %q.", p.in[p.pos:p.pos+1]))
	}
	for p.pos < len(p.in) && p.in[p.pos] == '.' {
		p.pos++
		mod := p.name()
		if mod == "" || p.pos >= len(p.in) || p.in[p.pos] != '(' {
			return f, p.fail("Expected modifier call.")
		}
		end := strings.IndexByte(p.in[p.pos:], ')')
		if end < 0 {
			return f, p.fail("Expected \")\".")
		}
		arg := p.in[p.pos+1 : p.pos+end]
		p.pos += end + 1
		if mod == "limit" {
			n, err := strconv.Atoi(strings.TrimSpace(arg))
			if err != nil || n < 0 {
				return f, p.fail("Expected a number in limit().")
			}
			f.limit = n
		}
	}
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == '{' {
		p.pos++
		sub, err := p.list()
		if err != nil {
			return f, err
		}
		if p.pos >= len(p.in) || p.in[p.pos] != '}' {
			return f, p.fail("Expected \"}\".")
		}
		p.pos++
		f.sub = sub
	}
	return f, nil
}

// defaultFields turns a list of names into a selection.
func defaultFields(names ...string) []field {
	out := make([]field, len(names))
	for i, n := range names {
		out[i] = field{name: n}
	}
	return out
}

// fieldGetter answers a field's value for one node; ok is false when the node
// has the field but no value for it (Meta then leaves it out).
type fieldGetter func(sub []field) (val any, ok bool, err error)

// renderNode builds a node's JSON for a selection. Unknown field names get
// Meta's "nonexisting field" error; known ones without a value are left out.
func renderNode(nodeType string, getters map[string]fieldGetter, sel []field) (obj, *apiError) {
	out := make(obj, 0, len(sel))
	for _, f := range sel {
		get, ok := getters[f.name]
		if !ok {
			return nil, apiErr(errNoSuchField, f.name, nodeType)
		}
		v, ok, err := get(f.sub)
		if err != nil {
			var ae *apiError
			if errors.As(err, &ae) {
				return nil, ae
			}
			return nil, apiErr(errTemporary)
		}
		if ok {
			out.set(f.name, v)
		}
	}
	return out, nil
}

// apiError is a table error with its message arguments, passed up to the
// handler that writes it.
type apiError struct {
	name errName
	args []any
}

func (e *apiError) Error() string { return "metasim: graph error " + string(e.name) }

func apiErr(name errName, args ...any) *apiError { return &apiError{name: name, args: args} }
