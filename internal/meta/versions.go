package meta

import "time"

// versionEnds are the Graph API versions Replydesk knows and the day Meta
// stops serving each (meta-platform.md §6.6 and §10); a zero day means Meta
// has not announced it yet. Calls to an ended version are served by the
// next oldest one still available, which may behave differently.
var versionEnds = map[string]time.Time{
	"v20.0": day(2026, 9, 24),
	"v21.0": day(2027, 1, 21),
	"v22.0": day(2027, 5, 20),
	"v23.0": day(2027, 10, 8),
	"v24.0": day(2028, 2, 18),
	"v25.0": day(2028, 7, 29),
	"v26.0": {},
	"v27.0": {},
}

// LatestVersion is the newest Graph API version Replydesk knows.
const LatestVersion = "v27.0"

// VersionEnd answers when Meta stops serving a Graph API version (zero
// when not announced) and whether Replydesk knows the version at all.
func VersionEnd(version string) (time.Time, bool) {
	t, ok := versionEnds[version]
	return t, ok
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
