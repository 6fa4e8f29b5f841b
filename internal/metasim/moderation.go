package metasim

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Comment moderation on the Graph API (DESIGN.md §8 "Moderation"): a public
// reply (POST /{comment-id}/replies), hiding (POST /{comment-id}?hide=) and
// deleting (DELETE /{comment-id}). Meta documents the edges and their
// answers ({"id"} and {"success":true}) but not the errors for hidden,
// deleted or live comments; the choices below are marked where they are
// guesses.

// writeNode answers POST and DELETE on a node: only comments support them.
func (s *Sim) writeNode(c *graphCall, id, method string) {
	s.mu.Lock()
	isComment := s.st.comments[id] != nil
	s.mu.Unlock()
	switch {
	case isComment && method == "post":
		s.hideComment(c, id)
	case isComment && method == "delete":
		s.deleteCommentByAccount(c, id)
	default:
		c.fail(apiErr(errObjectNotFound, method, id))
	}
}

// moderationTargetLocked finds the comment a moderation call acts on and
// checks the token: the Page's own token or a user token of someone with a
// role on the Page (Meta's reference asks for a user token; implementers
// use the Page token), instagram_basic and instagram_manage_comments, and a
// moderating task. A comment that is deleted, not visible to the token or
// on live media answers Meta's generic "Unsupported <method> request"
// (100/33): Meta supports no moderation on live media (meta-platform.md
// §7.4); the exact error it gives there is unverified. An injected
// rate_limit fault answers 613, as the Send API does (Meta may answer a BUC
// code such as 80002 for these calls instead: unverified).
func (s *Sim) moderationTargetLocked(c *graphCall, id, method string) (*comment, *apiError) {
	notFound := apiErr(errObjectNotFound, method, id)
	cm := s.st.comments[id]
	if cm == nil || cm.Deleted || cm.Live {
		return nil, notFound
	}
	pageID := s.world.accountByID[cm.AccountID].PageID
	if !s.canReadPage(c.tok, pageID) {
		return nil, notFound
	}
	for _, p := range []string{"instagram_basic", "instagram_manage_comments"} {
		if !c.tok.has(p) {
			return nil, apiErr(errPermission, "Requires "+p+" permission to manage the object")
		}
	}
	if !hasTask(s.userTasks(c.tok, pageID), moderateTasks...) {
		// Wording unverified; the code matches Meta's other permission errors.
		return nil, apiErr(errPermission, "The user must be able to perform the MODERATE task on this Page")
	}
	if s.takeFaultLocked(faultRateLimit, []string{cm.AccountID}) != nil {
		writeUsageHeader(c.w, cm.AccountID, "instagram", 100, 1)
		return nil, apiErr(errRateLimited)
	}
	return cm, nil
}

// hideComment answers POST /{comment-id}?hide=true|false with
// {"success":true}. The account's own comments always stay visible, as Meta
// says; hiding one succeeds without effect (unverified: Meta may refuse).
func (s *Sim) hideComment(c *graphCall, id string) {
	raw, sent := c.params["hide"]
	if !sent || len(raw) == 0 || raw[0] == "" {
		c.fail(apiErr(errParamRequired, "hide"))
		return
	}
	hide, err := strconv.ParseBool(raw[0])
	if err != nil {
		c.fail(apiErr(errParamInvalid, "Param hide must be a boolean"))
		return
	}
	s.mu.Lock()
	cm, aerr := s.moderationTargetLocked(c, id, "post")
	if aerr == nil && !cm.own() && cm.Hidden != hide {
		cm.Hidden = hide
		s.markDirtyLocked()
	}
	s.mu.Unlock()
	if aerr != nil {
		c.fail(aerr)
		return
	}
	c.ok(obj{{"success", true}})
}

// deleteCommentByAccount answers DELETE /{comment-id} with
// {"success":true}. The media owner may delete any comment on it; the
// comment's replies go with it, as on Instagram.
func (s *Sim) deleteCommentByAccount(c *graphCall, id string) {
	s.mu.Lock()
	cm, aerr := s.moderationTargetLocked(c, id, "delete")
	if aerr == nil {
		cm.Deleted = true
		for _, r := range s.st.byMedia[cm.MediaID] {
			if r.ParentID == cm.ID {
				r.Deleted = true
			}
		}
		s.markDirtyLocked()
	}
	s.mu.Unlock()
	if aerr != nil {
		c.fail(aerr)
		return
	}
	c.ok(obj{{"success", true}})
}

// publicReply answers POST /{comment-id}/replies (message as a form, query
// or JSON parameter) with {"id": new comment id}. As Meta documents, a
// reply to a reply joins the top-level comment's thread, and hidden comments
// cannot be replied to (the error for that is a guess: unverified). The new
// comment is the account's own and comes back as a comments webhook.
func (s *Sim) publicReply(c *graphCall, id string) {
	text := c.params.Get("message")
	switch {
	case strings.TrimSpace(text) == "":
		c.fail(apiErr(errParamRequired, "message"))
		return
	case !utf8.ValidString(text):
		c.fail(apiErr(errParamInvalid, "Param message must be UTF-8 encoded"))
		return
	case utf8.RuneCountInString(text) > maxCommentRunes:
		c.fail(apiErr(errParamInvalid, "Param message must be at most 2200 characters long"))
		return
	}
	s.mu.Lock()
	cm, aerr := s.moderationTargetLocked(c, id, "post")
	if aerr == nil && cm.Hidden {
		aerr = apiErr(errParamInvalid, "You cannot reply to a hidden comment")
	}
	if aerr != nil {
		s.mu.Unlock()
		c.fail(aerr)
		return
	}
	acct := s.world.accountByID[cm.AccountID]
	parent := cm.ID
	if cm.ParentID != "" {
		parent = cm.ParentID
	}
	s.st.counters.Comment++
	r := &comment{
		ID: s.world.commentID(dynamicIDStart + s.st.counters.Comment), AccountID: acct.ID, MediaID: cm.MediaID,
		ParentID: parent, ReplyTo: cm.ID, Text: text, FromID: acct.ID, Username: acct.Username, Created: s.clock.now(),
	}
	s.st.addComment(r)
	s.markDirtyLocked()
	s.mu.Unlock()
	s.notifyComment(r)
	c.ok(obj{{"id", r.ID}})
}

// publicRepliesLocked answers the account's public replies to a comment:
// those posted through POST /{id}/replies on it, and seeded replies of the
// account in its thread. Deleted ones are left out.
func (s *Sim) publicRepliesLocked(cm *comment) []*comment {
	var out []*comment
	for _, r := range s.st.byMedia[cm.MediaID] {
		if r.Deleted || !r.own() || r.ID == cm.ID {
			continue
		}
		if r.ReplyTo == cm.ID || (r.ReplyTo == "" && r.ParentID == cm.ID) {
			out = append(out, r)
		}
	}
	sortOldestFirst(out)
	return out
}
