package meta

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestClient_post (issue 20, item 6): a media's caption, type, link, time
// and picture are read from the simulator, and the picture downloads as a
// JPEG; a Graph outage is an error Classify calls transient.
func TestClient_post(t *testing.T) {
	w := newSimWorld(t)
	ctx := context.Background()
	page := w.pagesOf(t, 0)[0]
	media, err := w.client.RecentMedia(ctx, page.AccessToken, page.Instagram.ID, 1)
	if err != nil || len(media) == 0 {
		t.Fatalf("media %v %v", media, err)
	}
	p, err := w.client.Post(ctx, page.AccessToken, media[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != media[0].ID || p.MediaType == "" || p.Permalink == "" || p.Timestamp.IsZero() || !strings.HasPrefix(p.PictureURL, w.srv.URL) {
		t.Fatalf("post %+v", p)
	}
	data, ct, err := w.client.Picture(ctx, p.PictureURL)
	if err != nil || ct != "image/jpeg" || len(data) == 0 {
		t.Fatalf("picture: %q %d bytes %v", ct, len(data), err)
	}
	w.control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "graph_5xx", "count": 1}, nil)
	if _, err := w.client.Post(ctx, page.AccessToken, media[0].ID); err == nil || Classify(err) != ClassTransient {
		t.Errorf("a Graph outage reading a media: %v (%v)", err, Classify(err))
	}
}

// TestClient_pictureRefusesWhatIsNotAnImage: the picture download keeps
// only raster images of a bounded size, whatever the server says they are.
func TestClient_pictureRefusesWhatIsNotAnImage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/svg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
		case "/big":
			w.Write(append([]byte("\xff\xd8\xff"), make([]byte, MaxPicture)...))
		case "/gone":
			http.Error(w, "URL signature expired", http.StatusForbidden)
		}
	}))
	defer srv.Close()
	c := New(Options{GraphURL: srv.URL})
	for _, path := range []string{"/svg", "/big", "/gone"} {
		if _, _, err := c.Picture(context.Background(), srv.URL+path); err == nil {
			t.Errorf("%s: kept", path)
		}
	}
	if _, _, err := c.Picture(context.Background(), "javascript:alert(1)"); err == nil {
		t.Error("a javascript: address was fetched")
	}
}
