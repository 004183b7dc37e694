package mount

import (
	"context"
	"sync"

	"github.com/drivesync/drivesync/cache"
)

// runAll runs acts on up to Parallel workers. Each worker gets a copy of
// its action's entry (taken here, on the engine goroutine) and reports
// its result back over a channel; done is called for each result on the
// calling goroutine, which alone touches the state.
func (m *Mount) runAll(ctx context.Context, acts []action, done func(result)) {
	if len(acts) == 0 {
		return
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
	go func() {
		defer close(jobs)
		for _, j := range all {
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
}
