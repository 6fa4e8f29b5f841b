package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/templates"
	"github.com/replydesk/replydesk/views"
)

var surfaceLabels = map[inbox.Surface]string{
	inbox.SurfacePost: "Post", inbox.SurfaceReel: "Reel", inbox.SurfaceStory: "Story",
	inbox.SurfaceAd: "Ad", inbox.SurfaceLive: "Live",
}

// surfacePlurals name the surface filter's options.
var surfacePlurals = map[inbox.Surface]string{
	inbox.SurfacePost: "Posts", inbox.SurfaceReel: "Reels", inbox.SurfaceStory: "Stories",
	inbox.SurfaceAd: "Ads", inbox.SurfaceLive: "Live",
}

var statusLabels = map[inbox.Status]string{
	inbox.StatusOpen: "Open", inbox.StatusReplied: "Replied", inbox.StatusDone: "Done",
	inbox.StatusDismissed: "Dismissed", inbox.StatusExpired: "Expired",
}

// countdown is the chip's first value, as static/js/app.js ticks it.
func countdown(c inbox.Comment, now time.Time) (text, stage string) {
	left := c.Deadline.Sub(now)
	switch {
	case c.Status == inbox.StatusReplied:
		return "Replied", "done"
	case c.Status == inbox.StatusExpired || (left <= 0 && c.Status == inbox.StatusOpen):
		return "expired", "expired" // short: it fits the pill; the panel says when
	case c.Live:
		return "LIVE", "live"
	case left <= 0:
		return "window closed", "done"
	}
	d, h, m, s := int(left/(24*time.Hour)), int(left/time.Hour), int(left/time.Minute), int(left/time.Second)
	switch {
	case d >= 1:
		text, stage = fmt.Sprintf("%dd %dh", d, h%24), "calm"
	case h >= 1:
		text, stage = fmt.Sprintf("%dh %02dm", h, m%60), "warn"
	default:
		text, stage = fmt.Sprintf("%dm %02ds", m, s%60), "urgent"
	}
	if c.Status != inbox.StatusOpen {
		stage = "done"
	}
	return text, stage
}

func isoMS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func commentURL(id string, f inbox.Filter) string {
	u := "/inbox/comments/" + url.PathEscape(id)
	if q := f.Values().Encode(); q != "" {
		u += "?" + q
	}
	return u
}

// toRowVM shapes one inbox item as a list row.
func toRowVM(it inbox.Item, f inbox.Filter, now time.Time) views.CommentRowVM {
	text, stage := countdown(it.Comment, now)
	end := "window closed"
	if it.Status == inbox.StatusOpen {
		end = "expired"
	}
	return views.CommentRowVM{
		ID: it.ID, DeadlineISO: isoMS(it.Deadline), Countdown: text, Stage: stage, EndText: end,
		Ticks:  !it.Live && it.Status != inbox.StatusReplied && it.Status != inbox.StatusExpired && now.Before(it.Deadline),
		Approx: !it.DeadlineExact, Live: it.Live, Username: orDash(it.Username), Text: it.Text,
		Account: it.AccountUsername, Surface: surfaceLabels[it.Surface], SurfaceKey: string(it.Surface),
		AdTitle: it.AdTitle, IsReply: it.ParentID != "", ReceivedAgo: ago(it.ReceivedAt, now),
		ReceivedISO: isoMS(it.ReceivedAt), Status: string(it.Status), StatusLabel: statusLabels[it.Status],
		StatusBy: it.StatusByName, OpenOnMedia: it.OpenOnMedia, DetailURL: commentURL(it.ID, f),
		Answerable: it.Status == inbox.StatusOpen && now.Before(it.Deadline),
		People:     toPeopleVM(it, now),
		Hidden:     it.Hidden, Deleted: it.Deleted, Moderating: pendingLabels[it.PendingModeration],
	}
}

