package justify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

func (s *Service) openBanCase(tx Tx, ev Event) (CaseID, error) {
	set := s.settings()
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
		Source: ev.Source, OpenedAt: now, Deadline: now.Add(set.Deadline),
		State: StateAwaitingReason,
	}
	if set.RemindBefore > 0 && set.RemindBefore < set.Deadline {
		c.RemindAt = c.Deadline.Add(-set.RemindBefore)
	}
	// A manager or owner who moderates too is asked like an operator, and reviewed by
	// the others.
	op, known := set.People.ByVK(ev.ActorVKID)
	if known {
		c.Operator, c.ActorRole = op.Name, op.Role
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
	detail := actorDetail(c)
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

// applyUnban closes the open ban case of a user VK reports unbanned: by modwatch's own
// reversal, by hand in VK, or because the ban ran out.
func (s *Service) applyUnban(tx Tx, ev Event) error {
	c, err := tx.OpenCaseFor(ev.GroupID, ev.UserVKID, EventBan)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	wasReversing := c.State == StateReversing
	if err := c.UndoneInVK(ev.Expired, s.now()); err != nil {
		return err
	}
	d := Decision{Action: ActionUndoneInVK, Actor: "VK", Detail: "unbanned in VK"}
	switch {
	case wasReversing:
		d = Decision{Action: ActionReversed, Actor: c.ResolvedBy, Detail: "undone through VK API; VK confirmed"}
	case ev.Expired:
		d.Detail = "ban expired"
	}
	return s.save(tx, &c, d, MsgOutcome)
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

// actorDetail names the person who acted, with their role, for the audit trail.
func actorDetail(c Case) string { return string(c.ActorRole) + " " + c.Operator }
