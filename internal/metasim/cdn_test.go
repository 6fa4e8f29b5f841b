package metasim

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestGraph_mediaContext (issue 20, item 6): a media read with the fields
// the inbox's panel shows answers them, its picture links point at the
// simulator's own CDN, which serves a JPEG; a graph_5xx fault fails the
// read as Meta does, and an unknown picture is 404 like an expired link.
func TestGraph_mediaContext(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	var mediaID string
	for _, m := range h.world.Media {
		if m.AccountID == h.account(0) && m.MediaProductType == "FEED" {
			mediaID = m.ID
			break
		}
	}
	if mediaID == "" {
		t.Fatal("no feed post in the seeded world")
	}
	path := "/v25.0/" + mediaID + "?" + url.Values{"fields": {"caption,media_type,media_url,thumbnail_url,permalink,timestamp"}, "access_token": {tok}}.Encode()
	var got struct {
		Caption, Permalink, Timestamp string
		MediaType                     string `json:"media_type"`
		MediaURL                      string `json:"media_url"`
	}
	r := h.get(path)
	h.wantStatus(r, http.StatusOK)
	h.decode(r, &got)
	if got.MediaType == "" || !strings.HasPrefix(got.Permalink, "https://www.instagram.com/") || got.Timestamp == "" {
		t.Errorf("media answer %s", r.body)
	}
	if !strings.HasPrefix(got.MediaURL, h.srv.URL+"/cdn/") {
		t.Fatalf("media_url %q is not the simulator's own", got.MediaURL)
	}
	pic := h.get(strings.TrimPrefix(got.MediaURL, h.srv.URL))
	h.wantStatus(pic, http.StatusOK)
	if ct := pic.header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("picture Content-Type %q", ct)
	}
	if _, err := jpeg.Decode(bytes.NewReader(pic.body)); err != nil {
		t.Errorf("the picture is not a JPEG: %v", err)
	}
	h.wantStatus(h.get("/cdn/999.jpg"), http.StatusNotFound)
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "graph_5xx", "count": 1}), 200)
	h.wantGraphError(h.get(path), 500, 1, 0)
	h.wantStatus(h.get(path), http.StatusOK)
}
