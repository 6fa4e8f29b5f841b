package web_test

import (
	"bytes"
	"log/slog"
	"regexp"
	"sync"
	"testing"

	"github.com/replydesk/replydesk/web/webtest"
)

// lockedBuffer is a log destination for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestClientIP_trustedProxiesOnly: X-Forwarded-For and X-Real-IP say who
// the client is only when the request comes from a REPLYDESK_TRUSTED_PROXIES
// address; by default the connection's address is the client's (as the
// request log shows).
func TestClientIP_trustedProxiesOnly(t *testing.T) {
	cases := []struct {
		name, trusted string
		hdr           []string
		want          string
	}{
		{"no proxies trusted: X-Forwarded-For ignored", "", []string{"X-Forwarded-For", "203.0.113.9"}, "127.0.0.1"},
		{"no proxies trusted: X-Real-IP ignored", "", []string{"X-Real-IP", "203.0.113.9"}, "127.0.0.1"},
		{"another proxy trusted", "10.0.0.0/8", []string{"X-Forwarded-For", "203.0.113.9"}, "127.0.0.1"},
		{"loopback trusted: X-Forwarded-For", "127.0.0.1/32", []string{"X-Forwarded-For", "203.0.113.9"}, "203.0.113.9"},
		{"loopback trusted: X-Real-IP", "127.0.0.1", []string{"X-Real-IP", "203.0.113.9"}, "203.0.113.9"},
		{"loopback trusted: a forged first hop", "127.0.0.0/8", []string{"X-Forwarded-For", "198.51.100.1, 203.0.113.9"}, "203.0.113.9"},
		{"proxy chain trusted", "127.0.0.0/8,10.0.0.0/8", []string{"X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf lockedBuffer
			h := webtest.New(t, webtest.Options{
				Log: slog.New(slog.NewTextHandler(&buf, nil)),
				Env: func(name string) string {
					if name == "REPLYDESK_TRUSTED_PROXIES" {
						return tc.trusted
					}
					return ""
				},
			})
			resp, _ := send(t, "GET", h.URL+"/login", "", tc.hdr...)
			id := resp.Header.Get("X-Request-Id")
			m := regexp.MustCompile(`request_id=` + id + ` .* remote_ip=(\S+)`).FindStringSubmatch(buf.String())
			if m == nil {
				t.Fatalf("no request log line for %s:\n%s", id, buf.String())
			}
			if m[1] != tc.want {
				t.Errorf("remote_ip = %s, want %s", m[1], tc.want)
			}
		})
	}
}
