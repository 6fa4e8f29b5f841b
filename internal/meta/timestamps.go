package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// CommentTime is one comment's answer from CommentTimestamps.
type CommentTime struct {
	ID        string
	Timestamp time.Time // creation time, which the reply window counts from; zero with Err
	// Err says why this comment could not be read: an *Error for Meta's
	// answer to it (Classify: a deleted or unreadable comment is
	// ClassPermanent, a 5xx ClassTransient), ErrBatchIncomplete, or an
	// answer without a readable timestamp.
	Err error
}

// CommentTimestamps reads the creation time of many comments with a Page
// token: one Graph batch request per MaxBatch comments instead of one
// request each (GET /{comment-id}?fields=timestamp, batched). It answers
// one CommentTime per id, in order; a comment that cannot be read (deleted,
// say) fails alone, in its Err.
//
// err is set only when a whole batch request failed (no connection, a bad
// token, the app throttled); out then holds the comments of the batches
// before it, so ids[len(out):] are still to do. usage is what the last
// answer's headers said.
//
// With a Limiter, each batch first waits for as many calls as it has
// comments (Meta counts them so), and the Limiter learns from every answer's
// usage headers; nil means no pacing.
func (c *Client) CommentTimestamps(ctx context.Context, token string, ids []string, lim *Limiter) (out []CommentTime, usage Usage, err error) {
	out = make([]CommentTime, 0, len(ids))
	for start := 0; start < len(ids); start += MaxBatch {
		chunk := ids[start:min(start+MaxBatch, len(ids))]
		if lim != nil {
			if err := lim.Wait(ctx, len(chunk)); err != nil {
				return out, usage, fmt.Errorf("meta: read comment timestamps: %w", err)
			}
		}
		reqs := make([]batchRequest, len(chunk))
		for i, id := range chunk {
			reqs[i] = batchRequest{Method: "GET", RelativeURL: c.version + "/" + url.PathEscape(id) + "?fields=timestamp"}
		}
		answers, u, err := c.batch(ctx, token, reqs)
		usage = u
		if lim != nil {
			lim.Observe(u, throttling(err, answers))
		}
		if err != nil {
			return out, usage, fmt.Errorf("meta: read comment timestamps: %w", err)
		}
		for i, a := range answers {
			out = append(out, commentTime(chunk[i], a))
		}
	}
	return out, usage, nil
}

// commentTime reads one batched answer to GET /{id}?fields=timestamp.
func commentTime(id string, a batchAnswer) CommentTime {
	ct := CommentTime{ID: id, Err: a.err}
	if a.err != nil {
		return ct
	}
	var body struct {
		Timestamp string `json:"timestamp"`
	}
	if err := json.Unmarshal(a.body, &body); err != nil {
		ct.Err = fmt.Errorf("meta: comment %s: decode answer: %w", id, err)
		return ct
	}
	ts, err := parseTimestamp(body.Timestamp)
	if err != nil {
		ct.Err = fmt.Errorf("meta: comment %s: %w", id, err)
		return ct
	}
	ct.Timestamp = ts
	return ct
}

// throttling answers what a batch tells a Limiter: its own error, or else
// the first of its requests refused for throttling, or nil.
func throttling(err error, answers []batchAnswer) error {
	if err != nil {
		return err
	}
	for _, a := range answers {
		if Classify(a.err) == ClassThrottled {
			return a.err
		}
	}
	return nil
}
