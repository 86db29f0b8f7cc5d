package supervise

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logBuffer collects a loop's log lines while it runs in another goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var errBroken = errors.New("broken")

func TestLoopRunDecides(t *testing.T) {
	tests := []struct {
		name     string
		decision Decision
		wantRuns int32
		wantErr  error
		wantLog  string
	}{
		{name: "stop ends the loop with the work's error", decision: Decision{Stop: true},
			wantRuns: 1, wantErr: errBroken, wantLog: `"level":"error"`},
		{name: "severe logs an error and goes on", decision: Decision{Severe: true, Delay: time.Millisecond},
			wantRuns: 3, wantErr: context.Canceled, wantLog: `"level":"error"`},
		{name: "a transient failure is a warning", decision: Decision{Delay: time.Millisecond},
			wantRuns: 3, wantErr: context.Canceled, wantLog: `"level":"warn"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The deadline ends a loop that waits its back-off instead of the decision's delay.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			logs := &logBuffer{}
			var runs atomic.Int32
			var told []int
			l := Loop{
				Backoff: Backoff{Min: time.Hour, Max: time.Hour}, Log: zerolog.New(logs), What: "work",
				Decide: func(_ context.Context, err error, failures int) Decision {
					assert.ErrorIs(t, err, errBroken)
					told = append(told, failures)
					return tt.decision
				},
			}
			err := l.Run(ctx, func(context.Context) error {
				if runs.Add(1) == tt.wantRuns && !tt.decision.Stop {
					cancel()
				}
				return errBroken
			})
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.wantRuns, runs.Load())
			assert.Contains(t, logs.String(), tt.wantLog)
			if tt.decision.Stop {
				assert.Equal(t, []int{1}, told)
			} else {
				assert.Equal(t, []int{1, 2}, told, "the failure seen after the context ended is not counted")
			}
		})
	}
}

func TestLoopRunRecoversAndResetsFailures(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &logBuffer{}
	results := []error{errBroken, errBroken, nil, errBroken, nil}
	var told []int
	runs := 0
	l := Loop{
		Backoff: Backoff{Min: time.Millisecond, Max: time.Millisecond}, Log: zerolog.New(logs), What: "work",
		Decide: func(_ context.Context, _ error, failures int) Decision {
			told = append(told, failures)
			return Decision{}
		},
	}
	err := l.Run(ctx, func(context.Context) error {
		runs++
		if runs == len(results) {
			cancel()
		}
		return results[runs-1]
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []int{1, 2, 1}, told, "a success starts the count again")
	assert.Contains(t, logs.String(), `"consecutive_errors":2,"message":"work recovered"`)
}

// A wake-up cuts a healthy pause short, but not the pause after a failure: the retry is
// already coming.
func TestLoopRunWakesOnlyWhenHealthy(t *testing.T) {
	tests := []struct {
		name     string
		fail     bool
		wantRuns int32
	}{
		{name: "healthy", wantRuns: 2},
		{name: "after a failure", fail: true, wantRuns: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			wake := make(chan struct{}, 1)
			var runs atomic.Int32
			done := make(chan error, 1)
			go func() {
				l := Loop{
					Every: time.Hour, Wake: wake, Log: zerolog.Nop(),
					Decide: func(context.Context, error, int) Decision { return Decision{Delay: time.Hour} },
				}
				done <- l.Run(ctx, func(context.Context) error {
					runs.Add(1)
					if tt.fail {
						return errBroken
					}
					return nil
				})
			}()
			require.Eventually(t, func() bool { return runs.Load() == 1 }, 5*time.Second, time.Millisecond)
			wake <- struct{}{}
			if tt.wantRuns > 1 {
				require.Eventually(t, func() bool { return runs.Load() == tt.wantRuns }, 5*time.Second, time.Millisecond)
			} else {
				// The loop must not take the wake-up: it stays in the channel.
				require.Never(t, func() bool { return len(wake) == 0 }, 50*time.Millisecond, time.Millisecond)
			}
			cancel()
			assert.ErrorIs(t, <-done, context.Canceled)
			assert.Equal(t, tt.wantRuns, runs.Load())
		})
	}
}

func TestLoopRetry(t *testing.T) {
	tests := []struct {
		name     string
		attempts int
		failures int // the work fails this many times, then succeeds
		stop     bool
		wantRuns int
		wantErr  error
		wantLog  string
	}{
		{name: "succeeds after failures", attempts: 5, failures: 2, wantRuns: 3, wantLog: "work recovered"},
		{name: "gives up after its attempts", attempts: 3, failures: 10, wantRuns: 3, wantErr: errBroken, wantLog: "work, giving up"},
		{name: "no limit", attempts: 0, failures: 6, wantRuns: 7, wantLog: "work recovered"},
		{name: "stops when told", attempts: 5, failures: 10, stop: true, wantRuns: 1, wantErr: errBroken, wantLog: "work, giving up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logBuffer{}
			l := Loop{
				Backoff: Backoff{Min: time.Millisecond, Max: time.Millisecond}, Log: zerolog.New(logs), What: "work",
				Decide: func(context.Context, error, int) Decision { return Decision{Stop: tt.stop} },
			}
			runs := 0
			err := l.Retry(context.Background(), tt.attempts, func(context.Context) error {
				runs++
				if runs <= tt.failures {
					return errBroken
				}
				return nil
			})
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.Equal(t, tt.wantRuns, runs)
			assert.Contains(t, logs.String(), tt.wantLog)
		})
	}
}

func TestLoopRetryEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	runs := 0
	err := Loop{Backoff: Backoff{Min: time.Hour, Max: time.Hour}, Log: zerolog.Nop()}.Retry(ctx, 0, func(context.Context) error {
		runs++
		cancel()
		return errBroken
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, runs)
}
