package meta

import (
	"context"
	"net/url"
)

// Sent is Meta's answer to an accepted private reply.
type Sent struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// SendPrivateReply sends text as the private reply to a comment:
// POST /{page-id}/messages {"recipient":{"comment_id"},"message":{"text"}}
// with the Page token (meta-platform.md §3.4). The Usage that came back
// tells the caller how close the account is to being throttled.
func (c *Client) SendPrivateReply(ctx context.Context, pageToken, pageID, commentID, text string) (Sent, Usage, error) {
	body := map[string]any{
		"recipient": map[string]string{"comment_id": commentID},
		"message":   map[string]string{"text": text},
	}
	var out Sent
	usage, err := c.postJSON(ctx, pageToken, "/"+url.PathEscape(pageID)+"/messages", body, &out)
	return out, usage, err
}
