package justify

import (
	"errors"
	"fmt"
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
	// the others; someone acting outside their scope is, here, an admin nobody knows.
	op, known := set.People.ActorIn(ev.GroupID, ev.ActorVKID)
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
		detail = s.unknownAdminDetail(ev.GroupID, ev.ActorVKID)
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

// unknownAdminDetail says in the audit trail who acted in a community without being one
// of its people: an admin the config does not know, or a configured person acting
// outside their scope.
func (s *Service) unknownAdminDetail(groupID, actorVK int64) string {
	if p, ok := s.settings().People.ByVK(actorVK); ok && !p.Covers(groupID) {
		return fmt.Sprintf("unknown admin vk%d (%s, acting outside their communities)", actorVK, p.Name)
	}
	return fmt.Sprintf("unknown admin vk%d", actorVK)
}

// actorDetail names the person who acted, with their role, for the audit trail.
func actorDetail(c Case) string { return string(c.ActorRole) + " " + c.Operator }
