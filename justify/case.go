package justify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// CaseID identifies a case.
type CaseID int64

// State is where a case stands in the workflow.
type State string

// Case states. A case is opened awaiting its operator's reason, goes to managers for
// review, and is closed with a Resolution. reversing means a manager confirmed a reversal
// and modwatch is asking VK; undo_pending means a manager chose to reverse
// but modwatch could not do it in VK, so the case waits for VK to confirm the manual undo.
const (
	StateAwaitingReason State = "awaiting_reason"
	StateAwaitingReview State = "awaiting_review"
	StateReversing      State = "reversing"
	StateUndoPending    State = "undo_pending"
	StateClosed         State = "closed"
)

// Resolution is how a closed case ended.
type Resolution string

// Resolutions.
const (
	ResolutionApproved       Resolution = "approved"
	ResolutionReversed       Resolution = "reversed"         // modwatch unbanned through VK
	ResolutionReversedByHand Resolution = "reversed_by_hand" // a manager asked, someone undid it in VK
	ResolutionReversedInVK   Resolution = "reversed_in_vk"   // undone in VK with no decision from modwatch
	ResolutionExpired        Resolution = "expired"          // the ban ran out before anyone decided
	ResolutionRestored       Resolution = "restored"         // modwatch restored the deleted item through VK
	ResolutionRestoredByHand Resolution = "restored_by_hand" // a manager asked, someone restored it in VK
	ResolutionRestoredInVK   Resolution = "restored_in_vk"   // restored in VK with no decision from modwatch
)

// Reason is an operator's justification.
type Reason string

// Reasons offered to operators. ReasonOther needs a text.
const (
	ReasonSpam     Reason = "spam"
	ReasonAbuse    Reason = "abuse"
	ReasonLanguage Reason = "language"
	ReasonFlood    Reason = "flood"
	ReasonOther    Reason = "other"
)

// Reasons lists the reasons in the order they are offered.
var Reasons = []Reason{ReasonSpam, ReasonAbuse, ReasonLanguage, ReasonFlood, ReasonOther}

// Valid reports whether r is one of Reasons.
func (r Reason) Valid() bool {
	for _, x := range Reasons {
		if r == x {
			return true
		}
	}
	return false
}

// Errors returned by case transitions. Callers show them to the person who tried.
var (
	ErrForbidden    = errors.New("not allowed for this person")
	ErrWrongState   = errors.New("the case is no longer in a state that allows this")
	ErrTextRequired = errors.New("this reason needs a text explanation")
	ErrBadReason    = errors.New("unknown reason")
	// ErrOwnAction means the person is the one who took the action: nobody approves or
	// reverses a case, or a batch, about their own action. It is an ErrForbidden.
	ErrOwnAction = fmt.Errorf("%w: nobody decides about their own action", ErrForbidden)
	// ErrOutOfScope means the matter concerns a community outside the person's scope
	// (Person.Communities). It is an ErrForbidden.
	ErrOutOfScope = fmt.Errorf("%w: the community is not among the person's", ErrForbidden)
	// ErrNotDecider means the person does not decide this case: an operator, or an owner
	// while a manager can. It is an ErrForbidden.
	ErrNotDecider = fmt.Errorf("%w: only the case's deciders may decide it", ErrForbidden)
	// ErrReversing means a manager's reversal of the case is under way: VK has been asked,
	// and the answer will show in the case's messages. It is an ErrWrongState.
	ErrReversing = fmt.Errorf("%w: a reversal is already under way", ErrWrongState)
)

