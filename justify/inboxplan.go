package justify

import (
	"context"
	"slices"
	"sync"
	"time"
)

// The inbox's plan (inbox.go keeps and derives the events): every kept event not derived
// yet, in the order recorded, with what it reads and writes, so that what goes first is
// found without reading the events again, and those waiting on the inbox (a full inbox,
// a mark before a ban list is read) know when to go on.

// planned is one kept event as the deriver plans it: what it reads and writes, and
// whether its kind goes first.
type planned struct {
	id     int64
	group  int64
	kind   EventKind
	at     int64 // the event's time, Unix ms
	access []access
}

// inbox is the deriver's plan: every kept event not derived yet, in the order recorded.
type inbox struct {
	mu   sync.Mutex
	open bool // OpenInbox read the plan of the events kept before the start
	plan []planned
	// upTo is the highest ID planned; loaded is the highest OpenInbox read, so that an
	// event it read is not planned twice when its recording's own add comes after.
	upTo, loaded int64
	// urgent counts the planned events of a kind that goes first.
	urgent int
	// wake has the deriver look at the plan; changed is closed (and replaced) whenever
	// events leave the plan, for those waiting on it.
	wake    chan struct{}
	changed chan struct{}
	// recorded is when events were last added: bulk waits while recordings keep coming.
	recorded time.Time
	// failures counts, by kept event, the failures of deriving it alone (deriveAlone).
	failures map[int64]int
	// ticket numbers recordings; inflight holds those not planned yet (recording).
	ticket   uint64
	inflight map[uint64]bool
	// lane is what goes first of the plan, in order, not derived yet, while laneKnown:
	// deriving a prefix of it leaves the rest first still, so it is worked out again
	// only once events are added.
	lane      []int64
	laneKnown bool
}

// While watchers keep recording (a burst is being read from VK), the bulk waits, for at
// most recordingHold: the burst is then on disk as fast as it can be, and derived right
// after; what opens cases is derived meanwhile all the same.
const (
	recordingGap  = 20 * time.Millisecond
	recordingHold = time.Second
)

func (b *inbox) init() {
	if b.wake == nil {
		b.wake, b.changed = make(chan struct{}, 1), make(chan struct{})
	}
}

// poke has the deriver look at the plan.
func (b *inbox) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// add plans events just kept; those OpenInbox read already, committed while it read, are
// skipped.
func (b *inbox) add(evs []planned) {
	b.mu.Lock()
	b.init()
	for _, p := range evs {
		if p.id <= b.loaded {
			continue
		}
		b.plan = append(b.plan, p)
		b.recorded = time.Now()
		b.upTo = max(b.upTo, p.id)
		// An event added at the end changes what goes first only if it goes first itself
		// or depends on everything: nothing earlier depends on it. A lane still being
		// derived stays as it is for the same reason, and is worked out again, with the
		// new events, once derived (done): working it out costs a pass over the whole
		// plan, which in a burst, an answer with a ban after another, cost more than
		// deriving the bans.
		if urgentKind(p.kind) {
			b.urgent++
		}
		if len(b.lane) == 0 && (urgentKind(p.kind) || len(p.access) > 0 && p.access[0].key == everything) {
			b.laneKnown = false
		}
	}
	b.mu.Unlock()
	b.poke()
}

// recording notes a recording about to commit, so that waitDerived waits for it too: its
// events are planned only once it committed. done must be called after add, or on failure.
func (b *inbox) recording() (done func()) {
	b.mu.Lock()
	b.init()
	b.ticket++
	t := b.ticket
	if b.inflight == nil {
		b.inflight = map[uint64]bool{}
	}
	b.inflight[t] = true
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.inflight, t)
		b.signalLocked()
	}
}

// signalLocked wakes those waiting on the plan; b.mu is held.
func (b *inbox) signalLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// replan has the lane worked out again at the next pick: a transaction of it failed, and
// its events are derived one by one or picked again.
func (b *inbox) replan() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.laneKnown = false
}

