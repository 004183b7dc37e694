package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressReporter shows the initial mirror and long transfers: a bar
// (files, bytes, rate, ETA) on a terminal, and a plain line every
// interval otherwise (logs, CI). update never blocks: it stores the latest
// value, and a goroutine draws. A nil *progressReporter does nothing.
type progressReporter struct {
	w        io.Writer
	tty      bool
	interval time.Duration
	latest   atomic.Pointer[apiProgress]
	start    time.Time
	stop     chan struct{}
	once     sync.Once
	wg       sync.WaitGroup
}

// isTerminal reports whether w is a character device (a terminal); x/term
// would do the same ioctl but is not a direct dependency.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// newProgress starts a reporter writing to w; mode is "auto" (bar on a
// terminal), "bar", "plain" or "none".
func newProgress(w io.Writer, mode string, interval time.Duration) (*progressReporter, error) {
	p := &progressReporter{w: w, interval: interval, start: time.Now(), stop: make(chan struct{})}
	switch mode {
	case "none":
		return nil, nil
	case "auto":
		p.tty = isTerminal(w)
	case "bar":
		p.tty = true
	case "plain":
	default:
		return nil, fmt.Errorf("--progress %q: want auto, bar, plain or none", mode)
	}
	if p.interval <= 0 {
		p.interval = 5 * time.Second
	}
	p.wg.Add(1)
	go p.loop()
	return p, nil
}

func (p *progressReporter) update(v apiProgress) {
	if p != nil {
		p.latest.Store(&v)
	}
}

// done draws the last state and stops.
func (p *progressReporter) done() {
	if p == nil {
		return
	}
	p.once.Do(func() { close(p.stop) })
	p.wg.Wait()
}

func (p *progressReporter) loop() {
	defer p.wg.Done()
	tick := p.interval
	if p.tty {
		tick = 200 * time.Millisecond
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	var bar *progressbar.ProgressBar
	var drawn *apiProgress
	draw := func(final bool) {
		v := p.latest.Load()
		if v == nil || v == drawn && !final {
			return
		}
		drawn = v
		if !p.tty {
			if v != nil {
				fmt.Fprintln(p.w, plainProgress(*v, time.Since(p.start)))
			}
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions64(max(v.TotalBytes, 1),
				progressbar.OptionSetWriter(p.w), progressbar.OptionShowBytes(true),
				progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionShowElapsedTimeOnFinish(),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }))
		}
		if v.TotalBytes > 0 && v.TotalBytes != bar.GetMax64() {
			bar.ChangeMax64(v.TotalBytes)
		}
		bar.Describe(fmt.Sprintf("%s %d/%d files", v.Phase, v.Files, v.TotalFiles))
		_ = bar.Set64(v.Bytes)
		if final && !bar.IsFinished() {
			_ = bar.Finish()
		}
	}
	for {
		select {
		case <-p.stop:
			draw(true)
			return
		case <-t.C:
			draw(false)
		}
	}
}

// plainProgress is the line printed when output is not a terminal.
func plainProgress(v apiProgress, elapsed time.Duration) string {
	s := fmt.Sprintf("%s: %d/%d files, %s/%s", v.Phase, v.Files, v.TotalFiles, humanBytes(v.Bytes), humanBytes(v.TotalBytes))
	if secs := elapsed.Seconds(); secs > 0 && v.Bytes > 0 {
		rate := float64(v.Bytes) / secs
		s += fmt.Sprintf(", %s/s", humanBytes(int64(rate)))
		if left := v.TotalBytes - v.Bytes; left > 0 {
			s += fmt.Sprintf(", ETA %s", time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second))
		}
	}
	return s
}

// humanBytes formats n with binary prefixes: 512 B, 1.5 KiB, 3.0 GiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
