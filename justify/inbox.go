package justify

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
			b.replan()
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
			q := keptQuarantine(k.GroupID, raw, fmt.Sprintf("modwatch could not record it, %d tries: %v", poisonAfter, why))
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

// keptQuarantine is a kept event to quarantine: its bytes, cut at MaxQuarantinedRaw, and
// why it is not derived.
func keptQuarantine(groupID int64, raw []byte, why string) Quarantined {
	q := Quarantined{GroupID: groupID, Kind: "inbox", Raw: raw, Size: len(raw), Err: why}
	if len(raw) > MaxQuarantinedRaw {
		q.Raw = raw[:MaxQuarantinedRaw]
	}
	return q
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
			q := keptQuarantine(k.GroupID, k.Raw, "modwatch saved it but cannot read it back: "+k.Err)
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
