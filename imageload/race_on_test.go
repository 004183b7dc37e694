//go:build race

package imageload

// raceBuild: the race detector slows the pixel loops ~30×; golden tests
// then check a deterministic subset (the full set runs without -race).
const raceBuild = true
