// Package supervise runs modwatch's long-lived work: every goroutine of the daemon is a
// component restarted with back-off after a failure or a panic, and every retry, whether of
// a VK poll, a Telegram send or a scheduled job, is paced by the one Backoff and Loop here.
// It knows nothing of VK, Telegram or SQLite, so both the watchers and the bot use it.
package supervise

import (
	"context"
	"math/rand/v2"
	"time"
)

// Default pacing of retries when a Backoff is left zero.
const (
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = time.Minute
)

// Backoff computes capped exponential delays with jitter. The zero value uses 1s..60s.
type Backoff struct {
	Min, Max time.Duration
	// NoJitter returns the exact capped delay: for schedules that are stored and shown
	// (an outbox row's next attempt), where spreading is not needed.
	NoJitter bool
}

// Delay returns the pause before retry number attempt (1 for the first retry): Min doubled
// per attempt, capped at Max, then spread over [d/2, d] so many failing loops do not retry in
// step.
func (b Backoff) Delay(attempt int) time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = DefaultMinBackoff
	}
	if hi < lo {
		hi = max(lo, DefaultMaxBackoff)
	}
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	if b.NoJitter {
		return d
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}

// Sleep waits d or until ctx ends, and reports whether the full pause elapsed.
func Sleep(ctx context.Context, d time.Duration) bool {
	return SleepOrWake(ctx, d, nil)
}

// SleepOrWake waits d, or less when wake fires (a nil channel never does). It reports false
// when ctx ended.
func SleepOrWake(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-wake:
	}
	return true
}