func orDash(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// statusActions are the triage buttons a comment offers.
func statusActions(c inbox.Comment) []views.StatusAction {
	switch c.Status {
	case inbox.StatusOpen, inbox.StatusExpired:
		return []views.StatusAction{
			{Status: "done", Label: "Done", Key: "e", TestID: "action-done"},
			{Status: "dismissed", Label: "Dismiss", Key: "#", TestID: "action-dismiss"},
		}
	case inbox.StatusDone, inbox.StatusDismissed:
		return []views.StatusAction{{Status: "open", Label: "Reopen", Key: "u", TestID: "action-reopen"}}
	}
	return nil
}

// deadlineText says when the window closes, in words.
func deadlineText(c inbox.Comment, now time.Time) views.TimeNoteVM {
	switch {
	case c.Live && c.Status == inbox.StatusExpired:
		return views.TimeNoteVM{Before: "The broadcast ended: Instagram no longer accepts a private reply to this comment."}
	case c.Live:
		return views.TimeNoteVM{Before: "LIVE — can be answered until the broadcast ends."}
	case !now.Before(c.Deadline):
		return views.TimeNoteVM{Before: "The 7-day reply window closed on ", At: localDateTime(c.Deadline), AtISO: isoMS(c.Deadline), Local: "datetime", After: "."}
	}
	n := views.TimeNoteVM{Before: "Reply by ", At: localDateTime(c.Deadline), AtISO: isoMS(c.Deadline), Local: "datetime", After: "."}
	if !c.DeadlineExact {
		n.After = " (approximate: Instagram has not yet confirmed when the comment was made)."
	}
	return n
}

// deadlineLead is what the panel's headline countdown counts: the time
// left to reply, while there is some.
func deadlineLead(c inbox.Comment, now time.Time) string {
	switch {
	case c.Status != inbox.StatusOpen:
		return ""
	case c.Live:
		return "until the broadcast ends"
	case now.Before(c.Deadline):
		return "left to reply"
	}
	return ""
}

// localDateTime is a moment as the page shows it before its script puts it
// in the viewer's time zone.
func localDateTime(t time.Time) string { return t.UTC().Format("Mon 2 Jan, 15:04 UTC") }

// emptyState says what an empty list means.
func emptyState(f inbox.Filter, account string) views.EmptyVM {
	where := "your accounts"
	if account != "" {
		where = "@" + account
	}
	switch {
	case f.Query != "":
		return views.EmptyVM{Title: "No matches", Message: "No comment matches “" + f.Query + "”. Search looks at comment text and usernames."}
	case f.View == string(inbox.StatusOpen):
		return views.EmptyVM{Title: "All caught up", Message: "0 open comments on " + where + ". New comments appear here as they arrive."}
	case f.View == inbox.ViewDue:
		return views.EmptyVM{Title: "Nothing due soon", Message: "No open comment on " + where + " has less than 24 hours left."}
	}
	return views.EmptyVM{Title: "Nothing here", Message: "No " + strings.ToLower(viewLabel(f.View)) + " comments on " + where + "."}
}

func viewLabel(v string) string {
	switch v {
	case inbox.ViewDue:
		return "Due < 24 h"
	case inbox.ViewAll:
		return "All"
	}
	return statusLabels[inbox.Status(v)]
}

// inboxVM builds the inbox page: the first page of rows (selected marks
// the open comment's row), the rail with counts, filters, and the live
// stream's URL carrying the feed position read before the list, so the
// stream replays whatever changes after the page was read.
func (s *Server) inboxVM(c echo.Context, f inbox.Filter, selected string) (views.InboxVM, error) {
	pos, err := s.deps.Feed.FeedPosition(c.Request().Context())
	if err != nil {
		return views.InboxVM{}, err
	}
	rows, next, err := s.listRows(c, f, nil, selected)
	if err != nil {
		return views.InboxVM{}, err
	}
	rail, err := s.railVM(c, f)
	if err != nil {
		return views.InboxVM{}, err
	}
	layout := s.layout(c, "Inbox")
	layout.Nav = "inbox"
	picker, err := s.pickerVM(c)
	if err != nil {
		return views.InboxVM{}, err
	}
	vm := views.InboxVM{
		Layout: layout, Rail: rail, Rows: rows, NextURL: next, Query: f.Query, Status: f.View, Account: f.AccountID,
		Surface: string(f.Surface), Sort: f.Sort, LiveFirst: f.LiveFirst(), FilterQuery: f.Values().Encode(), ServerNow: isoMS(s.now()),
		Assignee: f.Assignee, MeID: strconv.FormatInt(userOf(c).ID, 10), Picker: picker, AlertsText: alertsText(s.opt.AlertBefore),
		BulkActions: []views.BulkAction{
			{Status: "done", Label: "Done", Key: "e"}, {Status: "dismissed", Label: "Dismiss", Key: "#"},
			{Status: "open", Label: "Reopen", Key: "u"},
		},
		BulkHide: views.BulkHideVM{Label: "Hide", Key: "h"},
	}
	ev := f.Values()
	ev.Set("since", strconv.FormatInt(pos, 10))
	vm.EventsURL = "/inbox/events?" + ev.Encode()
	vm.Surfaces = []views.Option{{Value: "", Label: "All surfaces", Selected: f.Surface == ""}}
	for _, sf := range inbox.Surfaces {
		vm.Surfaces = append(vm.Surfaces, views.Option{Value: string(sf), Label: surfacePlurals[sf], Selected: f.Surface == sf})
	}
	vm.Sorts = []views.Option{
		{Value: inbox.SortDeadline, Label: "Deadline first", Selected: f.Sort == inbox.SortDeadline},
		{Value: inbox.SortNewest, Label: "Newest first", Selected: f.Sort == inbox.SortNewest},
	}
	username := ""
	var ids []string
	vm.Accounts = []views.Option{{Value: "", Label: "All accounts", Selected: f.AccountID == ""}}
	if accts, err := s.userAccounts(c); err == nil {
		for _, a := range accts {
			vm.Accounts = append(vm.Accounts, views.Option{Value: a.ID, Label: "@" + a.Username, Selected: a.ID == f.AccountID})
			if a.ID == f.AccountID {
				username = a.Username
			}
			if f.AccountID == "" || a.ID == f.AccountID {
				ids = append(ids, a.ID)
			}
		}
	}
	vm.Empty = emptyState(f, username)
	if len(rows) == 0 && f.Query == "" && s.opt.Backfill {
		pending, err := s.deps.Accounts.FirstBackfillPending(c.Request().Context(), ids)
		if err != nil {
			return views.InboxVM{}, err
		}
		if pending {
			vm.Empty = views.EmptyVM{Title: "Fetching the last 7 days of comments from Instagram…", Loading: true,
				Message: "They appear here as they are read, in a minute or so. New comments arrive live meanwhile."}
		}
	}
	vm.Layout.Title = rail.Title
	return vm, nil
}

// endedBandFor is how long a band says a broadcast ended (and what that
// cost) after its comments expired.
const endedBandFor = 15 * time.Minute

// railVM builds the rail (views with counts, accounts) and the Live bands
// for the user and filter.
func (s *Server) railVM(c echo.Context, f inbox.Filter) (views.RailVM, error) {
	u := userOf(c)
	ctx := c.Request().Context()
	counts, err := s.deps.Inbox.InboxCounts(ctx, u.ID, f.AccountID)
	if err != nil {
		return views.RailVM{}, err
	}
	accts, err := s.userAccounts(c)
	if err != nil {
		return views.RailVM{}, err
	}
	liveCounts, err := s.deps.Inbox.OpenLiveCounts(ctx, u.ID)
	if err != nil {
		return views.RailVM{}, err
	}
	tc, err := s.deps.Team.TeamCounts(ctx, u.ID, f.AccountID, s.opt.AlertBefore)
	if err != nil {
		return views.RailVM{}, err
	}
	endedCounts, err := s.deps.Inbox.EndedLiveCounts(ctx, u.ID, s.now().Add(-endedBandFor))
	if err != nil {
		return views.RailVM{}, err
	}
	vm := views.RailVM{Title: fmt.Sprintf("Inbox (%d open)", counts.Open)}
	link := func(g inbox.Filter) string {
		g.Query = f.Query
		if q := g.Values().Encode(); q != "" {
			return "/inbox?" + q
		}
		return "/inbox"
	}
	for _, v := range []struct {
		view, label string
		n           int
	}{
		{"open", "Open", counts.Open}, {inbox.ViewUrgent, "Due < " + durationLabel(s.opt.AlertBefore), tc.Urgent},
		{inbox.ViewDue, "Due < 24 h", counts.Due}, {"replied", "Replied", counts.Replied},
		{"done", "Done", counts.Done}, {"dismissed", "Dismissed", counts.Dismissed}, {"expired", "Expired", counts.Expired},
		{inbox.ViewAll, "All", -1},
	} {
		rl := views.RailLink{Label: v.label, URL: link(f.With("status", v.view).With("assignee", "")),
			Active: f.View == v.view && f.Assignee == "", TestID: "view-" + v.view, Alert: v.view == inbox.ViewUrgent && v.n > 0}
		if v.n >= 0 {
			rl.Count = strconv.Itoa(v.n)
		}
		vm.Views = append(vm.Views, rl)
	}
	open := f.With("status", "open")
	vm.Team = []views.RailLink{
		{Label: "Mine", Count: strconv.Itoa(tc.Mine), URL: link(open.With("assignee", inbox.AssigneeMe)),
			Active: f.Assignee == inbox.AssigneeMe, TestID: "view-mine"},
		{Label: "Unassigned", Count: strconv.Itoa(tc.Unassigned), URL: link(open.With("assignee", inbox.AssigneeNone)),
			Active: f.Assignee == inbox.AssigneeNone, TestID: "view-unassigned"},
	}
	vm.Accounts = append(vm.Accounts, views.RailLink{Label: "All accounts", URL: link(f.With("account", "")), Active: f.AccountID == "", TestID: "account-all"})
	for _, a := range accts {
		vm.Accounts = append(vm.Accounts, views.RailLink{
			Label: "@" + a.Username, URL: link(f.With("account", a.ID)), Active: f.AccountID == a.ID,
			Attention: a.NeedsReconnect() || a.Held() || !a.Subscribed, TestID: "account-" + a.ID,
		})
		if a.Held() {
			queued, err := s.deps.Accounts.QueuedReplies(ctx, a.ID)
			if err != nil {
				return views.RailVM{}, err
			}
			vm.HoldBands = append(vm.HoldBands, *holdVM(a, queued, u.IsAdmin(), s.now()))
		}
		if n := liveCounts[a.ID]; n > 0 {
			what := "1 open comment"
			if n != 1 {
				what = strconv.Itoa(n) + " open comments"
			}
			vm.LiveBands = append(vm.LiveBands, views.LiveBandVM{
				Account: a.Username, ViewURL: link(inbox.Filter{View: "open", AccountID: a.ID, Surface: inbox.SurfaceLive}),
				Message: "— " + what + " can be answered until the broadcast ends",
			})
		} else if n := endedCounts[a.ID]; n > 0 {
			what := "1 comment"
			if n != 1 {
				what = strconv.Itoa(n) + " comments"
			}
			vm.LiveBands = append(vm.LiveBands, views.LiveBandVM{
				Account: a.Username, Ended: true, ViewURL: link(inbox.Filter{View: "expired", AccountID: a.ID, Surface: inbox.SurfaceLive}),
				Message: "— " + what + " can no longer get a private reply",
			})
		}
	}
	return vm, nil
}

// detailVM builds the detail panel of one comment, with its reply composer.
func (s *Server) detailVM(c echo.Context, it inbox.Item, f inbox.Filter) (views.CommentDetailVM, error) {
	now := s.now()
	row := toRowVM(it, f, now)
	vm := views.CommentDetailVM{
		Row: row, CSRF: csrfOf(c), MediaID: it.MediaID, ParentID: it.ParentID,
		Actions: statusActions(it.Comment), FilterQuery: f.Values().Encode(), Deadline: deadlineText(it.Comment, now), DeadlineLead: deadlineLead(it.Comment, now),
		ListURL: "/inbox",
	}
	if vm.FilterQuery != "" {
		vm.ListURL += "?" + vm.FilterQuery
	}
	if it.AdTitle != "" {
		vm.MediaLabel = "“" + it.AdTitle + "”"
	}
	if it.OpenOnMedia > 1 {
		media := strings.ToLower(surfaceLabels[it.Surface])
		if it.Surface == inbox.SurfaceLive {
			media = "broadcast"
		}
		vm.OpenOnMedia = strconv.Itoa(it.OpenOnMedia) + " open comments on this " + media
	}
	vm.History = append(vm.History, views.HistoryItem{When: ago(it.ReceivedAt, now), WhenISO: isoMS(it.ReceivedAt), Text: "Received", Kind: "received"})
	panel, err := s.deps.Replies.Panel(c.Request().Context(), userOf(c).ID, it)
	if err != nil {
		return vm, err
	}
	for _, r := range panel.History {
		vm.History = append(vm.History, views.HistoryItem{When: ago(r.CreatedAt, now), WhenISO: isoMS(r.CreatedAt),
			Text: "Reply by " + orSystem(replyBy(r)) + ": " + reply.Labels[r.State], Kind: "reply"})
	}
	if !it.StatusAt.IsZero() && it.Status != inbox.StatusOpen && it.Status != inbox.StatusReplied {
		vm.History = append(vm.History, views.HistoryItem{When: ago(it.StatusAt, now), WhenISO: isoMS(it.StatusAt),
			Text: statusLabels[it.Status] + " by " + orSystem(it.StatusByName), Kind: "status"})
	}
	if err := s.addAssignments(c, &vm, it, f); err != nil {
		return vm, err
	}
	vm.Reply = s.replyPanelVM(c, it, panel)
	vm.Reply.FilterQuery = vm.FilterQuery
	if vm.Reply.Templates, err = s.replyTemplates(c, it); err != nil {
		return vm, err
	}
	mod, err := s.deps.Moderation.Panel(c.Request().Context(), it)
	if err != nil {
		return vm, err
	}
	if vm.Moderation, err = s.moderationVM(c, it, mod, f); err != nil {
		return vm, err
	}
	if vm.Reply.Nudge, err = s.nudgeVM(c, it, mod, vm.Moderation.Composer.Templates, vm.Reply.Enabled); err != nil {
		return vm, err
	}
	vm.History = append(vm.History, moderationHistory(mod.Actions, now)...)
	slices.SortStableFunc(vm.History, func(a, b views.HistoryItem) int { return strings.Compare(a.WhenISO, b.WhenISO) })
	s.ruleInDetail(c, it, &vm)
	vm.Context, err = s.contextVM(c, it, f)
	return vm, err
}

// maxPicks bounds the templates offered in the composer.
const maxPicks = 30

// replyTemplates are the shared templates rendered for this comment, in
// the order admins set; the first nine get number keys.
func (s *Server) replyTemplates(c echo.Context, it inbox.Item) ([]views.ReplyTemplateVM, error) {
	return s.renderedTemplates(c, it, templates.AudiencePrivate, func(text string) bool { return len(text) > reply.MaxBytes })
}

// renderedTemplates are one audience's templates rendered for the comment,
// in the order admins set (never by usage, so keys stay put); tooLong marks
// those its composer cannot send. Private ones get number keys (1–9),
// public ones none, so a key never posts a private text publicly.
func (s *Server) renderedTemplates(c echo.Context, it inbox.Item, aud templates.Audience, tooLong func(string) bool) ([]views.ReplyTemplateVM, error) {
	list, err := s.deps.Library.ListTemplates(c.Request().Context(), templates.Query{Sort: templates.SortPosition, Audience: aud})
	if err != nil {
		return nil, err
	}
	vars := templates.VarsFor(it)
	keys := templates.Keys(list)
	var out []views.ReplyTemplateVM
	for _, t := range list {
		text, err := t.Render(vars)
		if err != nil {
			continue // a body saved before a rule changed: not offered
		}
		out = append(out, views.ReplyTemplateVM{ID: t.ID, Key: keys[t.ID], Name: t.Name, Shortcut: t.Shortcut, Text: text, Bytes: len(text), TooLong: tooLong(text)})
		if len(out) == maxPicks {
			break
		}
	}
	return out, nil
}

func orSystem(name string) string {
	if name == "" {
		return "Replydesk"
	}
	return name
}

// maxBytes is Instagram's limit in the composer's words.
var maxBytes = reply.Thousands(reply.MaxBytes)

// replyPanelVM shapes the composer: the reply in flight or sent, why a new
// one is impossible (if it is), and the earlier attempts.
func (s *Server) replyPanelVM(c echo.Context, it inbox.Item, p reply.PanelState) views.ReplyPanelVM {
	now := s.now()
	vm := views.ReplyPanelVM{
		CommentID: it.ID, CSRF: csrfOf(c), Account: it.AccountUsername, MaxBytes: reply.MaxBytes,
		Enabled: p.Blocker == "", Reason: p.Blocker,
		ClosedReason: "The reply window has closed: Instagram no longer accepts a private reply to this comment.",
		CountText:    "0 / " + maxBytes + " bytes", CountFormat: "{n} / " + maxBytes + " bytes",
		CountOver:    "{n} / " + maxBytes + " bytes — {over} too many",
		DeliveryNote: "The message lands in @" + it.Username + "'s Requests if they don't follow @" + it.AccountUsername + ", and links to the post.",
	}
	if p.Hold != nil {
		vm.HoldNote = "Meta stopped replies for @" + it.AccountUsername + ": " + p.Hold.Reason +
			". A reply sent now waits in the queue until the account is resumed."
	}
	for _, r := range p.History {
		vm.Attempts = append(vm.Attempts, toReplyVM(r, now))
	}
	if last := reply.Latest(p.History); last != nil {
		rv := toReplyVM(*last, now)
		if last.State == reply.Queued && p.Hold != nil {
			rv.StateLabel = "Queued — on hold until replies for @" + it.AccountUsername + " are resumed"
			rv.StateTime = views.TimeNoteVM{Before: rv.StateLabel}
		}
		if last.State == reply.Queued && !p.EstimateQ.IsZero() {
			rv.StateTime = views.TimeNoteVM{Before: "Queued — expected to go out at ", At: p.EstimateQ.UTC().Format("15:04 UTC"),
				AtISO: isoMS(p.EstimateQ), Local: "time", After: " (the hourly private-reply budget of @" + it.AccountUsername + " is used up)"}
			rv.StateLabel = rv.StateTime.Before + rv.StateTime.At + rv.StateTime.After
		}
		vm.Existing = &rv
	}
	return vm
}

func toReplyVM(r reply.Reply, now time.Time) views.ReplyVM {
	when := r.CreatedAt
	if !r.SentAt.IsZero() {
		when = r.SentAt
	}
	vm := views.ReplyVM{State: string(r.State), StateLabel: reply.Labels[r.State], Text: r.Text, By: replyBy(r),
		When: ago(when, now), WhenISO: isoMS(when), Error: r.Error, MessageID: r.MessageID, Template: r.TemplateName}
	vm.StateTime = views.TimeNoteVM{Before: vm.StateLabel}
	if r.State == reply.Retrying && !r.NextAttemptAt.IsZero() {
		vm.StateTime = views.TimeNoteVM{Before: "Retrying — next attempt ", At: r.NextAttemptAt.UTC().Format("15:04:05 UTC"), AtISO: isoMS(r.NextAttemptAt), Local: "time-s"}
		vm.StateLabel = vm.StateTime.Before + vm.StateTime.At
	}
	return vm
}
