package justify

import (
	"context"
	"errors"
	"fmt"
	"time"
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
			return s.settleReverse(tx, c, tgID, why, "")
		}
		return nil
	})
	if err == nil && c.State == StateReversing {
		s.begin(reversal{c: c, tgID: tgID}, false)
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

// finishReverse saves what became of a reversal (undoErr nil: undone; detail then says
// how modwatch knows) for the manager behind tgID, who confirmed it when they pressed.
func (s *Service) finishReverse(ctx context.Context, tgID int64, id CaseID, undoErr error, detail string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		c, err := tx.Case(id)
		if err != nil {
			return err
		}
		return s.settleReverse(tx, &c, tgID, undoErr, detail)
	})
}

// settleReverse closes a reversing case that VK undid, or leaves it to be undone by hand
// and tells the manager who reversed it why and what to do. VK's late word that it was
// done also closes a case already handed back to the manager.
func (s *Service) settleReverse(tx Tx, c *Case, tgID int64, undoErr error, detail string) error {
	now := s.now()
	if c.State != StateReversing && (c.State != StateUndoPending || undoErr != nil) {
		return nil // VK's confirmation already closed it, or it is back with the manager
	}
	if undoErr == nil {
		if detail == "" {
			detail = "undone through VK API"
		}
		if err := c.Reversed(now); err != nil {
			return err
		}
		return s.save(tx, c, Decision{Action: ActionReversed, Actor: c.ResolvedBy, TelegramID: tgID, Detail: detail}, MsgOutcome)
	}
	if err := c.UndoByHand(ProblemOf(undoErr), undoErr.Error()); err != nil {
		return err
	}
	if err := s.save(tx, c, Decision{Action: ActionUndoRequested, Actor: c.ResolvedBy, TelegramID: tgID, Detail: undoErr.Error()}); err != nil {
		return err
	}
	if tgID == 0 {
		return nil // nobody pressed in Telegram; the managers' copies show it
	}
	_, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: tgID, Kind: MsgUndoByHand, Created: now})
	return err
}

// Recover takes up what a stop left half-done: a reversal interrupted between the
// manager's confirmation and VK's answer. Only VK knows whether the call reached it, so
// RunReversals asks VK what it shows, without undoing anything: done closes the case,
// anything else hands it back to the manager to try again. Call it at start, before
// RunReversals; it only reads.
func (s *Service) Recover(ctx context.Context) error {
	left, err := s.underWay(ctx)
	if err != nil {
		return fmt.Errorf("list interrupted reversals: %w", err)
	}
	for _, u := range left {
		s.begin(reversal{c: u.c, tgID: u.tgID, orphan: true}, false)
	}
	return nil
}

// reversingCase is a case being reversed, with who started its reversal, and when.
type reversingCase struct {
	c     Case
	tgID  int64
	since time.Time
}

// underWay lists the cases being reversed.
func (s *Service) underWay(ctx context.Context) ([]reversingCase, error) {
	var out []reversingCase
	err := s.Store.View(ctx, func(tx Tx) error {
		cs, err := tx.CasesInState(StateReversing)
		if err != nil {
			return err
		}
		for _, c := range cs {
			tgID, at, err := reverseStarted(tx, c.ID)
			if err != nil {
				return err
			}
			out = append(out, reversingCase{c: c, tgID: tgID, since: at})
		}
		return nil
	})
	return out, err
}

// reverseStarted finds who started a case's latest reversal, and when.
func reverseStarted(tx Tx, id CaseID) (tgID int64, at time.Time, err error) {
	ds, err := tx.Decisions(id)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("read the trail of case %d: %w", id, err)
	}
	for _, d := range ds {
		if d.Action == ActionReverseStarted {
			tgID, at = d.TelegramID, d.At
		}
	}
	return tgID, at, nil
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
	UndoStuck        UndoProblem = "stuck"         // VK was not asked, or did not answer, for minutes
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

// UndoChecker looks up in VK whether an action is still in place, so that a reversal
// whose answer was lost, or never came, is settled by what VK shows.
type UndoChecker interface {
	// Banned reports whether a user is banned in a community now.
	Banned(ctx context.Context, groupID, userVKID int64) (bool, error)
	// Deleted reports whether a deleted comment or board post is still deleted now; it
	// returns an error when VK cannot say.
	Deleted(ctx context.Context, item Ref) (bool, error)
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
