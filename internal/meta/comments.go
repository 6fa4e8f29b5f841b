package meta

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// timestampLayout is Graph's ISO-8601 form, e.g. 2017-05-19T23:27:28+0000.
const timestampLayout = "2006-01-02T15:04:05-0700"

// CommentInfo is what Graph says about one comment.
type CommentInfo struct {
	ID        string
	Timestamp time.Time // creation time, which the reply window counts from
	Text      string
	Username  string
	ParentID  string
	MediaID   string
}

// Comment reads a comment's creation time and basics
// (GET /{comment-id}?fields=id,timestamp,...), with a Page token.
func (c *Client) Comment(ctx context.Context, token, commentID string) (CommentInfo, error) {
	var body struct {
		ID        string `json:"id"`
		Timestamp string `json:"timestamp"`
		Text      string `json:"text"`
		Username  string `json:"username"`
		ParentID  string `json:"parent_id"`
		Media     struct {
			ID string `json:"id"`
		} `json:"media"`
	}
	q := url.Values{"fields": {"id,timestamp,text,username,parent_id,media{id}"}}
	if _, err := c.get(ctx, token, "/"+url.PathEscape(commentID), q, &body); err != nil {
		return CommentInfo{}, err
	}
	ts, err := parseTimestamp(body.Timestamp)
	if err != nil {
		return CommentInfo{}, fmt.Errorf("meta: comment %s: %w", commentID, err)
	}
	return CommentInfo{ID: body.ID, Timestamp: ts, Text: body.Text, Username: body.Username,
		ParentID: body.ParentID, MediaID: body.Media.ID}, nil
}

// LiveMedia lists the media an Instagram account is broadcasting right now
// (GET /{ig-user-id}/live_media); empty when no broadcast runs.
func (c *Client) LiveMedia(ctx context.Context, token, igUserID string) ([]string, error) {
	var body struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	q := url.Values{"fields": {"id,media_product_type,timestamp"}}
	if _, err := c.get(ctx, token, "/"+url.PathEscape(igUserID)+"/live_media", q, &body); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(body.Data))
	for _, m := range body.Data {
		ids = append(ids, m.ID)
	}
	return ids, nil
}

func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{timestampLayout, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable timestamp %q", s)
}
