package webhook

import (
	"encoding/json"
	"testing"
)

// FuzzParse feeds arbitrary bodies to the parser: it must never panic, and
// whatever it accepts must be valid JSON whose events all carry Meta-shaped
// ids.
func FuzzParse(f *testing.F) {
	for _, s := range []string{feedExample, reelReplyExample, adExample, liveExample,
		`{"object":"instagram","entry":[{"id":"1","field":"comments","value":{"comment_id":"c"}}]}`,
		`{"entry":[{"id":2,"time":"x","changes":[{"field":"live_comments","value":null}]}]}`,
		`{}`, `null`, `[]`, `{"entry":[{"changes":[{"value":{"id":{"nested":1}}}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Parse(body)
		if err != nil {
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		for _, e := range p.Events {
			if e.CommentID == "" || e.AccountID == "" {
				t.Fatalf("event without ids: %+v", e)
			}
			if e.FromID != "" && e.FromID == e.AccountID {
				t.Fatalf("own comment kept: %+v", e)
			}
			if !MetaID(e.AccountID) || !MetaID(e.CommentID) || e.MediaID != "" && !MetaID(e.MediaID) {
				t.Fatalf("event with an id that is not Meta-shaped: %+v", e)
			}
		}
	})
}
