package store

import (
	"cmp"
	"context"
	"sync"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// writeGate lets one writer at a time use the single write connection, and serves the
// waiting writers in three queues: urgent first (justify.Urgent: what opens cases), then
// everything else, then bulk (justify.Bulk: the bulk of long-poll answers, upkeep). A burst's thousands of comments are then recorded in the
// gaps between what opens cases and what the sender writes, instead of in front of them;
// database/sql alone hands the connection to its waiters in no particular order.
type writeGate struct {
	mu      sync.Mutex
	busy    bool
	waiting [3][]chan struct{} // [0] urgent, [1] everything else, [2] bulk; each oldest first
	// bulk tells whether the holder is bulk; lastOther is when a writer that is not
	// bulk last let go.
	bulk      bool
	lastOther time.Time
	// gap and hold are bulkGap and bulkHold when zero; tests change them.
	gap, hold time.Duration
}

// Bulk waits while other writers keep coming, for at most bulkHold: the sender writes
// a few times per message with a render and a request to Telegram in between, and a
// bulk transaction slipping into each gap would make every prompt of a burst wait for
// one; bulkHold keeps ingest going meanwhile.
const (
	bulkGap  = 5 * time.Millisecond
	bulkHold = 200 * time.Millisecond
)

// acquire waits for the writer; it fails only when ctx ends first.
func (g *writeGate) acquire(ctx context.Context) error {
	if !justify.IsBulk(ctx) {
		lane := 1
		if justify.IsUrgent(ctx) {
			lane = 0
		}
		return g.take(ctx, lane)
	}
	gap, hold := cmp.Or(g.gap, bulkGap), cmp.Or(g.hold, bulkHold)
	held := time.Duration(0)
	for {
		if err := g.take(ctx, 2); err != nil {
			return err
		}
		g.mu.Lock()
		wait := gap - time.Since(g.lastOther)
		g.mu.Unlock()
		if wait <= 0 || held >= hold {
			return nil
		}
		g.release()
		wait = min(wait, hold-held)
		held += wait
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// take waits for the writer in its lane.
func (g *writeGate) take(ctx context.Context, lane int) error {
	bulk := lane == 2
	g.mu.Lock()
	if !g.busy {
		g.busy, g.bulk = true, bulk
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	g.waiting[lane] = append(g.waiting[lane], ch)
	g.mu.Unlock()
	select {
	case <-ch:
		g.mu.Lock()
		g.bulk = bulk
		g.mu.Unlock()
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
	if !g.bulk {
		g.lastOther = time.Now()
	}
	for lane := range g.waiting {
		if q := g.waiting[lane]; len(q) > 0 {
			g.waiting[lane] = q[1:]
			close(q[0])
			return
		}
	}
	g.busy = false
}
