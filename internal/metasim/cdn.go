package metasim

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strings"
)

// Media pictures, as Instagram's CDN serves them: a JPEG at the media's
// media_url (and thumbnail_url for videos). The simulator draws one per
// media (a colour from its id, a lighter band for the caption), so the app's
// thumbnails work without the internet. Unknown files are 404, as an
// expired CDN link is.

// cdnPath is a media's picture, under the simulator's public base.
func cdnPath(mediaID string) string { return "/cdn/" + mediaID + ".jpg" }

// cdn serves GET /cdn/{id}.jpg.
func (s *Sim) cdn(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".jpg")
	s.mu.Lock()
	m, _ := s.mediaLocked(id)
	s.mu.Unlock()
	if !ok || m == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(mediaPicture(id))
}

// mediaPicture draws a media's 240×240 JPEG.
func mediaPicture(id string) []byte {
	h := fnv.New32a()
	h.Write([]byte(id))
	sum := h.Sum32()
	base := color.RGBA{uint8(60 + sum%140), uint8(60 + (sum>>8)%140), uint8(60 + (sum>>16)%140), 255}
	light := color.RGBA{base.R/2 + 120, base.G/2 + 120, base.B/2 + 120, 255}
	img := image.NewRGBA(image.Rect(0, 0, 240, 240))
	for y := range 240 {
		for x := range 240 {
			c := base
			if (x-120)*(x-120)+(y-100)*(y-100) < 60*60 || (y > 190 && y < 210 && x > 30 && x < 210) {
				c = light
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}
