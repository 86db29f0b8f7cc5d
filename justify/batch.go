package justify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// GroupRule says when an operator's actions stop getting a prompt each: past After
// actions of one kind in one community within Within, further cases join a batch that
// the operator justifies, and managers review, as one. Zero After turns grouping off.
type GroupRule struct {
	After  int
	Within time.Duration
}

// BatchID identifies a batch.
type BatchID int64

// BatchState is where a batch stands.
type BatchState string

// Batch states. A batch collects cases while open; once the operator gave the reason for
// all, or its deadline passed, it is before managers (review) and takes no more cases;
// it is closed once managers decided, or when its cases were taken out to be handled
// one by one.
const (
	BatchOpen   BatchState = "open"
	BatchReview BatchState = "review"
	BatchClosed BatchState = "closed"
)

// Batch is a wave of one operator's bans or deletions in one community, asked about and
// reviewed as one. Each member stays a case of its own, with its own decisions.
type Batch struct {
	ID      BatchID
	GroupID int64
	Kind    EventKind
	// Operator is the configured person who acted, and ActorRole their role then: a
	// manager's or owner's wave is asked about and reviewed like an operator's.
	Operator  string
	ActorRole Role
	ActorVKID int64
	State     BatchState
	OpenedAt  time.Time
	// AskedAt is when the batch's prompt reached the operator (zero: not yet). Deadline and
	// RemindAt are the first member's, run from AskedAt: the batch is escalated as one.
	AskedAt  time.Time
	Deadline time.Time
	RemindAt time.Time
	Reminded bool
	Overdue  bool
	// NotAsked: the prompt could not be delivered, and managers got the batch at once.
	NotAsked bool
	// Shown is the member count the operator's prompt was last asked to show.
	Shown       int
	Reason      Reason
	ReasonText  string
	JustifiedAt time.Time
	ResolvedBy  string
	ResolvedAt  time.Time
	// Split is true when the batch was closed by taking its cases out one by one.
	Split   bool
	Version int

	// Filled in by the store when it loads a batch.
	Members        int       // cases in the batch
	AwaitingReason int       // members still without a reason
	AwaitingReview int       // members before managers
	Approved       int       // members closed as approved
	FirstActed     time.Time // the first member's action
	LastActed      time.Time // the last member's action
}

// IsDeletion is true for a batch of deletions rather than bans.
func (b *Batch) IsDeletion() bool { return b.Kind == EventDelete }

// Span is how long the wave took, from the first member's action to the last.
func (b *Batch) Span() time.Duration { return b.LastActed.Sub(b.FirstActed) }

// groupCase puts a new case of a known operator into a batch when the operator's recent
// actions of its kind pass the grouping rule: the first case over the limit opens the
// batch and its one prompt, later ones join quietly. It reports whether c was batched;
// c is not stored yet.
func (s *Service) groupCase(tx Tx, c *Case, op Person) (bool, error) {
	set := s.settings()
	if set.Grouping.After <= 0 || c.Operator == "" || c.ActorVKID == 0 {
		return false, nil
	}
	n, err := tx.RecentActions(c.GroupID, c.ActorVKID, c.Kind, c.ActedAt.Add(-set.Grouping.Within))
	if err != nil {
		return false, fmt.Errorf("count recent %s by %s: %w", c.Kind, c.Operator, err)
	}
	if n <= set.Grouping.After {
		return false, nil
	}
	b, err := tx.OpenBatchFor(c.GroupID, c.Operator, c.Kind)
	if err == nil {
		c.BatchID = b.ID
		if !b.AskedAt.IsZero() {
			// The operator already holds the batch's prompt, which shows the new case too.
			c.AskedAt = s.now()
		}
		return true, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	now := s.now()
	b = Batch{GroupID: c.GroupID, Kind: c.Kind, Operator: c.Operator, ActorRole: c.ActorRole, ActorVKID: c.ActorVKID, State: BatchOpen,
		OpenedAt: now, Deadline: c.Deadline, RemindAt: c.RemindAt, Shown: 1}
	if err := tx.CreateBatch(&b); err != nil {
		return false, fmt.Errorf("create batch of %s by %s: %w", c.Kind, c.Operator, err)
	}
	c.BatchID = b.ID
	if _, err := tx.Enqueue(Message{BatchID: b.ID, ChatID: op.TelegramID, Kind: MsgBatchPrompt, Created: now}); err != nil {
		return false, err
	}
	return true, nil
}

// Batch loads a batch and up to names of its first cases, for showing it.
func (s *Service) Batch(ctx context.Context, id BatchID, names int) (Batch, []Case, error) {
	var b Batch
	var cs []Case
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if b, err = tx.Batch(id); err != nil {
			return err
		}
		if names > 0 {
			cs, err = tx.BatchCases(id, names)
		}
		return err
	})
	return b, cs, err
}

