package justify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Service runs the workflow: events open cases, operators justify, managers decide.
// Every change and the messages it causes are saved in one transaction.
type Service struct {
	Store       Store
	People      *Directory
	Communities map[int64]Community
	Reverser    Reverser
	Now         func() time.Time
	// Deadline is how long an operator has to justify an action.
	Deadline time.Duration
	// RemindBefore is how long before the deadline the operator is reminded; 0 disables it.
	RemindBefore time.Duration
	// Wave is when one admin's bans or deletions become an alert; zero Count disables it.
	Wave WaveRule
	// AlertWindow groups repeated alerts of one key into one message; 1h when zero.
	AlertWindow time.Duration
	// Grouping turns an operator's wave of bans or deletions into one batch prompt.
	Grouping GroupRule
}

// IngestResult counts what a batch of events did.
type IngestResult struct {
	New, Duplicate, Invalid int
	Opened                  []CaseID
}

// Ingest records a batch of events and, in the same transaction, the watcher's cursor
// (skipped when cursorKey is empty), so a cursor is never ahead of what is recorded.
// Invalid events are counted and skipped, never fatal.
func (s *Service) Ingest(ctx context.Context, events []Event, cursorKey, cursorValue string) (IngestResult, error) {
	var res IngestResult
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = IngestResult{}
		for _, ev := range events {
			if err := s.ingestOne(tx, ev, &res); err != nil {
				return err
			}
		}
		if cursorKey != "" {
			if err := tx.SaveCursor(cursorKey, cursorValue); err != nil {
				return fmt.Errorf("save cursor %s: %w", cursorKey, err)
			}
		}
		return nil
	})
	return res, err
}

// ingestOne records one event and acts on it, counting it in res.
func (s *Service) ingestOne(tx Tx, ev Event, res *IngestResult) error {
	if ev.Validate() != nil {
		res.Invalid++
		return nil
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
	id, err := s.apply(tx, ev)
	if err != nil {
		return fmt.Errorf("apply event %s: %w", ev.Key, err)
	}
	if id != 0 {
		res.Opened = append(res.Opened, id)
	}
	return nil
}

// alreadyReconciled reports whether ev is a long-poll ban or unban that reconciliation
// recorded first: a ban made (or lifted) while modwatch was down is in both
// groups.getBanned and the resumed long poll, under different keys, and is one action.
// (A change of a ban's terms made before its long-poll event arrives is lost; the case is
// the same either way.)
func (s *Service) alreadyReconciled(tx Tx, ev Event) (bool, error) {
	if (ev.Kind != EventBan && ev.Kind != EventUnban) || ev.Source != SourceLongPoll {
		return false, nil
	}
	last, err := tx.LastBanEvent(ev.GroupID, ev.UserVKID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("find recorded ban of user %d in group %d: %w", ev.UserVKID, ev.GroupID, err)
	}
	return last.Kind == ev.Kind && last.Source == SourceReconcile, nil
}

// RecordMark is a position in the record, taken with Mark before a community's ban list is
// fetched: bans recorded after it may be missing from the list without having been lifted.
type RecordMark int64

// Mark returns the current position in the record.
func (s *Service) Mark(ctx context.Context) (RecordMark, error) {
	var id int64
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		id, err = tx.LastEventID()
		return err
	})
	return RecordMark(id), err
}

// Reconcile brings the recorded bans of a community in line with its ban list as VK gave
// it (bans: EventBan events, Source reconcile, one per banned user), fetched at fetchedAt
// after mark was taken. A ban modwatch has not recorded is ingested like one from the long
// poll; a recorded ban that is no longer listed becomes an unban, unless it was recorded
// after mark: the list cannot know it yet. Positions, not times, decide, so that VK's
// clock and ours need not agree.
func (s *Service) Reconcile(ctx context.Context, groupID int64, mark RecordMark, fetchedAt time.Time, bans []Event) (IngestResult, error) {
	var res IngestResult
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = IngestResult{}
		active, err := tx.ActiveBans(groupID)
		if err != nil {
			return fmt.Errorf("list recorded bans of group %d: %w", groupID, err)
		}
		listed := make(map[int64]bool, len(bans))
		for _, ev := range bans {
			listed[ev.UserVKID] = true
			if _, ok := active[ev.UserVKID]; ok {
				continue
			}
			if err := s.ingestOne(tx, ev, &res); err != nil {
				return err
			}
		}
		for user, id := range active {
			if listed[user] || id > int64(mark) {
				continue
			}
			unban := Event{
				Key:     fmt.Sprintf("vk:%d:reconcile:unban:%d:%d", groupID, user, fetchedAt.UnixMilli()),
				GroupID: groupID, Kind: EventUnban, UserVKID: user, At: fetchedAt, Source: SourceReconcile,
			}
			if err := s.ingestOne(tx, unban, &res); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("reconcile bans of group %d: %w", groupID, err)
	}
	return res, nil
}

