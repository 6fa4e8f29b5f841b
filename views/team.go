package views

// TeamVM is the team page: users, their roles and reach.
type TeamVM struct {
	Layout   LayoutVM
	Rows     []TeamRowVM
	CanEdit  bool // the viewer is an admin
	Workload WorkloadVM
}

// TeamRowVM is one user on the team page.
type TeamRowVM struct {
	ID        string
	Name      string
	Initials  string
	AvatarURL string
	Role      string // "admin" or "agent"
	RoleLabel string // "Admin" or "Agent"
	Accounts  []string
	LastSeen  string // "2 min ago", "never"
	IsSelf    bool
	ActionURL string // POST target to change the role
	NextRole  string // the role the button gives
	NextLabel string // "Make admin", "Make agent"
}

func roleBadge(role string) string {
	if role == "admin" {
		return "badge badge-accent"
	}
	return "badge"
}
