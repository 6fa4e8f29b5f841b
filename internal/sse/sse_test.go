package sse

import (
	"bytes"
	"strings"
	"testing"
)

func roundTrip(t testing.TB, name, id string, data []byte) []Event {
	t.Helper()
	var b bytes.Buffer
	Write(&b, name, id, data)
	out := make(chan Event, 16)
	Read(&b, out)
	close(out)
	var got []Event
	for e := range out {
		got = append(got, e)
	}
	return got
}

func TestWrite_everyLineTerminator(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\nb", "a\nb"},
		{"a\r\nb", "a\nb"},
		{"a\rb", "a\nb"},
		{"a\r\rb\n", "a\n\nb\n"},
		{"x\rretry: 2073600000\revent: reset\rid: 99\r\rdata: evil", "x\nretry: 2073600000\nevent: reset\nid: 99\n\ndata: evil"},
		{"", ""},
	} {
		got := roundTrip(t, "comment", "7", []byte(tc.in))
		if len(got) != 1 || got[0].Name != "comment" || got[0].ID != "7" || got[0].Data != tc.want || got[0].Retry != "" {
			t.Errorf("%q: got %+v, want one comment event with data %q", tc.in, got, tc.want)
		}
	}
}

// FuzzWrite: whatever a comment's text holds, the stream carries exactly
// one event, with our name and id, no other field, and the text as data
// (line terminators normalized to LF, as EventSource does).
func FuzzWrite(f *testing.F) {
	for _, s := range []string{"", "hi", "a\rb", "a\r\nb", "\r\n\r\n", "x\rretry: 2073600000\revent: reset", "data: x\n\nevent: y", ":comment\r", "\x00\r\u2028"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := roundTrip(t, "comment", "42", data)
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(data))
		if len(got) != 1 || got[0].Name != "comment" || got[0].ID != "42" || got[0].Retry != "" || got[0].Data != want {
			t.Fatalf("%q became %+v", data, got)
		}
	})
}