// PostsAfter lists a community's captured customer posts not known to be deleted, with a
// ticket ID above afterID, for the post checker's round.
func (s *Service) PostsAfter(ctx context.Context, groupID, afterID int64, limit int) ([]Ticket, error) {
	var out []Ticket
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.PostsAfter(groupID, afterID, limit)
		return err
	})
	return out, err
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

func (s *Service) apply(tx Tx, ev Event) (CaseID, error) {
	switch ev.Kind {
	case EventWrite, EventEdit, EventAnswer:
		return 0, s.applyTicketEvent(tx, ev)
	case EventDelete, EventVanished:
		if err := s.checkWave(tx, ev); err != nil {
			return 0, err
		}
		return s.applyDeletion(tx, ev)
	case EventRestore:
		return 0, s.applyRestore(tx, ev)
	case EventOfficers:
		return 0, s.alert(tx, Alert{Kind: AlertOfficers, GroupID: ev.GroupID, Key: fmt.Sprintf("officers:%d:%d", ev.GroupID, ev.UserVKID),
			Subject: fmt.Sprintf("vk%d", ev.UserVKID), ActorVKID: ev.ActorVKID, Detail: ev.Comment, At: ev.At})
	case EventBan:
		if err := s.checkWave(tx, ev); err != nil {
			return 0, err
		}
		return s.openBanCase(tx, ev)
	case EventUnban:
		c, err := tx.OpenCaseFor(ev.GroupID, ev.UserVKID, EventBan)
		if errors.Is(err, ErrNotFound) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		wasReversing := c.State == StateReversing
		if err := c.UndoneInVK(ev.Expired, s.now()); err != nil {
			return 0, err
		}
		d := Decision{Action: ActionUndoneInVK, Actor: "VK", Detail: "unbanned in VK"}
		switch {
		case wasReversing:
			d = Decision{Action: ActionReversed, Actor: c.ResolvedBy, Detail: "undone through VK API; VK confirmed"}
		case ev.Expired:
			d.Detail = "ban expired"
		}
		return 0, s.save(tx, &c, d, MsgOutcome)
	}
	return 0, nil
}

func (s *Service) openBanCase(tx Tx, ev Event) (CaseID, error) {
	// The same ban can be learned twice (long poll and reconciliation), and a ban can be
	// changed while its case is open: either way it is the same matter.
	if _, err := tx.OpenCaseFor(ev.GroupID, ev.UserVKID, EventBan); err == nil {
		return 0, nil
	} else if !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	now := s.now()
	c := Case{
		GroupID: ev.GroupID, EventKey: ev.Key, Kind: ev.Kind,
		ActorVKID: ev.ActorVKID, UserVKID: ev.UserVKID, UserName: ev.UserName,
		VKReason: ev.VKReason, VKComment: ev.Comment, ActedAt: ev.At, Until: ev.Until,
		Source: ev.Source, OpenedAt: now, Deadline: now.Add(s.Deadline),
		State: StateAwaitingReason,
	}
	if s.RemindBefore > 0 && s.RemindBefore < s.Deadline {
		c.RemindAt = c.Deadline.Add(-s.RemindBefore)
	}
	op, known := s.People.OperatorByVK(ev.ActorVKID)
	if known {
		c.Operator = op.Name
	} else {
		// Nobody to ask: the managers see it at once.
		c.State = StateAwaitingReview
	}
	batched, err := s.groupCase(tx, &c, op)
	if err != nil {
		return 0, err
	}
	if err := tx.CreateCase(&c); err != nil {
		return 0, fmt.Errorf("create case: %w", err)
	}
	detail := "operator " + c.Operator
	if !known {
		detail = fmt.Sprintf("unknown admin vk%d", ev.ActorVKID)
	}
	if batched {
		detail += fmt.Sprintf("; in batch %d", c.BatchID)
	}
	if err := tx.AddDecision(Decision{CaseID: c.ID, Action: ActionOpened, Actor: "modwatch", At: now, Detail: detail}); err != nil {
		return 0, err
	}
	if batched {
		return c.ID, nil // the batch's one prompt asks for it
	}
	if known {
		if _, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: op.TelegramID, Kind: MsgPrompt, Created: now}); err != nil {
			return 0, err
		}
		return c.ID, nil
	}
	if err := s.sendReviews(tx, c); err != nil {
		return 0, err
	}
	return c.ID, s.alert(tx, Alert{Kind: AlertUnknownAdmin, GroupID: c.GroupID, Key: fmt.Sprintf("unknown_admin:%d:%d", c.GroupID, c.ActorVKID),
		ActorVKID: c.ActorVKID, Subject: fmt.Sprintf("vk%d", c.ActorVKID), Count: 1, Detail: string(ev.Kind), CaseID: c.ID, At: now})
}

