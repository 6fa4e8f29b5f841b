package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/views"
)

// flashCookie carries a one-time message code across a redirect
// (Post/Redirect/Get). Only codes travel; the words come from flashes.
const flashCookie = "replydesk_flash"

// flashes are the one-time messages, by code.
var flashes = map[string]views.Flash{
	"logged_out":          {Kind: "ok", Message: "You are logged out."},
	"role_changed":        {Kind: "ok", Message: "Role updated."},
	"last_admin":          {Kind: "error", Message: "You are the only admin. Make someone else admin before stepping down."},
	"template_created":    {Kind: "ok", Message: "Template created."},
	"template_saved":      {Kind: "ok", Message: "Template saved."},
	"template_deleted":    {Kind: "ok", Message: "Template deleted."},
	"auto_assign_saved":   {Kind: "ok", Message: "Auto-assignment saved."},
	"nudge_saved":         {Kind: "ok", Message: "The default “check your DMs” reply is saved."},
	"token_revoked":       {Kind: "ok", Message: "Token revoked: it no longer works."},
	"webhook_deleted":     {Kind: "ok", Message: "Webhook deleted: it gets no more events."},
	"disconnected":        {Kind: "ok", Message: "Account disconnected: Meta no longer sends its comments, and nothing more is sent for it."},
	"disconnected_purged": {Kind: "ok", Message: "Account disconnected and its comments deleted."},
	"disconnected_hooks_on": {Kind: "error", Message: "Account disconnected, but Facebook did not confirm that its webhooks are off. " +
		"Replydesk ignores them; to stop them at Meta too, remove Replydesk from the Page in Meta Business Suite (Settings → Business integrations)."},
	"rule_created":    {Kind: "ok", Message: "Rule created. It applies to comments that arrive from now on."},
	"rule_saved":      {Kind: "ok", Message: "Rule saved."},
	"rule_deleted":    {Kind: "ok", Message: "Rule deleted."},
	"rule_on":         {Kind: "ok", Message: "Rule turned on."},
	"rule_off":        {Kind: "ok", Message: "Rule turned off: it no longer applies to new comments."},
	"replies_resumed": {Kind: "ok", Message: "Replies resumed: the queued ones go out now, closest deadline first."},
}

// setFlash queues a one-time message for the next page.
func (s *Server) setFlash(c echo.Context, code string) {
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: code, Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: s.opt.Secure, SameSite: http.SameSiteLaxMode})
}

// takeFlash reads and clears the queued message, if any.
func (s *Server) takeFlash(c echo.Context) []views.Flash {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.opt.Secure, SameSite: http.SameSiteLaxMode})
	if f, ok := flashes[ck.Value]; ok {
		return []views.Flash{f}
	}
	return nil
}