// changeBatch loads a batch and its cases, applies fn as the person behind tgID, and
// saves the batch, in one transaction: a batch of a thousand cases is one commit.
func (s *Service) changeBatch(ctx context.Context, tgID int64, id BatchID, fn func(Tx, Person, *Batch, []Case) error) (Batch, error) {
	p, ok := s.settings().People.ByTelegram(tgID)
	if !ok {
		return Batch{}, ErrForbidden
	}
	var out Batch
	err := s.Store.Update(ctx, func(tx Tx) error {
		b, err := tx.Batch(id)
		if err != nil {
			return err
		}
		cs, err := tx.BatchCases(id, 0)
		if err != nil {
			return err
		}
		if err := fn(tx, p, &b, cs); err != nil {
			return err
		}
		if err := tx.SaveBatch(&b); err != nil {
			return fmt.Errorf("save batch %d: %w", b.ID, err)
		}
		out, err = tx.Batch(id)
		return err
	})
	return out, err
}

// checkOperator lets only the person who acted, whatever their role, justify the batch,
// while its community is in their scope.
func (b *Batch) checkOperator(p Person) error {
	switch {
	case b.Operator == "" || p.Name != b.Operator:
		return ErrForbidden
	case !p.Covers(b.GroupID):
		return ErrOutOfScope
	}
	return nil
}

// checkDecider lets only the batch's deciders in people (never the person who acted)
// decide it, while it is before them.
func (b *Batch) checkDecider(p Person, people *Directory) error {
	if err := people.MayDecide(p, b.GroupID, b.Operator, b.ActorVKID); err != nil {
		return err
	}
	if b.State != BatchReview {
		return ErrWrongState
	}
	return nil
}

// JustifyBatch records one reason for every case of the batch still without one, each
// with its own decision, and puts the batch before managers as one review each.
func (s *Service) JustifyBatch(ctx context.Context, tgID int64, id BatchID, r Reason, text string) (Batch, error) {
	return s.changeBatch(ctx, tgID, id, func(tx Tx, p Person, b *Batch, cs []Case) error {
		if err := b.checkOperator(p); err != nil {
			return err
		}
		switch {
		case !r.Valid():
			return fmt.Errorf("%w %q", ErrBadReason, r)
		case r == ReasonOther && text == "":
			return ErrTextRequired
		case b.State == BatchClosed || b.Reason != "":
			return ErrWrongState
		}
		now := s.now()
		detail := string(r)
		if text != "" {
			detail += ": " + text
		}
		detail += fmt.Sprintf(" (for batch %d)", b.ID)
		for i := range cs {
			c := &cs[i]
			if c.Justified() || c.Justify(p, r, text, now) != nil {
				continue // decided, reversed or undone meanwhile: it keeps its own course
			}
			d := detail
			if c.JustifiedLate() {
				d += " (late)"
			}
			if err := tx.SaveCase(c); err != nil {
				return fmt.Errorf("save case %d: %w", c.ID, err)
			}
			if err := tx.AddDecision(Decision{CaseID: c.ID, Action: ActionJustified, Actor: p.Name, TelegramID: tgID, At: now, Detail: d}); err != nil {
				return err
			}
		}
		if err := tx.ClearPendingInput(tgID); err != nil {
			return err
		}
		b.Reason, b.ReasonText, b.JustifiedAt = r, text, now
		wasReview := b.State == BatchReview
		b.State = BatchReview
		if err := s.refreshBatch(tx, b.ID, MsgBatchPrompt, MsgBatchReview); err != nil {
			return err
		}
		if wasReview {
			return nil // managers already hold it; their copies were refreshed
		}
		return s.sendBatchReviews(tx, *b)
	})
}

