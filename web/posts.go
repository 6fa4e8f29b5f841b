package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/views"
)

// captionExcerpt bounds the caption the panel shows (runes).
const captionExcerpt = 140

// contextVM is the panel's context: the post the comment is on (as far as
// Graph told, never waiting for it), the comment it replies to, and when it
// was made.
func (s *Server) contextVM(c echo.Context, it inbox.Item, f inbox.Filter) (views.ContextVM, error) {
	ctx, user, now := c.Request().Context(), userOf(c).ID, s.now()
	var vm views.ContextVM
	if at, exact := commentTime(it.Comment); !at.IsZero() {
		vm.PostedAgo = "posted " + ago(at, now)
		if !exact && now.Sub(at) >= time.Minute {
			vm.PostedAgo = "posted about " + ago(at, now) // from the webhook: Instagram has not confirmed it yet
		}
		vm.PostedISO, vm.PostedUTC = isoMS(at), at.UTC().Format("Mon 2 Jan, 15:04 UTC")
	}
	kind := surfaceLabels[it.Surface]
	vm.Post = views.PostVM{MediaID: it.MediaID, Label: kind}
	if it.MediaID != "" {
		vm.Post.Label = kind + " " + it.MediaID
		p, err := s.deps.Posts.Post(ctx, user, it.MediaID)
		switch {
		case errors.Is(err, store.ErrNotFound): // not stored: its id is all there is
		case err != nil:
			return vm, err
		case p.ReadAt.IsZero(): // not read yet, or Graph failed: its id is all there is
		default:
			vm.Post.Caption = excerpt(p.Caption, captionExcerpt)
			if u, err := url.Parse(p.Permalink); err == nil && u.Scheme == "https" {
				vm.Post.Permalink, vm.Post.Label = p.Permalink, kind+" on Instagram"
			}
			if !p.PostedAt.IsZero() {
				vm.Post.PostedAgo = "posted " + ago(p.PostedAt, now)
			}
			if p.Picture {
				vm.Post.PictureURL = "/inbox/media/" + url.PathEscape(it.MediaID) + "/picture?v=" + strconv.FormatInt(p.ReadAt.UnixMilli(), 10)
				vm.Post.PictureAlt = "The " + strings.ToLower(kind) + "’s picture"
			}
		}
	}
	if it.ParentID != "" {
		vm.Parent = &views.ParentVM{}
		parent, err := s.deps.Inbox.InboxItem(ctx, user, it.ParentID)
		switch {
		case errors.Is(err, store.ErrNotFound): // the account's own comment, or before Replydesk's history
		case err != nil:
			return vm, err
		default:
			vm.Parent = &views.ParentVM{Known: true, Username: orDash(parent.Username), Text: parent.Text, DetailURL: commentURL(parent.ID, f)}
		}
	}
	return vm, nil
}

// commentTime is when a comment was made, as well as Replydesk knows:
// Graph's timestamp (exact), else the webhook's send time, else when it
// arrived.
func commentTime(c inbox.Comment) (at time.Time, exact bool) {
	switch {
	case !c.CreatedAt.IsZero():
		return c.CreatedAt, true
	case !c.EntryTime.IsZero():
		return c.EntryTime, false
	}
	return c.ReceivedAt, false
}

// postPicture is GET /inbox/media/:id/picture: the post's picture as
// Replydesk keeps it, for people who may see its account.
func (s *Server) postPicture(c echo.Context) error {
	data, ct, _, err := s.deps.Posts.PostPicture(c.Request().Context(), userOf(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	return c.Blob(http.StatusOK, ct, data)
}
