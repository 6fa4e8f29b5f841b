package metasim

// appSubscriptions answers GET /{app-id}/subscriptions with the app token:
// the app-level webhook subscriptions (meta-platform.md §6.4). Config.WebhookURL
// stands for an active, verified instagram subscription to comments and
// live_comments; without it the list is empty. A setup check reads the
// fields here and the Page installation from /{page-id}/subscribed_apps.
// Other tokens get Meta's generic "Unsupported get request" (Meta's exact
// answer, a #15 "must be called with an app access_token", is unverified);
// setting subscriptions through the API is not simulated.
func (s *Sim) appSubscriptions(c *graphCall, edge, method string) {
	if edge != "subscriptions" {
		c.fail(apiErr(errNoSuchField, edge, "Application"))
		return
	}
	if method != "get" || c.tok.kind != tokenApp {
		c.fail(apiErr(errObjectNotFound, method, s.cfg.AppID))
		return
	}
	data := []obj{}
	if s.cfg.WebhookURL != "" {
		var fields []obj
		for _, f := range []string{"comments", "live_comments"} {
			fields = append(fields, obj{{"name", f}, {"version", s.cfg.GraphVersion}})
		}
		data = append(data, obj{{"object", "instagram"}, {"callback_url", s.cfg.WebhookURL},
			{"active", true}, {"fields", fields}})
	}
	c.ok(obj{{"data", data}})
}
