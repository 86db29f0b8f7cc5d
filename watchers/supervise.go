// Package watchers runs the sources that feed modwatch events: it restarts them when they
// fail and paces their retries, so one community's trouble never stops the others.
package watchers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Backoff computes capped exponential delays with jitter. The zero value uses 1s..60s.
type Backoff struct {
	Min, Max time.Duration
}

// Delay returns the pause before retry number attempt (1 for the first retry): Min doubled
// per attempt, capped at Max, then spread over [d/2, d] so many failing loops do not retry in
// step.
func (b Backoff) Delay(attempt int) time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = max(lo, time.Minute)
	}
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}

// Sleep waits d or until ctx ends, and reports whether the full pause elapsed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Supervisor restarts a component that fails.
type Supervisor struct {
	// Backoff paces restarts; the zero value uses 1s..60s.
	Backoff Backoff
	// Healthy is how long a run must last for its next failure to count as the first again.
	// Zero means 5 minutes.
	Healthy time.Duration
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
		err := safeRun(ctx, run)
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
		log.Error().Err(err).Int("consecutive_errors", failures).Dur("restart_in", delay).Msg("failed, restarting")
		if !Sleep(ctx, delay) {
			return
		}
	}
}

// safeRun turns a panic in run into an error so that a bug in one source cannot take the
// whole daemon down.
func safeRun(ctx context.Context, run func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return run(ctx)
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
