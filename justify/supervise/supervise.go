package supervise

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Metrics counts what the supervisor sees. A nil *Metrics counts nothing.
type Metrics struct {
	restarts *prometheus.CounterVec
}

// NewMetrics creates the supervisor's metrics and registers them with r (nil: not
// registered, for tests).
func NewMetrics(r prometheus.Registerer) *Metrics {
	m := &Metrics{restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "modwatch_component_restarts_total",
		Help: "Restarts of a daemon component after it failed, by component and cause (error or panic).",
	}, []string{"component", "cause"})}
	if r != nil {
		r.MustRegister(m.restarts)
	}
	return m
}

func (m *Metrics) restarted(component, cause string) {
	if m != nil {
		m.restarts.WithLabelValues(component, cause).Inc()
	}
}

// Supervisor restarts a component that fails.
type Supervisor struct {
	// Backoff paces restarts; the zero value uses 1s..60s.
	Backoff Backoff
	// Healthy is how long a run must last for its next failure to count as the first again.
	// Zero means 5 minutes.
	Healthy time.Duration
	// Metrics counts restarts; nil counts nothing.
	Metrics *Metrics
}

// Supervise runs run until ctx ends, restarting it with capped back-off whenever it returns
// an error or panics. It returns when ctx ends, or when run returns nil before that (the
// component decided it was done).
func Supervise(ctx context.Context, name string, log zerolog.Logger, run func(context.Context) error) {
	Supervisor{}.Supervise(ctx, name, log, run)
}

// Supervise is the package-level Supervise with this supervisor's pacing.
func (s Supervisor) Supervise(ctx context.Context, name string, log zerolog.Logger, run func(context.Context) error) {
	log = log.With().Str("component", name).Logger()
	healthy := s.Healthy
	if healthy <= 0 {
		healthy = 5 * time.Minute
	}
	failures := 0
	for {
		started := time.Now()
		err, panicked := safeRun(ctx, run)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			log.Info().Msg("stopped")
			return
		}
		if time.Since(started) >= healthy {
			failures = 0
		}
		failures++
		delay := s.Backoff.Delay(failures)
		cause := "error"
		if panicked {
			cause = "panic"
		}
		s.Metrics.restarted(name, cause)
		log.Error().Err(err).Str("cause", cause).Int("consecutive_errors", failures).Dur("restart_in", delay).Msg("failed, restarting")
		if !Sleep(ctx, delay) {
			return
		}
	}
}

// safeRun turns a panic in run into an error so that a bug in one component cannot take the
// whole daemon down.
func safeRun(ctx context.Context, run func(context.Context) error) (err error, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			err, panicked = fmt.Errorf("panic: %v\n%s", r, debug.Stack()), true
		}
	}()
	return run(ctx), false
}

// RunAll supervises every component in runs (keyed by name) concurrently and returns once
// all have returned, which is after ctx ends unless they finish on their own.
func RunAll(ctx context.Context, log zerolog.Logger, runs map[string]func(context.Context) error) {
	Supervisor{}.RunAll(ctx, log, runs)
}

// RunAll is the package-level RunAll with this supervisor's pacing.
func (s Supervisor) RunAll(ctx context.Context, log zerolog.Logger, runs map[string]func(context.Context) error) {
	var wg sync.WaitGroup
	for name, run := range runs {
		wg.Go(func() { s.Supervise(ctx, name, log, run) })
	}
	wg.Wait()
}

// Recover runs fn and turns a panic in it into an error, for a call that must be answered
// whatever happens inside it (a VK call made for a manager's press).
func Recover(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return fn()
}
