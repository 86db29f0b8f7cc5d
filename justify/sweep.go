package justify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultReversalTimeout is how long a case may stay reversing before SweepReversals
// settles it, when Service.ReversalTimeout is zero. A VK call gives up after 30 s, so a
// reversal still under way after five minutes is stuck, not slow.
const DefaultReversalTimeout = 5 * time.Minute

// SweepReversals settles every case that has been reversing for longer than
// ReversalTimeout, so that none stays without buttons and without an answer: its worker
// died, its answer cannot be saved, or VK never answered. A reversal that never reached
// VK is started once more. Otherwise, when VK's answer is known it is saved; when it is
// not, VK is asked what it shows (only VK knows whether an unban got through): done closes
// the case, anything else hands it back to the manager who reversed it, with the reason.
// The daemon runs it every justify.check_every.
func (s *Service) SweepReversals(ctx context.Context) error {
	timeout := s.settings().ReversalTimeout
	if timeout <= 0 {
		timeout = DefaultReversalTimeout
	}
	found, err := s.underWay(ctx)
	if err != nil {
		return fmt.Errorf("list reversals under way: %w", err)
	}
	now := s.now()
	var errs []error
	for _, r := range found {
		a, tracked := s.attempts.get(r.c.ID)
		if tracked && a.since.After(r.since) {
			r.since = a.since // a retry starts the clock again
		}
		if waited := now.Sub(r.since); waited >= timeout {
			errs = append(errs, s.sweep(ctx, reversal{c: r.c, tgID: r.tgID}, a, tracked, waited, timeout))
		}
	}
	return errors.Join(errs...)
}

// sweep settles one stuck reversal r, whose attempt in this process (if tracked) is a.
func (s *Service) sweep(ctx context.Context, r reversal, a attempt, tracked bool, waited, timeout time.Duration) error {
	res := ReversalResult{CaseID: r.c.ID, GroupID: r.c.GroupID, Waited: waited}
	var detail string
	switch {
	case !tracked || a.orphan:
		// No worker of this process holds it: an earlier run's, or its attempt was lost.
		detail, res.Undo = s.judgeByVK(ctx, r.c, UndoInterrupted, "the reversal was interrupted before VK answered")
	case a.phase == phaseAnswered:
		res.Undo = a.answer // VK answered long ago; saving the answer kept failing
	case !a.reached && !a.retried:
		return s.retry(ctx, r, waited, timeout)
	case !a.reached:
		res.Undo = &UndoError{Problem: UndoStuck,
			Err: fmt.Errorf("VK was not asked within %s, twice: other reversals in this community are waiting for VK", timeout)}
	default:
		detail, res.Undo = s.judgeByVK(ctx, r.c, UndoStuck, fmt.Sprintf("VK did not answer within %s", timeout))
	}
	if ctx.Err() != nil {
		return nil // stopping: the next start takes it up
	}
	// The old attempt's late answer now only counts if it says VK did it.
	s.attempts.forget(r.c.ID)
	res.Err = s.finishReverse(ctx, r.tgID, r.c.ID, res.Undo, detail)
	s.report(res)
	if res.Err != nil {
		return fmt.Errorf("settle the stuck reversal of case %d: %w", r.c.ID, res.Err)
	}
	return nil
}

// retry starts again a reversal that never reached VK, once: asking VK now is safe.
func (s *Service) retry(ctx context.Context, r reversal, waited, timeout time.Duration) error {
	err := s.Store.Update(ctx, func(tx Tx) error {
		c, err := tx.Case(r.c.ID)
		if err != nil {
			return err
		}
		if c.State != StateReversing {
			return errSettled
		}
		r.c = c
		return tx.AddDecision(Decision{CaseID: c.ID, Action: ActionReverseRetried, Actor: "modwatch", At: s.now(),
			Detail: fmt.Sprintf("VK had not been asked within %s; asking once more", timeout)})
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("retry the reversal of case %d: %w", r.c.ID, err)
	}
	s.begin(r, true)
	s.report(ReversalResult{CaseID: r.c.ID, GroupID: r.c.GroupID, Waited: waited, Retried: true})
	return nil
}

// errSettled stops a retry of a case that was settled meanwhile.
var errSettled = errors.New("the reversal was settled meanwhile")

// judgeByVK settles a reversal whose outcome is unknown by what VK shows: undone (a
// detail that says how modwatch knows, and no error), or an undo error of problem, saying
// what happened and what VK shows.
func (s *Service) judgeByVK(ctx context.Context, c Case, problem UndoProblem, what string) (detail string, undoErr error) {
	undone, err := s.undone(ctx, c)
	switch {
	case err != nil:
		return "", &UndoError{Problem: problem, Err: fmt.Errorf("%s; VK could not be checked: %w", what, err)}
	case undone:
		return what + "; VK shows it undone", nil
	}
	return "", &UndoError{Problem: problem, Err: fmt.Errorf("%s; VK shows it still in place", what)}
}

// undone asks VK whether c's action is undone now.
func (s *Service) undone(ctx context.Context, c Case) (undone bool, err error) {
	if s.Checker == nil {
		return false, errors.New("modwatch has no way to look VK up")
	}
	defer func() {
		if p := recover(); p != nil {
			undone, err = false, fmt.Errorf("the look-up in VK panicked: %v", p)
		}
	}()
	if c.IsDeletion() {
		deleted, err := s.Checker.Deleted(ctx, c.Item)
		return !deleted, err
	}
	banned, err := s.Checker.Banned(ctx, c.GroupID, c.UserVKID)
	return !banned, err
}
