package metasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// graphCall is one parsed Graph API request.
type graphCall struct {
	w       http.ResponseWriter
	r       *http.Request
	version string   // "" when the path was unversioned
	parts   []string // path segments after the version
	params  url.Values
	tok     token
	sim     *Sim
}

// fail writes a table error.
func (c *graphCall) fail(e *apiError) { writeGraphError(c.w, e.name, e.args...) }

// ok writes a successful answer.
func (c *graphCall) ok(v any) { writeMetaJSON(c.w, http.StatusOK, v) }

const maxBody = 1 << 20

// serveGraph answers the Graph API: it strips the version, applies injected
// faults, sets the usage headers and routes.
func (s *Sim) serveGraph(w http.ResponseWriter, r *http.Request) {
	if s.serveBatch(w, r) { // batch.go
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	c := &graphCall{w: w, r: r, sim: s}
	if len(parts) > 0 && versionPattern.MatchString(parts[0]) {
		if !s.knownVersion(parts[0]) {
			writeGraphError(w, errUnknownPath, r.URL.Path)
			return
		}
		c.version, parts = parts[0], parts[1:]
		if len(parts) == 2 && parts[0] == "dialog" && parts[1] == "oauth" && r.Method == http.MethodGet {
			s.dialog(w, r)
			return
		}
	}
	if len(parts) == 0 || parts[0] == "" {
		writeGraphError(w, errUnknownPath, r.URL.Path)
		return
	}
	c.parts = parts
	params, err := readParams(r)
	if err != nil {
		writeGraphError(w, errParamInvalid, err.Error())
		return
	}
	c.params = params
	accounts := s.accountsOfCall(parts[0], rawToken(r, params))
	if s.takeFault(faultGraph5xx, accounts) != nil {
		writeGraphError(w, errUnknown)
		return
	}
	s.setUsageHeaders(w, parts, rawToken(r, params))
	if f := s.takeFault(faultGraphSlow, accounts); f != nil {
		// The request is processed at once (a send is recorded) and only the
		// answer is late, so a client that gives up sees an ambiguous result.
		buf := &bufferedResponse{header: w.Header(), status: http.StatusOK}
		c.w = buf
		s.route(c)
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
		return
	}
	s.route(c)
}

// route dispatches a Graph call to its handler.
func (s *Sim) route(c *graphCall) {
	p := c.parts
	switch {
	case len(p) == 2 && p[0] == "oauth" && p[1] == "access_token":
		s.accessToken(c)
		return
	case len(p) == 1 && p[0] == "debug_token":
		s.debugToken(c)
		return
	case len(p) > 2:
		writeGraphError(c.w, errUnknownPath, "/"+strings.Join(p[2:], "/"))
		return
	}
	t, aerr := s.authenticate(c.r, c.params)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	c.tok = t
	id := p[0]
	if id == "me" {
		switch t.kind {
		case tokenPage:
			id = t.pageID
		case tokenShortUser, tokenLongUser:
			id = t.userID
		default:
			c.fail(apiErr(errParamInvalid, "An active access token must be used to query information about the current user."))
			return
		}
	}
	method := strings.ToLower(c.r.Method)
	if len(p) == 1 {
		if method != "get" {
			s.writeNode(c, id, method) // moderation.go
			return
		}
		s.getNode(c, id)
		return
	}
	s.getEdge(c, id, p[1], method)
}

// latestVersion is the newest Graph API version (v27.0, released 2026-11-04:
// meta-platform.md §10).
const latestVersion = 27

// knownVersion accepts the pinned version and every released one up to the
// latest (older ones are served by the next available, as at Meta).
func (s *Sim) knownVersion(v string) bool {
	if v == s.cfg.GraphVersion {
		return true
	}
	major, minor, ok := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	if !ok || minor != "0" {
		return false
	}
	n, err := strconv.Atoi(major)
	return err == nil && n >= 2 && n <= latestVersion
}

// readParams merges the query with a form or JSON body. JSON members that
// are not strings keep their JSON text, like the form variant's JSON values.
func readParams(r *http.Request) (url.Values, error) {
	q := r.URL.Query()
	if r.Body == nil || r.Method == http.MethodGet {
		return q, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errors.New("could not read the request body")
	}
	if len(body) > maxBody {
		return nil, errors.New("the request body is too large")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return q, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, errors.New("the request body is not a JSON object")
		}
		for k, raw := range m {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				q.Set(k, str)
			} else {
				q.Set(k, string(raw))
			}
		}
		return q, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errors.New("the request body is not form-encoded")
	}
	for k, v := range form {
		q[k] = v
	}
	return q, nil
}

// accountsOfCall answers the Instagram accounts a call concerns, for fault
// matching and usage headers: the one owning the node in the path, and the
// one whose Page token is used.
func (s *Sim) accountsOfCall(node, raw string) []string {
	var out []string
	s.mu.Lock()
	if a := s.accountOfNodeLocked(node); a != "" {
		out = append(out, a)
	}
	s.mu.Unlock()
	if t, err := s.minter.parse(raw); err == nil && t.kind == tokenPage {
		if p := s.world.pageByID[t.pageID]; p != nil && (len(out) == 0 || out[0] != p.AccountID) {
			out = append(out, p.AccountID)
		}
	}
	return out
}

// accountOfNodeLocked answers the account an id belongs to, or "".
func (s *Sim) accountOfNodeLocked(id string) string {
	if a := s.world.accountByID[id]; a != nil {
		return a.ID
	}
	if p := s.world.pageByID[id]; p != nil {
		return p.AccountID
	}
	if m, _ := s.mediaLocked(id); m != nil {
		return m.AccountID
	}
	if c := s.st.comments[id]; c != nil {
		return c.AccountID
	}
	return ""
}

// bufferedResponse holds an answer that graph_slow delays.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
