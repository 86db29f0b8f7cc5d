package justify

import (
	"errors"
	"fmt"
)

// applyDeletion records a deleted item and opens a case unless the author deleted it.
func (s *Service) applyDeletion(tx Tx, ev Event) (CaseID, error) {
	set := s.settings()
	key := ev.Item.Key()
	t, err := tx.Ticket(key)
	known := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	if known {
		if err := tx.MarkDeleted(key, ev.ActorVKID, ev.At); err != nil {
			return 0, err
		}
		if ev.ActorVKID != 0 && ev.ActorVKID == t.AuthorVKID {
			return 0, nil // the customer took back their own words
		}
	}
	if !known && ev.ActorVKID != 0 && ev.ActorVKID == ev.UserVKID {
		return 0, nil
	}
	if ev.Kind == EventDelete && ev.ActorVKID < 0 {
		// The community deleting its own reply: not a customer's words.
		return 0, nil
	}
	now := s.now()
	c := Case{
		GroupID: ev.GroupID, EventKey: ev.Key, Kind: ev.Kind, ActorVKID: ev.ActorVKID,
		UserVKID: ev.UserVKID, ActedAt: ev.At, Source: ev.Source, Item: ev.Item,
		OpenedAt: now, Deadline: now.Add(set.Deadline), State: StateAwaitingReason,
	}
	if known {
		c.UserVKID, c.UserName = t.AuthorVKID, t.AuthorName
		c.Severe = t.Open()
		if c.Severe && ev.Kind == EventVanished {
			// The author may have deleted their own post: severe only if an admin acted
			// on them around then.
			if c.Severe, err = s.vanishedSevere(tx, c.GroupID, c.UserVKID, ev.At); err != nil {
				return 0, err
			}
		}
	}
	if set.RemindBefore > 0 && set.RemindBefore < set.Deadline {
		c.RemindAt = c.Deadline.Add(-set.RemindBefore)
	}
	op, isKnown := set.People.ActorIn(ev.GroupID, ev.ActorVKID)
	if isKnown && ev.Kind == EventDelete {
		c.Operator, c.ActorRole = op.Name, op.Role
	} else {
		c.State = StateAwaitingReview
	}
	batched := false
	if !c.Severe {
		// A deleted unanswered request keeps its own prompt and goes to managers at once.
		var err error
		if batched, err = s.groupCase(tx, &c, op); err != nil {
			return 0, err
		}
	}
	if err := tx.CreateCase(&c); err != nil {
		return 0, fmt.Errorf("create deletion case: %w", err)
	}
	detail := actorDetail(c)
	switch {
	case ev.Kind == EventVanished && c.Severe:
		detail = "post vanished; unknown who deleted it: the author or an admin; an admin acted on the author within " +
			VanishedWithin.String()
	case ev.Kind == EventVanished:
		detail = "post vanished; unknown who deleted it: the author or an admin"
	case !isKnown && ev.ActorVKID == 0:
		detail = "VK did not say who deleted it"
	case !isKnown:
		detail = s.unknownAdminDetail(ev.GroupID, ev.ActorVKID)
	}
	if c.Severe {
		detail += "; the request was unanswered"
	}
	if batched {
		detail += fmt.Sprintf("; in batch %d", c.BatchID)
	}
	if err := tx.AddDecision(Decision{CaseID: c.ID, Action: ActionOpened, Actor: "modwatch", At: now, Detail: detail}); err != nil {
		return 0, err
	}
	if c.Operator != "" && !batched {
		if _, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: op.TelegramID, Kind: MsgPrompt, Created: now}); err != nil {
			return 0, err
		}
	}
	// Managers see unknown admins' deletions, vanished posts and deleted unanswered
	// requests at once; the rest after the reason or the deadline.
	if c.Operator == "" || c.Severe {
		if err := s.sendReviews(tx, c); err != nil {
			return 0, err
		}
	}
	if !isKnown && ev.ActorVKID > 0 {
		if err := s.alert(tx, Alert{Kind: AlertUnknownAdmin, GroupID: c.GroupID, Key: fmt.Sprintf("unknown_admin:%d:%d", c.GroupID, c.ActorVKID),
			ActorVKID: c.ActorVKID, Subject: fmt.Sprintf("vk%d", c.ActorVKID), Count: 1, Detail: string(ev.Kind), CaseID: c.ID, At: now}); err != nil {
			return 0, err
		}
	}
	if c.Severe {
		if err := s.alertDeletedRequest(tx, c, ticketText(t, known)); err != nil {
			return 0, err
		}
	}
	return c.ID, nil
}

// alertDeletedRequest tells managers and owners that a severe deletion case was opened:
// text is the deleted words. One key per admin and community: a raid of deletions is one
// alert whose count grows, not one alert per comment (each case still has its own
// review). Vanished posts, whose deleter nobody knows, have a key of their own.
func (s *Service) alertDeletedRequest(tx Tx, c Case, text string) error {
	key := fmt.Sprintf("deleted_request:%d:%d", c.GroupID, c.ActorVKID)
	if c.Kind == EventVanished {
		key = fmt.Sprintf("deleted_request:%d:vanished", c.GroupID)
	}
	return s.alert(tx, Alert{Kind: AlertDeletedRequest, GroupID: c.GroupID, Key: key, Subject: c.Operator,
		ActorVKID: c.ActorVKID, CaseID: c.ID, Detail: text, At: s.now(), Vanished: c.Kind == EventVanished})
}

func ticketText(t Ticket, known bool) string {
	if !known {
		return ""
	}
	return t.Text
}

// applyRestore closes the open case of a restored item.
func (s *Service) applyRestore(tx Tx, ev Event) error {
	if err := tx.MarkRestored(ev.Item.Key()); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	c, err := tx.OpenCaseForItem(ev.Item)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	wasReversing := c.State == StateReversing
	if err := c.UndoneInVK(false, s.now()); err != nil {
		return err
	}
	d := Decision{Action: ActionUndoneInVK, Actor: "VK", Detail: "restored in VK"}
	if wasReversing {
		d = Decision{Action: ActionReversed, Actor: c.ResolvedBy, Detail: "restored through VK API; VK confirmed"}
	}
	return s.save(tx, &c, d, MsgOutcome)
}
