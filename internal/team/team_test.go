package team

import (
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
)

func TestNextInTurn(t *testing.T) {
	on := func(id int64, open int) Candidate { return Candidate{UserID: id, Online: true, Open: open} }
	off := func(id int64) Candidate { return Candidate{UserID: id} }
	cases := []struct {
		name  string
		cands []Candidate
		last  int64
		cap   int
		want  int64
		ok    bool
	}{
		{"first turn", []Candidate{on(1, 0), on(2, 0)}, 0, 5, 1, true},
		{"next after last", []Candidate{on(1, 0), on(2, 0), on(3, 0)}, 1, 5, 2, true},
		{"wraps around", []Candidate{on(1, 0), on(2, 0)}, 2, 5, 1, true},
		{"last left the team", []Candidate{on(1, 0), on(4, 0)}, 3, 5, 4, true},
		{"skips offline", []Candidate{on(1, 0), off(2), on(3, 0)}, 1, 5, 3, true},
		{"skips the full", []Candidate{on(1, 0), on(2, 5), on(3, 4)}, 1, 5, 3, true},
		{"wraps past the full", []Candidate{on(1, 5), on(2, 1), on(3, 5)}, 2, 5, 2, true},
		{"nobody online", []Candidate{off(1), off(2)}, 0, 5, 0, false},
		{"everyone full", []Candidate{on(1, 2), on(2, 3)}, 0, 2, 0, false},
		{"nobody", nil, 0, 5, 0, false},
	}
	for _, c := range cases {
		got, ok := NextInTurn(c.cands, c.last, c.cap)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: %d %v, want %d %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestShouldAlert(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	open := func(left time.Duration) inbox.Comment {
		return inbox.Comment{Status: inbox.StatusOpen, Deadline: now.Add(left)}
	}
	with := func(c inbox.Comment, f func(*inbox.Comment)) inbox.Comment { f(&c); return c }
	cases := []struct {
		name   string
		c      inbox.Comment
		online bool
		want   bool
	}{
		{"unassigned, 59 min left", open(59 * time.Minute), false, true},
		{"exactly the horizon", open(time.Hour), false, true},
		{"61 min left", open(61 * time.Minute), false, false},
		{"deadline passed", open(-time.Second), false, false},
		{"assignee online", with(open(10*time.Minute), func(c *inbox.Comment) { c.AssigneeID = 7 }), true, false},
		{"assignee offline", with(open(10*time.Minute), func(c *inbox.Comment) { c.AssigneeID = 7 }), false, true},
		{"already alerted", with(open(10*time.Minute), func(c *inbox.Comment) { c.AlertedAt = now }), false, false},
		{"replied", with(open(10*time.Minute), func(c *inbox.Comment) { c.Status = inbox.StatusReplied }), false, false},
		{"live", with(open(10*time.Minute), func(c *inbox.Comment) { c.Live = true }), false, false},
	}
	for _, c := range cases {
		if got := ShouldAlert(c.c, c.online, time.Hour, now); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestOnline(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		seen time.Time
		want bool
	}{
		{time.Time{}, false}, {now, true}, {now.Add(-OnlineWithin + time.Second), true}, {now.Add(-OnlineWithin), false},
	} {
		if got := Online(c.seen, now); got != c.want {
			t.Errorf("seen %v ago: %v", now.Sub(c.seen), got)
		}
	}
}

func TestChecks(t *testing.T) {
	err := CheckAssignee(inbox.Person{ID: 2, Name: "Ben Okafor"}, false, "acme.coffee")
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Unprocessable || ae.Message != "Ben Okafor cannot see @acme.coffee (their Facebook Page role has no Messages task), so the comment cannot be assigned to them." {
		t.Errorf("no access: %v", err)
	}
	if CheckAssignee(inbox.Person{ID: 2}, true, "x") != nil {
		t.Error("access refused")
	}
	for n, ok := range map[int]bool{0: false, 1: true, MaxCap: true, MaxCap + 1: false} {
		if (CheckCap(n) == nil) != ok {
			t.Errorf("cap %d: %v", n, CheckCap(n))
		}
	}
}
