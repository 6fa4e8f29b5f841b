//go:build race

package webhook

// raceEnabled: the race detector makes sync.Pool drop items at random.
const raceEnabled = true
