package meta

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// MediaInfo is one Instagram media object.
type MediaInfo struct {
	ID               string
	MediaProductType string // FEED, REELS, STORY, AD
	Caption          string
	Permalink        string
	Timestamp        time.Time
}

// CommentRead is a comment as the comments edge lists it.
type CommentRead struct {
	ID           string
	Text         string
	Timestamp    time.Time
	FromID       string
	FromUsername string
	ParentID     string
}

// RecentMedia lists up to max of an account's media, newest first
// (GET /{ig-user-id}/media, following paging).
func (c *Client) RecentMedia(ctx context.Context, token, igUserID string, max int) ([]MediaInfo, error) {
	var out []MediaInfo
	next := c.endpoint("/" + url.PathEscape(igUserID) + "/media")
	q := url.Values{"fields": {"id,media_product_type,caption,permalink,timestamp"}, "limit": {strconv.Itoa(min(max, 50))}}
	for i := 0; next != "" && len(out) < max && i < maxPagingPages; i++ {
		var body struct {
			Data []struct {
				ID               string `json:"id"`
				MediaProductType string `json:"media_product_type"`
				Caption          string `json:"caption"`
				Permalink        string `json:"permalink"`
				Timestamp        string `json:"timestamp"`
			} `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		if _, err := c.call(ctx, http.MethodGet, token, next, q, nil, &body); err != nil {
			return nil, fmt.Errorf("meta: media of %s: %w", igUserID, err)
		}
		for _, m := range body.Data {
			ts, _ := parseTimestamp(m.Timestamp)
			out = append(out, MediaInfo{ID: m.ID, MediaProductType: m.MediaProductType, Caption: m.Caption, Permalink: m.Permalink, Timestamp: ts})
		}
		var err error
		if next, q, err = c.nextPage(body.Paging.Next); err != nil {
			return nil, fmt.Errorf("meta: media of %s: %w", igUserID, err)
		}
	}
	return out, nil
}

// CommentsSince lists a media's top-level comments created after since,
// newest first (GET /{media-id}/comments, 50 a page). The edge cannot filter
// by time, so paging stops at the first older comment (meta-platform.md §7.2).
func (c *Client) CommentsSince(ctx context.Context, token, mediaID string, since time.Time) ([]CommentRead, error) {
	var out []CommentRead
	next := c.endpoint("/" + url.PathEscape(mediaID) + "/comments")
	q := url.Values{"fields": {"id,text,timestamp,username,from{id,username},parent_id"}, "limit": {"50"}}
	for i := 0; next != "" && i < maxPagingPages; i++ {
		var body struct {
			Data []struct {
				ID        string `json:"id"`
				Text      string `json:"text"`
				Timestamp string `json:"timestamp"`
				Username  string `json:"username"`
				ParentID  string `json:"parent_id"`
				From      struct {
					ID       string `json:"id"`
					Username string `json:"username"`
				} `json:"from"`
			} `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		if _, err := c.call(ctx, http.MethodGet, token, next, q, nil, &body); err != nil {
			return nil, fmt.Errorf("meta: comments of %s: %w", mediaID, err)
		}
		for _, d := range body.Data {
			ts, err := parseTimestamp(d.Timestamp)
			if err != nil {
				continue
			}
			if !ts.After(since) {
				return out, nil
			}
			user := d.From.Username
			if user == "" {
				user = d.Username
			}
			out = append(out, CommentRead{ID: d.ID, Text: d.Text, Timestamp: ts, FromID: d.From.ID, FromUsername: user, ParentID: d.ParentID})
		}
		var err error
		if next, q, err = c.nextPage(body.Paging.Next); err != nil {
			return nil, fmt.Errorf("meta: comments of %s: %w", mediaID, err)
		}
	}
	return out, nil
}

// Post is a media as the inbox's panel shows it: what it is, its caption,
// its link on Instagram and when it was posted, with the picture's URL on
// Meta's CDN (media_url; for a video, thumbnail_url). CDN links expire:
// fetch the picture soon after reading them.
type Post struct {
	ID         string
	MediaType  string // IMAGE, VIDEO, CAROUSEL_ALBUM (BROADCAST for Live)
	Caption    string
	Permalink  string
	PictureURL string // "" when Meta gave none
	Timestamp  time.Time
}

// Post reads one media (GET /{media-id}?fields=caption,media_type,
// media_url,thumbnail_url,permalink,timestamp).
func (c *Client) Post(ctx context.Context, token, mediaID string) (Post, error) {
	var body struct {
		Caption      string `json:"caption"`
		MediaType    string `json:"media_type"`
		MediaURL     string `json:"media_url"`
		ThumbnailURL string `json:"thumbnail_url"`
		Permalink    string `json:"permalink"`
		Timestamp    string `json:"timestamp"`
	}
	q := url.Values{"fields": {"caption,media_type,media_url,thumbnail_url,permalink,timestamp"}}
	if _, err := c.call(ctx, http.MethodGet, token, c.endpoint("/"+url.PathEscape(mediaID)), q, nil, &body); err != nil {
		return Post{}, fmt.Errorf("meta: media %s: %w", mediaID, err)
	}
	p := Post{ID: mediaID, MediaType: body.MediaType, Caption: body.Caption, Permalink: body.Permalink, PictureURL: body.ThumbnailURL}
	if p.PictureURL == "" {
		p.PictureURL = body.MediaURL
	}
	p.Timestamp, _ = parseTimestamp(body.Timestamp)
	return p, nil
}

// MaxPicture bounds a media picture Replydesk keeps (a thumbnail).
const MaxPicture = 1 << 20

// Picture downloads a media picture from Meta's CDN: a JPEG, PNG, WebP or
// GIF (by its bytes, not its header) of at most MaxPicture bytes; anything
// else is an error. It answers the bytes and their type.
func (c *Client) Picture(ctx context.Context, rawURL string) (data []byte, contentType string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, "", fmt.Errorf("meta: picture: not a web address: %q", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", fmt.Errorf("meta: picture: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("meta: picture: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("meta: picture: HTTP %d", resp.StatusCode)
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, MaxPicture+1))
	if err != nil {
		return nil, "", fmt.Errorf("meta: picture: %w", err)
	}
	if len(data) > MaxPicture {
		return nil, "", fmt.Errorf("meta: picture: larger than %d bytes", MaxPicture)
	}
	switch ct := http.DetectContentType(data); ct {
	case "image/jpeg", "image/png", "image/webp", "image/gif":
		return data, ct, nil
	default:
		return nil, "", fmt.Errorf("meta: picture: not an image (%s)", ct)
	}
}
