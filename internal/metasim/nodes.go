package metasim

import (
	"errors"
	"time"
)

// metaTime is Meta's ISO-8601 timestamp layout, e.g. 2017-05-19T23:27:28+0000.
const metaTime = "2006-01-02T15:04:05-0700"

func formatMetaTime(t time.Time) string { return t.UTC().Format(metaTime) }

// selection parses the fields parameter, or answers defaults.
func (c *graphCall) selection(defaults ...string) ([]field, bool) {
	raw := c.params.Get("fields")
	if raw == "" {
		return defaultFields(defaults...), true
	}
	sel, err := parseFields(raw)
	var fe *fieldsError
	if errors.As(err, &fe) {
		c.fail(apiErr(errSyntax, fe.msg, fe.pos, fe.input))
		return nil, false
	}
	return sel, true
}

// getNode answers GET /{id}.
func (s *Sim) getNode(c *graphCall, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		out  obj
		aerr *apiError
	)
	switch {
	case s.world.userByID[id] != nil:
		if c.tok.kind == tokenPage || c.tok.userID != id {
			aerr = apiErr(errObjectNotFound, "get", id)
			break
		}
		sel, ok := c.selection("id", "name")
		if !ok {
			return
		}
		out, aerr = s.renderUser(c, s.world.userByID[id], sel)
	case s.world.pageByID[id] != nil:
		if !s.canReadPage(c.tok, id) {
			aerr = apiErr(errObjectNotFound, "get", id)
			break
		}
		sel, ok := c.selection("id", "name")
		if !ok {
			return
		}
		out, aerr = s.renderPage(c, s.world.pageByID[id], sel)
	default:
		sel, ok := c.selection("id")
		if !ok {
			return
		}
		out, aerr = s.renderIGNode(c, id, sel)
	}
	if aerr != nil {
		c.fail(aerr)
		return
	}
	c.ok(out)
}

// renderIGNode renders an Instagram account, media or comment the token may
// read.
func (s *Sim) renderIGNode(c *graphCall, id string, sel []field) (obj, *apiError) {
	notFound := apiErr(errObjectNotFound, "get", id)
	owner := s.accountOfNodeLocked(id)
	if owner == "" || !s.canReadPage(c.tok, s.world.accountByID[owner].PageID) {
		return nil, notFound
	}
	if !c.tok.has("instagram_basic") {
		return nil, apiErr(errNoPermission)
	}
	if a := s.world.accountByID[id]; a != nil {
		return s.renderAccount(c, a, sel)
	}
	if m, b := s.mediaLocked(id); m != nil {
		if b != nil && !b.live() {
			return nil, notFound
		}
		return s.renderMedia(c, m, sel)
	}
	cm := s.st.comments[id]
	if cm == nil || cm.Deleted || !s.commentReadableLocked(cm) {
		return nil, notFound
	}
	if !c.tok.has("instagram_manage_comments") {
		return nil, apiErr(errNoPermission)
	}
	return s.renderComment(c, cm, sel)
}

// commentReadableLocked: live comments are readable only while broadcasting.
func (s *Sim) commentReadableLocked(cm *comment) bool {
	if !cm.Live {
		return true
	}
	b := s.st.broadcastByMedia[cm.MediaID]
	return b != nil && b.live()
}

func val(v any) fieldGetter {
	return func([]field) (any, bool, error) { return v, true, nil }
}

func absent() fieldGetter {
	return func([]field) (any, bool, error) { return nil, false, nil }
}

func (s *Sim) renderUser(c *graphCall, u *fbUser, sel []field) (obj, *apiError) {
	email := absent()
	if c.tok.has("email") {
		email = val(u.Email)
	}
	pic := s.publicBase(c.r) + "/avatars/" + u.ID + ".svg"
	return renderNode("User", map[string]fieldGetter{
		"id": val(u.ID), "name": val(u.Name), "first_name": val(u.First), "last_name": val(u.Last),
		"short_name": val(u.First), "email": email,
		"link":    val("https://www.facebook.com/app_scoped_user_id/" + u.ID + "/"),
		"picture": val(obj{{"data", obj{{"height", 50}, {"is_silhouette", false}, {"url", pic}, {"width", 50}}}}),
		"about":   absent(), "location": absent(), "birthday": absent(), "gender": absent(),
	}, sel)
}

