package e2e

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// e2eParallel is how many of these tests run at once unless -parallel is
// given (REPLYDESK_E2E_PARALLEL overrides it). Each test has its own world
// (simulator, app process, database, browser), and most of a test's time is
// spent waiting on them (a page to load, an event to arrive, a deadline to
// pass): on 2 cores, one at a time kept the machine half idle (the package
// alone took 8 min 19 s with the race detector), four at once 5 min 56 s.
const e2eParallel = 4

func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		n := e2eParallel
		if v, err := strconv.Atoi(os.Getenv("REPLYDESK_E2E_PARALLEL")); err == nil && v > 0 {
			n = v
		}
		flag.Set("test.parallel", strconv.Itoa(n))
	}
	os.Exit(m.Run())
}
