package metasim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// The control API (DESIGN.md §4) answers plain JSON; errors are
// {"error":{"message":...,"field":...}} with status 400 (or 404/502).

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshalPlain(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

type controlError struct {
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func writeControlError(w http.ResponseWriter, status int, err error) {
	ce := controlError{Message: strings.TrimPrefix(err.Error(), "metasim: ")}
	if fe, ok := errAsField(err); ok {
		ce.Field = fe.Field
	}
	writeJSON(w, status, map[string]controlError{"error": ce})
}

// decodeControl reads a JSON body strictly; an empty body is an empty object.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeControlError(w, http.StatusBadRequest, errors.New("body: unreadable or larger than 1 MiB"))
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return true
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeControlError(w, http.StatusBadRequest, &fieldError{"body", "invalid JSON: " + err.Error()})
		return false
	}
	return true
}

type worldUser struct {
	ID    string              `json:"id"`
	Name  string              `json:"name"`
	Tasks map[string][]string `json:"tasks"`
}

type worldPage struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	InstagramAccountID string `json:"instagram_account_id"`
}

type worldAccount struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	PageID   string `json:"page_id"`
}

type worldMedia struct {
	ID               string `json:"id"`
	AccountID        string `json:"account_id"`
	MediaProductType string `json:"media_product_type"`
	AdID             string `json:"ad_id,omitempty"`
	AdTitle          string `json:"ad_title,omitempty"`
}

// controlWorld answers GET /control/world.
func (s *Sim) controlWorld(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Users    []worldUser    `json:"users"`
		Pages    []worldPage    `json:"pages"`
		Accounts []worldAccount `json:"instagram_accounts"`
		Media    []worldMedia   `json:"media"`
	}{}
	for _, u := range s.world.users {
		out.Users = append(out.Users, worldUser{u.ID, u.Name, u.Tasks})
	}
	for _, p := range s.world.pages {
		out.Pages = append(out.Pages, worldPage{p.ID, p.Name, p.AccountID})
	}
	for _, a := range s.world.accounts {
		out.Accounts = append(out.Accounts, worldAccount{a.ID, a.Username, a.PageID})
	}
	for _, m := range s.world.media {
		out.Media = append(out.Media, worldMedia{m.ID, m.AccountID, m.ProductType, m.AdID, m.AdTitle})
	}
	s.mu.Lock()
	for _, b := range s.st.broadcasts {
		if b.live() {
			out.Media = append(out.Media, worldMedia{ID: b.MediaID, AccountID: b.AccountID, MediaProductType: "LIVE"})
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// controlComment answers POST /control/comments.
func (s *Sim) controlComment(w http.ResponseWriter, r *http.Request) {
	var req commentRequest
	if !decodeControl(w, r, &req) {
		return
	}
	c, err := s.createComment(req)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	s.notifyComment(c)
	writeJSON(w, http.StatusOK, map[string]string{"id": c.ID})
}

// controlDeleteComment answers POST /control/comments/delete {"id":...}.
func (s *Sim) controlDeleteComment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID string `json:"id"`
	}
	if !decodeControl(w, r, &req) {
		return
	}
	if err := s.deleteComment(req.ID); err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

type liveAnswer struct {
	Account string     `json:"account"`
	MediaID string     `json:"media_id"`
	Live    bool       `json:"live"`
	Started time.Time  `json:"started"`
	Ended   *time.Time `json:"ended,omitempty"`
}

func answerLive(w http.ResponseWriter, b *broadcast) {
	a := liveAnswer{Account: b.AccountID, MediaID: b.MediaID, Live: b.live(), Started: b.Started}
	if !b.live() {
		a.Ended = &b.Ended
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Sim) controlLiveStart(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string `json:"account"`
	}
	if !decodeControl(w, r, &req) {
		return
	}
	b, err := s.startLive(req.Account)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	answerLive(w, b)
}

func (s *Sim) controlLiveEnd(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string `json:"account"`
	}
	if !decodeControl(w, r, &req) {
		return
	}
	b, err := s.endLive(req.Account)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	answerLive(w, b)
}

type replyAnswer struct {
	CommentID   string `json:"comment_id"`
	AccountID   string `json:"account_id"`
	Text        string `json:"text"`
	MessageID   string `json:"message_id"`
	RecipientID string `json:"recipient_id"`
	At          string `json:"at"`
}

// controlReplies answers GET /control/replies: every accepted private reply.
func (s *Sim) controlReplies(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := make([]replyAnswer, 0, len(s.st.replies))
	for _, rp := range s.st.replies {
		out = append(out, replyAnswer{rp.CommentID, rp.AccountID, rp.Text, rp.MessageID, rp.RecipientID,
			rp.At.UTC().Format(time.RFC3339)})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string][]replyAnswer{"replies": out})
}
