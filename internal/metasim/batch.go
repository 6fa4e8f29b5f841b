package metasim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Graph batch requests (developers.facebook.com/docs/graph-api/batch-requests):
// a POST to any Graph path with a batch parameter, a JSON array of at most
// 50 {method, relative_url, body} requests. Each request is served exactly
// as if it had come alone, in parallel with the others: its own
// authentication, injected faults, usage headers and rate limits, so a batch
// of 10 costs what 10 calls cost. The answer is a JSON array in request
// order of {code, headers, body} (body a JSON string; headers left out with
// include_headers=false), and null for a request still running when the
// batch times out.

// maxBatchItems is Meta's limit on requests per batch.
const maxBatchItems = 50

// batchRequest is one element of the batch parameter.
type batchRequest struct {
	Method      string          `json:"method"`
	RelativeURL string          `json:"relative_url"`
	Body        string          `json:"body"`
	Name        string          `json:"name"`
	DependsOn   json.RawMessage `json:"depends_on"`
}

// batchResponse is one element of the answer; nil encodes as null.
type batchResponse struct {
	Code    int           `json:"code"`
	Headers []batchHeader `json:"headers,omitempty"`
	Body    string        `json:"body"`
}

type batchHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// batchItemKey marks the context of a request served inside a batch: a
// batch cannot nest.
type batchItemKey struct{}

// serveBatch answers r when it is a batch request, and reports whether it
// was. Anything else goes on to serveGraph with its body intact.
func (s *Sim) serveBatch(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost || r.Body == nil || r.Context().Value(batchItemKey{}) != nil {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	restore := func() { r.Body = io.NopCloser(bytes.NewReader(body)) }
	restore()
	if err != nil {
		return false
	}
	params, err := readParams(r)
	restore()
	if err != nil || !params.Has("batch") {
		return false
	}
	if v, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); versionPattern.MatchString(v) && !s.knownVersion(v) {
		return false // serveGraph answers the unknown version
	}
	reqs, aerr := parseBatch(params.Get("batch"))
	if aerr == nil && rawToken(r, params) != "" {
		_, aerr = s.authenticate(r, params) // the fallback token must be good
	}
	if aerr != nil {
		writeGraphError(w, aerr.name, aerr.args...)
		return true
	}
	out, usage := s.runBatch(r, params, reqs)
	for _, h := range []string{"X-App-Usage", "X-Business-Use-Case-Usage"} {
		if v := usage.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	if params.Get("include_headers") == "false" {
		for _, o := range out {
			if o != nil {
				o.Headers = nil
			}
		}
	}
	writeMetaJSON(w, http.StatusOK, out)
	return true
}

// parseBatch reads the batch parameter.
func parseBatch(raw string) ([]batchRequest, *apiError) {
	var reqs []batchRequest
	if err := json.Unmarshal([]byte(raw), &reqs); err != nil {
		return nil, apiErr(errParamInvalid, "batch parameter must be a JSON array of request objects")
	}
	switch {
	case len(reqs) == 0:
		return nil, apiErr(errParamInvalid, "batch parameter must be a non-empty array")
	case len(reqs) > maxBatchItems:
		return nil, apiErr(errParamInvalid, fmt.Sprintf("Too many requests in batch message. Maximum batch size is %d", maxBatchItems))
	}
	for i, q := range reqs {
		switch {
		case q.RelativeURL == "":
			return nil, apiErr(errParamRequired, fmt.Sprintf("batch[%d].relative_url", i))
		case len(q.DependsOn) > 0 || q.Name != "" || strings.Contains(q.RelativeURL, "{result="):
			return nil, apiErr(errParamInvalid, "depends_on, name and {result=…} references are not simulated by metasim")
		}
	}
	return reqs, nil
}

// runBatch serves the requests in parallel and collects their answers in
// order: nil for one not finished within the batch timeout. usage is the
// usage headers of the last finished one.
func (s *Sim) runBatch(r *http.Request, params url.Values, reqs []batchRequest) ([]*batchResponse, http.Header) {
	ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), batchItemKey{}, true), s.tune.batchTimeout)
	defer cancel()
	var (
		mu   sync.Mutex
		out  = make([]*batchResponse, len(reqs))
		hdrs = make([]http.Header, len(reqs))
		wg   sync.WaitGroup
	)
	for i, q := range reqs {
		wg.Go(func() {
			rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
			inner, aerr := batchItemRequest(ctx, r, params, q)
			if aerr != nil {
				writeGraphError(rec, aerr.name, aerr.args...)
			} else {
				s.serveGraph(rec, inner)
			}
			if ctx.Err() != nil {
				return // not finished in time: null
			}
			mu.Lock()
			defer mu.Unlock()
			out[i] = &batchResponse{Code: rec.status, Headers: headerList(rec.header), Body: rec.body.String()}
			hdrs[i] = rec.header
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	res := slices.Clone(out) // a straggler finishing now writes to out, not res
	var usage http.Header
	for i := range res {
		if res[i] != nil {
			usage = hdrs[i]
		}
	}
	return res, usage
}

// batchItemRequest builds the request one batch element stands for. It
// inherits the batch's token (Authorization header or access_token) and
// appsecret_proof unless its relative_url carries its own access_token.
func batchItemRequest(ctx context.Context, outer *http.Request, params url.Values, q batchRequest) (*http.Request, *apiError) {
	method := strings.ToUpper(q.Method)
	if method == "" {
		method = http.MethodGet
	}
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodPut:
	default:
		return nil, apiErr(errParamInvalid, "Unsupported method "+q.Method+" in batch request")
	}
	u, err := url.Parse("/" + strings.TrimPrefix(q.RelativeURL, "/"))
	if err != nil {
		return nil, apiErr(errParamInvalid, "Invalid relative_url "+q.RelativeURL)
	}
	query := u.Query()
	own := query.Has("access_token")
	if !own {
		if tok := params.Get("access_token"); tok != "" {
			query.Set("access_token", tok)
		}
		if proof := params.Get("appsecret_proof"); proof != "" && !query.Has("appsecret_proof") {
			query.Set("appsecret_proof", proof)
		}
	}
	u.RawQuery = query.Encode()
	var body io.Reader
	if q.Body != "" {
		body = strings.NewReader(q.Body)
	}
	inner, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, apiErr(errParamInvalid, "Invalid relative_url "+q.RelativeURL)
	}
	inner.Host, inner.TLS, inner.RemoteAddr = outer.Host, outer.TLS, outer.RemoteAddr
	if body != nil {
		inner.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if h := outer.Header.Get("Authorization"); h != "" && !own {
		inner.Header.Set("Authorization", h)
	}
	return inner, nil
}

// headerList answers a response's headers as Meta lists them in a batch.
func headerList(h http.Header) []batchHeader {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([]batchHeader, 0, len(names))
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, batchHeader{Name: k, Value: v})
		}
	}
	return out
}

// batchTimeoutDefault is how long a batch waits for its requests (Meta's is
// not documented; the client's own timeout is 15 s).
const batchTimeoutDefault = 10 * time.Second