// Case is one admin action that needs a reason and a manager's decision.
type Case struct {
	ID       CaseID
	GroupID  int64
	EventKey string
	Kind     EventKind

	ActorVKID int64 // the VK admin who acted
	// Operator is the name of the configured person who acted: an operator, or a manager
	// or owner who moderates too (ActorRole says which). Empty when the admin is unknown.
	Operator string
	// ActorRole is the role Operator had when the case was opened; empty for an unknown
	// admin. Whatever it is, the actor justifies the action and never decides it.
	ActorRole Role
	UserVKID  int64
	UserName  string
	VKReason  BanReason
	VKComment string
	ActedAt   time.Time
	Until     time.Time // zero: forever
	Source    Source
	// Item is the deleted comment or post of a deletion case.
	Item Ref
	// Severe marks a deletion of a customer's request nobody had answered: managers see
	// such a case at once, not only after the deadline.
	Severe bool

	State      State
	Resolution Resolution

	OpenedAt time.Time
	// AskedAt is when the operator's prompt (the case's own, or its batch's) reached them;
	// zero until then. The deadline and the reminder run from it: until the case is asked,
	// Deadline and RemindAt count from OpenedAt and are moved by Ask.
	AskedAt  time.Time
	Deadline time.Time
	RemindAt time.Time
	Reminded bool
	// Overdue is set when the deadline passed without a reason and managers were told.
	Overdue bool
	// NotAsked is set when the operator's prompt could not be delivered (Telegram refused
	// it in every form, or the operator cannot be written to) and managers got the case
	// without waiting for a reason that was never asked for.
	NotAsked bool

	Reason      Reason
	ReasonText  string
	JustifiedAt time.Time

	ResolvedAt time.Time
	ResolvedBy string // the manager's name, or "VK"
	// UndoProblem says why modwatch could not undo the action itself; UndoNote adds the
	// details (VK's error, in English).
	UndoProblem UndoProblem
	UndoNote    string

	// BatchID is the wave of the operator's actions this case was grouped in (0: none);
	// a batched case is prompted, escalated and reviewed with its batch, not on its own.
	BatchID BatchID

	// Version increases with every saved change; the store refuses a save from a stale copy.
	Version int
}

// UnknownAdmin is true when the action was taken by a VK admin who is not a configured person.
func (c *Case) UnknownAdmin() bool { return c.Operator == "" }

// Open is true until the case is closed.
func (c *Case) Open() bool { return c.State != StateClosed }

// Justified is true once the operator gave a reason.
func (c *Case) Justified() bool { return c.Reason != "" }

// JustifiedLate is true when the reason came after the deadline.
func (c *Case) JustifiedLate() bool {
	return c.Justified() && c.JustifiedAt.After(c.Deadline)
}

// Justify records the actor's reason. Only the person who acted may justify, whatever
// their role, within their scope, and only before a manager decided; a reason given after
// the deadline is accepted and marked late.
func (c *Case) Justify(p Person, r Reason, text string, now time.Time) error {
	if err := c.checkActor(p); err != nil {
		return err
	}
	if !r.Valid() {
		return fmt.Errorf("%w %q", ErrBadReason, r)
	}
	if r == ReasonOther && text == "" {
		return ErrTextRequired
	}
	if c.State != StateAwaitingReason && !(c.State == StateAwaitingReview && !c.Justified()) {
		return ErrWrongState
	}
	c.Reason, c.ReasonText, c.JustifiedAt = r, text, now
	c.State = StateAwaitingReview
	return nil
}

// Explain adds or replaces the operator's text on an already chosen reason, while
// managers have not decided yet.
func (c *Case) Explain(p Person, text string) error {
	if err := c.checkActor(p); err != nil {
		return err
	}
	if c.State != StateAwaitingReview || !c.Justified() {
		return ErrWrongState
	}
	c.ReasonText = text
	return nil
}

// Remind reports whether the operator should be reminded now, and marks it done.
func (c *Case) Remind(now time.Time) bool {
	if c.State != StateAwaitingReason || c.Reminded || c.RemindAt.IsZero() || now.Before(c.RemindAt) {
		return false
	}
	c.Reminded = true
	return true
}

