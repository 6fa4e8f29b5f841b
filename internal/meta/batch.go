package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Graph batch requests (meta-platform.md §10; Meta's "Batch Requests"
// page): one POST carries up to 50 requests, each answered with its own
// status and body, in order. Meta counts every request in a batch as a call
// against the rate limits, so batching saves round trips and connections,
// not quota. Batching replaces multi-id reads (?ids=a,b), which Graph v27
// removes for new apps.

// MaxBatch is the most requests one Graph batch may carry.
const MaxBatch = 50

// ErrBatchIncomplete is a batched request Meta did not finish before the
// batch timed out (its answer was null). It is safe to retry; Classify
// counts it transient.
var ErrBatchIncomplete = errors.New("meta: batched request not completed before the batch timed out")

// batchRequest is one request of a batch.
type batchRequest struct {
	Method      string `json:"method"`
	RelativeURL string `json:"relative_url"` // versioned, e.g. v25.0/{id}?fields=timestamp
}

// batchAnswer is one request's answer: its body when it succeeded, or err.
type batchAnswer struct {
	body []byte
	err  error // *Error with the request's own status, or ErrBatchIncomplete
}

// batch sends up to MaxBatch requests in one HTTP request, without the
// per-request headers (include_headers=false). err is set only when the
// batch as a whole failed; each answer otherwise carries its own outcome.
func (c *Client) batch(ctx context.Context, token string, reqs []batchRequest) ([]batchAnswer, Usage, error) {
	if len(reqs) == 0 || len(reqs) > MaxBatch {
		return nil, Usage{}, fmt.Errorf("meta: batch of %d requests: must be 1 to %d", len(reqs), MaxBatch)
	}
	list, err := json.Marshal(reqs)
	if err != nil {
		return nil, Usage{}, fmt.Errorf("meta: encode batch: %w", err)
	}
	form := url.Values{"batch": {string(list)}, "include_headers": {"false"}}
	var raw []*struct {
		Code int    `json:"code"`
		Body string `json:"body"`
	}
	// Posted to the versioned root, like every other call: the batch's own
	// version is then the configured one, not the app's default.
	usage, err := c.send(ctx, http.MethodPost, token, c.base+"/"+c.version+"/", nil, []byte(form.Encode()),
		"application/x-www-form-urlencoded", &raw)
	if err != nil {
		return nil, usage, err
	}
	if len(raw) != len(reqs) {
		return nil, usage, fmt.Errorf("meta: batch of %d requests: answer has %d", len(reqs), len(raw))
	}
	out := make([]batchAnswer, len(reqs))
	for i, r := range raw {
		switch {
		case r == nil:
			out[i].err = ErrBatchIncomplete
		case r.Code < 200 || r.Code >= 300:
			out[i].err = parseError(r.Code, []byte(r.Body), usage)
		default:
			out[i].body = []byte(r.Body)
		}
	}
	return out, usage, nil
}
