// Package meta is Replydesk's client for Meta's Graph API: Facebook Login
// discovery (and Login for Business URLs), token inspection, webhook
// subscriptions, Instagram comment reads, comment moderation and the Private
// Replies send call. Every call takes the token it acts with, signs it with
// appsecret_proof, and turns Meta's error JSON into an *Error whose class
// (classify.go: one table of Graph errors) says what the caller should do
// next. Every Graph path carries the configured version (Options.Version).
package meta

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configure a Client.
type Options struct {
	GraphURL   string // e.g. https://graph.facebook.com (no trailing slash)
	Version    string // e.g. v25.0 or v27.0
	AppID      string
	AppSecret  string
	HTTPClient *http.Client // default: 15 s timeout
}

// Client calls the Graph API. It is safe for concurrent use.
type Client struct {
	base      string
	version   string
	appID     string
	appSecret string
	http      *http.Client
	pageLimit int // page size of listed edges; 0 means Meta's largest (tests lower it)
}

// New makes a Client.
func New(o Options) *Client {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	return &Client{
		base: strings.TrimRight(o.GraphURL, "/"), version: o.Version,
		appID: o.AppID, appSecret: o.AppSecret, http: o.HTTPClient,
	}
}

// AppID is the Meta app's id.
func (c *Client) AppID() string { return c.appID }

// Proof is appsecret_proof for token: hex HMAC-SHA256 keyed with the app secret.
func (c *Client) Proof(token string) string {
	m := hmac.New(sha256.New, []byte(c.appSecret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// endpoint is the versioned URL of a Graph path such as "/me/accounts".
func (c *Client) endpoint(path string) string {
	return c.base + "/" + c.version + path
}

// get calls GET path with the query and token, decoding the answer into out.
func (c *Client) get(ctx context.Context, token, path string, q url.Values, out any) (Usage, error) {
	return c.call(ctx, http.MethodGet, token, c.endpoint(path), q, nil, out)
}

// postJSON calls POST path with a JSON body.
func (c *Client) postJSON(ctx context.Context, token, path string, body, out any) (Usage, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return Usage{}, fmt.Errorf("meta: encode %s: %w", path, err)
	}
	return c.call(ctx, http.MethodPost, token, c.endpoint(path), nil, b, out)
}

// call performs one Graph request with a JSON body (or none).
func (c *Client) call(ctx context.Context, method, token, rawURL string, q url.Values, body []byte, out any) (Usage, error) {
	return c.send(ctx, method, token, rawURL, q, body, "application/json", out)
}

// send performs one Graph request. Tokens travel in the Authorization header
// (never in logged URLs); the proof goes in the query.
func (c *Client) send(ctx context.Context, method, token, rawURL string, q url.Values, body []byte, contentType string, out any) (Usage, error) {
	if q == nil {
		q = url.Values{}
	}
	if token != "" {
		q.Set("appsecret_proof", c.Proof(token))
	}
	u := rawURL
	if len(q) > 0 {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return Usage{}, fmt.Errorf("meta: %s %s: %w", method, redact(rawURL), err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return Usage{}, &NetError{Op: method + " " + redact(rawURL), Err: RedactURL(err)}
	}
	defer resp.Body.Close()
	usage := parseUsage(resp.Header)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return usage, &NetError{Op: method + " " + redact(rawURL), Err: err}
	}
	if resp.StatusCode >= 300 {
		return usage, parseError(resp.StatusCode, raw, usage)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return usage, fmt.Errorf("meta: %s %s: decode answer: %w", method, redact(rawURL), err)
		}
	}
	return usage, nil
}

// NetError is a request that got no complete answer (connection refused,
// timeout, cut-off body). For a send it is ambiguous: Meta may hold it.
type NetError struct {
	Op  string
	Err error
}

func (e *NetError) Error() string { return "meta: " + e.Op + ": " + e.Err.Error() }
func (e *NetError) Unwrap() error { return e.Err }

// redact drops the query of a URL for logs and errors.
func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// RedactURL drops the query from the URL a *url.Error (what an HTTP client
// answers when a request gets no answer) names, and answers err: its text
// would otherwise carry the query's tokens and secrets into logs.
func RedactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redact(ue.URL)
	}
	return err
}

// IsNetError reports whether err is a request without a complete answer.
func IsNetError(err error) bool {
	var ne *NetError
	return errors.As(err, &ne)
}
