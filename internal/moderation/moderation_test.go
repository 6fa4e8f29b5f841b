package moderation

import (
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
)

func TestBlocker(t *testing.T) {
	open := inbox.Comment{ID: "c", Status: inbox.StatusOpen}
	hidden := open
	hidden.Hidden = true
	deleted := open
	deleted.Deleted = true
	live := open
	live.Live = true
	pending := &Action{Kind: Hide, State: Queued}
	tests := []struct {
		name    string
		c       inbox.Comment
		kind    Kind
		pending *Action
		want    string // a word the reason holds; "" when allowed
	}{
		{"public reply", open, PublicReply, nil, ""},
		{"public reply to a hidden comment", hidden, PublicReply, nil, "Unhide it first"},
		{"public reply while a hide is on its way", open, PublicReply, pending, ""},
		{"hide", open, Hide, nil, ""},
		{"hide twice", hidden, Hide, nil, "already hidden"},
		{"unhide a visible comment", open, Unhide, nil, "not hidden"},
		{"unhide", hidden, Unhide, nil, ""},
		{"delete while a hide is on its way", open, Delete, pending, "still working"},
		{"anything on a deleted comment", deleted, Hide, nil, "deleted"},
		{"anything on Live", live, Delete, nil, "Live"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Blocker(tt.c, tt.kind, tt.pending)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Blocker = %q, want one saying %q", got, tt.want)
			}
		})
	}
}

func TestCheckPublicText(t *testing.T) {
	for _, tt := range []struct {
		text, want string
	}{
		{"Check your DMs 💌", ""},
		{"   ", "Write the public reply"},
		{strings.Repeat("é", MaxPublicChars), ""}, // characters, not bytes
		{strings.Repeat("a", MaxPublicChars+12), "2,212 characters; Instagram accepts at most 2,200. Shorten it by 12"},
		{"\xff", "not valid text"},
	} {
		err := CheckPublicText(tt.text)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckPublicText(%.20q) = %v, want %q", tt.text, err, tt.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	at := time.Now()
	for _, tt := range []struct {
		a    Action
		want string
	}{
		{Action{Kind: Hide, State: Done, UserName: "Ava", DoneAt: at}, "Hidden by Ava"},
		{Action{Kind: Unhide, State: Done, UserName: "Ava"}, "Unhidden by Ava"},
		{Action{Kind: Delete, State: Queued, UserName: "Ben"}, "Delete by Ben: deleting…"},
		{Action{Kind: PublicReply, State: Failed, UserName: "Ava", Error: "Instagram refused this public reply."}, "Public reply by Ava failed: Instagram refused this public reply."},
		{Action{Kind: PublicReply, State: Waiting, Nudge: true, UserName: "Ava"}, "“Check your DMs” reply by Ava: waiting for the private reply to go out"},
		{Action{Kind: Hide, State: Done}, "Hidden by Replydesk"},
	} {
		if got := Describe(tt.a); got != tt.want {
			t.Errorf("Describe(%+v) = %q, want %q", tt.a, got, tt.want)
		}
	}
}
