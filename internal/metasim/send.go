package metasim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// reply is a private reply Meta accepted.
type reply struct {
	CommentID   string    `json:"comment_id"`
	AccountID   string    `json:"account_id"`
	Text        string    `json:"text"`
	MessageID   string    `json:"message_id"`
	RecipientID string    `json:"recipient_id"`
	At          time.Time `json:"at"`
	Live        bool      `json:"live,omitempty"`
	UserID      string    `json:"user_id"`
}

// Send API limits (meta-platform.md §3).
const (
	maxReplyBytes = 1000
	replyWindow   = 7 * 24 * time.Hour
)

// sendMessage answers POST /{page-id}/messages: a private reply to a
// comment. The rules are checked in Meta's order; an accepted reply is
// recorded before the answer is written, so a client that times out leaves
// it accepted.
func (s *Sim) sendMessage(c *graphCall, pageID string) {
	page := s.world.pageByID[pageID]
	if s.injectedSendError(c, page) {
		return
	}
	switch {
	case c.tok.kind != tokenPage:
		c.fail(apiErr(errPageTokenRequired))
		return
	case c.tok.pageID != pageID:
		c.fail(apiErr(errObjectNotFound, "post", pageID))
		return
	case !hasTask(s.userTasks(c.tok, pageID), messagingTasks...) || !c.tok.has("pages_messaging"):
		c.fail(apiErr(errNoMessaging))
		return
	case !c.tok.has("instagram_manage_comments"):
		c.fail(apiErr(errUnknownPermission)) // Meta's 199 (meta-platform.md §10)
		return
	case page.AccountID == "":
		c.fail(apiErr(errPageNotLinked))
		return
	}
	var recipient struct {
		CommentID string `json:"comment_id"`
		ID        string `json:"id"`
	}
	if aerr := jsonParam(c, "recipient", &recipient); aerr != nil {
		c.fail(aerr)
		return
	}
	var message struct {
		Text *string `json:"text"`
	}
	if aerr := jsonParam(c, "message", &message); aerr != nil {
		c.fail(aerr)
		return
	}
	if recipient.CommentID == "" {
		if recipient.ID != "" { // a plain DM: no conversation is ever open here
			c.fail(apiErr(errOutsideWindow))
			return
		}
		c.fail(apiErr(errParamRequired, "recipient[comment_id]"))
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.now()
	cm := s.st.comments[recipient.CommentID]
	switch {
	case cm == nil || cm.Deleted || cm.AccountID != page.AccountID:
		c.fail(apiErr(errCommentInvalid))
		return
	case cm.own(): // Meta documents no code of its own for this: the generic refusal
		c.fail(apiErr(errNotEligible))
		return
	case message.Text == nil || *message.Text == "":
		c.fail(apiErr(errParamRequired, "message[text]"))
		return
	case !utf8.ValidString(*message.Text):
		c.fail(apiErr(errParamInvalid, "Param message[text] must be UTF-8 encoded"))
		return
	case len(*message.Text) > maxReplyBytes:
		c.fail(apiErr(errTextTooLong))
		return
	case !s.inWindowLocked(cm, now):
		c.fail(apiErr(errOutsideWindow))
		return
	case s.st.replyByComment[cm.ID] != nil:
		c.fail(apiErr(errNotEligible))
		return
	}
	if regain, limited := s.rateLimitedLocked(cm, now); limited {
		writeUsageHeader(c.w, cm.AccountID, bucInstagram, 100, regain)
		c.fail(apiErr(errRateLimited))
		return
	}
	s.st.counters.Message++
	r := &reply{
		CommentID: cm.ID, AccountID: cm.AccountID, Text: *message.Text, RecipientID: cm.FromID,
		At: now, Live: cm.Live, UserID: c.tok.userID,
		MessageID: base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil,
			"ig_item:1:IGMessageID:%s:34028236684171%025d", cm.AccountID, s.st.counters.Message)),
	}
	s.st.addReply(r)
	s.markDirtyLocked()
	pct, regain := s.usageLocked(cm.AccountID, now)
	writeUsageHeader(c.w, cm.AccountID, bucInstagram, pct, regain)
	c.ok(obj{{"recipient_id", r.RecipientID}, {"message_id", r.MessageID}})
}

// injectedSendError answers a pending send_error fault for the Page's
// account (or the token's), exactly as the fault describes it. Throttling
// codes come with a usage header at 100 %, as Meta's own do.
func (s *Sim) injectedSendError(c *graphCall, page *fbPage) bool {
	var accounts []string
	for _, p := range []*fbPage{page, s.world.pageByID[c.tok.pageID]} {
		if p != nil && p.AccountID != "" {
			accounts = append(accounts, p.AccountID)
		}
	}
	f := s.takeFault(faultSendError, accounts)
	if f == nil {
		return false
	}
	spec := sendErrorSpec(f.Code, f.Subcode, f.Status, f.Message)
	if throttlingCode(spec.code) && len(accounts) > 0 {
		writeUsageHeader(c.w, accounts[0], bucInstagram, 100, 1)
	}
	writeMetaJSON(c.w, spec.status, spec.body())
	return true
}

// throttlingCode reports Graph's rate-limit codes (meta-platform.md §4.2).
func throttlingCode(code int) bool {
	switch code {
	case 4, 17, 32, 341, 613:
		return true
	}
	return code >= 80001 && code <= 80014
}

// inWindowLocked: Live comments only while their broadcast runs, others
// within seven days of their creation.
func (s *Sim) inWindowLocked(cm *comment, now time.Time) bool {
	if cm.Live {
		b := s.st.broadcastByMedia[cm.MediaID]
		return b != nil && b.live()
	}
	return now.Before(cm.Created.Add(replyWindow))
}

// rateLimitedLocked applies an injected rate_limit fault, then Meta's
// budgets; it answers the minutes until access returns.
func (s *Sim) rateLimitedLocked(cm *comment, now time.Time) (regainMinutes int, limited bool) {
	if s.takeFaultLocked(faultRateLimit, []string{cm.AccountID}) != nil {
		return 1, true
	}
	hour, oldest, second := s.replyLoadLocked(cm.AccountID, now)
	if cm.Live {
		return 1, second >= liveRepliesPerSecond
	}
	if hour >= hourlyReplyBudget {
		return minutesUntil(oldest.Add(time.Hour).Sub(now)), true
	}
	return 0, false
}

// jsonParam decodes a JSON-valued parameter (JSON body member or form value).
func jsonParam(c *graphCall, name string, v any) *apiError {
	raw := c.params.Get(name)
	if raw == "" {
		return apiErr(errParamRequired, name)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return apiErr(errParamInvalid, "Param "+name+" must be a JSON object")
	}
	return nil
}
