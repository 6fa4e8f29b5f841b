package metasim

import (
	"fmt"
	"slices"
	"strings"
)

// pageWebhookFields are the Page fields subscribed_apps accepts. Any Page
// field installs the app, which is what enables Instagram events (§6.4).
var pageWebhookFields = []string{
	"affiliation", "attire", "category", "checkins", "conversations", "description", "email",
	"feed", "general_info", "hours", "inbox_labels", "leadgen", "live_videos", "location",
	"mention", "merchant_review", "message_deliveries", "message_echoes", "message_reactions",
	"message_reads", "messages", "messaging_account_linking", "messaging_handovers",
	"messaging_optins", "messaging_policy_enforcement", "messaging_postbacks",
	"messaging_referrals", "name", "phone", "picture", "ratings", "standby", "website",
}

// subscribedApps answers GET, POST and DELETE /{page-id}/subscribed_apps,
// which need the Page's own token.
func (s *Sim) subscribedApps(c *graphCall, p *fbPage, method string) {
	if c.tok.kind != tokenPage || c.tok.pageID != p.ID {
		c.fail(apiErr(errPageTokenRequired))
		return
	}
	switch method {
	case "get":
		s.mu.Lock()
		in := s.st.installs[p.ID]
		s.mu.Unlock()
		data := []obj{}
		if in != nil {
			data = append(data, obj{{"category", "Business"}, {"link", "https://www.facebook.com/games/?app_id=" + s.cfg.AppID},
				{"name", "Replydesk"}, {"id", s.cfg.AppID}, {"subscribed_fields", in.Fields}})
		}
		c.ok(obj{{"data", data}})
	case "post":
		if aerr := s.canManageSubscription(c, p); aerr != nil {
			c.fail(aerr)
			return
		}
		raw := c.params.Get("subscribed_fields")
		fields := splitList(raw)
		if len(fields) == 0 {
			c.fail(apiErr(errParamRequired, "subscribed_fields"))
			return
		}
		for i, f := range fields {
			if !slices.Contains(pageWebhookFields, f) {
				c.fail(apiErr(errParamInvalid, fmt.Sprintf("Param subscribed_fields[%d] must be one of {%s} - got \"%s\"",
					i, strings.Join(pageWebhookFields, ", "), f)))
				return
			}
		}
		s.mu.Lock()
		if in := s.st.installs[p.ID]; in != nil {
			for _, f := range in.Fields { // Meta adds to the fields already subscribed
				if !slices.Contains(fields, f) {
					fields = append(fields, f)
				}
			}
		}
		slices.Sort(fields)
		s.st.installs[p.ID] = &install{Fields: fields, At: s.clock.now()}
		s.markDirtyLocked()
		s.mu.Unlock()
		s.hooks.clearFailing(p.ID)
		c.ok(obj{{"success", true}})
	case "delete":
		if aerr := s.canManageSubscription(c, p); aerr != nil {
			c.fail(aerr)
			return
		}
		s.mu.Lock()
		delete(s.st.installs, p.ID)
		s.markDirtyLocked()
		s.mu.Unlock()
		c.ok(obj{{"success", true}})
	default:
		c.fail(apiErr(errObjectNotFound, method, p.ID))
	}
}

// canManageSubscription: the token's user needs a moderating task and the
// pages_manage_metadata permission.
func (s *Sim) canManageSubscription(c *graphCall, p *fbPage) *apiError {
	if !hasTask(s.userTasks(c.tok, p.ID), moderateTasks...) {
		return apiErr(errPermission, "The user must be able to perform the MODERATE task on this Page")
	}
	if !c.tok.has("pages_manage_metadata") {
		return apiErr(errPermission, "Requires pages_manage_metadata permission to manage the object")
	}
	return nil
}