// Tick sends due reminders and moves cases whose deadline passed to the managers.
func (s *Service) Tick(ctx context.Context) error {
	now := s.now()
	var due []Case
	if err := s.Store.View(ctx, func(tx Tx) (err error) {
		due, err = tx.DueCases(now)
		return err
	}); err != nil {
		return fmt.Errorf("list due cases: %w", err)
	}
	batches := map[BatchID]bool{}
	for _, d := range due {
		if d.BatchID != 0 {
			if !batches[d.BatchID] {
				batches[d.BatchID] = true
				if err := s.tickBatch(ctx, d.BatchID, now); err != nil {
					return fmt.Errorf("advance batch %d: %w", d.BatchID, err)
				}
			}
			continue
		}
		err := s.Store.Update(ctx, func(tx Tx) error {
			c, err := tx.Case(d.ID)
			if err != nil {
				return err
			}
			switch {
			case c.Expire(now):
				if err := s.save(tx, &c, Decision{Action: ActionOverdue, Actor: "modwatch", Detail: "no reason by the deadline"}); err != nil {
					return err
				}
				return s.sendReviews(tx, c)
			case c.Remind(now):
				op, ok := s.People.ByName(c.Operator)
				if err := s.save(tx, &c, Decision{Action: ActionReminded, Actor: "modwatch"}); err != nil || !ok {
					return err
				}
				_, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: op.TelegramID, Kind: MsgReminder, Created: now})
				return err
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("advance case %d: %w", d.ID, err)
		}
	}
	if err := s.showBatchGrowth(ctx); err != nil {
		return fmt.Errorf("show grown batches: %w", err)
	}
	return nil
}

// Justify records an operator's reason given from Telegram account tgID.
func (s *Service) Justify(ctx context.Context, tgID int64, id CaseID, r Reason, text string) (Case, error) {
	return s.change(ctx, tgID, id, func(tx Tx, p Person, c *Case) error {
		wasOverdue := c.Overdue
		if err := c.Justify(p, r, text, s.now()); err != nil {
			return err
		}
		if err := tx.ClearPendingInput(tgID); err != nil {
			return err
		}
		detail := string(r)
		if text != "" {
			detail += ": " + text
		}
		if c.JustifiedLate() {
			detail += " (late)"
		}
		if err := s.save(tx, c, Decision{Action: ActionJustified, Actor: p.Name, TelegramID: tgID, Detail: detail}); err != nil {
			return err
		}
		shown, err := tx.MessagesOf(c.ID, MsgReview)
		if err != nil {
			return err
		}
		if wasOverdue || len(shown) > 0 {
			return nil // managers already hold the case; save refreshed their copies
		}
		return s.sendReviews(tx, *c)
	})
}

