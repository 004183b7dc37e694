package mount

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/drivesync/drivesync/cache"
)

// runAll runs acts on up to Parallel workers. Each worker gets a copy of
// its action's entry (taken here, on the engine goroutine) and reports
// its result back over a channel; done is called for each result on the
// calling goroutine, which alone touches the state. An action for which
// skip (called from another goroutine) is true when its turn comes is
// not run; runAll returns how many were not.
//
// However many actions there are, at most Parallel run at a time, each
// with its goroutine, connection and file (TestPendingBounded).
func (m *Mount) runAll(ctx context.Context, acts []action, done func(result), skip func(action) bool) int {
	if len(acts) == 0 {
		return 0
	}
	type job struct {
		a action
		e cache.Entry
	}
	all := make([]job, len(acts))
	for i, a := range acts {
		all[i].a = a
		if a.id != "" {
			all[i].e, _ = m.st.get(a.id)
		}
	}
	jobs := make(chan job)
	results := make(chan result)
	n := min(m.cfg.Parallel, len(acts))
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- m.run(ctx, j.a, j.e)
			}
		}()
	}
	var skipped atomic.Int64
	go func() {
		defer close(jobs)
		for _, j := range all {
			if skip(j.a) {
				skipped.Add(1)
				continue
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	for r := range results {
		done(r)
	}
	return int(skipped.Load())
}