// AskBatchText remembers that the operator owes one text for the whole batch, for reason
// r, and asks for it.
func (s *Service) AskBatchText(ctx context.Context, tgID int64, id BatchID, r Reason) error {
	_, err := s.changeBatch(ctx, tgID, id, func(tx Tx, p Person, b *Batch, _ []Case) error {
		if err := b.checkOperator(p); err != nil {
			return err
		}
		if !r.Valid() {
			return ErrBadReason
		}
		if b.State == BatchClosed || b.Reason != "" {
			return ErrWrongState
		}
		if err := tx.SetPendingInput(PendingInput{TelegramID: tgID, BatchID: b.ID, Reason: r, Created: s.now()}); err != nil {
			return err
		}
		_, err := tx.Enqueue(Message{BatchID: b.ID, ChatID: tgID, Kind: MsgBatchAskText, Created: s.now()})
		return err
	})
	return err
}

// SplitBatch is the operator's "one by one": every case of the open batch leaves it and
// gets a prompt of its own (the sender paces them), and the batch is closed.
func (s *Service) SplitBatch(ctx context.Context, tgID int64, id BatchID) (Batch, error) {
	return s.changeBatch(ctx, tgID, id, func(tx Tx, p Person, b *Batch, cs []Case) error {
		if err := b.checkOperator(p); err != nil {
			return err
		}
		if b.State != BatchOpen {
			return ErrWrongState
		}
		now := s.now()
		for i := range cs {
			c := &cs[i]
			if c.State != StateAwaitingReason {
				continue
			}
			if err := s.unbatch(tx, c, p.Name, tgID); err != nil {
				return err
			}
			if _, err := tx.Enqueue(Message{CaseID: c.ID, ChatID: tgID, Kind: MsgPrompt, Created: now}); err != nil {
				return err
			}
		}
		b.State, b.Split, b.ResolvedBy, b.ResolvedAt = BatchClosed, true, p.Name, now
		return s.refreshBatch(tx, b.ID, MsgBatchPrompt)
	})
}

