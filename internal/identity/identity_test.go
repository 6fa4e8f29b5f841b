package identity

import "testing"

func TestTasks(t *testing.T) {
	cases := []struct {
		tasks           []string
		reply, moderate bool
	}{
		{nil, false, false},
		{[]string{"ADVERTISE", "ANALYZE"}, false, false},
		{[]string{"MESSAGING"}, true, false},
		{[]string{"ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE"}, true, true},
		{[]string{"PROFILE_PLUS_ANALYZE", "PROFILE_PLUS_MESSAGING", "PROFILE_PLUS_MODERATE"}, true, true},
		{[]string{"PROFILE_PLUS_FULL_CONTROL"}, false, true},
		{[]string{"messaging"}, false, false}, // Meta's names are upper case
	}
	for _, tc := range cases {
		if got := CanReply(tc.tasks); got != tc.reply {
			t.Errorf("CanReply(%v) = %v", tc.tasks, got)
		}
		if got := CanModerate(tc.tasks); got != tc.moderate {
			t.Errorf("CanModerate(%v) = %v", tc.tasks, got)
		}
	}
}

func TestUser_initialsAndRole(t *testing.T) {
	u := User{Name: "chloé  dubois martin", Role: RoleAdmin}
	if u.Initials() != "CD" || !u.IsAdmin() {
		t.Errorf("initials %q admin %v", u.Initials(), u.IsAdmin())
	}
	if (User{}).Initials() != "" || ValidRole("owner") || !ValidRole(RoleAgent) {
		t.Error("empty name or role check")
	}
}
