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

// ReversalResult is what became of one reversal RunReversals carried out or
// SweepReversals settled, for the log and to wake the sender (Service.OnReversal).
type ReversalResult struct {
	CaseID  CaseID
	GroupID int64
	// Undo is why VK did not undo the action, so that the case now waits to be undone by
	// hand; nil when VK undid it.
	Undo error
	// Err is why the outcome could not be saved. A passing failure is tried again (and
	// reported each time); until one save works the case stays reversing, and
	// SweepReversals settles it once ReversalTimeout has passed.
	Err error
	// Waited is how long the case had been reversing when SweepReversals settled it, or
	// started it again; 0 for what RunReversals reports.
	Waited time.Duration
	// Retried is set when SweepReversals started again a reversal that had not reached VK.
	Retried bool
}

// reversal is one attempt at a manager's reversal: a VK call still to be made.
type reversal struct {
	c    Case // as it was when the reversal began: what to undo, in which community
	tgID int64
	gen  int64 // tells this attempt from a later one of the same case
	// orphan is a reversal an earlier run left reversing: RunReversals asks VK what it
	// shows instead of undoing anything.
	orphan bool
}

// phase is how far an attempt has come.
type phase int

const (
	phaseQueued   phase = iota // waiting for its turn: VK not asked yet
	phaseCalling               // VK asked, no answer yet
	phaseAnswered              // VK answered; saving the answer
	phaseDead                  // its worker ended without saving it (a panic)
)

// attempt is what this process knows of a case's reversal, for SweepReversals: only this
// process knows whether VK was asked.
type attempt struct {
	reversal
	phase   phase
	reached bool      // VK was asked
	answer  error     // VK's answer once answered (nil: undone)
	since   time.Time // when this attempt began
	retried bool      // SweepReversals already started it again once
}

// attempts holds the current attempt of each case's reversal.
type attempts struct {
	mu     sync.Mutex
	gen    int64
	byCase map[CaseID]*attempt
}

// start makes r its case's current attempt and returns it numbered.
func (a *attempts) start(r reversal, since time.Time, retried bool) reversal {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gen++
	r.gen = a.gen
	if a.byCase == nil {
		a.byCase = map[CaseID]*attempt{}
	}
	a.byCase[r.c.ID] = &attempt{reversal: r, since: since, retried: retried}
	return r
}

// move records that r reached phase p (with VK's answer, once answered) and reports
// whether r is still its case's current attempt; nothing is recorded when it is not.
func (a *attempts) move(r reversal, p phase, answer error) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.byCase[r.c.ID]
	if !ok || at.gen != r.gen {
		return false
	}
	at.phase = p
	switch p {
	case phaseCalling:
		at.reached = true
	case phaseAnswered:
		at.answer = answer
	}
	return true
}

// end forgets r, its case settled, unless a later attempt took its place.
func (a *attempts) end(r reversal) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if at, ok := a.byCase[r.c.ID]; ok && at.gen == r.gen {
		delete(a.byCase, r.c.ID)
	}
}

// forget drops a case's attempt, whichever it is: from now on its answer only counts if
// it says VK did it.
func (a *attempts) forget(id CaseID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.byCase, id)
}

// get returns a copy of a case's current attempt.
func (a *attempts) get(id CaseID) (attempt, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.byCase[id]
	if !ok {
		return attempt{}, false
	}
	return *at, true
}

// begin makes r its case's current attempt and queues it for RunReversals.
func (s *Service) begin(r reversal, retried bool) {
	s.reversals.push(s.attempts.start(r, s.now(), retried))
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
// ctx ends stays reversing: Recover takes it up at the next start. RunReversals returns
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

// carryOut asks VK to undo one reversal's action, or for an orphan what VK shows, and
// saves the outcome, trying the save again while it fails for a passing reason.
func (s *Service) carryOut(ctx context.Context, r reversal) {
	res := ReversalResult{CaseID: r.c.ID, GroupID: r.c.GroupID}
	defer func() {
		// This runs in a goroutine of its own, out of the supervisor's reach: a bug here
		// must not end the process. SweepReversals settles the case.
		if p := recover(); p != nil {
			s.attempts.move(r, phaseDead, nil)
			res.Err = fmt.Errorf("carry out the reversal of case %d: panic: %v", r.c.ID, p)
			s.report(res)
		}
	}()
	if !s.attempts.move(r, phaseCalling, nil) {
		return // a later attempt took its place, or SweepReversals settled the case
	}
	var detail string
	switch {
	case r.orphan:
		detail, res.Undo = s.judgeByVK(ctx, r.c, UndoInterrupted, "modwatch stopped while asking VK")
	default:
		res.Undo = s.undoInVK(ctx, r.c)
		if res.Undo != nil && ctx.Err() == nil && outcomeUnknown(res.Undo) {
			// The call may have reached VK: what VK shows decides.
			if undone, err := s.undone(ctx, r.c); err == nil && undone {
				res.Undo, detail = nil, "VK's answer was lost; VK shows it undone"
			}
		}
	}
	if res.Undo != nil && ctx.Err() != nil {
		// Stopping cut the call short: whether VK did it is unknown, as after a crash.
		return
	}
	if !s.attempts.move(r, phaseAnswered, res.Undo) && res.Undo != nil {
		// The case is no longer this attempt's: a failure would only overwrite what came
		// after it, while VK having done it is worth saving whenever it is learned.
		return
	}
	delay := 100 * time.Millisecond
	for {
		// A known answer is saved even while stopping; the store closes after this returns.
		res.Err = s.finishReverse(context.WithoutCancel(ctx), r.tgID, r.c.ID, res.Undo, detail)
		s.report(res)
		if res.Err == nil || errors.Is(res.Err, ErrNotFound) {
			s.attempts.end(r)
			return
		}
		if !sleep(ctx, delay) {
			return
		}
		delay = min(2*delay, 10*time.Second)
	}
}

// outcomeUnknown tells whether a failed VK call may still have been carried out: its
// answer was lost (VK did not answer in time, or the answer could not be read).
func outcomeUnknown(err error) bool {
	p := ProblemOf(err)
	return p == UndoFailed || p == UndoUnreachable
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
