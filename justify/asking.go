package justify

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Delivery is what became of an outbox message, as the sender tells the service: the
// moment a prompt reached its operator starts the case's deadline, and a message Telegram
// refused is recorded in the case's audit trail, and told to managers and owners when it
// reached nobody.
type Delivery struct {
	Message Message
	// To is the recipient's name; "" when the directory does not know them.
	To string
	// At is when Telegram took the message, or when the sender gave up on it.
	At time.Time
	// Refused is Telegram's reason for refusing the message as written; "" when it took
	// it. Unless Lost, the message then went in its short form, without anyone's words.
	Refused string
	// Lost is set when the message reached nobody.
	Lost bool
	// Unreachable is set when it was lost because Telegram lets the bot write nothing to
	// the person (403: they never pressed Start, or blocked the bot).
	Unreachable bool
	// TelegramMessageID is the message Telegram made of it, when delivered.
	TelegramMessageID int
	// Short is set when it was delivered in its short form (its edits go short too).
	Short bool
}

// prompt reports whether the message is what asks an operator for a reason: a case's or a
// batch's prompt, not an edit of one.
func (d Delivery) prompt() bool {
	m := d.Message
	return m.EditOf == 0 && (m.Kind == MsgPrompt || m.Kind == MsgBatchPrompt)
}

// Delivered records what became of a message, in one transaction:
//   - a prompt delivered, in either form, asks its case or every case of its batch: their
//     deadline and reminder run from d.At;
//   - a refusal is added to the audit trail of the message's case (of each case of its
//     batch); a refused edit only when it reached nobody, as the person then sees an older
//     state;
//   - a prompt that reached nobody sends its cases to the managers as "the operator could
//     not be asked", never as overdue;
//   - a message that reached nobody raises an alert to managers and owners, grouped per
//     recipient: AlertUnreachable for a person the bot cannot write to, AlertUndelivered
//     for a message Telegram refused in every form.
//
// Being told twice (a crash before the sender settled the message) is harmless: a case is
// asked and moved once, and the alert's count grows by one.
func (s *Service) Delivered(ctx context.Context, d Delivery) error {
	if !d.told() {
		return nil
	}
	if err := s.Store.Update(ctx, func(tx Tx) error { return s.delivered(tx, d) }); err != nil {
		return fmt.Errorf("record the delivery of message %d: %w", d.Message.ID, err)
	}
	return nil
}

