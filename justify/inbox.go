package justify

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// The inbox: a long-poll answer is recorded as it came (its events, its undecodable
// updates and the position after it) in one short transaction, and one deriver makes the
// events into tickets, cases, dialogs and signs. A watcher therefore reads VK's next
// answer at once instead of waiting for the last one's thousands of comments, a burst is
// safe on disk as fast as SQLite can take it, and the deriver takes bans and deletions
// (with what they depend on) ahead of the backlog, so that their prompts never wait
// behind a burst.
//
// Order: the deriver keeps, in memory, what each kept event reads and writes (accesses)
// and takes the urgent ones first only with every earlier event they share state with
// (firstLane); everything else is derived in the order it came. A crash loses nothing: a
// kept event is dropped in the transaction that derives it, and the plan is read again
// from the store at the next start (OpenInbox).

// InboxEvent is an event the inbox keeps until it is derived. Err and Raw say that the
// kept bytes no longer read as an event (a build that wrote what this one cannot read):
// the deriver quarantines them, with an alert, instead of stopping or dropping them.
type InboxEvent struct {
	ID      int64
	GroupID int64
	Event   Event
	Err     string
	Raw     []byte
}

// MaxInboxPending bounds the events kept and not derived yet. Past it, a watcher waits
// before recording its next answer: a stream that comes faster than modwatch derives for
// long slows the reading of VK (whose long poll keeps the events) instead of growing the
// plan without end (about a hundred bytes an event).
const MaxInboxPending = 100_000

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
		// or depends on everything: nothing earlier depends on it.
		if urgentKind(p.kind) {
			b.urgent++
			b.laneKnown = false
		}
		if len(p.access) > 0 && p.access[0].key == everything {
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
		delete(b.inflight, t)
		b.mu.Unlock()
		b.signal()
	}
}

// signal wakes those waiting on the plan.
func (b *inbox) signal() {
	b.mu.Lock()
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
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
	close(b.changed)
	b.changed = make(chan struct{})
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
	return b.waitUntil(ctx, func() bool {
		for _, p := range b.plan {
			if p.id <= upTo && (group == 0 || p.group == group) {
				return false
			}
		}
		return true
	})
}

// InboxPending counts the events kept and not derived yet.
func (s *Service) InboxPending() int {
	s.inbox.mu.Lock()
	defer s.inbox.mu.Unlock()
	return len(s.inbox.plan)
}

// OpenInbox reads the plan of the events kept before this start, for RunInbox to derive
// first. Until it is called, RecordPoll keeps events that nothing derives.
func (s *Service) OpenInbox(ctx context.Context) error {
	const page = 1000
	people := s.settings().People
	var plan []planned
	var after int64
	for {
		var kept []InboxEvent
		err := s.Store.View(ctx, func(tx Tx) error {
			var err error
			kept, err = tx.InboxAfter(after, page)
			return err
		})
		if err != nil {
			return fmt.Errorf("read the inbox: %w", err)
		}
		for _, k := range kept {
			p := planned{id: k.ID, group: k.GroupID, kind: k.Event.Kind, at: k.Event.At.UnixMilli(), access: accesses(k.Event, people)}
			if k.Err != "" {
				// Derived alone and first: it is only quarantined.
				p.kind, p.access = "", []access{{key: everything, mode: writes}}
			}
			plan = append(plan, p)
			after = k.ID
		}
		if len(kept) < page {
			break
		}
	}
	b := &s.inbox
	b.mu.Lock()
	b.init()
	// Events recorded while the plan was read are in it already, or come after it.
	fresh := slices.DeleteFunc(b.plan, func(p planned) bool { return p.id <= after })
	b.plan, b.open, b.urgent, b.loaded, b.laneKnown = append(plan, fresh...), true, 0, after, false
	for _, p := range b.plan {
		b.upTo = max(b.upTo, p.id)
		if urgentKind(p.kind) {
			b.urgent++
		}
	}
	b.mu.Unlock()
	b.poke()
	return nil
}

// RecordPoll records one long-poll answer as it came: its events in the inbox, its
// undecodable updates (quarantined, with an alert) and the position after it, in one
// transaction. RunInbox derives the events. IngestResult counts the events kept
// (Queued) and the updates quarantined. While InboxLimit events wait to be derived, it
// waits first.
func (s *Service) RecordPoll(ctx context.Context, a PollAnswer) (IngestResult, error) {
	b := &s.inbox
	limit := cmp.Or(s.InboxLimit, MaxInboxPending)
	if err := b.waitUntil(ctx, func() bool { return len(b.plan) < limit }); err != nil {
		return IngestResult{}, err
	}
	var res IngestResult
	var ids []int64
	done := b.recording()
	defer done()
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = IngestResult{}
		var err error
		if ids, err = tx.AddToInbox(a.Events); err != nil {
			return err
		}
		for _, q := range a.Quarantined {
			if err := s.quarantine(tx, q, &res); err != nil {
				return err
			}
		}
		if a.CursorKey != "" {
			if err := tx.SaveCursor(a.CursorKey, a.Cursor); err != nil {
				return fmt.Errorf("save cursor %s: %w", a.CursorKey, err)
			}
		}
		return nil
	})
	if err != nil {
		return IngestResult{}, err
	}
	res.Queued = len(ids)
	if len(ids) > 0 {
		people := s.settings().People
		plan := make([]planned, len(ids))
		for i, ev := range a.Events {
			plan[i] = planned{id: ids[i], group: ev.GroupID, kind: ev.Kind, at: ev.At.UnixMilli(), access: accesses(ev, people)}
		}
		b.add(plan)
	}
	s.casesCommitted(res)
	return res, nil
}

