package daemon

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A failing job retries with back-off capped at its period: sooner than its next run when
// the period is long, and never slower than its period when failures pile up.
func TestEveryBacksOffWithinThePeriod(t *testing.T) {
	tests := []struct {
		name     string
		period   time.Duration
		failures int32 // the job fails this many times, then succeeds
		wantRuns int32
		within   time.Duration
	}{
		{name: "a failure is retried before the next period", period: time.Hour, failures: 1, wantRuns: 2, within: 3 * time.Second},
		{name: "repeated failures wait at most the period", period: 20 * time.Millisecond, failures: 100, wantRuns: 8, within: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			var runs atomic.Int32
			done := make(chan struct{})
			go func() {
				defer close(done)
				every(ctx, tt.period, zerolog.Nop(), "test job", func(context.Context) error {
					if runs.Add(1) <= tt.failures {
						return errors.New("database is locked")
					}
					return nil
				})
			}()
			require.Eventually(t, func() bool { return runs.Load() >= tt.wantRuns }, tt.within, time.Millisecond)
			cancel()
			<-done
			assert.GreaterOrEqual(t, runs.Load(), tt.wantRuns)
		})
	}
}
