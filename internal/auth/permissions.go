package auth

import (
	"slices"

	"github.com/replydesk/replydesk/internal/meta"
)

// permissionUse says in plain words what each requested permission is for.
var permissionUse = map[string]string{
	"instagram_basic":           "read your Instagram accounts",
	"instagram_manage_comments": "read comments and answer them",
	"pages_show_list":           "see your Facebook Pages (without it Replydesk finds no account)",
	"pages_read_engagement":     "read comments and posts on your Pages",
	"pages_manage_metadata":     "turn on webhooks, so new comments arrive",
	"pages_messaging":           "send private replies",
	"business_management":       "reach Pages owned by a Business portfolio",
}

// PermissionUse answers what a permission is for, in plain words.
func PermissionUse(name string) string {
	if u, ok := permissionUse[name]; ok {
		return u
	}
	return "a feature Replydesk needs"
}

// DeclinedNeeded lists the permissions Replydesk asks for that the user
// declined (or that expired), in the order of meta.Scopes.
func DeclinedNeeded(perms []meta.Permission) []string {
	granted := map[string]bool{}
	for _, p := range perms {
		if p.Status == "granted" {
			granted[p.Name] = true
		}
	}
	var out []string
	for _, s := range meta.Scopes() {
		if !granted[s] {
			out = append(out, s)
		}
	}
	return out
}

// BlocksAccess reports whether a declined permission alone explains why the
// user has no account (Pages cannot even be listed).
func BlocksAccess(declined []string) bool {
	return slices.Contains(declined, "pages_show_list")
}
