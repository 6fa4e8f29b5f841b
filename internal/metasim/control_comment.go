package metasim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// commentAnswer is GET /control/comments/{id} (DESIGN.md §8 "Moderation").
type commentAnswer struct {
	ID      string           `json:"id"`
	Text    string           `json:"text"`
	Hidden  bool             `json:"hidden"`
	Deleted bool             `json:"deleted"`
	Replies []commentSummary `json:"replies"`
}

type commentSummary struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// controlGetComment answers GET /control/comments/{id}: a comment's
// moderation state and the account's public replies to it. Deleted
// comments are still answered, with deleted true.
func (s *Sim) controlGetComment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	cm := s.st.comments[id]
	if cm == nil {
		s.mu.Unlock()
		writeControlError(w, http.StatusNotFound, &fieldError{"id", fmt.Sprintf("unknown comment %q", id)})
		return
	}
	out := commentAnswer{ID: cm.ID, Text: cm.Text, Hidden: cm.Hidden, Deleted: cm.Deleted, Replies: []commentSummary{}}
	for _, rp := range s.publicRepliesLocked(cm) {
		out.Replies = append(out.Replies, commentSummary{rp.ID, rp.Text})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// sortOldestFirst orders comments by creation time, then id.
func sortOldestFirst(list []*comment) {
	slices.SortFunc(list, func(a, b *comment) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
