package meta

import (
	"context"
	"fmt"
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
