package inbox

import (
	"testing"
	"time"
)

func TestSurfaceOf(t *testing.T) {
	cases := []struct {
		typ, ad string
		live    bool
		want    Surface
	}{
		{"FEED", "", false, SurfacePost},
		{"", "", false, SurfacePost},
		{"REELS", "", false, SurfaceReel},
		{"STORY", "", false, SurfaceStory},
		{"FEED", "1202", false, SurfaceAd},
		{"AD", "", false, SurfaceAd},
		{"LIVE", "", false, SurfaceLive},
		{"FEED", "", true, SurfaceLive},
		{"reels", "", false, SurfaceReel},
	}
	for _, c := range cases {
		if got := SurfaceOf(c.typ, c.ad, c.live); got != c.want {
			t.Errorf("SurfaceOf(%q, %q, %v) = %s, want %s", c.typ, c.ad, c.live, got, c.want)
		}
	}
}

func TestApproxDeadline(t *testing.T) {
	recv := time.Date(2026, 1, 8, 12, 0, 0, 0, time.UTC)
	sent := recv.Add(-36 * time.Hour) // a late retry
	if got := ApproxDeadline(sent, recv, false); !got.Equal(sent.Add(ReplyWindow)) {
		t.Errorf("from entry.time: %v", got)
	}
	if got := ApproxDeadline(time.Time{}, recv, false); !got.Equal(recv.Add(ReplyWindow)) {
		t.Errorf("without entry.time: %v", got)
	}
	if got := ApproxDeadline(recv.Add(time.Hour), recv, false); !got.Equal(recv.Add(ReplyWindow)) {
		t.Errorf("entry.time in the future must not extend the window: %v", got)
	}
	if got := ApproxDeadline(recv, recv, true); !got.Equal(recv.Add(LiveWindow)) {
		t.Errorf("live: %v", got)
	}
	c := Comment{Status: StatusOpen, Deadline: recv}
	if c.Expired(recv.Add(-time.Second)) || !c.Expired(recv) {
		t.Error("Expired boundary wrong")
	}
}
