package metasim

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// comment is an Instagram comment, seeded (history) or created since.
type comment struct {
	ID        string    `json:"id"`
	AccountID string    `json:"account_id"`
	MediaID   string    `json:"media_id"`
	ParentID  string    `json:"parent_id,omitempty"`
	Text      string    `json:"text"`
	FromID    string    `json:"from_id"`
	Username  string    `json:"username"`
	Created   time.Time `json:"created"`
	Live      bool      `json:"live,omitempty"`
	Deleted   bool      `json:"deleted,omitempty"`
	Hidden    bool      `json:"hidden,omitempty"`
	ReplyTo   string    `json:"reply_to,omitempty"` // the comment a public reply answered (POST /{id}/replies)
	history   bool
}

// own reports whether the account itself wrote the comment.
func (c *comment) own() bool { return c.FromID == c.AccountID }

// commentRequest is the body of POST /control/comments.
type commentRequest struct {
	Account  string `json:"account"`
	Media    string `json:"media"`
	Text     string `json:"text"`
	Username string `json:"username"`
	Ad       bool   `json:"ad"`
	Live     bool   `json:"live"`
	Own      bool   `json:"own"`
	ParentID string `json:"parent_id"`
	Age      string `json:"age"`
}

// fieldError is a control API validation error naming the field at fault.
type fieldError struct {
	Field, Msg string
}

func (e *fieldError) Error() string { return "metasim: " + e.Field + ": " + e.Msg }

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9._]{1,30}$`)

// maxCommentRunes is Instagram's comment length limit.
const maxCommentRunes = 2200

// createComment validates req and stores the new comment. The caller
// delivers its webhook.
func (s *Sim) createComment(req commentRequest) (*comment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.now()
	if req.Account == "" {
		return nil, &fieldError{"account", "required"}
	}
	acct := s.world.accountByID[req.Account]
	if acct == nil {
		return nil, &fieldError{"account", fmt.Sprintf("unknown Instagram account %q", req.Account)}
	}
	switch {
	case strings.TrimSpace(req.Text) == "":
		return nil, &fieldError{"text", "required"}
	case !utf8.ValidString(req.Text):
		return nil, &fieldError{"text", "not valid UTF-8"}
	case utf8.RuneCountInString(req.Text) > maxCommentRunes:
		return nil, &fieldError{"text", "longer than 2,200 characters"}
	}
	var age time.Duration
	if req.Age != "" {
		d, err := parseDuration(req.Age)
		if err != nil || d < 0 {
			return nil, &fieldError{"age", fmt.Sprintf("%q is not a duration such as 36h or 7d", req.Age)}
		}
		age = d
	}
	c := &comment{AccountID: acct.ID, Text: req.Text, Created: now.Add(-age)}
	if err := s.pickAuthorLocked(c, acct, req); err != nil {
		return nil, err
	}
	m, err := s.pickMediaLocked(c, acct, req, now)
	if err != nil {
		return nil, err
	}
	c.MediaID = m.ID
	c.Live = m.ProductType == "LIVE"
	if c.Live && c.ParentID != "" {
		return nil, &fieldError{"parent_id", "live comments cannot be replies"}
	}
	s.st.counters.Comment++
	c.ID = s.world.commentID(dynamicIDStart + s.st.counters.Comment)
	s.st.addComment(c)
	s.markDirtyLocked()
	return c, nil
}

func (s *Sim) pickAuthorLocked(c *comment, acct *igAccount, req commentRequest) error {
	switch {
	case req.Own || req.Username == acct.Username:
		c.Username, c.FromID = acct.Username, acct.ID
	case req.Username == "":
		c.Username = commenterNames[s.rng.IntN(len(commenterNames))]
		c.FromID = s.world.igsid(c.Username)
	case !usernamePattern.MatchString(req.Username):
		return &fieldError{"username", "must be 1-30 letters, digits, periods or underscores"}
	default:
		c.Username, c.FromID = req.Username, s.world.igsid(req.Username)
	}
	return nil
}

func (s *Sim) pickMediaLocked(c *comment, acct *igAccount, req commentRequest, now time.Time) (*media, error) {
	var parentMedia string
	if req.ParentID != "" {
		p := s.st.comments[req.ParentID]
		if p == nil || p.Deleted {
			return nil, &fieldError{"parent_id", fmt.Sprintf("unknown comment %q", req.ParentID)}
		}
		if p.AccountID != acct.ID {
			return nil, &fieldError{"parent_id", "comment belongs to another account"}
		}
		if p.ParentID != "" { // Instagram keeps replies one level deep
			p = s.st.comments[p.ParentID]
		}
		c.ParentID, parentMedia = p.ID, p.MediaID
	}
	switch {
	case req.Media != "":
		m, b := s.mediaLocked(req.Media)
		switch {
		case m == nil:
			return nil, &fieldError{"media", fmt.Sprintf("unknown media %q", req.Media)}
		case m.AccountID != acct.ID:
			return nil, &fieldError{"media", "media belongs to another account"}
		case parentMedia != "" && parentMedia != m.ID:
			return nil, &fieldError{"media", "the parent comment is on another media"}
		case req.Ad && m.AdID == "":
			return nil, &fieldError{"media", "not an ad, but ad is true"}
		case req.Live && b == nil:
			return nil, &fieldError{"media", "not a live broadcast, but live is true"}
		case b != nil && !b.live():
			return nil, &fieldError{"media", "the broadcast has ended"}
		}
		return m, nil
	case parentMedia != "":
		m, _ := s.mediaLocked(parentMedia)
		return m, nil
	case req.Live:
		b, _ := s.startLiveLocked(acct.ID, now)
		return b.media(), nil
	case req.Ad:
		return s.world.firstMedia(acct.ID, "AD"), nil
	default:
		return s.world.firstMedia(acct.ID, "FEED"), nil
	}
}

// mediaLocked finds static or live media; b is set for live media.
func (s *Sim) mediaLocked(id string) (m *media, b *broadcast) {
	if m := s.world.mediaByID[id]; m != nil {
		return m, nil
	}
	if b := s.st.broadcastByMedia[id]; b != nil {
		return b.media(), b
	}
	return nil, nil
}

// deleteComment marks a comment deleted, as when its author removes it.
func (s *Sim) deleteComment(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.comments[id]
	if c == nil {
		return &fieldError{"id", fmt.Sprintf("unknown comment %q", id)}
	}
	if c.Deleted {
		return &fieldError{"id", "already deleted"}
	}
	c.Deleted = true
	s.markDirtyLocked()
	return nil
}

// topLevelComments answers a media's visible top-level comments, newest
// first (Meta's order since v3.2).
func (s *Sim) topLevelCommentsLocked(mediaID string) []*comment {
	var out []*comment
	for _, c := range s.st.byMedia[mediaID] {
		if c.ParentID == "" && !c.Deleted {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return newestFirst(out[i].Created, out[i].ID, out[j].Created, out[j].ID) })
	return out
}

// repliesLocked answers a comment's visible replies, oldest first.
func (s *Sim) repliesLocked(c *comment) []*comment {
	var out []*comment
	for _, r := range s.st.byMedia[c.MediaID] {
		if r.ParentID == c.ID && !r.Deleted {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func newestFirst(ti time.Time, idi string, tj time.Time, idj string) bool {
	if !ti.Equal(tj) {
		return ti.After(tj)
	}
	return idi < idj
}

// errAsField unwraps a fieldError.
func errAsField(err error) (*fieldError, bool) {
	var fe *fieldError
	ok := errors.As(err, &fe)
	return fe, ok
}
