package justify

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// Service runs the workflow: events open cases, operators justify, managers decide.
// Every change and the messages it causes are saved in one transaction.
//
// People, Communities, AlertsChat, Deadline, RemindBefore, Wave, AlertWindow, Grouping,
// ReversalTimeout, Conversations, SignsPerDay and Location are the settings it starts with (see Settings); once it runs, they change only through
// Configure, and the service reads them only through its settings snapshot.
type Service struct {
	Store       Store
	People      *Directory
	Communities map[int64]Community
	// AlertsChat is the team chat of alerts about no community in particular (a person the
	// bot cannot reach); unset, they go privately (chats.go).
	AlertsChat Chat
	Reverser   Reverser
	Now        func() time.Time
	// Deadline is how long an operator has to justify an action.
	Deadline time.Duration
	// RemindBefore is how long before the deadline the operator is reminded; 0 disables it.
	RemindBefore time.Duration
	// Wave is when one admin's bans or deletions become an alert; zero Count disables it.
	Wave WaveRule
	// AlertWindow groups repeated alerts of one key into one message; DefaultAlertWindow
	// when zero.
	AlertWindow time.Duration
	// Grouping turns an operator's wave of bans or deletions into one batch prompt.
	Grouping GroupRule
	// ReversalsPerCommunity bounds the VK calls of reversals that RunReversals makes at
	// once for one community; DefaultReversalsPerCommunity when zero.
	ReversalsPerCommunity int
	// Checker looks up in VK whether a reversal whose answer was lost was done; nil hands
	// every such reversal back to the manager.
	Checker UndoChecker
	// ReversalTimeout is how long a case may stay reversing before SweepReversals settles
	// it; DefaultReversalTimeout when zero.
	ReversalTimeout time.Duration
	// OnReversal, when set, is told what became of each reversal RunReversals carried out;
	// it must not block. The daemon logs it and wakes the sender.
	OnReversal func(ReversalResult)
	// OnCases, when set, is told once events that open or close cases are committed,
	// ahead of the rest of their answer or of the inbox's backlog (IngestPoll, RunInbox),
	// so that their prompts leave at once; it must not block. The daemon wakes the sender.
	OnCases func()
	// OnDerived, when set, is told what each of the inbox's transactions derived
	// (RunInbox); it must not block. The daemon counts it in /metrics.
	OnDerived func(IngestResult)
	// InboxLimit is how many long-poll events may wait to be derived before RecordPoll
	// waits; MaxInboxPending when zero.
	InboxLimit int
	// Conversations builds dialogs and finds signs of shirking (conversations.go); nil
	// keeps no conversations.
	Conversations *Conversations
	// Shuffle puts the dialogs a round of spot checks samples from in random order;
	// math/rand's when nil. Tests make it predictable.
	Shuffle func(n int, swap func(i, j int))
	// SignsPerDay and Location: see Settings.
	SignsPerDay int
	Location    *time.Location

	inbox     inbox         // long-poll events kept, waiting for RunInbox (inbox.go)
	reversals reversalQueue // reversals started, waiting for RunReversals
	attempts  attempts      // what this process knows of each reversal under way
	live      atomic.Pointer[Settings]
}

// DefaultAlertWindow is the alert grouping window when none is set: the config's default
// (alerts.group_within) and the fallback of everything that shows the window.
const DefaultAlertWindow = time.Hour

// IngestResult counts what a batch of events did. History counts the new events that
// were recorded without being acted upon (Event.History); New does not include them.
type IngestResult struct {
	New, Duplicate, Invalid, History int
	// Quarantined counts the updates that could not be decoded and were kept for the
	// first time.
	Quarantined int
	Opened      []CaseID
	// Queued counts the events RecordPoll kept in the inbox, to be derived.
	Queued int
	// NewIn counts the new events by community.
	NewIn map[int64]int
}