// Ask records that the operator's prompt reached them at at: the deadline and the
// reminder run from then, not from when the case was opened. It reports whether anything
// changed: a case is asked once, and only while it still waits for its reason.
func (c *Case) Ask(at time.Time) bool {
	if !c.AskedAt.IsZero() || !c.Open() || c.Justified() || c.Operator == "" {
		return false
	}
	runFromAsked(c.OpenedAt, at, &c.Deadline, &c.RemindAt)
	c.AskedAt = at
	return true
}

// DeadlineIfAsked is the deadline the case has if its operator is asked at at: its own
// once asked, else the time the operator is given counted from at. A prompt shows it.
func (c *Case) DeadlineIfAsked(at time.Time) time.Time {
	if !c.AskedAt.IsZero() {
		return c.Deadline
	}
	return deadlineFrom(c.Deadline, c.OpenedAt, at)
}

// deadlineFrom moves a deadline counted from opened to count from at instead.
func deadlineFrom(deadline, opened, at time.Time) time.Time {
	if opened.IsZero() || !at.After(opened) {
		return deadline
	}
	return deadline.Add(at.Sub(opened))
}

// runFromAsked moves a deadline and a reminder (zero: none) counted from opened to count
// from at, the moment the operator was asked: a case's, or a batch's.
func runFromAsked(opened, at time.Time, deadline, remind *time.Time) {
	shift := deadlineFrom(*deadline, opened, at).Sub(*deadline)
	*deadline = deadline.Add(shift)
	if !remind.IsZero() {
		*remind = remind.Add(shift)
	}
}

// CouldNotAsk moves a case awaiting a reason to the managers because its operator could
// not be asked: no reason is owed for a question never delivered. It reports whether the
// case moved.
func (c *Case) CouldNotAsk() bool {
	if c.State != StateAwaitingReason {
		return false
	}
	c.State, c.NotAsked = StateAwaitingReview, true
	return true
}

// Expire moves a case whose deadline passed without a reason to the managers.
func (c *Case) Expire(now time.Time) bool {
	if c.State != StateAwaitingReason || now.Before(c.Deadline) {
		return false
	}
	c.State, c.Overdue = StateAwaitingReview, true
	return true
}

// checkActor lets only the configured person who acted justify, and only while the
// community is in their scope (a reload may have taken it out).
func (c *Case) checkActor(p Person) error {
	switch {
	case c.Operator == "" || p.Name != c.Operator:
		return ErrForbidden
	case !p.Covers(c.GroupID):
		return ErrOutOfScope
	}
	return nil
}

// checkDecider tells whether p may decide the case now: p must be one of the case's
// Deciders in people (never the person who acted), and the case in one of the allowed
// states or awaiting review.
func (c *Case) checkDecider(p Person, people *Directory, allowed ...State) error {
	if err := people.MayDecide(p, c.GroupID, c.Operator, c.ActorVKID); err != nil {
		return err
	}
	if c.State == StateReversing {
		return ErrReversing
	}
	for _, s := range append(allowed, StateAwaitingReview) {
		if c.State == s {
			return nil
		}
	}
	return ErrWrongState
}

// CanReverse tells whether p, looked up in people, may reverse the case now. A reversal
// that had to be left to be done by hand may be tried again.
func (c *Case) CanReverse(p Person, people *Directory) error {
	return c.checkDecider(p, people, StateUndoPending)
}

// MayDecide tells whether p, looked up in people, is one who decides this case, whatever
// its state: ErrOwnAction for the person who acted.
func (c *Case) MayDecide(p Person, people *Directory) error {
	return people.MayDecide(p, c.GroupID, c.Operator, c.ActorVKID)
}

// Approve closes the case: the action stands. p must be one of its deciders in people.
func (c *Case) Approve(p Person, people *Directory, now time.Time) error {
	if err := c.checkDecider(p, people); err != nil {
		return err
	}
	c.close(ResolutionApproved, p.Name, now)
	return nil
}

