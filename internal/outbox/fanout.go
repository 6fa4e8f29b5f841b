package outbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/reply"
)

// fanBatch is how many events are read at a time.
const fanBatch = 200

// fanOut turns the events recorded since each webhook's cursor into
// deliveries, with their bodies made now (as the comment stands a moment
// after the event). A comment already gone (purged) sends nothing.
func (o *Outbox) fanOut(ctx context.Context) error {
	cursors, err := o.st.WebhookCursors(ctx)
	if err != nil || len(cursors) == 0 {
		return err
	}
	hooks, err := o.st.Webhooks(ctx)
	if err != nil {
		return err
	}
	from := int64(-1)
	for _, c := range cursors {
		if from < 0 || c < from {
			from = c
		}
	}
	for {
		events, err := o.st.EventsAfter(ctx, from, fanBatch)
		if err != nil || len(events) == 0 {
			return err
		}
		subjects, err := o.subjects(ctx, events)
		if err != nil {
			return err
		}
		upTo := events[len(events)-1].ID
		for _, h := range hooks {
			var ds []outbound.Delivery
			for _, e := range events {
				sub, ok := subjects[e.ID]
				if e.ID <= cursors[h.ID] || !h.Wants(e.Name) || !ok {
					continue
				}
				body, err := o.body(h, e, sub)
				if err != nil {
					return err
				}
				ds = append(ds, outbound.Delivery{EventID: e.ID, Event: e.Name, CommentID: e.CommentID, Body: body})
			}
			if upTo <= cursors[h.ID] {
				continue
			}
			if err := o.st.FanOut(ctx, h.ID, upTo, ds); err != nil {
				return err
			}
			cursors[h.ID] = upTo
		}
		if len(events) < fanBatch {
			return nil
		}
		from = upTo
	}
}

// subjects reads what events are about: each comment once, and the
// replies of comments with reply events. An event whose comment is gone
// has no subject.
func (o *Outbox) subjects(ctx context.Context, events []outbound.Event) (map[int64]outbound.Subject, error) {
	ids := make([]string, 0, len(events))
	for _, e := range events {
		ids = append(ids, e.CommentID)
	}
	items, err := o.st.Items(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]outbound.Subject, len(items))
	for _, it := range items {
		byID[it.ID] = outbound.Subject{Comment: it, URL: strings.TrimRight(o.opt.BaseURL, "/") + "/inbox/comments/" + it.ID}
	}
	replies := map[string][]reply.Reply{}
	out := make(map[int64]outbound.Subject, len(events))
	for _, e := range events {
		sub, ok := byID[e.CommentID]
		if !ok {
			continue
		}
		if e.Name == outbound.CommentReplied || e.Name == outbound.ReplyFailed {
			rs, seen := replies[e.CommentID]
			if !seen {
				if rs, err = o.st.Replies(ctx, e.CommentID); err != nil {
					return nil, err
				}
				replies[e.CommentID] = rs
			}
			sub.Reply = replyOf(e.Name, rs)
		}
		out[e.ID] = sub
	}
	return out, nil
}

// replyOf picks the reply an event is about: the newest failed one for
// reply.failed, else the comment's latest.
func replyOf(event string, rs []reply.Reply) *reply.Reply {
	if event == outbound.ReplyFailed {
		for i := len(rs) - 1; i >= 0; i-- {
			if rs[i].State == reply.Failed {
				return &rs[i]
			}
		}
	}
	return reply.Latest(rs)
}

// body is what one webhook gets for an event: Slack's readable text, or the
// JSON event.
func (o *Outbox) body(h outbound.Webhook, e outbound.Event, sub outbound.Subject) ([]byte, error) {
	var (
		b   []byte
		err error
	)
	if h.Slack() {
		b, err = outbound.SlackBody(e, sub, o.now())
	} else {
		b, err = outbound.Body(e, sub)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: body of event %d: %w", e.ID, err)
	}
	return b, nil
}
