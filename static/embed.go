// Package static holds the CSS, vendored JavaScript and images, embedded into
// the binary. Vendored files and their versions:
//
//	js/htmx.min.js  htmx.org 2.0.11 (npm; sha256 d6fdc75f204e6bde…)
//	js/sse.js       htmx-ext-sse 2.2.4 (npm; sha256 3b5992a541619bab…)
//
// htmx stays on 2.x: htmx-ext-sse 2.2.4 is built for htmx 2, and htmx 4 is a
// breaking rewrite with a different SSE extension (TOOLING.md §4).
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

// FS holds every static file.
//
//go:embed css js img
var FS embed.FS

var (
	versionsOnce sync.Once
	versions     map[string]string
)

// URL is the cache-busting address of a static file, e.g.
// URL("css/app.css") = "/static/css/app.css?v=1a2b3c4d5e". Files are served
// with a long cache lifetime, so the version changes whenever the content does.
func URL(name string) string {
	versionsOnce.Do(func() {
		versions = map[string]string{}
		fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := FS.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			versions[p] = hex.EncodeToString(sum[:5])
			return nil
		})
	})
	if v, ok := versions[name]; ok {
		return "/static/" + name + "?v=" + v
	}
	return "/static/" + name
}
