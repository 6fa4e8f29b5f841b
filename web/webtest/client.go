package webtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Client is a person's browser without JavaScript: a cookie jar, redirects
// not followed (tests see every status), the CSRF token scraped from each
// page's <meta name="csrf-token"> and sent with every write.
type Client struct {
	HTTP *http.Client
	CSRF string
	Base string // the app's URL, e.g. http://127.0.0.1:8080
}

// Response is an answer with its body read and, for HTML, parsed.
type Response struct {
	Status int
	Header http.Header
	Body   string
	Doc    *goquery.Document // nil unless the answer is HTML
}

// Location is the redirect target, resolved against the app's URL.
func (r *Response) Location() string { return r.Header.Get("Location") }

// Find is shorthand for r.Doc.Find (an empty selection without a Doc).
func (r *Response) Find(css string) *goquery.Selection {
	if r.Doc == nil {
		return (&goquery.Selection{}).Find(css)
	}
	return r.Doc.Find(css)
}

// NewClient is a logged-out client of the app at base.
func NewClient(base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Login logs a seeded Facebook user in through the real flow (/auth/facebook
// → the simulator's dialog with sim_user → the callback) and answers a
// client holding the session, its CSRF token already scraped.
func Login(t testing.TB, base, facebookUserID string) *Client {
	t.Helper()
	return LoginWith(t, base, facebookUserID, nil)
}

// LoginWith is Login with extra dialog parameters, such as sim_decline.
func LoginWith(t testing.TB, base, facebookUserID string, dialog url.Values) *Client {
	t.Helper()
	c := NewClient(base)
	resp := c.Callback(t, c.Dialog(t, c.StartLogin(t, ""), facebookUserID, dialog))
	if resp.Status != http.StatusSeeOther {
		t.Fatalf("webtest: login callback = %d, want 303:\n%.400s", resp.Status, resp.Body)
	}
	c.Get(t, resp.Location()) // any page carries the CSRF token
	if c.CSRF == "" {
		t.Fatal("webtest: no csrf-token on the page after login")
	}
	return c
}

// StartLogin GETs /auth/facebook (with query, e.g. "rerequest=1") and
// answers the dialog URL it redirects to.
func (c *Client) StartLogin(t testing.TB, query string) *url.URL {
	t.Helper()
	path := "/auth/facebook"
	if query != "" {
		path += "?" + query
	}
	resp := c.Get(t, path)
	if resp.Status != http.StatusFound {
		t.Fatalf("webtest: %s = %d, want 302: %v", path, resp.Status, errLoginStep)
	}
	u, err := url.Parse(resp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Dialog answers the simulator's dialog as facebookUserID (plus extra
// parameters) and returns the callback URL it redirects to.
func (c *Client) Dialog(t testing.TB, dialog *url.URL, facebookUserID string, extra url.Values) *url.URL {
	t.Helper()
	q := dialog.Query()
	q.Set("sim_user", facebookUserID)
	for k, v := range extra {
		q[k] = v
	}
	u := *dialog
	u.RawQuery = q.Encode()
	resp := c.do(t, http.MethodGet, u.String(), nil, "")
	if resp.Status != http.StatusFound {
		t.Fatalf("webtest: dialog = %d, want 302: %.300s", resp.Status, resp.Body)
	}
	cb, err := url.Parse(resp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

// Callback GETs the callback URL the dialog sent the browser to.
func (c *Client) Callback(t testing.TB, cb *url.URL) *Response {
	t.Helper()
	return c.do(t, http.MethodGet, cb.String(), nil, "")
}

// Get fetches an app path (or absolute URL).
func (c *Client) Get(t testing.TB, path string) *Response {
	t.Helper()
	return c.do(t, http.MethodGet, c.abs(path), nil, "")
}

// GetJSON fetches an API path and decodes its JSON answer into out; a
// status other than 200 fails the test.
func (c *Client) GetJSON(t testing.TB, path string, out any) *Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.abs(path), nil)
	req.Header.Set("Accept", "application/json")
	r := c.Do(t, req)
	if r.Status != http.StatusOK {
		t.Fatalf("webtest: GET %s = %d %s", path, r.Status, r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), out); err != nil {
		t.Fatalf("webtest: GET %s: %v", path, err)
	}
	return r
}

// PostForm posts a form with the CSRF token added as the field "csrf"
// (unless vals already has one).
func (c *Client) PostForm(t testing.TB, path string, vals url.Values) *Response {
	t.Helper()
	if vals == nil {
		vals = url.Values{}
	}
	if _, ok := vals["csrf"]; !ok {
		vals.Set("csrf", c.CSRF)
	}
	return c.do(t, http.MethodPost, c.abs(path), strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded")
}

// PostJSON posts JSON with the CSRF token in the X-CSRF-Token header.
func (c *Client) PostJSON(t testing.TB, path string, body any) *Response {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, c.abs(path), bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	return c.Do(t, req)
}

// Do sends a request as is (no CSRF token added).
func (c *Client) Do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("webtest: %s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw)); err == nil {
			r.Doc = doc
			if tok, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok && tok != "" {
				c.CSRF = tok
			}
		}
	}
	return r
}

func (c *Client) do(t testing.TB, method, u string, body io.Reader, contentType string) *Response {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return c.Do(t, req)
}

func (c *Client) abs(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return c.Base + path
}

// SessionCookie is the value of the client's session cookie ("" when none).
func (c *Client) SessionCookie() string {
	u, _ := url.Parse(c.Base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "replydesk_session" {
			return ck.Value
		}
	}
	return ""
}

// errLoginStep is a login step that did not answer as a login should.
var errLoginStep = errors.New("webtest: unexpected login step")
