package metasim

import (
	"slices"
)

// permissions is the table of permissions the dialog knows; a token's scope
// bit i stands for permissions[i].
var permissions = []string{
	"public_profile", "email", "pages_show_list", "pages_read_engagement", "pages_manage_metadata",
	"pages_messaging", "instagram_basic", "instagram_manage_comments", "instagram_manage_messages",
	"business_management", "ads_read", "ads_management", "pages_manage_engagement",
	"pages_read_user_content", "pages_manage_posts", "instagram_content_publish",
	"instagram_manage_insights", "read_insights",
}

// permBit answers a permission's scope bit.
func permBit(name string) (uint64, bool) {
	i := slices.Index(permissions, name)
	if i < 0 {
		return 0, false
	}
	return 1 << i, true
}

// has reports whether the token carries a permission.
func (t token) has(name string) bool {
	bit, ok := permBit(name)
	return ok && t.scopes&bit != 0
}

// scopeNames lists the permissions in a scope mask, in table order.
func scopeNames(mask uint64) []string {
	var out []string
	for i, p := range permissions {
		if mask&(1<<i) != 0 {
			out = append(out, p)
		}
	}
	return out
}

// consentLocked records a user's answer in the dialog and answers the
// granted scope mask: permissions granted before stay granted; declined ones
// stay declined unless the app asks again with auth_type=rerequest.
func (s *Sim) consentLocked(userID string, asked, declinedNow []string, rerequest bool) uint64 {
	declined := map[string]bool{}
	if !rerequest {
		for _, p := range s.st.declined[userID] {
			if slices.Contains(asked, p) {
				declined[p] = true
			}
		}
	}
	for _, p := range declinedNow {
		if slices.Contains(asked, p) && p != "public_profile" {
			declined[p] = true
		}
	}
	granted := map[string]bool{"public_profile": true}
	for _, p := range s.st.granted[userID] {
		granted[p] = true
	}
	for _, p := range asked {
		granted[p] = true
	}
	// Still declined: earlier refusals not asked again, plus this answer's.
	stillDeclined := map[string]bool{}
	for _, p := range s.st.declined[userID] {
		if !slices.Contains(asked, p) || declined[p] {
			stillDeclined[p] = true
		}
	}
	for p := range declined {
		stillDeclined[p] = true
	}
	var mask uint64
	var grantedList, declinedList []string
	for _, p := range permissions {
		bit, _ := permBit(p)
		switch {
		case stillDeclined[p]:
			declinedList = append(declinedList, p)
		case granted[p]:
			mask |= bit
			grantedList = append(grantedList, p)
		}
	}
	s.st.granted[userID] = grantedList
	s.st.declined[userID] = declinedList
	s.markDirtyLocked()
	return mask
}

// mePermissions answers /me/permissions: the token's grants and the user's
// refusals.
func (s *Sim) mePermissions(c *graphCall) {
	s.mu.Lock()
	declined := slices.Clone(s.st.declined[c.tok.userID])
	s.mu.Unlock()
	data := []obj{}
	for _, p := range scopeNames(c.tok.scopes) {
		data = append(data, obj{{"permission", p}, {"status", "granted"}})
	}
	for _, p := range declined {
		if !c.tok.has(p) {
			data = append(data, obj{{"permission", p}, {"status", "declined"}})
		}
	}
	c.ok(obj{{"data", data}})
}