// AskText remembers that the operator owes a text for case id (for reason r, or for the
// reason already given when r is empty) and asks for it.
func (s *Service) AskText(ctx context.Context, tgID int64, id CaseID, r Reason) error {
	_, err := s.change(ctx, tgID, id, func(tx Tx, p Person, c *Case) error {
		if p.Role != RoleOperator || p.Name != c.Operator {
			return ErrForbidden
		}
		if r != "" && !r.Valid() {
			return ErrBadReason
		}
		if !c.Open() || c.State == StateUndoPending || (c.State == StateAwaitingReview && c.Justified() == (r != "")) {
			return ErrWrongState
		}
		if err := tx.SetPendingInput(PendingInput{TelegramID: tgID, CaseID: c.ID, Reason: r, Created: s.now()}); err != nil {
			return err
		}
		_, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: tgID, Kind: MsgAskText, Created: s.now()})
		return err
	})
	return err
}

// ErrNoPendingInput means a text arrived that the bot had not asked for.
var ErrNoPendingInput = errors.New("no text was asked for")

// Text handles a text a person sent the bot: the explanation it asked for, if any.
func (s *Service) Text(ctx context.Context, tgID int64, text string) (Case, error) {
	var in PendingInput
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		in, err = tx.PendingInput(tgID)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return Case{}, ErrNoPendingInput
	}
	if err != nil {
		return Case{}, err
	}
	if in.BatchID != 0 {
		_, err := s.JustifyBatch(ctx, tgID, in.BatchID, in.Reason, text)
		return Case{}, err
	}
	if in.Reason != "" {
		return s.Justify(ctx, tgID, in.CaseID, in.Reason, text)
	}
	return s.change(ctx, tgID, in.CaseID, func(tx Tx, p Person, c *Case) error {
		if err := c.Explain(p, text); err != nil {
			return err
		}
		if err := tx.ClearPendingInput(tgID); err != nil {
			return err
		}
		return s.save(tx, c, Decision{Action: ActionExplained, Actor: p.Name, TelegramID: tgID, Detail: text})
	})
}

// Approve lets the action stand.
func (s *Service) Approve(ctx context.Context, tgID int64, id CaseID) (Case, error) {
	return s.change(ctx, tgID, id, func(tx Tx, p Person, c *Case) error {
		if err := c.Approve(p, s.now()); err != nil {
			return err
		}
		return s.save(tx, c, Decision{Action: ActionApproved, Actor: p.Name, TelegramID: tgID}, MsgOutcome)
	})
}

// Reverse undoes the action in VK when it can; otherwise the case waits for someone to undo
// it by hand and the manager is told what to do. The manager's decision is recorded before
// VK is asked, so VK's confirmation, which may arrive first, is credited to them.
func (s *Service) Reverse(ctx context.Context, tgID int64, id CaseID) (Case, error) {
	c, err := s.change(ctx, tgID, id, func(tx Tx, p Person, c *Case) error {
		if err := c.BeginReverse(p, s.now()); err != nil {
			return err
		}
		if err := tx.SaveCase(c); err != nil {
			return err
		}
		return tx.AddDecision(Decision{CaseID: c.ID, Action: ActionReverseStarted, Actor: p.Name, TelegramID: tgID, At: s.now()})
	})
	if err != nil {
		return c, err
	}
	var undoErr error
	switch {
	case s.Reverser == nil:
		undoErr = errNoUserToken
	case !s.Communities[c.GroupID].CanReverse && c.Item.Place != PlaceBoardPost:
		// Every restore but the board's, and every unban, needs an admin's user token.
		undoErr = errNoUserToken
	case c.IsDeletion():
		undoErr = s.restore(ctx, c)
	default:
		undoErr = s.Reverser.Unban(ctx, c.GroupID, c.UserVKID)
	}
	return s.finishReverse(ctx, tgID, id, undoErr)
}

func (s *Service) finishReverse(ctx context.Context, tgID int64, id CaseID, undoErr error) (Case, error) {
	return s.change(ctx, tgID, id, func(tx Tx, p Person, c *Case) error {
		now := s.now()
		if c.State != StateReversing {
			return nil // VK's confirmation already closed it
		}
		if undoErr == nil {
			if err := c.Reversed(now); err != nil {
				return err
			}
			return s.save(tx, c, Decision{Action: ActionReversed, Actor: c.ResolvedBy, TelegramID: tgID, Detail: "undone through VK API"}, MsgOutcome)
		}
		if err := c.UndoByHand(ProblemOf(undoErr), undoErr.Error()); err != nil {
			return err
		}
		if err := s.save(tx, c, Decision{Action: ActionUndoRequested, Actor: c.ResolvedBy, TelegramID: tgID, Detail: undoErr.Error()}); err != nil {
			return err
		}
		_, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: tgID, Kind: MsgUndoByHand, Created: now})
		return err
	})
}

