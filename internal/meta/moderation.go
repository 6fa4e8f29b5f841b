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
func (c *Client) HideComment(ctx context.Context, pageToken, commentID string, hidden bool) error {
	q := url.Values{"hide": {strconv.FormatBool(hidden)}}
	if err := c.success(ctx, http.MethodPost, pageToken, commentID, q); err != nil {
		return fmt.Errorf("meta: hide comment %s (hide=%t): %w", commentID, hidden, err)
	}
	return nil
}

// DeleteComment deletes a comment on the account's media for good
// (DELETE /{comment-id}); it can then no longer get a private reply.
func (c *Client) DeleteComment(ctx context.Context, pageToken, commentID string) error {
	if err := c.success(ctx, http.MethodDelete, pageToken, commentID, nil); err != nil {
		return fmt.Errorf("meta: delete comment %s: %w", commentID, err)
	}
	return nil
}

// success calls a node and expects Meta's {"success":true}.
func (c *Client) success(ctx context.Context, method, token, id string, q url.Values) error {
	var body struct {
		Success bool `json:"success"`
	}
	if _, err := c.call(ctx, method, token, c.endpoint("/"+url.PathEscape(id)), q, nil, &body); err != nil {
		return err
	}
	if !body.Success {
		return errors.New("Meta did not confirm")
	}
	return nil
}