// ApproveBatch lets every action of the batch before managers stand, each case with its
// own decision, and tells the operator once.
func (s *Service) ApproveBatch(ctx context.Context, tgID int64, id BatchID) (Batch, error) {
	set := s.settings()
	return s.changeBatch(ctx, tgID, id, func(tx Tx, p Person, b *Batch, cs []Case) error {
		if err := b.checkDecider(p, set.People); err != nil {
			return err
		}
		now := s.now()
		for i := range cs {
			c := &cs[i]
			if c.State != StateAwaitingReview || c.Approve(p, set.People, now) != nil {
				continue
			}
			if err := tx.SaveCase(c); err != nil {
				return fmt.Errorf("save case %d: %w", c.ID, err)
			}
			if err := tx.AddDecision(Decision{CaseID: c.ID, Action: ActionApproved, Actor: p.Name, TelegramID: tgID, At: now,
				Detail: fmt.Sprintf("with batch %d", b.ID)}); err != nil {
				return err
			}
		}
		b.State, b.ResolvedBy, b.ResolvedAt = BatchClosed, p.Name, now
		if err := s.refreshBatch(tx, b.ID, MsgBatchPrompt, MsgBatchReview); err != nil {
			return err
		}
		if op, ok := set.People.ByName(b.Operator); ok {
			if _, err := tx.Enqueue(Message{BatchID: b.ID, ChatID: op.TelegramID, Kind: MsgBatchOutcome, Created: now}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReviewBatchOneByOne is the managers' "one by one": every case of the batch before them
// leaves it and gets the normal review, and the batch is closed.
func (s *Service) ReviewBatchOneByOne(ctx context.Context, tgID int64, id BatchID) (Batch, error) {
	return s.changeBatch(ctx, tgID, id, func(tx Tx, p Person, b *Batch, cs []Case) error {
		if err := b.checkDecider(p, s.settings().People); err != nil {
			return err
		}
		for i := range cs {
			c := &cs[i]
			if c.State != StateAwaitingReview {
				continue
			}
			if err := s.unbatch(tx, c, p.Name, tgID); err != nil {
				return err
			}
			if err := s.sendReviews(tx, *c); err != nil {
				return err
			}
		}
		b.State, b.Split, b.ResolvedBy, b.ResolvedAt = BatchClosed, true, p.Name, s.now()
		return s.refreshBatch(tx, b.ID, MsgBatchPrompt, MsgBatchReview)
	})
}

// unbatch takes a case out of its batch, so that it is handled on its own from now on.
func (s *Service) unbatch(tx Tx, c *Case, actor string, tgID int64) error {
	from := c.BatchID
	c.BatchID = 0
	if err := tx.SaveCase(c); err != nil {
		return fmt.Errorf("save case %d: %w", c.ID, err)
	}
	return tx.AddDecision(Decision{CaseID: c.ID, Action: ActionUnbatched, Actor: actor, TelegramID: tgID, At: s.now(),
		Detail: fmt.Sprintf("out of batch %d, one by one", from)})
}

// refreshBatch edits every message already showing the batch, of the kinds given.
func (s *Service) refreshBatch(tx Tx, id BatchID, kinds ...MessageKind) error {
	now := s.now()
	for _, kind := range kinds {
		shown, err := tx.BatchMessages(id, kind)
		if err != nil {
			return err
		}
		for _, m := range shown {
			if _, err := tx.Enqueue(Message{BatchID: id, ChatID: m.ChatID, Kind: kind, EditOf: m.ID, Created: now}); err != nil {
				return err
			}
		}
	}
	return nil
}

// tickBatch advances a batch some of whose cases are due: the batch is reminded once and
// escalated once, for all its cases, at its first case's times.
func (s *Service) tickBatch(ctx context.Context, id BatchID, now time.Time) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		b, err := tx.Batch(id)
		if err != nil || b.State != BatchOpen {
			return err
		}
		cs, err := tx.BatchCases(id, 0)
		if err != nil {
			return err
		}
		switch {
		case !now.Before(b.Deadline):
			for i := range cs {
				c := &cs[i]
				if c.State != StateAwaitingReason {
					continue
				}
				// The batch's deadline is its first case's: later ones go with it.
				c.State, c.Overdue = StateAwaitingReview, true
				if err := tx.SaveCase(c); err != nil {
					return fmt.Errorf("save case %d: %w", c.ID, err)
				}
				if err := tx.AddDecision(Decision{CaseID: c.ID, Action: ActionOverdue, Actor: "modwatch", At: now,
					Detail: fmt.Sprintf("no reason by the deadline of batch %d", b.ID)}); err != nil {
					return err
				}
			}
			b.State, b.Overdue = BatchReview, true
			if err := tx.SaveBatch(&b); err != nil {
				return err
			}
			if err := s.refreshBatch(tx, b.ID, MsgBatchPrompt); err != nil {
				return err
			}
			return s.sendBatchReviews(tx, b)
		case !b.Reminded && !b.RemindAt.IsZero() && !now.Before(b.RemindAt):
			for i := range cs {
				c := &cs[i]
				if c.State != StateAwaitingReason || c.Reminded {
					continue
				}
				c.Reminded = true
				if err := tx.SaveCase(c); err != nil {
					return fmt.Errorf("save case %d: %w", c.ID, err)
				}
			}
			b.Reminded = true
			if err := tx.SaveBatch(&b); err != nil {
				return err
			}
			op, ok := s.settings().People.ByName(b.Operator)
			if !ok {
				return nil
			}
			_, err := tx.Enqueue(Message{BatchID: b.ID, ChatID: op.TelegramID, Kind: MsgBatchReminder, Created: now})
			return err
		}
		return nil
	})
}

// showBatchGrowth edits the prompt of every open batch that grew since it was last
// shown. The edit renders the batch as it is when sent, and a newer edit replaces an
// unsent one, so a wave of a thousand bans costs the operator a few edits, not a thousand.
func (s *Service) showBatchGrowth(ctx context.Context) error {
	grown := false
	if err := s.Store.View(ctx, func(tx Tx) error {
		open, err := tx.BatchesInState(BatchOpen)
		for _, b := range open {
			grown = grown || b.Members != b.Shown
		}
		return err
	}); err != nil {
		return fmt.Errorf("list open batches: %w", err)
	}
	if !grown {
		return nil // no write transaction on every tick
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		open, err := tx.BatchesInState(BatchOpen)
		if err != nil {
			return fmt.Errorf("list open batches: %w", err)
		}
		for _, b := range open {
			if b.Members == b.Shown {
				continue
			}
			b.Shown = b.Members
			if err := tx.SaveBatch(&b); err != nil {
				return err
			}
			if err := s.refreshBatch(tx, b.ID, MsgBatchPrompt); err != nil {
				return err
			}
		}
		return nil
	})
}
