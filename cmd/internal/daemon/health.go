package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

// monitor holds the daemon's metrics and what /healthz reports.
type monitor struct {
	reg       *prometheus.Registry
	events    *prometheus.CounterVec
	newEvents *prometheus.CounterVec
	now       func() time.Time
	// inbox counts the long-poll events not derived yet; nil until the service exists.
	inbox func() int

	mu         sync.Mutex
	lastPoll   map[int64]time.Time
	groups     []int64       // the communities watched now (watch)
	staleAfter time.Duration // how long without a poll makes a watcher unhealthy
}

// caseCounter reports cases by state at scrape time.
type caseCounter interface {
	Stats(ctx context.Context) (map[justify.State]int, error)
	Ping(ctx context.Context) error
}

var _ caseCounter = (*store.DB)(nil)

// newMonitor makes the daemon's metrics; watch says which communities to report on.
func newMonitor(now func() time.Time, cases caseCounter) *monitor {
	m := &monitor{
		reg: prometheus.NewRegistry(),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modwatch_events_received_total", Help: "VK events received, by community and kind (redeliveries included).",
		}, []string{"community", "kind"}),
		newEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modwatch_events_recorded_total", Help: "VK events recorded for the first time, by community.",
		}, []string{"community"}),
		now: now, lastPoll: map[int64]time.Time{},
	}
	m.reg.MustRegister(m.events, m.newEvents,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(prometheus.CollectorFunc(func(ch chan<- prometheus.Metric) {
		m.collectLive(ch, cases)
	}))
	return m
}

var (
	descCases = prometheus.NewDesc("modwatch_cases", "Cases by state.", []string{"state"}, nil)
	descSince = prometheus.NewDesc("modwatch_watcher_seconds_since_poll", "Seconds since a community's last successful long poll.", []string{"community"}, nil)
	descInbox = prometheus.NewDesc("modwatch_inbox_pending", "Long-poll events recorded and not derived yet (tickets, cases, dialogs).", nil, nil)
)

// collectLive reads what changes on its own: cases by state and the watchers' age.
func (m *monitor) collectLive(ch chan<- prometheus.Metric, cases caseCounter) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if stats, err := cases.Stats(ctx); err == nil {
		for _, s := range []justify.State{justify.StateAwaitingReason, justify.StateAwaitingReview, justify.StateReversing, justify.StateUndoPending, justify.StateClosed} {
			ch <- prometheus.MustNewConstMetric(descCases, prometheus.GaugeValue, float64(stats[s]), string(s))
		}
	}
	for g, age := range m.pollAges() {
		ch <- prometheus.MustNewConstMetric(descSince, prometheus.GaugeValue, age.Seconds(), strconv.FormatInt(g, 10))
	}
	if m.inbox != nil {
		ch <- prometheus.MustNewConstMetric(descInbox, prometheus.GaugeValue, float64(m.inbox()))
	}
}

// watch sets the communities /healthz reports on and when a watcher counts as stale. A
// community no longer watched is forgotten; a new one is unhealthy until its first poll.
func (m *monitor) watch(groups []int64, staleAfter time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keep := map[int64]bool{}
	for _, g := range groups {
		keep[g] = true
	}
	for g := range m.lastPoll {
		if !keep[g] {
			delete(m.lastPoll, g)
		}
	}
	m.groups, m.staleAfter = append([]int64(nil), groups...), staleAfter
}

func (m *monitor) polled(groupID int64, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastPoll[groupID] = at
}

// pollAges says how long ago each community was last polled; never is counted from the
// daemon's start, which is the zero entry set at wiring.
func (m *monitor) pollAges() map[int64]time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[int64]time.Duration{}
	for _, g := range m.groups {
		out[g] = m.now().Sub(m.lastPoll[g])
	}
	return out
}

func (m *monitor) received(groupID int64, evs []justify.Event, res justify.IngestResult) {
	community := strconv.FormatInt(groupID, 10)
	for _, ev := range evs {
		m.events.WithLabelValues(community, string(ev.Kind)).Inc()
	}
	m.newEvents.WithLabelValues(community).Add(float64(res.New))
}

// derived counts the new events the inbox derived, by community.
func (m *monitor) derived(res justify.IngestResult) {
	for g, n := range res.NewIn {
		m.newEvents.WithLabelValues(strconv.FormatInt(g, 10)).Add(float64(n))
	}
}

// HealthReport is /healthz's answer.
type HealthReport struct {
	Status   string                   `json:"status"`
	Database string                   `json:"database"`
	Watchers map[string]WatcherHealth `json:"watchers"`
}

// WatcherHealth is one community's watcher in /healthz: when it last completed a long poll.
type WatcherHealth struct {
	LastPoll         *time.Time `json:"last_poll,omitempty"`
	SecondsSincePoll float64    `json:"seconds_since_poll"`
	Healthy          bool       `json:"healthy"`
}

func (m *monitor) health(ctx context.Context, db caseCounter) (HealthReport, bool) {
	r := HealthReport{Status: "ok", Database: "ok", Watchers: map[string]WatcherHealth{}}
	ok := true
	if err := db.Ping(ctx); err != nil {
		r.Database, ok = "unreachable: "+err.Error(), false
	}
	m.mu.Lock()
	polls := make(map[int64]time.Time, len(m.lastPoll))
	for g, t := range m.lastPoll {
		polls[g] = t
	}
	groups, staleAfter := m.groups, m.staleAfter
	m.mu.Unlock()
	for _, g := range groups {
		w := WatcherHealth{}
		if t, seen := polls[g]; seen {
			t := t
			w.LastPoll = &t
			w.SecondsSincePoll = m.now().Sub(t).Seconds()
			w.Healthy = m.now().Sub(t) <= staleAfter
		}
		if !w.Healthy {
			ok = false
		}
		r.Watchers[strconv.FormatInt(g, 10)] = w
	}
	if !ok {
		r.Status = "unhealthy"
	}
	return r, ok
}

// serveHealth serves /healthz and /metrics on ln until ctx ends.
func (m *monitor) serveHealth(ctx context.Context, ln net.Listener, db caseCounter, log zerolog.Logger) error {
	srv := &http.Server{Handler: m.handler(db), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info().Str("addr", ln.Addr().String()).Msg("serving /healthz and /metrics")
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve health checks: %w", err)
	}
	return nil
}

// handler serves GET /healthz and GET /metrics.
func (m *monitor) handler(db caseCounter) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		rep, ok := m.health(r.Context(), db)
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(rep)
	})
	return mux
}