func (s *Sim) renderPage(c *graphCall, p *fbPage, sel []field) (obj, *apiError) {
	a := s.world.accountByID[p.AccountID]
	tasks, pageToken := absent(), absent()
	switch c.tok.kind {
	case tokenShortUser, tokenLongUser:
		if ts := s.userTasks(c.tok, p.ID); len(ts) > 0 {
			tasks = val(ts)
			ttl := time.Duration(0) // never expires when fetched with a long-lived token
			if c.tok.kind == tokenShortUser {
				ttl = shortPageTokenTTL
			}
			pageToken = val(s.newTokenLocked(tokenPage, c.tok.userID, p.ID, ttl, c.tok.scopes))
		}
	case tokenPage:
		pageToken = val(rawToken(c.r, c.params))
	}
	igAccount := func(sub []field) (any, bool, error) {
		if len(sub) == 0 {
			sub = defaultFields("id")
		}
		o, aerr := s.renderAccount(c, a, sub)
		if aerr != nil {
			return nil, false, aerr
		}
		return o, true, nil
	}
	return renderNode("Page", map[string]fieldGetter{
		"id": val(p.ID), "name": val(p.Name), "category": val(p.Category),
		"link": val("https://www.facebook.com/" + p.ID), "access_token": pageToken, "tasks": tasks,
		"instagram_business_account": igAccount, "connected_instagram_account": igAccount,
		"fan_count": val(a.Followers / 3), "followers_count": val(a.Followers / 3),
		"picture": val(obj{{"data", obj{{"url", s.publicBase(c.r) + "/avatars/" + p.ID + ".svg"}}}}),
	}, sel)
}

func (s *Sim) renderAccount(c *graphCall, a *igAccount, sel []field) (obj, *apiError) {
	return renderNode("ShadowIGUser", map[string]fieldGetter{
		"id": val(a.ID), "ig_id": val(a.ID[5:]), "username": val(a.Username), "name": val(a.Name),
		"biography": val(a.Bio), "followers_count": val(a.Followers), "follows_count": val(312),
		"media_count":         val(len(s.world.accountMedia(a.ID))),
		"profile_picture_url": val(s.publicBase(c.r) + "/avatars/" + a.ID + ".svg"),
		"website":             val("https://" + a.Username + ".example.com"),
	}, sel)
}

func (s *Sim) renderMedia(c *graphCall, m *media, sel []field) (obj, *apiError) {
	permalink := "https://www.instagram.com/p/" + m.Shortcode + "/"
	switch m.ProductType {
	case "REELS":
		permalink = "https://www.instagram.com/reel/" + m.Shortcode + "/"
	case "STORY":
		permalink = "https://www.instagram.com/stories/" + s.world.accountByID[m.AccountID].Username + "/" + m.ID + "/"
	}
	thumb := absent()
	if m.MediaType == "VIDEO" {
		thumb = val(s.publicBase(c.r) + cdnPath(m.ID))
	}
	caption := absent()
	if m.Caption != "" {
		caption = val(m.Caption)
	}
	commentsCount := len(s.topLevelCommentsLocked(m.ID))
	if m.ProductType == "AD" {
		commentsCount = 0 // ad engagement is not counted in comments_count
	}
	return renderNode("IGMedia", map[string]fieldGetter{
		"id": val(m.ID), "caption": caption, "media_type": val(m.MediaType),
		"media_product_type": val(m.ProductType), "permalink": val(permalink),
		"timestamp": val(formatMetaTime(m.Created)), "comments_count": val(commentsCount),
		"like_count": val(m.LikeCount), "media_url": val(s.publicBase(c.r) + cdnPath(m.ID)),
		"thumbnail_url": thumb, "username": val(s.world.accountByID[m.AccountID].Username),
		"owner": val(obj{{"id", m.AccountID}}), "shortcode": val(m.Shortcode),
		"is_comment_enabled": val(true),
	}, sel)
}

func (s *Sim) renderComment(c *graphCall, cm *comment, sel []field) (obj, *apiError) {
	sub := func(def []string, render func([]field) (obj, *apiError)) fieldGetter {
		return func(fs []field) (any, bool, error) {
			if len(fs) == 0 {
				fs = defaultFields(def...)
			}
			o, aerr := render(fs)
			if aerr != nil {
				return nil, false, aerr
			}
			return o, true, nil
		}
	}
	parent, user := absent(), absent()
	if cm.ParentID != "" {
		parent = val(cm.ParentID)
	}
	if cm.own() {
		user = val(obj{{"id", cm.AccountID}})
	}
	return renderNode("IGComment", map[string]fieldGetter{
		"id": val(cm.ID), "text": val(cm.Text), "timestamp": val(formatMetaTime(cm.Created)),
		"username": val(cm.Username), "parent_id": parent, "user": user,
		"hidden": val(cm.Hidden), "like_count": val(0),
		"from": sub([]string{"id", "username"}, func(fs []field) (obj, *apiError) {
			return renderNode("IGCommentFromUser", map[string]fieldGetter{
				"id": val(cm.FromID), "username": val(cm.Username)}, fs)
		}),
		"media": sub([]string{"id"}, func(fs []field) (obj, *apiError) {
			m, _ := s.mediaLocked(cm.MediaID)
			return s.renderMedia(c, m, fs)
		}),
		"replies": func(fs []field) (any, bool, error) {
			if len(fs) == 0 {
				fs = defaultFields("id", "text", "timestamp")
			}
			data := []obj{}
			for _, r := range s.repliesLocked(cm) {
				o, aerr := s.renderComment(c, r, fs)
				if aerr != nil {
					return nil, false, aerr
				}
				data = append(data, o)
			}
			return obj{{"data", data}}, true, nil
		},
	}, sel)
}
