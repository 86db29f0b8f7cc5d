package justify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// WaveRule says when one admin's actions are a wave: Count or more within Within.
type WaveRule struct {
	Count  int
	Within time.Duration
}

// Evidence is what a case's messages show besides the case itself.
type Evidence struct {
	// Ticket is the deleted item's ticket; nil when modwatch never saw it written.
	Ticket *Ticket
	// UserTickets are the customer's tickets in the community, unanswered first.
	UserTickets []Ticket
}

// Evidence loads what the prompt and review of case c show: the deleted words, and what
// the customer asked before.
func (s *Service) Evidence(ctx context.Context, c Case) (Evidence, error) {
	var ev Evidence
	err := s.Store.View(ctx, func(tx Tx) error {
		if c.Item.Place != "" {
			t, err := tx.Ticket(c.Item.Key())
			switch {
			case err == nil:
				ev.Ticket = &t
			case !errors.Is(err, ErrNotFound):
				return err
			}
		}
		if c.UserVKID > 0 {
			ts, err := tx.TicketsOf(c.GroupID, c.UserVKID, 10)
			if err != nil {
				return err
			}
			ev.UserTickets = ts
		}
		return nil
	})
	if err != nil {
		return ev, fmt.Errorf("load evidence of case %d: %w", c.ID, err)
	}
	return ev, nil
}

// applyTicketEvent records what customers write and what the community answers.
func (s *Service) applyTicketEvent(tx Tx, ev Event) error {
	switch ev.Kind {
	case EventWrite:
		t := *ev.Ticket
		if t.Ref.GroupID == 0 {
			t.Ref.GroupID = ev.GroupID
		}
		_, err := tx.UpsertTicket(&t)
		return err
	case EventEdit:
		_, err := tx.EditTicket(ev.Ticket.Key, ev.Ticket.Text, ev.At)
		if errors.Is(err, ErrNotFound) {
			// Written before modwatch watched: keep the edited words as the ticket.
			t := *ev.Ticket
			_, err = tx.UpsertTicket(&t)
		}
		return err
	case EventAnswer:
		if ev.ReplyTo.ItemID != 0 {
			n, err := tx.MarkAnswered(ev.ReplyTo, false, ev.ActorVKID, ev.At)
			if err != nil || n > 0 {
				return err
			}
		}
		_, err := tx.MarkAnswered(ev.Item, true, ev.ActorVKID, ev.At)
		return err
	}
	return nil
}

// applyDeletion records a deleted item and opens a case unless the author deleted it.
func (s *Service) applyDeletion(tx Tx, ev Event) (CaseID, error) {
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
		OpenedAt: now, Deadline: now.Add(s.Deadline), State: StateAwaitingReason,
	}
	if known {
		c.UserVKID, c.UserName = t.AuthorVKID, t.AuthorName
		c.Severe = t.Open()
	}
	if s.RemindBefore > 0 && s.RemindBefore < s.Deadline {
		c.RemindAt = c.Deadline.Add(-s.RemindBefore)
	}
	op, isOperator := s.People.OperatorByVK(ev.ActorVKID)
	if isOperator && ev.Kind == EventDelete {
		c.Operator = op.Name
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
	detail := "operator " + c.Operator
	switch {
	case ev.Kind == EventVanished:
		detail = "post vanished; VK does not say who deleted it"
	case !isOperator && ev.ActorVKID == 0:
		detail = "VK did not say who deleted it"
	case !isOperator:
		detail = fmt.Sprintf("unknown admin vk%d", ev.ActorVKID)
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
	if !isOperator && ev.ActorVKID > 0 {
		if err := s.alert(tx, Alert{Kind: AlertUnknownAdmin, GroupID: c.GroupID, Key: fmt.Sprintf("unknown_admin:%d:%d", c.GroupID, c.ActorVKID),
			ActorVKID: c.ActorVKID, Subject: fmt.Sprintf("vk%d", c.ActorVKID), Count: 1, Detail: string(ev.Kind), CaseID: c.ID, At: now}); err != nil {
			return 0, err
		}
	}
	if c.Severe {
		// One key per admin and community: a raid of deletions is one alert whose count
		// grows, not one alert per comment (each case still has its own review).
		if err := s.alert(tx, Alert{Kind: AlertDeletedRequest, GroupID: c.GroupID, Key: fmt.Sprintf("deleted_request:%d:%d", c.GroupID, c.ActorVKID),
			Subject: c.Operator, ActorVKID: c.ActorVKID, CaseID: c.ID, Detail: ticketText(t, known), At: now}); err != nil {
			return 0, err
		}
	}
	return c.ID, nil
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

// checkWave alerts managers and owners when one admin's actions of a kind pile up.
func (s *Service) checkWave(tx Tx, ev Event) error {
	if s.Wave.Count <= 0 || ev.ActorVKID == 0 {
		return nil
	}
	n, err := tx.RecentActions(ev.GroupID, ev.ActorVKID, ev.Kind, ev.At.Add(-s.Wave.Within))
	if err != nil || n < s.Wave.Count {
		return err
	}
	subject := fmt.Sprintf("vk%d", ev.ActorVKID)
	if op, ok := s.People.OperatorByVK(ev.ActorVKID); ok {
		subject = op.Name
	}
	return s.alert(tx, Alert{Kind: AlertWave, GroupID: ev.GroupID, Key: fmt.Sprintf("wave:%d:%d:%s", ev.GroupID, ev.ActorVKID, ev.Kind),
		Subject: subject, ActorVKID: ev.ActorVKID, Count: n, Detail: string(ev.Kind), At: ev.At})
}

// Alert sends an alert to managers and owners, grouped with earlier ones of its key.
func (s *Service) Alert(ctx context.Context, a Alert) error {
	if a.At.IsZero() {
		a.At = s.now()
	}
	return s.Store.Update(ctx, func(tx Tx) error { return s.alert(tx, a) })
}

func (s *Service) alert(tx Tx, a Alert) error {
	window := s.AlertWindow
	if window <= 0 {
		window = DefaultAlertWindow
	}
	g, first, err := tx.NoteAlert(a, window)
	if err != nil {
		return fmt.Errorf("note alert %s: %w", a.Key, err)
	}
	now := s.now()
	if !first {
		shown, err := tx.AlertMessages(a.Key)
		if err != nil {
			return err
		}
		for _, m := range shown {
			if _, err := tx.Enqueue(Message{ChatID: m.ChatID, Kind: MsgAlert, EditOf: m.ID, Created: now, Payload: g.Alert.Payload()}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, role := range []Role{RoleManager, RoleOwner} {
		for _, p := range s.People.WithRole(role) {
			if _, err := tx.Enqueue(Message{ChatID: p.TelegramID, Kind: MsgAlert, Created: now, Payload: g.Alert.Payload()}); err != nil {
				return err
			}
		}
	}
	return nil
}
