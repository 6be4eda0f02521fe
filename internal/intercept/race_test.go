//go:build race

package intercept

// raceEnabled: the race detector drops sync.Pool items at random, so
// allocation counts that involve a pool are not exact under it.
const raceEnabled = true
