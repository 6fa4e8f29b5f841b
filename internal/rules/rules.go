// Package rules holds keyword automation's rules: what a rule is (the
// conditions a new comment must meet and the one action taken when it
// does), how what people write is checked, and how comments are matched.
// Admins keep the rules in order; the first enabled rule that matches a new
// comment applies. It is pure: storage and the runner use it.
package rules

import (
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
)

// Action is what a rule does with a comment it matches.
type Action string

// The actions.
const (
	Suggest Action = "suggest" // the composer opens with the rule's template
	Send    Action = "send"    // the template is sent as the private reply
	Assign  Action = "assign"  // the comment is assigned to a teammate
	Dismiss Action = "dismiss" // the comment is dismissed (spam)
)

// Actions lists every action in display order.
var Actions = []Action{Suggest, Send, Assign, Dismiss}

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	for _, v := range Actions {
		if a == v {
			return true
		}
	}
	return false
}

// UsesTemplate reports whether the action needs a template.
func (a Action) UsesTemplate() bool { return a == Suggest || a == Send }

// Match says how many of a rule's keywords a comment must contain.
type Match string

// The ways keywords combine.
const (
	MatchAny Match = "any" // at least one keyword
	MatchAll Match = "all" // every keyword
)

// Rule is one stored rule.
type Rule struct {
	ID       int64
	Name     string
	Enabled  bool
	Position int // 1 is checked first
	// Conditions; an empty list places no condition.
	Accounts        []string
	Surfaces        []inbox.Surface
	MediaIDs        []string
	Keywords        []string // words or phrases; none matches every comment
	Match           Match
	ExcludeKeywords []string // any of them rules the comment out
	// The action and what it needs.
	Action      Action
	TemplateID  int64 // suggest, send
	AssigneeID  int64 // assign
	OncePerUser bool  // send: one automatic reply per commenter per media
	// Who made it and when.
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Input is what a person writes when creating or editing a rule.
type Input struct {
	Name            string
	Enabled         bool
	Accounts        []string
	Surfaces        []inbox.Surface
	MediaIDs        []string
	Keywords        []string
	Match           Match
	ExcludeKeywords []string
	Action          Action
	TemplateID      int64
	AssigneeID      int64
	OncePerUser     bool
}

// InputOf is a rule's editable fields.
func InputOf(r Rule) Input {
	return Input{
		Name: r.Name, Enabled: r.Enabled, Accounts: r.Accounts, Surfaces: r.Surfaces, MediaIDs: r.MediaIDs,
		Keywords: r.Keywords, Match: r.Match, ExcludeKeywords: r.ExcludeKeywords, Action: r.Action,
		TemplateID: r.TemplateID, AssigneeID: r.AssigneeID, OncePerUser: r.OncePerUser,
	}
}

// Rule is the input as a rule (no id, position or author yet).
func (in Input) Rule() Rule {
	return Rule{
		Name: in.Name, Enabled: in.Enabled, Accounts: in.Accounts, Surfaces: in.Surfaces, MediaIDs: in.MediaIDs,
		Keywords: in.Keywords, Match: in.Match, ExcludeKeywords: in.ExcludeKeywords, Action: in.Action,
		TemplateID: in.TemplateID, AssigneeID: in.AssigneeID, OncePerUser: in.OncePerUser,
	}
}

// Outcome is what applying a rule to a new comment records: the rule, and
// what its action changes. The store applies it only while no person has
// touched the comment.
type Outcome struct {
	CommentID           string
	AccountID           string
	RuleID              int64
	Action              Action
	SuggestedTemplateID int64        // suggest, send (the composer opens with it if the send cannot go)
	AssigneeID          int64        // assign
	Reply               *reply.Reply // send: the reply to queue
}

// Stats are what a rule did in a period: comments it matched (and applied
// to) and automatic replies it got delivered.
type Stats struct {
	Matched int
	Sent    int
}

// StatsWindow is the period the rules page counts over.
const StatsWindow = 7 * 24 * time.Hour
