package migrations

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var versionRE = regexp.MustCompile(`^(\d+)_[a-z0-9_]+\.sql$`)

func versions(t *testing.T, dialect string) map[string]string {
	t.Helper()
	entries, err := fs.ReadDir(FS(dialect), ".")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		m := versionRE.FindStringSubmatch(e.Name())
		if m == nil {
			t.Errorf("%s/%s: not a migration name (NNNNN_what.sql)", dialect, e.Name())
			continue
		}
		if other, dup := out[m[1]]; dup {
			t.Errorf("%s: version %s is used twice (%s, %s)", dialect, m[1], other, e.Name())
		}
		out[m[1]] = e.Name()
	}
	return out
}

// TestDialects_sameVersions: every migration exists for both databases, under
// the same version, so that a feature's schema is never on one only.
func TestDialects_sameVersions(t *testing.T) {
	lite, pg := versions(t, "sqlite"), versions(t, "postgres")
	for v, name := range lite {
		if _, ok := pg[v]; !ok {
			t.Errorf("sqlite/%s has no PostgreSQL twin: port it to migrations/postgres/ with the same version", name)
		}
	}
	for v, name := range pg {
		if _, ok := lite[v]; !ok {
			t.Errorf("postgres/%s has no SQLite twin in migrations/sqlite/", name)
		}
	}
	for _, d := range Dialects {
		for _, name := range versions(t, d) {
			body, _ := fs.ReadFile(FS(d), name)
			if !strings.Contains(string(body), "-- +goose Up") {
				t.Errorf("%s/%s: no -- +goose Up section", d, name)
			}
		}
	}
}

// TestDialects_noStrayFiles: a migration left in migrations/ itself (where
// they lived before there were two databases) would never be applied.
func TestDialects_noStrayFiles(t *testing.T) {
	stray, err := filepath.Glob("*.sql")
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		if e.IsDir() && !slices.Contains(Dialects, e.Name()) {
			stray = append(stray, e.Name()+"/")
		}
	}
	for _, f := range stray {
		t.Errorf("migrations/%s: migrations go in migrations/sqlite/ and migrations/postgres/ (same version in both)", f)
	}
}
