package metasim

import (
	"sort"
	"strings"
)

// getEdge answers /{id}/{edge}.
func (s *Sim) getEdge(c *graphCall, id, edge, method string) {
	wrongMethod := func(want string) bool {
		if method != want {
			c.fail(apiErr(errObjectNotFound, method, id))
			return true
		}
		return false
	}
	switch {
	case id == s.cfg.AppID:
		s.appSubscriptions(c, edge, method) // appsubs.go
	case s.world.userByID[id] != nil:
		if c.tok.kind == tokenPage || c.tok.userID != id {
			c.fail(apiErr(errObjectNotFound, method, id))
			return
		}
		switch edge {
		case "accounts":
			if !wrongMethod("get") {
				s.meAccounts(c)
			}
		case "permissions":
			if !wrongMethod("get") {
				s.mePermissions(c)
			}
		default:
			c.fail(apiErr(errNoSuchField, edge, "User"))
		}
	case s.world.pageByID[id] != nil:
		switch edge {
		case "subscribed_apps":
			s.subscribedApps(c, s.world.pageByID[id], method)
		case "messages":
			if !wrongMethod("post") {
				s.sendMessage(c, id)
			}
		default:
			c.fail(apiErr(errNoSuchField, edge, "Page"))
		}
	case s.world.accountByID[id] != nil:
		if edge == "messages" && method == "post" {
			// Private replies go to /{page-id}/messages with Facebook Login;
			// the Instagram account node lacks that capability (§3.4).
			c.fail(apiErr(errWrongNode))
			return
		}
		if wrongMethod("get") {
			return
		}
		switch edge {
		case "media", "stories", "live_media":
			s.accountMediaEdge(c, s.world.accountByID[id], edge)
		default:
			c.fail(apiErr(errNoSuchField, edge, "ShadowIGUser"))
		}
	default:
		if edge == "replies" && method == "post" {
			s.publicReply(c, id) // moderation.go
			return
		}
		if wrongMethod("get") {
			return
		}
		s.igEdge(c, id, edge)
	}
}

// accountMediaEdge answers /{ig-user-id}/media, /stories and /live_media.
func (s *Sim) accountMediaEdge(c *graphCall, a *igAccount, edge string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.canReadPage(c.tok, a.PageID) {
		c.fail(apiErr(errObjectNotFound, "get", a.ID))
		return
	}
	if !c.tok.has("instagram_basic") {
		c.fail(apiErr(errNoPermission))
		return
	}
	var list []*media
	switch edge {
	case "media":
		for _, m := range s.world.accountMedia(a.ID) {
			if m.ProductType != "STORY" {
				list = append(list, m)
			}
		}
	case "stories":
		for _, m := range s.world.accountMedia(a.ID) {
			if m.ProductType == "STORY" {
				list = append(list, m)
			}
		}
	case "live_media":
		if b := s.activeBroadcastLocked(a.ID); b != nil {
			list = append(list, b.media())
		}
	}
	sort.Slice(list, func(i, j int) bool { return newestFirst(list[i].Created, list[i].ID, list[j].Created, list[j].ID) })
	sel, ok := c.selection("id")
	if !ok {
		return
	}
	window, paging, aerr := paginate(c, list, func(m *media) string { return newestFirstKey(m.Created, m.ID) }, pageLimits{25, 100})
	if aerr != nil {
		c.fail(aerr)
		return
	}
	data := make([]obj, 0, len(window))
	for _, m := range window {
		o, aerr := s.renderMedia(c, m, sel)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		data = append(data, o)
	}
	c.ok(listBody(data, paging))
}

// igEdge answers /{media-id}/comments and /{comment-id}/replies.
func (s *Sim) igEdge(c *graphCall, id, edge string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	notFound := apiErr(errObjectNotFound, "get", id)
	owner := s.accountOfNodeLocked(id)
	if owner == "" || !s.canReadPage(c.tok, s.world.accountByID[owner].PageID) {
		c.fail(notFound)
		return
	}
	if !c.tok.has("instagram_basic") || !c.tok.has("instagram_manage_comments") {
		c.fail(apiErr(errNoPermission))
		return
	}
	var (
		list []*comment
		key  func(*comment) string
		lim  = pageLimits{25, 50}
	)
	if m, b := s.mediaLocked(id); m != nil {
		if edge != "comments" {
			c.fail(apiErr(errNoSuchField, edge, "IGMedia"))
			return
		}
		if b != nil && !b.live() {
			c.fail(notFound)
			return
		}
		if m.ProductType != "AD" { // ad comments are non-organic: not listed
			list = s.topLevelCommentsLocked(m.ID)
		}
		key = func(cm *comment) string { return newestFirstKey(cm.Created, cm.ID) }
	} else {
		cm := s.st.comments[id]
		if cm == nil || cm.Deleted || !s.commentReadableLocked(cm) {
			c.fail(notFound)
			return
		}
		if edge != "replies" {
			c.fail(apiErr(errNoSuchField, edge, "IGComment"))
			return
		}
		list = s.repliesLocked(cm)
		key = func(cm *comment) string { return oldestFirstKey(cm.Created, cm.ID) }
	}
	sel, ok := c.selection("id", "text", "timestamp")
	if !ok {
		return
	}
	window, paging, aerr := paginate(c, list, key, lim)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	data := make([]obj, 0, len(window))
	for _, cm := range window {
		o, aerr := s.renderComment(c, cm, sel)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		data = append(data, o)
	}
	c.ok(listBody(data, paging))
}

// listBody answers Meta's list shape: {"data":[...],"paging":{...}}.
func listBody(data []obj, paging obj) obj {
	if data == nil {
		data = []obj{}
	}
	out := obj{{"data", data}}
	if paging != nil {
		out.set("paging", paging)
	}
	return out
}

// splitList splits a comma- or space-separated list, or a JSON array of
// strings, as Meta accepts for scope and subscribed_fields.
func splitList(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '"' || r == '\t' })
	return f
}
