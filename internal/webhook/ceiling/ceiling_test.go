package ceiling

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

const secret = "ceiling-secret"

func sign(body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// chunked hides a body's length, so the server reads it without a
// Content-Length.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler(secret))
	t.Cleanup(srv.Close)
	delivery := []byte(`{"object":"instagram","entry":[{"id":"1","time":1,"changes":[{"field":"comments","value":{"id":"c"}}]}]}`)
	atLimit := bytes.Repeat([]byte{'x'}, MaxBody)
	overLimit := bytes.Repeat([]byte{'x'}, MaxBody+1)
	cases := []struct {
		name, method, path, signature string
		body                          []byte
		hideLength                    bool
		want                          int
	}{
		{"signed", http.MethodPost, "/webhooks/instagram", sign(delivery), delivery, false, http.StatusOK},
		{"signed, any path", http.MethodPost, "/", sign(delivery), delivery, false, http.StatusOK},
		{"signed, no length", http.MethodPost, "/webhooks/instagram", sign(delivery), delivery, true, http.StatusOK},
		{"empty body signed", http.MethodPost, "/h", sign(nil), nil, false, http.StatusOK},
		{"no signature", http.MethodPost, "/h", "", delivery, false, http.StatusUnauthorized},
		{"malformed signature", http.MethodPost, "/h", "sha1=abc", delivery, false, http.StatusUnauthorized},
		{"wrong signature", http.MethodPost, "/h", sign([]byte("other")), delivery, false, http.StatusUnauthorized},
		{"1 MiB signed", http.MethodPost, "/h", sign(atLimit), atLimit, false, http.StatusOK},
		{"1 MiB signed, no length", http.MethodPost, "/h", sign(atLimit), atLimit, true, http.StatusOK},
		{"over 1 MiB", http.MethodPost, "/h", sign(overLimit), overLimit, false, http.StatusRequestEntityTooLarge},
		{"over 1 MiB, no length", http.MethodPost, "/h", sign(overLimit), overLimit, true, http.StatusRequestEntityTooLarge},
		{"GET", http.MethodGet, "/h", "", nil, false, http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(tc.body)
			if tc.hideLength {
				body = chunked{body}
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.signature != "" {
				req.Header.Set("X-Hub-Signature-256", tc.signature)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func BenchmarkHandler(b *testing.B) {
	h := Handler(secret)
	delivery := []byte(`{"object":"instagram","entry":[{"id":"17841400000000001","time":1767225600,"changes":[{"field":"comments","value":{"from":{"id":"1234567890123456","username":"jane.doe"},"media":{"id":"17890000000000201","media_product_type":"FEED"},"id":"17900000000000101","text":"Price please?"}}]}]}`)
	sig := sign(delivery)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/instagram", bytes.NewReader(delivery))
		req.Header.Set("X-Hub-Signature-256", sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