// restore brings a deleted item back through VK. Wall posts have no restore method
// that works after the fact, so they are always left to a person.
func (s *Service) restore(ctx context.Context, c Case) error {
	if !c.Item.Place.Restorable() {
		return &UndoError{Problem: UndoNotPossible,
			Err: errors.New("VK cannot restore a deleted post: ask the author to post it again or repost it from the evidence")}
	}
	return s.Reverser.Restore(ctx, c.Item)
}

// Recover settles what a stop left half-done: a reversal interrupted between the
// manager's confirmation and VK's answer goes back to the manager to try again.
func (s *Service) Recover(ctx context.Context) error {
	var stuck []Case
	if err := s.Store.View(ctx, func(tx Tx) (err error) {
		stuck, err = tx.CasesInState(StateReversing)
		return err
	}); err != nil {
		return fmt.Errorf("list interrupted reversals: %w", err)
	}
	for _, c := range stuck {
		err := s.Store.Update(ctx, func(tx Tx) error {
			c, err := tx.Case(c.ID)
			if err != nil || c.State != StateReversing {
				return err
			}
			if err := c.UndoByHand(UndoInterrupted, "modwatch stopped while asking VK: check VK, then try again"); err != nil {
				return err
			}
			return s.save(tx, &c, Decision{Action: ActionUndoRequested, Actor: "modwatch", Detail: "interrupted by a restart"})
		})
		if err != nil {
			return fmt.Errorf("recover case %d: %w", c.ID, err)
		}
	}
	return nil
}

var errNoUserToken = &UndoError{Problem: UndoNoToken, Err: errors.New("no admin user token is configured for this community")}

// Case loads a case with its audit trail.
func (s *Service) Case(ctx context.Context, id CaseID) (Case, []Decision, error) {
	var c Case
	var ds []Decision
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if c, err = tx.Case(id); err != nil {
			return err
		}
		ds, err = tx.Decisions(id)
		return err
	})
	return c, ds, err
}

// change loads a case, applies fn as the person behind tgID, and saves, in one transaction.
func (s *Service) change(ctx context.Context, tgID int64, id CaseID, fn func(Tx, Person, *Case) error) (Case, error) {
	p, ok := s.People.ByTelegram(tgID)
	if !ok {
		return Case{}, ErrForbidden
	}
	var out Case
	err := s.Store.Update(ctx, func(tx Tx) error {
		c, err := tx.Case(id)
		if err != nil {
			return err
		}
		if err := fn(tx, p, &c); err != nil {
			out = c
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// save writes the case and its decision, refreshes every message already showing the case,
// and sends the operator an outcome message for the kinds listed.
func (s *Service) save(tx Tx, c *Case, d Decision, extra ...MessageKind) error {
	now := s.now()
	if err := tx.SaveCase(c); err != nil {
		return fmt.Errorf("save case %d: %w", c.ID, err)
	}
	d.CaseID, d.At = c.ID, now
	if err := tx.AddDecision(d); err != nil {
		return fmt.Errorf("add decision to case %d: %w", c.ID, err)
	}
	for _, kind := range []MessageKind{MsgPrompt, MsgReview} {
		shown, err := tx.MessagesOf(c.ID, kind)
		if err != nil {
			return err
		}
		for _, m := range shown {
			if _, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: m.ChatID, Kind: kind, EditOf: m.ID, Created: now}); err != nil {
				return err
			}
		}
	}
	if c.BatchID != 0 {
		// A batched case is shown by its batch's messages: refresh those, and tell no one
		// about each case of a wave on its own.
		return s.refreshBatch(tx, c.BatchID, MsgBatchPrompt, MsgBatchReview)
	}
	for _, kind := range extra {
		if kind == MsgOutcome && c.Operator != "" {
			if op, ok := s.People.ByName(c.Operator); ok {
				if _, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: op.TelegramID, Kind: MsgOutcome, Created: now}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// sendReviews puts the case before every manager.
func (s *Service) sendReviews(tx Tx, c Case) error {
	for _, m := range s.People.WithRole(RoleManager) {
		if _, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: m.TelegramID, Kind: MsgReview, Created: s.now()}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
