package main

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// metricsHandler serves GET /metrics in the Prometheus text exposition
// format (version 0.0.4). A dozen gauges and counters read from Status do
// not justify github.com/prometheus/client_golang and its dependency tree
// (it is not in go.mod and this build has no network to add it); the
// format is a few lines of text per metric.
func (s *apiServer) metricsHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	writeMetrics(w, s.svc.Status(), &s.metrics, time.Since(s.started))
}

func writeMetrics(w io.Writer, st apiStatus, m *apiMetrics, uptime time.Duration) {
	metric := func(name, typ, help string, v any) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %v\n", name, help, name, typ, name, v)
	}
	metric("drivesync_files", "gauge", "Files mirrored.", st.Files)
	metric("drivesync_dirs", "gauge", "Folders mirrored.", st.Dirs)
	metric("drivesync_bytes", "gauge", "Bytes of the mirrored files.", st.Bytes)
	metric("drivesync_pending_uploads", "gauge", "Local changes not on Drive yet.", st.PendingUploads)
	metric("drivesync_pending_downloads", "gauge", "Drive changes not downloaded yet.", st.PendingDownloads)
	metric("drivesync_conflicts", "gauge", "Conflict copies created.", len(st.Conflicts))
	metric("drivesync_skipped", "gauge", "Drive items not mirrored (Google Docs, refused names).", len(st.Skipped))
	var lastPoll float64
	if !st.LastPoll.IsZero() {
		lastPoll = float64(st.LastPoll.UnixMilli()) / 1000
	}
	metric("drivesync_last_poll_timestamp_seconds", "gauge", "When Drive's changes feed was last read.", lastPoll)
	var lastErr float64
	if !st.LastErrorTime.IsZero() {
		lastErr = float64(st.LastErrorTime.UnixMilli()) / 1000
	}
	metric("drivesync_last_error_timestamp_seconds", "gauge", "When the last error happened (0: none).", lastErr)
	metric("drivesync_uptime_seconds", "gauge", "Seconds since the daemon started.", uptime.Seconds())
	metric("drivesync_api_requests_total", "counter", "Local API requests received.", m.requests.Load())
	metric("drivesync_api_refused_total", "counter", "Local API requests refused (Origin header or non-local Host).", m.refused.Load())
	metric("drivesync_api_errors_total", "counter", "Local API requests answered with an error.", m.errors.Load())
	fmt.Fprintf(w, "# HELP drivesync_phase The engine's phase (1 for the current one).\n# TYPE drivesync_phase gauge\n")
	for _, p := range []string{"initial", "idle", "syncing", "stopped"} {
		v := 0
		if st.Phase == p {
			v = 1
		}
		fmt.Fprintf(w, "drivesync_phase{phase=%q} %d\n", p, v)
	}
}