// BeginReverse records that p, one of the case's deciders in people, confirmed a
// reversal, before modwatch asks VK, so that VK's own confirmation of the undo is
// credited to p and no second manager starts another.
func (c *Case) BeginReverse(p Person, people *Directory, now time.Time) error {
	if err := c.CanReverse(p, people); err != nil {
		return err
	}
	c.State, c.ResolvedBy = StateReversing, p.Name
	return nil
}

// Reversed closes a reversing case after VK accepted the undo, or a case handed back to
// be undone by hand when VK's answer, or a look at VK, comes late and says it was done.
func (c *Case) Reversed(now time.Time) error {
	if c.State != StateReversing && c.State != StateUndoPending {
		return ErrWrongState
	}
	c.close(c.pick(ResolutionReversed, ResolutionRestored), c.ResolvedBy, now)
	return nil
}

// IsDeletion is true for cases about a deleted comment or post rather than a ban.
func (c *Case) IsDeletion() bool { return c.Kind == EventDelete || c.Kind == EventVanished }

// pick chooses the resolution that fits the kind of case.
func (c *Case) pick(ban, deletion Resolution) Resolution {
	if c.IsDeletion() {
		return deletion
	}
	return ban
}

// UndoByHand records that a reversal could not be done through VK and must be done by
// hand; the case stays open until VK confirms, and the manager may try again.
func (c *Case) UndoByHand(problem UndoProblem, note string) error {
	if c.State != StateReversing {
		return ErrWrongState
	}
	c.State, c.UndoProblem, c.UndoNote = StateUndoPending, problem, note
	return nil
}

// UndoneInVK closes an open case because VK reports the action undone. expired is true when
// a ban simply ran out.
func (c *Case) UndoneInVK(expired bool, now time.Time) error {
	switch {
	case !c.Open():
		return ErrWrongState
	case c.State == StateReversing:
		// VK reports modwatch's own undo before modwatch heard back from the call.
		c.close(c.pick(ResolutionReversed, ResolutionRestored), c.ResolvedBy, now)
	case c.State == StateUndoPending:
		c.close(c.pick(ResolutionReversedByHand, ResolutionRestoredByHand), c.ResolvedBy, now)
	case expired:
		c.close(ResolutionExpired, "VK", now)
	default:
		c.close(c.pick(ResolutionReversedInVK, ResolutionRestoredInVK), "VK", now)
	}
	return nil
}

func (c *Case) close(r Resolution, by string, now time.Time) {
	c.State, c.Resolution, c.ResolvedBy, c.ResolvedAt = StateClosed, r, by, now
}

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
	p, ok := s.settings().People.ByTelegram(tgID)
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
			if op, ok := s.settings().People.ByName(c.Operator); ok {
				if _, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: op.TelegramID, Kind: MsgOutcome, Created: now}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// sendReviews puts the case before everyone who decides it: the managers in its
// community's scope, but never the person who acted (Directory.Deciders), each privately,
// or all at once in the community's review chat when it has one the bot can write to.
func (s *Service) sendReviews(tx Tx, c Case) error {
	chat, ok, err := s.usableChat(tx, s.settings().Communities[c.GroupID].ReviewChat) // chats.go
	if err != nil || ok {
		if ok {
			_, err = tx.Enqueue(Message{CaseID: c.ID, ChatID: chat.ID, Topic: chat.Topic, Kind: MsgReview, Created: s.now()})
		}
		return err
	}
	return s.sendPrivateReviews(tx, c)
}

// sendPrivateReviews puts the case before each of its deciders privately.
func (s *Service) sendPrivateReviews(tx Tx, c Case) error {
	for _, m := range s.settings().People.Deciders(c.GroupID, c.Operator, c.ActorVKID) {
		if _, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: m.TelegramID, Kind: MsgReview, Created: s.now()}); err != nil {
			return err
		}
	}
	return nil
}
