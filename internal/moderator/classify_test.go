package moderator

import (
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/moderation"
)

// TestClassify_pageLevelRefusals: Meta's Page-level refusals get words
// that fit their cause: a missing permission points at the permission and
// the Page task, a restriction or block at Meta's account status.
func TestClassify_pageLevelRefusals(t *testing.T) {
	hide := moderation.Action{Kind: moderation.Hide}
	for _, tc := range []struct {
		name          string
		code, subcode int
		message       string
		words         string
	}{
		{"permission (199)", 199, 0, "Permissions error", "instagram_manage_comments"},
		{"Page restricted (10/1893063)", 10, 1893063, "restricted", "Account status"},
		{"permission (200)", 200, 0, "Permissions error", "instagram_manage_comments"},
		{"policy block (368)", 368, 0, "The action attempted has been deemed abusive", "Account status"},
		{"capability (3)", 3, 0, "Application does not have the capability", "Account status"},
		{"Page not linked", 100, 2534013, "Page not linked", "Account status"},
		{"business blocked", 100, 2534029, "blocked", "Account status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := &meta.Error{HTTPStatus: 400, Code: tc.code, Subcode: tc.subcode, Message: tc.message}
			if meta.Classify(err) != meta.ClassPause {
				t.Fatalf("class %v: not a Page-level refusal", meta.Classify(err))
			}
			o := classify(err, hide)
			if o.retry || o.kind != moderation.ErrPermission || !strings.Contains(o.message, tc.words) {
				t.Errorf("outcome %+v, want words %q", o, tc.words)
			}
		})
	}
}
