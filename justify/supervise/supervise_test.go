package supervise

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

var fast = Supervisor{Backoff: Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond}}

func TestSuperviseRestartsAfterErrorAndPanic(t *testing.T) {
	tests := []struct {
		name string
		fail func()
	}{
		{name: "error", fail: nil},
		{name: "panic", fail: func() { panic("boom") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var runs atomic.Int32
			done := make(chan struct{})
			go func() {
				defer close(done)
				fast.Supervise(ctx, "test", zerolog.Nop(), func(ctx context.Context) error {
					if runs.Add(1) < 3 {
						if tt.fail != nil {
							tt.fail()
						}
						return errors.New("broken")
					}
					<-ctx.Done()
					return ctx.Err()
				})
			}()
			require.Eventually(t, func() bool { return runs.Load() == 3 }, 5*time.Second, time.Millisecond)
			cancel()
			<-done
			assert.Equal(t, int32(3), runs.Load())
		})
	}
}

func TestRunAllIsolatesFailures(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var healthy, broken atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		fast.RunAll(ctx, zerolog.Nop(), map[string]func(context.Context) error{
			"vk:1": func(ctx context.Context) error { healthy.Add(1); <-ctx.Done(); return nil },
			"vk:2": func(context.Context) error { broken.Add(1); panic("bad community") },
		})
	}()
	require.Eventually(t, func() bool { return broken.Load() > 3 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, int32(1), healthy.Load(), "the healthy community keeps its single run")
	cancel()
	<-done
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Min: time.Second, Max: 60 * time.Second}
	tests := []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{7, 30 * time.Second, 60 * time.Second},
		{100, 30 * time.Second, 60 * time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			d := b.Delay(tt.attempt)
			assert.GreaterOrEqual(t, d, tt.lo)
			assert.LessOrEqual(t, d, tt.hi)
		}
	}
}
