package justify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultReversalsPerCommunity is how many VK calls of reversals run at once for one
// community when Service.ReversalsPerCommunity is zero: a few, since every call spends
// the same admin token's request budget.
const DefaultReversalsPerCommunity = 2

// ReversalResult is what became of one reversal RunReversals carried out, for the log
// and to wake the sender (Service.OnReversal).
type ReversalResult struct {
	CaseID  CaseID
	GroupID int64
	// Undo is why VK did not undo the action, so that the case now waits to be undone by
	// hand; nil when VK undid it.
	Undo error
	// Err is why VK's answer could not be saved. A passing failure is tried again (and
	// reported each time); until one save works the case stays reversing, and Recover
	// settles it at the next start.
	Err error
}

// reversal is a manager's reversal whose VK call is still to be made.
type reversal struct {
	c    Case // as it was when the reversal began: what to undo, in which community
	tgID int64
}

// reversalQueue hands reversals from the presses that start them to RunReversals. A push
// never blocks, whatever VK is doing.
type reversalQueue struct {
	mu      sync.Mutex
	pending []reversal
	ready   chan struct{} // holds a token while pending may be non-empty
}

func (q *reversalQueue) readyLocked() chan struct{} {
	if q.ready == nil {
		q.ready = make(chan struct{}, 1)
	}
	return q.ready
}

func (q *reversalQueue) push(r reversal) {
	q.mu.Lock()
	q.pending = append(q.pending, r)
	ready := q.readyLocked()
	q.mu.Unlock()
	select {
	case ready <- struct{}{}:
	default: // already signalled
	}
}

// take returns what is queued and a channel that signals the next push.
func (q *reversalQueue) take() ([]reversal, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.pending
	q.pending = nil
	return out, q.readyLocked()
}

// RunReversals makes the VK calls of the reversals Reverse started, until ctx ends, and
// saves what VK answered, which edits the case's messages through the outbox. At most
// ReversalsPerCommunity calls run at once for one community, so a community whose VK is
// slow holds up only its own reversals. A reversal still queued or waiting for VK when
// ctx ends stays reversing: Recover settles it at the next start. RunReversals returns
// once every call it started has returned.
func (s *Service) RunReversals(ctx context.Context) error {
	limit := s.ReversalsPerCommunity
	if limit <= 0 {
		limit = DefaultReversalsPerCommunity
	}
	slots := map[int64]chan struct{}{}
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		queued, ready := s.reversals.take()
		for _, r := range queued {
			slot, ok := slots[r.c.GroupID]
			if !ok {
				slot = make(chan struct{}, limit)
				slots[r.c.GroupID] = slot
			}
			wg.Go(func() {
				select {
				case slot <- struct{}{}:
				case <-ctx.Done():
					return
				}
				defer func() { <-slot }()
				s.carryOut(ctx, r)
			})
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ready:
		}
	}
}

// carryOut asks VK to undo one reversal's action and saves the answer, trying the save
// again while it fails for a passing reason.
func (s *Service) carryOut(ctx context.Context, r reversal) {
	res := ReversalResult{CaseID: r.c.ID, GroupID: r.c.GroupID}
	defer func() {
		// This runs in a goroutine of its own, out of the supervisor's reach: a bug here
		// must not end the process. The case stays reversing until Recover.
		if p := recover(); p != nil {
			res.Err = fmt.Errorf("carry out the reversal of case %d: panic: %v", r.c.ID, p)
			s.report(res)
		}
	}()
	res.Undo = s.undoInVK(ctx, r.c)
	if res.Undo != nil && ctx.Err() != nil {
		// Stopping cut the call short: whether VK did it is unknown, as after a crash.
		return
	}
	delay := 100 * time.Millisecond
	for {
		// A known answer is saved even while stopping; the store closes after this returns.
		_, res.Err = s.finishReverse(context.WithoutCancel(ctx), r.tgID, r.c.ID, res.Undo)
		s.report(res)
		if res.Err == nil || errors.Is(res.Err, ErrNotFound) || errors.Is(res.Err, ErrForbidden) {
			return
		}
		if !sleep(ctx, delay) {
			return
		}
		delay = min(2*delay, 10*time.Second)
	}
}

func (s *Service) report(res ReversalResult) {
	if s.OnReversal != nil {
		s.OnReversal(res)
	}
}

// sleep waits for d or until ctx ends, and reports whether the full time passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