// next picks what to derive: the events that go first with what they depend on, or the
// oldest bulkChunk events; first says which. It returns nothing, and how long to wait,
// while the bulk waits for recordings to pause (held is how long it waited so far).
func (b *inbox) next(held time.Duration) (ids []int64, first bool, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.plan) == 0 {
		return nil, false, 0
	}
	if b.urgent > 0 && !b.laneKnown {
		b.lane, b.laneKnown = b.firstLane(), true
	}
	if len(b.lane) > 0 {
		// At most bulkChunk a transaction: the first prompts of a burst's thousands of bans
		// leave while the next bans are derived. A prefix of the lane holds everything its
		// events depend on, since that comes before them.
		n := min(len(b.lane), bulkChunk)
		ids, b.lane = b.lane[:n:n], b.lane[n:]
		return ids, true, 0
	}
	if gap := recordingGap - time.Since(b.recorded); gap > 0 && held < recordingHold {
		return nil, false, min(gap, recordingHold-held)
	}
	for _, p := range b.plan[:min(len(b.plan), bulkChunk)] {
		ids = append(ids, p.id)
	}
	return ids, false, 0
}

// firstLane lists the IDs of the plan that go first, in order (firstLane of ingest.go).
func (b *inbox) firstLane() []int64 {
	kinds := make([]EventKind, len(b.plan))
	at := make([]int64, len(b.plan))
	acc := make([][]access, len(b.plan))
	for i, p := range b.plan {
		kinds[i], at[i], acc[i] = p.kind, p.at, p.access
	}
	var ids []int64
	for i, t := range firstLane(kinds, at, acc) {
		if t {
			ids = append(ids, b.plan[i].id)
		}
	}
	return ids
}

// done takes derived events out of the plan.
func (b *inbox) done(ids []int64) {
	gone := make(map[int64]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.plan = slices.DeleteFunc(b.plan, func(p planned) bool {
		if gone[p.id] && urgentKind(p.kind) {
			b.urgent--
		}
		return gone[p.id]
	})
	for _, id := range ids {
		delete(b.failures, id)
	}
	if b.urgent > 0 && len(b.lane) == 0 {
		// The deletions left behind as too many may be few enough now.
		b.laneKnown = false
	}
	b.signalLocked()
}

// waitUntil waits until cond holds of the plan, or ctx ends; cond is called with the
// lock held. An inbox never opened has no deriver to wait for.
func (b *inbox) waitUntil(ctx context.Context, cond func() bool) error {
	for {
		b.mu.Lock()
		b.init()
		if !b.open || cond() {
			b.mu.Unlock()
			return nil
		}
		changed := b.changed
		b.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// waitDerived waits until every event of group (0: of every community) planned now is
// derived: what reads the record as a whole (the mark before a ban list is read, a
// batch recorded at once) must not run ahead of what the long poll delivered before it.
func (b *inbox) waitDerived(ctx context.Context, group int64) error {
	// First the recordings under way, which may hold events of group not planned yet.
	b.mu.Lock()
	started := b.ticket
	b.mu.Unlock()
	err := b.waitUntil(ctx, func() bool {
		for t := range b.inflight {
			if t <= started {
				return false
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	b.mu.Lock()
	upTo := b.upTo
	b.mu.Unlock()
	// Every event planned by now (upTo and below) comes before those planned later: the
	// plan keeps the order of adding, and what leaves it keeps the others' order.
	return b.waitUntil(ctx, func() bool {
		for _, p := range b.plan {
			if p.id > upTo {
				return true
			}
			if group == 0 || p.group == group {
				return false
			}
		}
		return true
	})
}

// failed counts a failure of deriving id alone and returns how many there were.
func (b *inbox) failed(id int64) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures == nil {
		b.failures = map[int64]int{}
	}
	b.failures[id]++
	return b.failures[id]
}
