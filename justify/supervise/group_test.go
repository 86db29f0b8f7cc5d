package supervise

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blocking is a component that counts its runs and returns only when its context ends,
// recording that it did.
type blocking struct {
	runs, stopped atomic.Int32
}

func (b *blocking) run(ctx context.Context) error {
	b.runs.Add(1)
	<-ctx.Done()
	b.stopped.Add(1)
	return ctx.Err()
}

func TestGroupAddAndRemove(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	g := fast.Group(ctx, zerolog.Nop())
	var vk1, vk2 blocking
	require.NoError(t, g.Add("vk-1", vk1.run))
	require.NoError(t, g.Add("vk-2", vk2.run))
	require.Eventually(t, func() bool { return vk1.runs.Load() == 1 && vk2.runs.Load() == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, []string{"vk-1", "vk-2"}, g.Names())

	err := g.Add("vk-1", vk1.run)
	require.Error(t, err, "a name runs once")
	assert.Contains(t, err.Error(), "vk-1")

	assert.True(t, g.Remove("vk-1"))
	// Remove returns only once the component has returned.
	assert.Equal(t, int32(1), vk1.stopped.Load())
	assert.Equal(t, int32(0), vk2.stopped.Load(), "the other component runs on")
	assert.False(t, g.Running("vk-1"))
	assert.False(t, g.Remove("vk-1"), "already gone")
	assert.Equal(t, []string{"vk-2"}, g.Names())

	// A removed name may be added again.
	require.NoError(t, g.Add("vk-1", vk1.run))
	require.Eventually(t, func() bool { return vk1.runs.Load() == 2 }, 5*time.Second, time.Millisecond)

	cancel()
	g.Wait()
	assert.Equal(t, int32(2), vk1.stopped.Load())
	assert.Equal(t, int32(1), vk2.stopped.Load())
	assert.ErrorIs(t, g.Add("vk-3", vk1.run), ErrStopped)
}

func TestGroupRestartsAndForgetsFinished(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g := fast.Group(ctx, zerolog.Nop())
	var flaky atomic.Int32
	require.NoError(t, g.Add("flaky", func(ctx context.Context) error {
		if flaky.Add(1) < 3 {
			panic("boom")
		}
		<-ctx.Done()
		return nil
	}))
	var backfills atomic.Int32
	backfill := func(context.Context) error { backfills.Add(1); return nil }
	require.NoError(t, g.Add("backfill", backfill))

	require.Eventually(t, func() bool { return flaky.Load() == 3 }, 5*time.Second, time.Millisecond, "restarted after panics")
	// A component that is done leaves the group, and its name is free again.
	require.Eventually(t, func() bool { return !g.Running("backfill") }, 5*time.Second, time.Millisecond)
	require.NoError(t, g.Add("backfill", backfill))
	require.Eventually(t, func() bool { return backfills.Load() == 2 }, 5*time.Second, time.Millisecond)
	assert.True(t, g.Running("flaky"))
}

func TestGroupConcurrentChanges(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	g := fast.Group(ctx, zerolog.Nop())
	var b blocking
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			name := fmt.Sprintf("c-%d", i)
			for range 20 {
				if err := g.Add(name, b.run); err != nil {
					t.Errorf("add %s: %v", name, err)
					return
				}
				_ = g.Names()
				if !g.Remove(name) {
					t.Errorf("remove %s: not running", name)
					return
				}
			}
		})
	}
	wg.Wait()
	assert.Empty(t, g.Names())
	assert.Equal(t, b.runs.Load(), b.stopped.Load(), "every started run stopped")
	cancel()
	done := make(chan struct{})
	go func() { g.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return")
	}
}

func TestGroupWaitWaitsForEveryComponent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	g := fast.Group(ctx, zerolog.Nop())
	release := make(chan struct{})
	var finished atomic.Bool
	require.NoError(t, g.Add("slow", func(ctx context.Context) error {
		<-ctx.Done()
		<-release // a component that takes its time to shut down
		finished.Store(true)
		return errors.New("stopped late")
	}))
	cancel()
	waited := make(chan struct{})
	go func() { g.Wait(); close(waited) }()
	// Nothing may join once the context has ended.
	require.ErrorIs(t, g.Add("late", func(context.Context) error { return nil }), ErrStopped)
	close(release)
	<-waited
	assert.True(t, finished.Load())
}
