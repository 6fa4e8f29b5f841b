package simtest

import "net/http"

// CommentState is GET /control/comments/{id}: a comment's moderation state
// and the account's public replies to it.
type CommentState struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Hidden  bool   `json:"hidden"`
	Deleted bool   `json:"deleted"`
	Replies []struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"replies"`
}

// CommentState reads a comment's moderation state.
func (s *Sim) CommentState(id string) CommentState {
	s.t.Helper()
	var out CommentState
	s.Control(http.MethodGet, "/control/comments/"+id, nil, &out)
	return out
}

// CallbackResult is what the simulator sent to the app's deauthorize or
// data-deletion callback and what the app answered.
type CallbackResult struct {
	URL           string `json:"url"`
	SignedRequest string `json:"signed_request"`
	Status        int    `json:"status"`
	Body          string `json:"body"`
}

// Deauthorize has the Facebook user remove the app: their tokens stop
// working and the app's deauthorize callback gets a signed_request.
func (s *Sim) Deauthorize(facebookUserID string) CallbackResult {
	s.t.Helper()
	var out CallbackResult
	s.Control(http.MethodPost, "/control/deauthorize", map[string]string{"user": facebookUserID}, &out)
	return out
}

// DataDeletion has the Facebook user ask for their data to be deleted: the
// app's data-deletion callback gets a signed_request.
func (s *Sim) DataDeletion(facebookUserID string) CallbackResult {
	s.t.Helper()
	var out CallbackResult
	s.Control(http.MethodPost, "/control/data-deletion", map[string]string{"user": facebookUserID}, &out)
	return out
}
