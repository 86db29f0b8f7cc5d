package justify

import (
	"context"
	"errors"
	"fmt"
)

// Reverse records that manager tgID reverses case id, and returns without waiting for VK:
// the case is reversing, every message showing it says so, and RunReversals (reversals.go)
// asks VK in the background, so a slow VK never holds up the press or anyone else's.
// When VK cannot be asked (no token for it, or a deleted wall post), the case waits at
// once for someone to undo it by hand and the manager is told what to do. The manager's
// decision is recorded before VK is asked, so VK's confirmation, which may arrive first,
// is credited to them.
func (s *Service) Reverse(ctx context.Context, tgID int64, id CaseID) (Case, error) {
	c, err := s.change(ctx, tgID, id, func(tx Tx, p Person, c *Case) error {
		if err := c.BeginReverse(p, s.settings().People, s.now()); err != nil {
			return err
		}
		if err := s.save(tx, c, Decision{Action: ActionReverseStarted, Actor: p.Name, TelegramID: tgID}); err != nil {
			return err
		}
		if why := s.cannotUndo(*c); why != nil {
			return s.settleReverse(tx, c, tgID, why)
		}
		return nil
	})
	if err == nil && c.State == StateReversing {
		s.reversals.push(reversal{c: c, tgID: tgID})
	}
	return c, err
}

// cannotUndo says why VK cannot be asked to undo c, or nil when it can.
func (s *Service) cannotUndo(c Case) error {
	switch {
	case s.Reverser == nil:
		return errNoUserToken
	case !s.settings().Communities[c.GroupID].CanReverse && c.Item.Place != PlaceBoardPost:
		// Every restore but the board's, and every unban, needs an admin's user token.
		return errNoUserToken
	case c.IsDeletion() && !c.Item.Place.Restorable():
		// Wall posts have no restore method that works after the fact.
		return errPostNotRestorable
	}
	return nil
}

// undoInVK asks VK to undo c's action. A panic in the Reverser becomes an error, so that
// the case is settled like any failed call instead of staying reversing.
func (s *Service) undoInVK(ctx context.Context, c Case) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &UndoError{Problem: UndoFailed, Err: fmt.Errorf("the call to VK panicked: %v", p)}
		}
	}()
	if c.IsDeletion() {
		return s.Reverser.Restore(ctx, c.Item)
	}
	return s.Reverser.Unban(ctx, c.GroupID, c.UserVKID)
}

// finishReverse saves what VK answered for a reversing case (undoErr nil: undone).
func (s *Service) finishReverse(ctx context.Context, tgID int64, id CaseID, undoErr error) (Case, error) {
	return s.change(ctx, tgID, id, func(tx Tx, p Person, c *Case) error {
		return s.settleReverse(tx, c, tgID, undoErr)
	})
}

// settleReverse closes a reversing case that VK undid, or leaves it to be undone by hand
// and tells the manager who reversed it why and what to do.
func (s *Service) settleReverse(tx Tx, c *Case, tgID int64, undoErr error) error {
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
}

// Recover settles what a stop left half-done: a reversal interrupted between the
// manager's confirmation and VK's answer (queued, or waiting for VK) goes back to the
// manager to try again, since only VK knows whether the call reached it. Call it at
// start, before RunReversals.
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

var (
	errNoUserToken       = &UndoError{Problem: UndoNoToken, Err: errors.New("no admin user token is configured for this community")}
	errPostNotRestorable = &UndoError{Problem: UndoNotPossible,
		Err: errors.New("VK cannot restore a deleted post: ask the author to post it again or repost it from the evidence")}
)

// UndoProblem says why modwatch could not undo an action itself. Messages name it in each
// person's language; the Reverser's own words (English, for the log) are only the detail.
type UndoProblem string

// Undo problems.
const (
	UndoNoToken      UndoProblem = "no_token"      // no token is configured for this reversal
	UndoTokenInvalid UndoProblem = "token_invalid" // VK says the token is no longer valid
	UndoNoRights     UndoProblem = "no_rights"     // the token lacks the right, or is the wrong kind
	UndoNotPossible  UndoProblem = "not_possible"  // VK has no way to undo this (a deleted wall post)
	UndoUnreachable  UndoProblem = "unreachable"   // VK did not answer
	UndoRefused      UndoProblem = "refused"       // VK refused for another reason; the detail says which
	UndoInterrupted  UndoProblem = "interrupted"   // modwatch stopped while asking VK
	UndoFailed       UndoProblem = "failed"        // the call to VK failed inside modwatch (a panic)
)

// UndoError is a Reverser's error that names its problem.
type UndoError struct {
	Problem UndoProblem
	Err     error
}

func (e *UndoError) Error() string { return e.Err.Error() }
func (e *UndoError) Unwrap() error { return e.Err }

// ProblemOf names the problem of a reversal's error; an error that does not say is a refusal.
func ProblemOf(err error) UndoProblem {
	var ue *UndoError
	if errors.As(err, &ue) {
		return ue.Problem
	}
	return UndoRefused
}

// Reverser undoes actions in VK.
type Reverser interface {
	// Unban lifts a user's ban in a community. An error means modwatch could not do it; its
	// text is shown to the manager, so it must say why in plain words.
	Unban(ctx context.Context, groupID, userVKID int64) error
	// Restore brings back a deleted comment or board post. VK's "already restored" (error
	// 243) is success. Errors as for Unban.
	Restore(ctx context.Context, item Ref) error
}
