package signedreq

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

const secret = "app-secret"

// padded signs like Sign but keeps '=' padding on the signature, as some
// implementers report Meta does.
func padded(secret string, payload []byte) string {
	enc := base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(enc))
	return base64.URLEncoding.EncodeToString(mac.Sum(nil)) + "." + enc
}

func TestParse_valid(t *testing.T) {
	tests := []struct {
		name, req, user string
		issued, expires int64
	}{
		{"deauthorize", Sign(secret, []byte(`{"algorithm":"HMAC-SHA256","issued_at":1767225600,"user_id":"10000000000001"}`)),
			"10000000000001", 1767225600, 0},
		{"data deletion", Sign(secret, []byte(`{"user_id":"218471","algorithm":"HMAC-SHA256","issued_at":1291836800,"expires":1291840400}`)),
			"218471", 1291836800, 1291840400},
		{"numeric user id and lower-case algorithm", Sign(secret, []byte(`{"algorithm":"hmac-sha256","user_id":218471,"issued_at":"1291836800"}`)),
			"218471", 1291836800, 0},
		{"padded signature", padded(secret, []byte(`{"algorithm":"HMAC-SHA256","user_id":"42","unknown":{"x":1}}`)),
			"42", 0, 0},
		{"surrounding space", " " + Sign(secret, []byte(`{"algorithm":"HMAC-SHA256","user_id":"7"}`)) + "\n", "7", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(secret, tt.req)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.UserID != tt.user || p.Algorithm != Algorithm || len(p.Raw) == 0 {
				t.Fatalf("payload %+v", p)
			}
			if got := unixOrZero(p.IssuedAt); got != tt.issued {
				t.Fatalf("issued_at %d, want %d", got, tt.issued)
			}
			if got := unixOrZero(p.Expires); got != tt.expires {
				t.Fatalf("expires %d, want %d", got, tt.expires)
			}
		})
	}
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func TestParse_refusals(t *testing.T) {
	good := Sign(secret, []byte(`{"algorithm":"HMAC-SHA256","user_id":"1"}`))
	sig, payload, _ := strings.Cut(good, ".")
	tests := []struct {
		name, secret, req string
		want              error
	}{
		{"no secret", "", good, ErrNoSecret},
		{"empty", secret, "", ErrMalformed},
		{"no dot", secret, sig + payload, ErrMalformed},
		{"empty signature", secret, "." + payload, ErrMalformed},
		{"empty payload", secret, sig + ".", ErrMalformed},
		{"three parts", secret, good + ".x", ErrMalformed},
		{"not base64", secret, "!!!." + payload, ErrMalformed},
		{"too long", secret, sig + "." + strings.Repeat("A", MaxLen), ErrMalformed},
		{"wrong secret", "other-secret", good, ErrBadSignature},
		{"payload swapped", secret, sig + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"algorithm":"HMAC-SHA256","user_id":"2"}`)), ErrBadSignature},
		{"signature truncated", secret, sig[:10] + "." + payload, ErrBadSignature},
		{"other algorithm", secret, Sign(secret, []byte(`{"algorithm":"HMAC-SHA1","user_id":"1"}`)), ErrAlgorithm},
		{"no algorithm", secret, Sign(secret, []byte(`{"user_id":"1"}`)), ErrAlgorithm},
		{"no user", secret, Sign(secret, []byte(`{"algorithm":"HMAC-SHA256"}`)), ErrNoUser},
		{"payload not JSON", secret, Sign(secret, []byte(`not json`)), ErrMalformed},
		{"user id object", secret, Sign(secret, []byte(`{"algorithm":"HMAC-SHA256","user_id":{}}`)), ErrMalformed},
		{"issued_at text", secret, Sign(secret, []byte(`{"algorithm":"HMAC-SHA256","user_id":"1","issued_at":"soon"}`)), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.secret, tt.req)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %v, want %v", err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Sign(secret, []byte(`{"algorithm":"HMAC-SHA256","issued_at":1767225600,"user_id":"10000000000001"}`)))
	f.Add(padded(secret, []byte(`{"algorithm":"HMAC-SHA256","user_id":218471,"expires":"1"}`)))
	f.Add("abc.def")
	f.Add(".")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(secret, s)
		if err != nil {
			if p.UserID != "" || p.Raw != nil {
				t.Fatalf("error %v with a payload: %+v", err, p)
			}
			return
		}
		// Anything accepted must carry a user and have been signed with the secret.
		if p.UserID == "" || p.Algorithm != Algorithm {
			t.Fatalf("accepted %q as %+v", s, p)
		}
		if _, err := Parse("another-secret", s); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("accepted %q under another secret: %v", s, err)
		}
	})
}
