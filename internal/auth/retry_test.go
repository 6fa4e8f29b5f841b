package auth

import (
	"context"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/meta"
)

// TestMetaErrors_retryableIsTryLater: during login and when turning
// webhooks on, every retryable class (code 2, Meta's "unexpected error",
// included) means "try again", not a refusal.
func TestMetaErrors_retryableIsTryLater(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		later bool
	}{
		{"network", context.DeadlineExceeded, true},
		{"unknown error", &meta.Error{HTTPStatus: 500, Code: 1}, true},
		{"unexpected error (code 2)", &meta.Error{HTTPStatus: 400, Code: 2}, true},
		{"rate limit", &meta.Error{HTTPStatus: 400, Code: 613, Subcode: 2534040}, true},
		{"user limit", &meta.Error{HTTPStatus: 400, Code: 17}, true},
		{"permission", &meta.Error{HTTPStatus: 403, Code: 200}, false},
		{"invalid parameter", &meta.Error{HTTPStatus: 400, Code: 100}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ae, _ := apperr.As(metaError(tc.err))
			if got := ae != nil && ae.Code == ErrMetaUnavailable.Code; got != tc.later {
				t.Errorf("login: unavailable %v, want %v", got, tc.later)
			}
			if got := strings.Contains(subscriptionReason(tc.err), "will try again"); got != tc.later {
				t.Errorf("webhooks: %q", subscriptionReason(tc.err))
			}
		})
	}
}

// TestTokenReason_securityCheck: 10/2534077 asks for a security check, in
// those words.
func TestTokenReason_securityCheck(t *testing.T) {
	got := tokenReason(&meta.Error{Code: 10, Subcode: 2534077})
	if !strings.Contains(got, "security check") || !strings.Contains(got, "reconnect") {
		t.Errorf("reason = %q", got)
	}
}