// RunInbox derives the kept events until ctx ends: first what opens or closes cases,
// with what it depends on, then the rest in the order it came, bulkChunk events a
// transaction, as bulk (the store lets other writers overtake it). OnDerived is told each
// transaction's result. An error ends it, the plan intact: the supervisor starts it again.
func (s *Service) RunInbox(ctx context.Context) error {
	b := &s.inbox
	b.mu.Lock()
	b.init()
	wake := b.wake
	b.mu.Unlock()
	var holding time.Time // since when the bulk waits for recordings to pause
	for {
		var held time.Duration
		if !holding.IsZero() {
			held = time.Since(holding)
		}
		ids, first, wait := b.next(held)
		if len(ids) == 0 {
			switch {
			case wait == 0:
				holding = time.Time{} // nothing to derive: the next burst's bulk waits afresh
			case holding.IsZero():
				holding = time.Now()
			}
			if err := sleepOrWake(ctx, wake, wait); err != nil {
				return nil
			}
			continue
		}
		if !first {
			holding = time.Time{}
		}
		dctx := Urgent(ctx)
		if !first {
			dctx = Bulk(ctx)
		}
		res, err := s.derive(dctx, ids)
		if err != nil {
			b.mu.Lock()
			b.laneKnown = false // the lane is worked out again with these events in it
			b.mu.Unlock()
			if ctx.Err() != nil {
				return nil
			}
			if err := s.deriveAlone(dctx, ids); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("derive %d kept events: %w", len(ids), err)
			}
			continue
		}
		s.derived(ids, res)
	}
}

// poisonAfter is how many times deriving one kept event alone may fail before it is
// quarantined: one event that cannot be derived must not stop every community's.
const poisonAfter = 3

// derived takes derived events out of the plan and tells who waits.
func (s *Service) derived(ids []int64, res IngestResult) {
	s.inbox.done(ids)
	s.casesCommitted(res)
	if s.OnDerived != nil {
		s.OnDerived(res)
	}
}

// deriveAlone derives ids one at a time, in order, after a transaction of them failed: the
// events before the one that fails are derived, and one that failed alone poisonAfter
// times (over the supervisor's restarts) is quarantined, with an alert, and dropped from
// the inbox. It is quarantined only if that transaction commits: when the store itself
// fails (a full disk), nothing is.
func (s *Service) deriveAlone(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		res, err := s.derive(ctx, []int64{id})
		if err == nil {
			s.derived([]int64{id}, res)
			continue
		}
		if ctx.Err() != nil || s.inbox.failed(id) < poisonAfter {
			return err
		}
		res, qerr := s.quarantineKept(ctx, id, err)
		if qerr != nil {
			return errors.Join(err, qerr)
		}
		s.derived([]int64{id}, res)
	}
	return nil
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

// quarantineKept quarantines the kept event id, which could not be derived (why), and
// drops it from the inbox, in one transaction.
func (s *Service) quarantineKept(ctx context.Context, id int64, why error) (IngestResult, error) {
	var res IngestResult
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = IngestResult{}
		kept, err := tx.InboxEvents([]int64{id})
		if err != nil {
			return err
		}
		for _, k := range kept {
			raw := k.Raw
			if k.Err == "" {
				if raw, err = json.Marshal(k.Event); err != nil {
					return fmt.Errorf("encode kept event %d: %w", id, err)
				}
			}
			size := len(raw)
			if len(raw) > MaxQuarantinedRaw {
				raw = raw[:MaxQuarantinedRaw]
			}
			q := Quarantined{GroupID: k.GroupID, Kind: "inbox", Raw: raw, Size: size,
				Err: fmt.Sprintf("deriving it failed %d times: %v", poisonAfter, why)}
			if err := s.quarantine(tx, q, &res); err != nil {
				return err
			}
		}
		_, err = tx.DropFromInbox([]int64{id})
		return err
	})
	if err != nil {
		return IngestResult{}, fmt.Errorf("quarantine kept event %d: %w", id, err)
	}
	return res, nil
}

// sleepOrWake waits for wake, or d when positive, or ctx's end (its error).
func sleepOrWake(ctx context.Context, wake <-chan struct{}, d time.Duration) error {
	var pause <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		pause = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-wake:
	case <-pause:
	}
	return nil
}

// derive makes kept events into what they mean, as IngestPoll does, and drops them from
// the inbox, in one transaction.
func (s *Service) derive(ctx context.Context, ids []int64) (IngestResult, error) {
	var res IngestResult
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = IngestResult{}
		kept, err := tx.InboxEvents(ids)
		if err != nil {
			return err
		}
		events := make([]Event, 0, len(kept))
		for _, k := range kept {
			if k.Err == "" {
				events = append(events, k.Event)
				continue
			}
			raw := k.Raw
			if len(raw) > MaxQuarantinedRaw {
				raw = raw[:MaxQuarantinedRaw]
			}
			q := Quarantined{GroupID: k.GroupID, Kind: "inbox", Raw: raw, Size: len(k.Raw), Err: "a kept event no longer reads: " + k.Err}
			if err := s.quarantine(tx, q, &res); err != nil {
				return err
			}
		}
		if err := s.recordBatch(tx, events, &res); err != nil {
			return err
		}
		_, err = tx.DropFromInbox(ids)
		return err
	})
	if err != nil {
		return IngestResult{}, err
	}
	return res, nil
}
