package store

import (
	"context"
	"sync"

	"github.com/modwatch/modwatch/justify"
)

// writeGate lets one writer at a time use the single write connection, and serves the
// waiting writers in two queues: everything else before the bulk of long-poll answers
// (justify.Bulk). A burst's thousands of comments are then recorded in the gaps between
// what opens cases and what the sender writes, instead of in front of them; database/sql
// alone hands the connection to its waiters in no particular order.
type writeGate struct {
	mu      sync.Mutex
	busy    bool
	waiting [2][]chan struct{} // [0] everything else, [1] bulk; each oldest first
}

// acquire waits for the writer; it fails only when ctx ends first.
func (g *writeGate) acquire(ctx context.Context) error {
	lane := 0
	if justify.IsBulk(ctx) {
		lane = 1
	}
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	g.waiting[lane] = append(g.waiting[lane], ch)
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		for i, c := range g.waiting[lane] {
			if c == ch {
				g.waiting[lane] = append(g.waiting[lane][:i], g.waiting[lane][i+1:]...)
				return ctx.Err()
			}
		}
		// Handed the writer just as ctx ended: pass it on.
		g.releaseLocked()
		return ctx.Err()
	}
}

// release hands the writer to the next waiter, bulk last.
func (g *writeGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.releaseLocked()
}

func (g *writeGate) releaseLocked() {
	for lane := range g.waiting {
		if q := g.waiting[lane]; len(q) > 0 {
			g.waiting[lane] = q[1:]
			close(q[0])
			return
		}
	}
	g.busy = false
}
