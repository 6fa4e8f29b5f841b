package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/team"
	"github.com/replydesk/replydesk/views"
)

// toPeopleVM is who is on a comment, the same for every viewer.
func toPeopleVM(it inbox.Item, now time.Time) views.PeopleVM {
	p := views.PeopleVM{AssigneeText: "Unassigned"}
	if it.Assignee.ID != 0 {
		p.AssigneeID = strconv.FormatInt(it.Assignee.ID, 10)
		p.AssigneeName = it.Assignee.Name
		p.AssigneeInitials = initials(it.Assignee.Name)
		p.AssigneeText = "Assigned to " + it.Assignee.Name
	}
	for _, r := range it.Replying {
		p.Replying = append(p.Replying, views.PresenceVM{
			UserID: strconv.FormatInt(r.ID, 10), Short: firstName(r.Name) + " is replying", Text: r.Name + " is replying",
		})
	}
	if !it.AlertedAt.IsZero() && it.Status == inbox.StatusOpen && now.Before(it.Deadline) {
		who := "Nobody is assigned."
		if it.Assignee.ID != 0 {
			who = it.Assignee.Name + ", who has it, is offline."
		}
		p.Alert = &views.AlertVM{
			Title: "@" + orDash(it.Username) + " on @" + it.AccountUsername + ": reply by " + it.Deadline.UTC().Format("15:04 UTC"),
			Body:  "“" + excerpt(it.Text, 80) + "” " + who,
			AtISO: isoMS(it.AlertedAt),
		}
	}
	return p
}

func initials(name string) string { return identity.User{Name: name}.Initials() }

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return name
}

// durationLabel writes an alert horizon as the rail says it: "1 h",
// "30 min", "1 h 30 min".
func durationLabel(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// alertsText is the one-time question about browser notifications.
func alertsText(before time.Duration) string {
	return "Get a browser notification when a comment has less than " + durationLabel(before) +
		" left and nobody is on it?"
}

// pickerVM lists the viewer's teammates for the assignee picker: the
// viewer first, then by name; the first nine get number keys.
func (s *Server) pickerVM(c echo.Context) (views.AssignPickerVM, error) {
	me := userOf(c)
	mates, err := s.deps.Team.Teammates(c.Request().Context(), me.ID)
	if err != nil {
		return views.AssignPickerVM{}, err
	}
	accts, err := s.userAccounts(c)
	if err != nil {
		return views.AssignPickerVM{}, err
	}
	names := map[string]string{}
	for _, a := range accts {
		names[a.ID] = "@" + a.Username
	}
	slices.SortStableFunc(mates, func(a, b team.Member) int {
		switch {
		case a.ID == me.ID:
			return -1
		case b.ID == me.ID:
			return 1
		}
		return 0
	})
	vm := views.AssignPickerVM{PresenceEvery: strconv.FormatInt(team.PresenceRefresh.Milliseconds(), 10)}
	for i, m := range mates {
		p := views.PickVM{ID: strconv.FormatInt(m.ID, 10), Name: m.Name, Initials: initials(m.Name), Note: "you"}
		if m.ID != me.ID {
			var on []string
			for _, id := range m.AccountIDs {
				on = append(on, names[id])
			}
			p.Note = strings.Join(on, ", ")
		}
		if i < 9 {
			p.Key = strconv.Itoa(i + 1)
		}
		vm.People = append(vm.People, p)
	}
	return vm, nil
}

// addAssignments puts a comment's assignment history in its panel, in time
// order with the rest, and the assignee control with the teammates who may
// see its account.
func (s *Server) addAssignments(c echo.Context, vm *views.CommentDetailVM, it inbox.Item, f inbox.Filter) error {
	ctx := c.Request().Context()
	now := s.now()
	hist, err := s.deps.Team.Assignments(ctx, it.ID)
	if err != nil {
		return err
	}
	for _, a := range hist {
		if name, ok := strings.CutPrefix(a.ByName, "rule:"); ok && a.ByID == 0 {
			a.ByName = "rule “" + name + "”" // a rule assigned it
		}
		text := "Unassigned by " + a.ByName
		switch {
		case a.Auto:
			text = "Assigned to " + a.AssigneeName + " automatically (their turn)"
		case a.AssigneeID != 0 && a.AssigneeID == a.ByID:
			text = a.AssigneeName + " took it"
		case a.AssigneeID != 0:
			text = "Assigned to " + a.AssigneeName + " by " + a.ByName
		}
		vm.History = append(vm.History, views.HistoryItem{When: ago(a.At, now), WhenISO: isoMS(a.At), Text: text, Kind: "assign"})
	}
	slices.SortStableFunc(vm.History, func(a, b views.HistoryItem) int { return strings.Compare(a.WhenISO, b.WhenISO) })

	mates, err := s.deps.Team.Teammates(ctx, userOf(c).ID)
	if err != nil {
		return err
	}
	me := userOf(c).ID
	vm.Assign = views.AssignFormVM{CommentID: it.ID, CSRF: csrfOf(c), FilterQuery: f.Values().Encode(),
		Options: []views.Option{{Value: inbox.AssigneeNone, Label: "Unassigned", Selected: it.Assignee.ID == 0}}}
	for _, m := range mates {
		if !slices.Contains(m.AccountIDs, it.AccountID) {
			continue
		}
		label := m.Name
		if m.ID == me {
			label += " (me)"
		}
		vm.Assign.Options = append(vm.Assign.Options, views.Option{Value: strconv.FormatInt(m.ID, 10), Label: label, Selected: m.ID == it.Assignee.ID})
	}
	if a := it.Assignee; a.ID != 0 && !slices.ContainsFunc(vm.Assign.Options, func(o views.Option) bool { return o.Selected }) {
		vm.Assign.Options = append(vm.Assign.Options, views.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name + " (cannot see this account now)", Selected: true})
	}
	return nil
}
