package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// TestGateLetsOthersBeforeBulk checks the writer's order: a writer that is not bulk goes
// before bulk writers that waited longer, and writers of one kind go in turn.
func TestGateLetsOthersBeforeBulk(t *testing.T) {
	var g writeGate
	ctx := context.Background()
	require.NoError(t, g.acquire(ctx))
	order := make(chan string, 3)
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
	require.Eventually(t, queued(1, 1), 5*time.Second, time.Millisecond)
	wait("bulk 2", justify.Bulk(ctx))
	require.Eventually(t, queued(1, 2), 5*time.Second, time.Millisecond)
	wait("prompt", ctx)
	require.Eventually(t, queued(0, 1), 5*time.Second, time.Millisecond)
	g.release()
	assert.Equal(t, "prompt", <-order)
	assert.Equal(t, "bulk 1", <-order)
	assert.Equal(t, "bulk 2", <-order)
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
		return len(g.waiting[0]) == 1
	}, 5*time.Second, time.Millisecond)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	g.release()
	require.NoError(t, g.acquire(context.Background()), "the writer is free again")
}