// SentAll records messages that Telegram took, in one transaction for all of them: each
// is marked sent in the outbox and told as Delivered tells it, so that the case learns
// exactly when the message is settled, and a sender with a backlog settles a page of
// messages at once instead of waiting for the writer a few times a message. All or none
// are recorded. It returns the messages no longer in the outbox (an edit that a newer one
// replaced while it was sent), which change nothing.
func (s *Service) SentAll(ctx context.Context, ds []Delivery) ([]int64, error) {
	var missing []int64
	err := s.Store.Update(ctx, func(tx Tx) error {
		missing = missing[:0]
		for _, d := range ds {
			ok, err := tx.SettleSent(Sent{ID: d.Message.ID, TelegramMessageID: d.TelegramMessageID, At: d.At, Short: d.Short, Refused: d.Refused})
			if err != nil {
				return err
			}
			if !ok {
				missing = append(missing, d.Message.ID)
				continue
			}
			if !d.told() {
				continue
			}
			if err := s.delivered(tx, d); err != nil {
				return fmt.Errorf("message %d: %w", d.Message.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record %d messages sent: %w", len(ds), err)
	}
	return missing, nil
}

// told reports whether the service has anything to record of a delivery: most messages
// delivered as written change nothing.
func (d Delivery) told() bool {
	return d.prompt() || d.Refused != "" || d.Lost || d.Message.Kind == MsgSpotCheck
}

// delivered is Delivered's work inside tx.
func (s *Service) delivered(tx Tx, d Delivery) error {
	if d.At.IsZero() {
		d.At = s.now()
	}
	if d.To == "" {
		d.To = fmt.Sprintf("tg%d", d.Message.ChatID)
	}
	if d.Message.Kind == MsgSpotCheck && d.Message.EditOf == 0 {
		if err := s.spotDelivered(tx, d); err != nil { // qa.go
			return err
		}
	}
	if d.Refused != "" && (d.Lost || d.Message.EditOf == 0) {
		if err := s.recordRefusal(tx, d); err != nil {
			return err
		}
	}
	if d.prompt() && !d.Lost {
		return s.ask(tx, d.Message, d.At)
	}
	if d.prompt() {
		if err := s.notAsked(tx, d); err != nil {
			return err
		}
	}
	if d.Lost {
		return s.alertLost(tx, d)
	}
	return nil
}

// casesOf lists the cases a message is about: its case, or every case of its batch.
func casesOf(tx Tx, m Message) ([]Case, error) {
	switch {
	case m.CaseID != 0:
		c, err := tx.Case(m.CaseID)
		if err != nil {
			return nil, err
		}
		return []Case{c}, nil
	case m.BatchID != 0:
		return tx.BatchCases(m.BatchID, 0)
	}
	return nil, nil
}

// kindName names a message kind in the audit trail: "batch prompt".
func kindName(k MessageKind) string { return strings.ReplaceAll(string(k), "_", " ") }

func (s *Service) recordRefusal(tx Tx, d Delivery) error {
	cs, err := casesOf(tx, d.Message)
	if err != nil {
		return err
	}
	dec := Decision{Action: ActionShortForm, Actor: "modwatch", At: d.At,
		Detail: fmt.Sprintf("Telegram refused the %s to %s (%s); sent without anyone's words", kindName(d.Message.Kind), d.To, d.Refused)}
	if d.Lost {
		dec.Action = ActionUndelivered
		dec.Detail = fmt.Sprintf("the %s to %s was not delivered: %s", kindName(d.Message.Kind), d.To, d.Refused)
	}
	for _, c := range cs {
		dec.CaseID = c.ID
		if err := tx.AddDecision(dec); err != nil {
			return err
		}
	}
	return nil
}

// ask starts the deadline of the cases a delivered prompt asks about.
func (s *Service) ask(tx Tx, m Message, at time.Time) error {
	if m.BatchID != 0 {
		b, err := tx.Batch(m.BatchID)
		if err != nil {
			return err
		}
		if b.Ask(at) {
			if err := tx.SaveBatch(&b); err != nil {
				return err
			}
		}
	}
	cs, err := casesOf(tx, m)
	if err != nil {
		return err
	}
	for i := range cs {
		if cs[i].Ask(at) {
			if err := tx.SaveCase(&cs[i]); err != nil {
				return fmt.Errorf("save case %d: %w", cs[i].ID, err)
			}
		}
	}
	return nil
}

// notAsked sends the cases of a prompt that reached nobody to the managers, as cases whose
// operator could not be asked.
func (s *Service) notAsked(tx Tx, d Delivery) error {
	m := d.Message
	why := fmt.Sprintf("the operator could not be asked: the prompt to %s was not delivered", d.To)
	if m.BatchID != 0 {
		b, err := tx.Batch(m.BatchID)
		if err != nil || b.State != BatchOpen {
			return err
		}
		cs, err := tx.BatchCases(b.ID, 0)
		if err != nil {
			return err
		}
		for i := range cs {
			if !cs[i].CouldNotAsk() {
				continue
			}
			if err := tx.SaveCase(&cs[i]); err != nil {
				return fmt.Errorf("save case %d: %w", cs[i].ID, err)
			}
			if err := tx.AddDecision(Decision{CaseID: cs[i].ID, Action: ActionNotAsked, Actor: "modwatch", At: d.At,
				Detail: fmt.Sprintf("%s (batch %d)", why, b.ID)}); err != nil {
				return err
			}
		}
		b.State, b.NotAsked = BatchReview, true
		if err := tx.SaveBatch(&b); err != nil {
			return err
		}
		return s.sendBatchReviews(tx, b)
	}
	c, err := tx.Case(m.CaseID)
	if err != nil || !c.CouldNotAsk() {
		return err
	}
	if err := tx.SaveCase(&c); err != nil {
		return fmt.Errorf("save case %d: %w", c.ID, err)
	}
	if err := tx.AddDecision(Decision{CaseID: c.ID, Action: ActionNotAsked, Actor: "modwatch", At: d.At, Detail: why}); err != nil {
		return err
	}
	// Managers who hold the case already (a deleted unanswered request) see it refreshed;
	// the prompt that failed is left alone.
	shown, err := tx.MessagesOf(c.ID, MsgReview)
	if err != nil {
		return err
	}
	if len(shown) == 0 {
		return s.sendReviews(tx, c)
	}
	for _, r := range shown {
		if _, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: r.ChatID, Kind: MsgReview, EditOf: r.ID, Created: s.now()}); err != nil {
			return err
		}
	}
	return nil
}

// alertLost tells managers and owners that a message reached nobody, grouped per
// recipient. A lost copy of that very alert to that very person raises nothing, or the
// alert would chase itself.
func (s *Service) alertLost(tx Tx, d Delivery) error {
	m := d.Message
	a := Alert{Kind: AlertUndelivered, Key: fmt.Sprintf("undelivered:%d", m.ChatID), Subject: d.To, Count: 1,
		Detail: d.Refused, CaseID: m.CaseID, At: d.At, MessageKind: m.Kind}
	if d.Unreachable {
		a.Kind, a.Key = AlertUnreachable, fmt.Sprintf("unreachable:%d", m.ChatID)
	}
	if m.Kind == MsgAlert {
		if shown, err := ParseAlert(m.Payload); err == nil && shown.Key == a.Key {
			return nil
		}
	}
	if m.CaseID != 0 {
		c, err := tx.Case(m.CaseID)
		if err != nil {
			return err
		}
		a.GroupID = c.GroupID
	}
	return s.alert(tx, a)
}

// Ask records that the batch's prompt reached the operator at at: the batch's deadline and
// reminder run from then. It reports whether anything changed.
func (b *Batch) Ask(at time.Time) bool {
	if !b.AskedAt.IsZero() || b.State != BatchOpen {
		return false
	}
	runFromAsked(b.OpenedAt, at, &b.Deadline, &b.RemindAt)
	b.AskedAt = at
	return true
}

// DeadlineIfAsked is the batch's deadline if its prompt reaches the operator at at: its
// own once asked, else the time the operator is given counted from at.
func (b *Batch) DeadlineIfAsked(at time.Time) time.Time {
	if !b.AskedAt.IsZero() {
		return b.Deadline
	}
	return deadlineFrom(b.Deadline, b.OpenedAt, at)
}
