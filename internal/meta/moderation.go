package meta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// PublicReply posts text as a public reply under a comment, as the
// Instagram account (POST /{comment-id}/replies). It answers the new
// comment's id, which Meta also delivers as a comments webhook of the
// account's own. Meta refuses replies to hidden comments and to comments on
// live media.
func (c *Client) PublicReply(ctx context.Context, pageToken, commentID, text string) (string, Usage, error) {
	var body struct {
		ID string `json:"id"`
	}
	usage, err := c.postJSON(ctx, pageToken, "/"+url.PathEscape(commentID)+"/replies", map[string]string{"message": text}, &body)
	if err != nil {
		return "", usage, fmt.Errorf("meta: public reply to comment %s: %w", commentID, err)
	}
	if body.ID == "" {
		return "", usage, fmt.Errorf("meta: public reply to comment %s: answer has no id", commentID)
	}
	return body.ID, usage, nil
}

// HideComment hides a comment from everyone but its author, or shows it
// again (POST /{comment-id}?hide=true|false). A hidden comment can still get
// a private reply.
func (c *Client) HideComment(ctx context.Context, pageToken, commentID string, hidden bool) (Usage, error) {
	q := url.Values{"hide": {strconv.FormatBool(hidden)}}
	usage, err := c.success(ctx, http.MethodPost, pageToken, commentID, q)
	if err != nil {
		return usage, fmt.Errorf("meta: hide comment %s (hide=%t): %w", commentID, hidden, err)
	}
	return usage, nil
}

// DeleteComment deletes a comment on the account's media for good
// (DELETE /{comment-id}); it can then no longer get a private reply.
func (c *Client) DeleteComment(ctx context.Context, pageToken, commentID string) (Usage, error) {
	usage, err := c.success(ctx, http.MethodDelete, pageToken, commentID, nil)
	if err != nil {
		return usage, fmt.Errorf("meta: delete comment %s: %w", commentID, err)
	}
	return usage, nil
}

// CommentReplies lists the replies in a comment's thread, oldest first
// (GET /{comment-id}/replies, following paging), with who wrote each: how a
// caller finds out whether a public reply whose answer was lost was posted.
func (c *Client) CommentReplies(ctx context.Context, token, commentID string) ([]CommentRead, error) {
	var out []CommentRead
	next := c.endpoint("/" + url.PathEscape(commentID) + "/replies")
	q := url.Values{"fields": {"id,text,timestamp,from{id,username}"}, "limit": {"50"}}
	for i := 0; next != "" && i < maxPagingPages; i++ {
		var body struct {
			Data []struct {
				ID        string `json:"id"`
				Text      string `json:"text"`
				Timestamp string `json:"timestamp"`
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
			return nil, fmt.Errorf("meta: replies to %s: %w", commentID, err)
		}
		for _, d := range body.Data {
			ts, _ := parseTimestamp(d.Timestamp)
			out = append(out, CommentRead{ID: d.ID, Text: d.Text, Timestamp: ts, FromID: d.From.ID, FromUsername: d.From.Username, ParentID: commentID})
		}
		var err error
		if next, q, err = c.nextPage(body.Paging.Next); err != nil {
			return nil, fmt.Errorf("meta: replies to %s: %w", commentID, err)
		}
	}
	return out, nil
}

// success calls a node and expects Meta's {"success":true}.
func (c *Client) success(ctx context.Context, method, token, id string, q url.Values) (Usage, error) {
	var body struct {
		Success bool `json:"success"`
	}
	usage, err := c.call(ctx, method, token, c.endpoint("/"+url.PathEscape(id)), q, nil, &body)
	if err != nil {
		return usage, err
	}
	if !body.Success {
		return usage, errors.New("Meta did not confirm")
	}
	return usage, nil
}
