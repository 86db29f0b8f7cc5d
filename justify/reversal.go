package justify

import (
	"context"
	"errors"
	"fmt"
)

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
