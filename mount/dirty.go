package mount

import (
	"sort"
	"time"
)

// gatherFactor bounds how long local events are gathered: a scan comes
// at most gatherFactor × Debounce after the first event, however busy the
// folder stays.
const gatherFactor = 10

// dirtySet is the local paths the loop must scan and when. Events
// (mark) scan Debounce after the last one, but no later than
// gatherFactor × Debounce after the first since the last scan: a folder
// that never goes quiet (a training log written every 100 ms beside a
// checkpoint) is still scanned. Paths whose items wait (retry) are
// scanned again after Settle on a timer of their own, which events do
// not push back.
type dirtySet struct {
	paths    map[string]bool
	since    time.Time // the first event since the last scan; zero if none
	debounce time.Duration
	settle   time.Duration
	quiet    *time.Timer // fires Debounce after the last event (capped)
	again    *time.Timer // fires Settle after a scan left items waiting
}

func newDirtySet(debounce, settle time.Duration) *dirtySet {
	d := &dirtySet{paths: map[string]bool{}, debounce: debounce, settle: settle,
		quiet: time.NewTimer(time.Hour), again: time.NewTimer(time.Hour)}
	d.quiet.Stop()
	d.again.Stop()
	return d
}

// mark records a local event at p ("." for everything).
func (d *dirtySet) mark(p string) {
	now := time.Now()
	if d.since.IsZero() {
		d.since = now
	}
	d.paths[p] = true
	wait := d.debounce
	if rest := d.since.Add(gatherFactor * d.debounce).Sub(now); rest < wait {
		wait = max(rest, 0)
	}
	d.quiet.Reset(wait)
}

// retry schedules scope to be scanned again after Settle.
func (d *dirtySet) retry(scope []string) {
	for _, p := range scope {
		d.paths[p] = true
	}
	d.again.Reset(d.settle)
}

// take returns the paths to scan, sorted, and forgets them.
func (d *dirtySet) take() []string {
	scope := make([]string, 0, len(d.paths))
	for p := range d.paths {
		scope = append(scope, p)
	}
	sort.Strings(scope)
	d.clear()
	return scope
}

// clear forgets every path (a full pass covers them).
func (d *dirtySet) clear() {
	clear(d.paths)
	d.since = time.Time{}
	d.quiet.Stop()
	d.again.Stop()
}

func (d *dirtySet) stop() {
	d.quiet.Stop()
	d.again.Stop()
}