// Ingest records a batch of events and, in the same transaction, the watcher's cursor
// (skipped when cursorKey is empty), so a cursor is never ahead of what is recorded.
// Invalid events are counted and skipped, never fatal.
func (s *Service) Ingest(ctx context.Context, events []Event, cursorKey, cursorValue string) (IngestResult, error) {
	return s.IngestPoll(ctx, PollAnswer{Events: events, CursorKey: cursorKey, Cursor: cursorValue})
}

// ingestOne records one event and acts on it, counting it in res.
func (s *Service) ingestOne(tx Tx, ev Event, res *IngestResult) error {
	if ev.Validate() != nil {
		res.Invalid++
		return nil
	}
	if history, err := s.isHistory(tx, ev); err != nil || history {
		if err != nil {
			return err
		}
		return s.recordHistory(tx, ev, res)
	}
	if dup, err := s.alreadyReconciled(tx, ev); err != nil || dup {
		if dup {
			res.Duplicate++
		}
		return err
	}
	isNew, err := tx.InsertEvent(ev)
	if err != nil {
		return fmt.Errorf("insert event %s: %w", ev.Key, err)
	}
	if !isNew {
		res.Duplicate++
		return nil
	}
	res.New++
	if res.NewIn == nil {
		res.NewIn = map[int64]int{}
	}
	res.NewIn[ev.GroupID]++
	id, err := s.apply(tx, ev)
	if err != nil {
		return fmt.Errorf("apply event %s: %w", ev.Key, err)
	}
	if id != 0 {
		res.Opened = append(res.Opened, id)
	}
	return nil
}

// recordHistory keeps an event the reconciled state already holds, acting on nothing.
func (s *Service) recordHistory(tx Tx, ev Event, res *IngestResult) error {
	ev.History = true
	isNew, err := tx.InsertEvent(ev)
	if err != nil {
		return fmt.Errorf("insert event %s: %w", ev.Key, err)
	}
	if isNew {
		res.History++
	} else {
		res.Duplicate++
	}
	return nil
}

// apply acts on one new event: each kind has its own rules, in the file named after it.
func (s *Service) apply(tx Tx, ev Event) (CaseID, error) {
	// Every message, reply, edit, deletion and action also updates the dialogs.
	if err := s.applyConversation(tx, ev); err != nil { // conversations.go
		return 0, fmt.Errorf("update conversation: %w", err)
	}
	switch ev.Kind {
	case EventWrite, EventEdit, EventAnswer:
		return 0, s.applyTicketEvent(tx, ev) // tickets.go
	case EventDelete, EventVanished:
		if err := s.checkWave(tx, ev); err != nil { // waves.go
			return 0, err
		}
		id, err := s.applyDeletion(tx, ev) // deletions.go
		if err != nil {
			return 0, err
		}
		return id, s.adminActed(tx, ev) // vanished.go
	case EventRestore:
		return 0, s.applyRestore(tx, ev) // deletions.go
	case EventOfficers:
		return 0, s.alertOfficers(tx, ev) // alerts.go
	case EventBan:
		if err := s.checkWave(tx, ev); err != nil {
			return 0, err
		}
		id, err := s.openBanCase(tx, ev) // bans.go
		if err != nil {
			return 0, err
		}
		return id, s.adminActed(tx, ev) // vanished.go
	case EventUnban:
		return 0, s.applyUnban(tx, ev) // bans.go
	}
	return 0, nil
}

// Cursor returns a watcher's saved position, "" when none.
func (s *Service) Cursor(ctx context.Context, key string) (string, error) {
	var v string
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		v, err = tx.Cursor(key)
		return err
	})
	return v, err
}

// SaveCursor saves a position with nothing recorded beside it (a round that found nothing,
// a period passed over, the bot's update offset); Ingest saves one with its events.
func (s *Service) SaveCursor(ctx context.Context, key, value string) error {
	// The store's error already names the cursor.
	return s.Store.Update(ctx, func(tx Tx) error { return tx.SaveCursor(key, value) })
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
