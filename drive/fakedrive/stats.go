package fakedrive

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
)

// stats counts what clients cost the drive, for tests and benchmarks that
// assert how many calls a job made (GET /fakedrive/stats).
type stats struct {
	mu      sync.Mutex
	total   int64
	routes  map[string]int64 // "GET /drive/v3/files" -> n
	methods map[string]int64 // "files.list" -> n

	mediaIn, mediaOut   atomic.Int64
	faults, rateLimited atomic.Int64
}

func newStats() *stats {
	return &stats{routes: map[string]int64{}, methods: map[string]int64{}}
}

func (s *stats) request(route, method string) {
	s.mu.Lock()
	s.total++
	s.routes[route]++
	s.methods[method]++
	s.mu.Unlock()
}

// Stats is the JSON of GET /fakedrive/stats.
type Stats struct {
	Requests      int64            `json:"requests"`
	Methods       map[string]int64 `json:"methods"`
	Routes        map[string]int64 `json:"routes"`
	MediaBytesIn  int64            `json:"mediaBytesIn"`
	MediaBytesOut int64            `json:"mediaBytesOut"`
	Faults        int64            `json:"faults"`
	RateLimited   int64            `json:"rateLimited"`
}

// Stats returns a snapshot of the counters.
func (sv *Server) Stats() Stats {
	s := sv.stats
	s.mu.Lock()
	out := Stats{Requests: s.total, Methods: make(map[string]int64, len(s.methods)), Routes: make(map[string]int64, len(s.routes))}
	for k, v := range s.methods {
		out.Methods[k] = v
	}
	for k, v := range s.routes {
		out.Routes[k] = v
	}
	s.mu.Unlock()
	out.MediaBytesIn = s.mediaIn.Load()
	out.MediaBytesOut = s.mediaOut.Load()
	out.Faults = s.faults.Load()
	out.RateLimited = s.rateLimited.Load()
	return out
}

func (sv *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(sv.Stats())
}
