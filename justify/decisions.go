package justify

import (
	"context"
	"errors"
	"time"
)

// Action names an entry of a case's audit trail.
type Action string

// Audit trail actions.
const (
	ActionOpened         Action = "opened"
	ActionReminded       Action = "reminded"
	ActionOverdue        Action = "overdue"
	ActionJustified      Action = "justified"
	ActionExplained      Action = "explained"
	ActionApproved       Action = "approved"
	ActionReverseStarted Action = "reverse_started"
	// ActionReverseRetried: modwatch started a reversal again that had not reached VK.
	ActionReverseRetried Action = "reverse_retried"
	ActionReversed       Action = "reversed"
	ActionUndoRequested  Action = "undo_requested"
	ActionUndoneInVK     Action = "undone_in_vk"
	// ActionUnbatched: the case left its batch to be handled one by one.
	ActionUnbatched Action = "unbatched"
	// ActionSevere: a vanished post's case became severe, an admin having acted on its
	// author around the time it vanished.
	ActionSevere Action = "severe"
	// ActionShortForm: Telegram refused a message about the case as written, and it went
	// in its short form, without anyone's words.
	ActionShortForm Action = "short_form"
	// ActionUndelivered: a message about the case reached nobody: Telegram refused it in
	// every form, or its recipient cannot be written to.
	ActionUndelivered Action = "undelivered"
	// ActionNotAsked: the operator's prompt was never delivered, so the case went to the
	// managers without a reason being owed (never as overdue).
	ActionNotAsked Action = "not_asked"
)

// Decision is one append-only entry of a case's audit trail: who did what, when, and from
// which Telegram account.
type Decision struct {
	ID         int64
	CaseID     CaseID
	Action     Action
	Actor      string // a person's name, "modwatch" or "VK"
	TelegramID int64  // 0 when the action did not come from Telegram
	At         time.Time
	Detail     string
}

// Justify records the reason of the person who acted (an operator, or a manager or owner
// who moderates too), given from Telegram account tgID.
func (s *Service) Justify(ctx context.Context, tgID int64, id CaseID, r Reason, text string) (Case, error) {
	return s.change(ctx, tgID, id, func(tx Tx, p Person, c *Case) error {
		wasOverdue := c.Overdue
		if err := c.Justify(p, r, text, s.now()); err != nil {
			return err
		}
		if err := tx.ClearPendingInput(tgID); err != nil {
			return err
		}
		detail := string(r)
		if text != "" {
			detail += ": " + text
		}
		if c.JustifiedLate() {
			detail += " (late)"
		}
		if err := s.save(tx, c, Decision{Action: ActionJustified, Actor: p.Name, TelegramID: tgID, Detail: detail}); err != nil {
			return err
		}
		shown, err := tx.MessagesOf(c.ID, MsgReview)
		if err != nil {
			return err
		}
		if wasOverdue || len(shown) > 0 {
			return nil // managers already hold the case; save refreshed their copies
		}
		return s.sendReviews(tx, *c)
	})
}

// AskText remembers that the operator owes a text for case id (for reason r, or for the
// reason already given when r is empty) and asks for it.
func (s *Service) AskText(ctx context.Context, tgID int64, id CaseID, r Reason) error {
	_, err := s.change(ctx, tgID, id, func(tx Tx, p Person, c *Case) error {
		if err := c.checkActor(p); err != nil {
			return err
		}
		if r != "" && !r.Valid() {
			return ErrBadReason
		}
		if !c.Open() || c.State == StateUndoPending || (c.State == StateAwaitingReview && c.Justified() == (r != "")) {
			return ErrWrongState
		}
		if err := tx.SetPendingInput(PendingInput{TelegramID: tgID, CaseID: c.ID, Reason: r, Created: s.now()}); err != nil {
			return err
		}
		_, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: tgID, Kind: MsgAskText, Created: s.now()})
		return err
	})
	return err
}

// ErrNoPendingInput means a text arrived that the bot had not asked for.
var ErrNoPendingInput = errors.New("no text was asked for")

// Text handles a text a person sent the bot: the explanation it asked for, if any.
func (s *Service) Text(ctx context.Context, tgID int64, text string) (Case, error) {
	var in PendingInput
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		in, err = tx.PendingInput(tgID)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return Case{}, ErrNoPendingInput
	}
	if err != nil {
		return Case{}, err
	}
	if in.BatchID != 0 {
		_, err := s.JustifyBatch(ctx, tgID, in.BatchID, in.Reason, text)
		return Case{}, err
	}
	if in.Reason != "" {
		return s.Justify(ctx, tgID, in.CaseID, in.Reason, text)
	}
	return s.change(ctx, tgID, in.CaseID, func(tx Tx, p Person, c *Case) error {
		if err := c.Explain(p, text); err != nil {
			return err
		}
		if err := tx.ClearPendingInput(tgID); err != nil {
			return err
		}
		return s.save(tx, c, Decision{Action: ActionExplained, Actor: p.Name, TelegramID: tgID, Detail: text})
	})
}

// Approve lets the action stand.
func (s *Service) Approve(ctx context.Context, tgID int64, id CaseID) (Case, error) {
	return s.change(ctx, tgID, id, func(tx Tx, p Person, c *Case) error {
		if err := c.Approve(p, s.settings().People, s.now()); err != nil {
			return err
		}
		return s.save(tx, c, Decision{Action: ActionApproved, Actor: p.Name, TelegramID: tgID}, MsgOutcome)
	})
}
