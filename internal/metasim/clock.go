package metasim

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// clock is the simulator's single time source: a base clock (Config.Now or
// time.Now) plus an offset that POST /control/clock advances.
type clock struct {
	base   func() time.Time
	offset atomic.Int64 // nanoseconds
}

func newClock(base func() time.Time) *clock {
	if base == nil {
		base = time.Now
	}
	return &clock{base: base}
}

// now answers the simulated time.
func (c *clock) now() time.Time {
	return c.base().Add(time.Duration(c.offset.Load()))
}

// advance moves the simulated time forward by d and answers the new time.
func (c *clock) advance(d time.Duration) time.Time {
	c.offset.Add(int64(d))
	return c.now()
}

func (c *clock) getOffset() time.Duration  { return time.Duration(c.offset.Load()) }
func (c *clock) setOffset(d time.Duration) { c.offset.Store(int64(d)) }

// parseDuration parses Go duration syntax extended with a leading days unit,
// so "36h", "7d" and "1d12h" are all accepted.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("metasim: empty duration")
	}
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("metasim: invalid duration %q", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("metasim: invalid duration %q (use Go syntax such as 36h, or days such as 7d)", s)
	}
	return days + d, nil
}
