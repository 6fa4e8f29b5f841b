package outbound

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
)

// Subject is what an event is about, as it stood when the event was fanned
// out to the webhooks.
type Subject struct {
	Comment inbox.Item
	Reply   *reply.Reply // the comment's latest reply, if any
	URL     string       // the comment in Replydesk
}

// payload is the JSON body of every event (receivers depend on its names).
type payload struct {
	ID         int64          `json:"id"`
	Event      string         `json:"event"`
	OccurredAt time.Time      `json:"occurred_at"`
	Comment    payloadComment `json:"comment"`
	Reply      *payloadReply  `json:"reply"`
}

type payloadComment struct {
	ID              string    `json:"id"`
	AccountID       string    `json:"account_id"`
	AccountUsername string    `json:"account_username"`
	MediaID         string    `json:"media_id"`
	Surface         string    `json:"surface"`
	AdID            string    `json:"ad_id"`
	AdTitle         string    `json:"ad_title"`
	ParentID        string    `json:"parent_id"`
	Username        string    `json:"username"`
	Text            string    `json:"text"`
	Status          string    `json:"status"`
	Deadline        time.Time `json:"deadline"`
	DeadlineExact   bool      `json:"deadline_exact"`
	Live            bool      `json:"live"`
	ReceivedAt      time.Time `json:"received_at"`
	URL             string    `json:"url"`
}

type payloadReply struct {
	ID        int64     `json:"id"`
	State     string    `json:"state"`
	Text      string    `json:"text"`
	MessageID string    `json:"message_id"`
	Error     string    `json:"error"`
	By        string    `json:"by"`
	CreatedAt time.Time `json:"created_at"`
}

// Body is the JSON an event is delivered as: the event's id (receivers
// dedupe on it), name and time, the comment, and its latest reply (null
// when it has none).
func Body(e Event, sub Subject) ([]byte, error) {
	c := sub.Comment
	p := payload{ID: e.ID, Event: e.Name, OccurredAt: e.At.UTC(), Comment: payloadComment{
		ID: c.ID, AccountID: c.AccountID, AccountUsername: c.AccountUsername, MediaID: c.MediaID,
		Surface: string(c.Surface), AdID: c.AdID, AdTitle: c.AdTitle, ParentID: c.ParentID, Username: c.Username,
		Text: c.Text, Status: string(c.Status), Deadline: c.Deadline.UTC(), DeadlineExact: c.DeadlineExact,
		Live: c.Live, ReceivedAt: c.ReceivedAt.UTC(), URL: sub.URL,
	}}
	if r := sub.Reply; r != nil {
		p.Reply = &payloadReply{ID: r.ID, State: string(r.State), Text: r.Text, MessageID: r.MessageID,
			Error: r.Error, By: r.UserName, CreatedAt: r.CreatedAt.UTC()}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("outbound: event %d: %w", e.ID, err)
	}
	return b, nil
}

// SlackBody is the event as a Slack incoming-webhook message: one readable
// line with a link to the comment.
func SlackBody(e Event, sub Subject, now time.Time) ([]byte, error) {
	b, err := json.Marshal(struct {
		Text string `json:"text"`
	}{SlackText(e, sub, now)})
	if err != nil {
		return nil, fmt.Errorf("outbound: event %d: %w", e.ID, err)
	}
	return b, nil
}

// SlackText says what happened in a sentence, in Slack's markup (its
// special characters escaped; comment text quoted and shortened).
func SlackText(e Event, sub Subject, now time.Time) string {
	c := sub.Comment
	who, acct := "@"+slackEscape(c.Username), "@"+slackEscape(c.AccountUsername)
	if c.Username == "" {
		who = "someone"
	}
	said := "“" + slackEscape(shorten(c.Text, 140)) + "”"
	link := " <" + sub.URL + "|Open in Replydesk>"
	switch e.Name {
	case CommentCreated:
		when := "reply within " + Left(c.Deadline.Sub(now))
		if c.Live {
			when = "live: reply while the broadcast lasts"
		}
		return "New comment on " + acct + " from " + who + ": " + said + " (" + when + ")." + link
	case CommentReplied:
		by := ""
		if sub.Reply != nil && sub.Reply.UserName != "" {
			by = " (sent by " + slackEscape(sub.Reply.UserName) + ")"
		}
		return acct + " sent " + who + " a private reply" + by + " to " + said + "." + link
	case CommentExpiring:
		return "⏳ The comment by " + who + " on " + acct + " can get a private reply for only " +
			Left(c.Deadline.Sub(now)) + " more, and nobody has answered it: " + said + "." + link
	case ReplyFailed:
		why := "Instagram refused it"
		if sub.Reply != nil && sub.Reply.Error != "" {
			why = slackEscape(strings.TrimSuffix(sub.Reply.Error, "."))
		}
		return "⚠️ The private reply to " + who + " on " + acct + " failed: " + why + "." + link
	}
	return e.Name + " for the comment by " + who + " on " + acct + "." + link
}

// Left says a time left in words: "6d 23h", "3h 12m", "14 min", or "no time".
func Left(d time.Duration) string {
	switch {
	case d <= 0:
		return "no time"
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%d min", max(1, int(d/time.Minute)))
}

// slackEscape escapes the three characters Slack's markup gives meaning.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// shorten cuts s to at most n characters on one line.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
