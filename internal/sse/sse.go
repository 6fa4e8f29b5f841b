// Package sse writes and reads the server-sent events format (the HTML
// standard's text/event-stream). The writer makes sure nothing in an
// event's data, a comment's text included, can become a field of its own;
// the reader parses a stream as a browser's EventSource does (the tests and
// the benchmark use it).
package sse

import (
	"bufio"
	"bytes"
	"io"
	"strings"
)

// Event is one dispatched event.
type Event struct {
	Name, ID, Data string
	Retry          string // a retry: field sent with the event, if any
}

// Write appends one event to b: its name, its id when given, and one data:
// line per line of data. Every line terminator the format knows (CRLF, CR,
// LF) ends a line, so data cannot start a field.
func Write(b *bytes.Buffer, name, id string, data []byte) {
	b.WriteString("event: ")
	b.WriteString(name)
	b.WriteByte('\n')
	if id != "" {
		b.WriteString("id: ")
		b.WriteString(id)
		b.WriteByte('\n')
	}
	for {
		i := bytes.IndexAny(data, "\r\n")
		b.WriteString("data: ")
		if i < 0 {
			b.Write(data)
			b.WriteByte('\n')
			break
		}
		b.Write(data[:i])
		b.WriteByte('\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	b.WriteByte('\n')
}

// Read parses a stream and sends each dispatched event to out until r ends.
// Comments (lines starting with ':') are skipped.
func Read(r io.Reader, out chan<- Event) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	sc.Split(scanLines)
	var e Event
	var data []string
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if data != nil {
				e.Data = strings.Join(data, "\n")
				out <- e
			}
			e, data = Event{}, nil
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			e.Name = value
		case "id":
			e.ID = value
		case "data":
			data = append(data, value)
		case "retry":
			e.Retry = value
		}
	}
}

// scanLines splits at CRLF, CR or LF.
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
	for i, b := range data {
		switch b {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // a LF may follow
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
