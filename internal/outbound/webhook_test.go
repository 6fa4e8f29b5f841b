package outbound

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
)

func TestNextAttempt_backoffRetryAfterAndWindow(t *testing.T) {
	created := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		now        time.Time
		attempts   int
		retryAfter time.Duration
		want       time.Duration // from now; -1: given up
	}{
		{"first failure", created, 1, 0, 10 * time.Second},
		{"third failure", created.Add(time.Minute), 3, 0, time.Minute},
		{"late failures repeat the last step", created.Add(5 * time.Hour), 40, 0, time.Hour},
		{"Retry-After is honoured", created, 1, 2 * time.Second, 2 * time.Second},
		{"Retry-After is capped at an hour", created, 1, 5 * time.Hour, time.Hour},
		{"nothing past 24 h", created.Add(23*time.Hour + 30*time.Minute), 12, 0, -1},
		{"the last retry inside 24 h", created.Add(22*time.Hour + 59*time.Minute), 12, 0, time.Hour},
	}
	for _, tc := range cases {
		next, ok := NextAttempt(created, tc.now, tc.attempts, tc.retryAfter)
		switch {
		case tc.want < 0 && ok:
			t.Errorf("%s: next %v, want given up", tc.name, next)
		case tc.want >= 0 && (!ok || next.Sub(tc.now) != tc.want):
			t.Errorf("%s: next in %v (%v), want %v", tc.name, next.Sub(tc.now), ok, tc.want)
		}
	}
}

func TestCheckWebhook(t *testing.T) {
	cases := []struct {
		url    string
		events []string
		field  string // "" = accepted
	}{
		{"https://example.com/hook", []string{ReplyFailed, CommentCreated, CommentCreated}, ""},
		{"http://10.0.0.2:8080/x", Names, ""},
		{"", Names, "url"},
		{"ftp://example.com", Names, "url"},
		{"https://user:pw@example.com/", Names, "url"},
		{"/relative", Names, "url"},
		{"https://example.com", nil, "events"},
		{"https://example.com", []string{"comment.deleted"}, "events"},
	}
	for _, tc := range cases {
		u, evs, err := CheckWebhook(tc.url, tc.events)
		ae, _ := apperr.As(err)
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%q %v refused: %v", tc.url, tc.events, err)
		case tc.field == "" && (u != tc.url || !slices.IsSorted(indexes(evs)) || len(evs) != len(dedupe(tc.events))):
			t.Errorf("%q %v → %q %v", tc.url, tc.events, u, evs)
		case tc.field != "" && (ae == nil || ae.Field != tc.field):
			t.Errorf("%q %v: %v, want a refusal on %s", tc.url, tc.events, err, tc.field)
		}
	}
}

func indexes(evs []string) []int {
	out := make([]int, len(evs))
	for i, e := range evs {
		out[i] = slices.Index(Names, e)
	}
	return out
}

func dedupe(evs []string) []string {
	var out []string
	for _, e := range evs {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func TestSign_isTheHMACOfTheBody(t *testing.T) {
	body := []byte(`{"id":1}`)
	mac := hmac.New(sha256.New, []byte("whsec_x"))
	mac.Write(body)
	if got, want := Sign("whsec_x", body), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestIsSlack(t *testing.T) {
	for u, want := range map[string]bool{
		"https://hooks.slack.com/services/T0/B0/XYZ":      true,
		"https://hooks.slack.com/workflows/T0/A0":         false,
		"https://example.com/services/x":                  false,
		"https://hooks.slack.com.evil.example/services/x": false,
	} {
		if IsSlack(u) != want {
			t.Errorf("IsSlack(%s) = %v", u, !want)
		}
	}
}

func TestBodyAndSlackText(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	sub := Subject{URL: "https://rd.example/inbox/comments/c1", Comment: inbox.Item{AccountUsername: "acme.coffee", Comment: inbox.Comment{
		ID: "c1", AccountID: "111", Username: "jane<3", Text: "Price & <b>sizes</b>?", Status: inbox.StatusOpen,
		Surface: inbox.SurfacePost, Deadline: now.Add(6*24*time.Hour + 23*time.Hour + 10*time.Minute)}}}
	e := Event{ID: 42, Name: CommentCreated, CommentID: "c1", At: now}
	b, err := Body(e, sub)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	c, _ := got["comment"].(map[string]any)
	if got["id"] != float64(42) || got["event"] != CommentCreated || got["reply"] != nil || c["text"] != "Price & <b>sizes</b>?" ||
		c["url"] != sub.URL || c["account_username"] != "acme.coffee" {
		t.Errorf("body = %s", b)
	}
	text := SlackText(e, sub, now)
	for _, want := range []string{"@acme.coffee", "@jane&lt;3", "Price &amp; &lt;b&gt;sizes&lt;/b&gt;?", "6d 23h", "<" + sub.URL + "|Open in Replydesk>"} {
		if !strings.Contains(text, want) {
			t.Errorf("slack text %q lacks %q", text, want)
		}
	}
	sub.Reply = &reply.Reply{State: reply.Failed, Error: "Meta says this comment is older than 7 days."}
	if text := SlackText(Event{Name: ReplyFailed}, sub, now); !strings.Contains(text, "failed: Meta says this comment is older than 7 days.") {
		t.Errorf("failed text = %q", text)
	}
	if text := SlackText(Event{Name: CommentExpiring}, sub, now.Add(6*24*time.Hour+22*time.Hour+30*time.Minute)); !strings.Contains(text, "40 min") {
		t.Errorf("expiring text = %q", text)
	}
}
