package justify

import (
	"context"
	"fmt"
)

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
				op, ok := s.settings().People.ByName(c.Operator)
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
