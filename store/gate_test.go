package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// TestGateLetsOthersBeforeBulk checks the writer's order: urgent first, then the others,
// then bulk, whoever waited longer.
func TestGateLetsOthersBeforeBulk(t *testing.T) {
	var g writeGate
	ctx := context.Background()
	require.NoError(t, g.acquire(ctx))
	order := make(chan string, 4)
	queued := func(lane, n int) func() bool {
		return func() bool {
			g.mu.Lock()
			defer g.mu.Unlock()
			return len(g.waiting[lane]) == n
		}
	}
	wait := func(name string, c context.Context) {
		go func() {
			if err := g.acquire(c); err == nil {
				order <- name
				g.release()
			}
		}()
	}
	wait("bulk 1", justify.Bulk(ctx))
	require.Eventually(t, queued(2, 1), 5*time.Second, time.Millisecond)
	wait("bulk 2", justify.Bulk(ctx))
	require.Eventually(t, queued(2, 2), 5*time.Second, time.Millisecond)
	wait("recording", ctx)
	require.Eventually(t, queued(1, 1), 5*time.Second, time.Millisecond)
	wait("cases", justify.Urgent(ctx))
	require.Eventually(t, queued(0, 1), 5*time.Second, time.Millisecond)
	g.release()
	assert.Equal(t, "cases", <-order, "what opens cases goes first")
	assert.Equal(t, "recording", <-order)
	assert.ElementsMatch(t, []string{"bulk 1", "bulk 2"}, []string{<-order, <-order})
}

// TestGateBulkIsNotStarved checks that bulk gets the writer while other writers keep
// coming: it waits out their gaps only for a while (bulkHold).
func TestGateBulkIsNotStarved(t *testing.T) {
	// Gaps never long enough: only the hold lets bulk in.
	g := writeGate{gap: time.Hour, hold: 20 * time.Millisecond}
	ctx := context.Background()
	stop, busy, started := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(busy)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if g.acquire(ctx) == nil {
				g.release()
			}
			if i == 0 {
				close(started)
			}
		}
	}()
	<-started
	require.NoError(t, g.acquire(justify.Bulk(ctx)), "bulk gets the writer while the others go on")
	g.release()
	close(stop)
	<-busy
}

// TestGateWaiterGivesUp checks that a writer whose context ends stops waiting and leaves
// the writer to the others.
func TestGateWaiterGivesUp(t *testing.T) {
	var g writeGate
	require.NoError(t, g.acquire(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- g.acquire(ctx) }()
	require.Eventually(t, func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return len(g.waiting[1]) == 1
	}, 5*time.Second, time.Millisecond)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	g.release()
	require.NoError(t, g.acquire(context.Background()), "the writer is free again")
}
