package meta

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestClient_graphVersions runs the client's calls against the simulator
// with each supported pin: every Graph path carries that version.
func TestClient_graphVersions(t *testing.T) {
	for _, version := range []string{"v25.0", "v27.0"} {
		t.Run(version, func(t *testing.T) {
			w := newSimWorldAt(t, version)
			ctx := context.Background()
			w.client.pageLimit = 1 // follow paging.next too
			page := w.pagesOf(t, 0)[0]
			acct := page.Instagram.ID
			if err := w.client.SubscribeApp(ctx, page.AccessToken, page.ID); err != nil {
				t.Fatal(err)
			}
			media, err := w.client.RecentMedia(ctx, page.AccessToken, acct, 3)
			if err != nil || len(media) == 0 {
				t.Fatalf("media %v %v", media, err)
			}
			id := w.comment(t, 0, map[string]any{"media": media[0].ID, "age": "2h"})
			info, err := w.client.Comment(ctx, page.AccessToken, id)
			if err != nil || info.ID != id || info.Timestamp.IsZero() {
				t.Fatalf("comment %+v %v", info, err)
			}
			if _, err := w.client.CommentsSince(ctx, page.AccessToken, media[0].ID, time.Now().Add(-8*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := w.client.LiveMedia(ctx, page.AccessToken, acct); err != nil {
				t.Fatal(err)
			}
			if sent, _, err := w.client.SendPrivateReply(ctx, page.AccessToken, page.ID, id, "Hi!"); err != nil || sent.MessageID == "" {
				t.Fatalf("send %+v %v", sent, err)
			}
			graphCalls := 0
			for _, p := range w.seenPaths() {
				if strings.HasPrefix(p, "/control/") || p == "/dialog/oauth" || p == "/oauth/access_token" {
					continue // the control API, and the login the test drives itself
				}
				graphCalls++
				if !strings.HasPrefix(p, "/"+version+"/") {
					t.Errorf("path %s is not on %s", p, version)
				}
			}
			if graphCalls < 8 {
				t.Errorf("only %d Graph calls seen", graphCalls)
			}
		})
	}
}
