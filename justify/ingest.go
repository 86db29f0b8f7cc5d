package justify

import (
	"context"
	"fmt"
	"time"
)

// batchTx is the transaction of one batch of events (a long-poll answer, a reconciled ban
// list): work that several events of the batch would each repeat is collected here and
// done once when the batch ends (finish), before the position after it is saved.
type batchTx struct {
	Tx
	// rebuild holds the conversations the batch changed, each with the earliest moment a
	// change touched; order keeps them in the order first touched, so that a batch is
	// rebuilt the same way every time.
	rebuild map[string]time.Time
	order   []string
	// waves holds the admins' bans and deletions of the batch, by admin and kind in the
	// order first seen, for the wave check at its end (waves.go).
	waves [][]Event
}

// waveLater keeps ev for the batch's wave check.
func (b *batchTx) waveLater(ev Event) {
	for i, evs := range b.waves {
		if e := evs[0]; e.GroupID == ev.GroupID && e.ActorVKID == ev.ActorVKID && e.Kind == ev.Kind {
			b.waves[i] = append(evs, ev)
			return
		}
	}
	b.waves = append(b.waves, []Event{ev})
}

func newBatchTx(tx Tx) *batchTx { return &batchTx{Tx: tx, rebuild: map[string]time.Time{}} }

// later notes that conv must be rebuilt from t.
func (b *batchTx) later(conv string, t time.Time) {
	old, ok := b.rebuild[conv]
	if !ok {
		b.order = append(b.order, conv)
	}
	if !ok || t.Before(old) {
		b.rebuild[conv] = t
	}
}

// rebuildSoon rebuilds conv from t: at the end of the batch when tx is a batch's, so that
// a conversation the batch touches many times is rebuilt once, else at once.
func (s *Service) rebuildSoon(tx Tx, conv string, t time.Time) error {
	if b, ok := tx.(*batchTx); ok {
		b.later(conv, t)
		return nil
	}
	return s.rebuildConversation(tx, conv, t)
}

// finish does the batch's collected work: each conversation it changed is rebuilt once,
// from the earliest moment a change touched, which gives the dialogs that rebuilding
// after every message would have (TestBatchRebuildsLikeOneByOne), and the waves are
// checked.
func (s *Service) finish(b *batchTx) error {
	if err := s.wavesOfBatch(b); err != nil {
		return err
	}
	for _, conv := range b.order {
		if err := s.rebuildConversation(b.Tx, conv, b.rebuild[conv]); err != nil {
			return err
		}
	}
	b.order, b.rebuild = nil, map[string]time.Time{}
	return nil
}

// bulkChunk bounds the events of one transaction of an answer's bulk: the writer is
// held for tens of milliseconds at a time, so what opens a case in another community, or
// the sender's bookkeeping, waits at most that long behind a burst.
const bulkChunk = 256

// IngestPoll records one long-poll answer: its events as Ingest does, the updates that
// could not be decoded (kept, with an alert; see Quarantined), and the position after it.
//
// What people must be asked about goes first: the events that open or close cases (bans,
// unbans, deletions, restores), with every earlier event of the answer they depend on
// (split), are committed in a transaction of their own and OnCases is told; the rest
// follows in bulk transactions of at most bulkChunk events, which the store lets other
// writers overtake (Bulk). Only the last transaction saves the position, so it is never
// ahead of what is recorded, and a crash in between loses nothing: the answer comes again
// and what was recorded of it is skipped as a duplicate (events are keyed).
func (s *Service) IngestPoll(ctx context.Context, a PollAnswer) (IngestResult, error) {
	first, rest := lanes(a.Events, s.settings().People)
	if len(rest) == 0 {
		// Nothing to put behind: one transaction, the position with it.
		r, err := s.ingestTx(ctx, first, a.Quarantined, a.CursorKey, a.Cursor)
		if err == nil {
			s.casesCommitted(r)
		}
		return r, err
	}
	var res IngestResult
	if len(first) > 0 {
		r, err := s.ingestTx(ctx, first, nil, "", "")
		if err != nil {
			return res, err
		}
		res.add(r)
		s.casesCommitted(r)
	}
	bulk := Bulk(ctx)
	for len(rest) > bulkChunk {
		r, err := s.ingestTx(bulk, rest[:bulkChunk], nil, "", "")
		if err != nil {
			return res, err
		}
		res.add(r)
		s.casesCommitted(r)
		rest = rest[bulkChunk:]
	}
	r, err := s.ingestTx(bulk, rest, a.Quarantined, a.CursorKey, a.Cursor)
	if err != nil {
		return res, err
	}
	res.add(r)
	return res, nil
}

// casesCommitted tells OnCases that a transaction that may have opened or closed cases
// committed.
func (s *Service) casesCommitted(r IngestResult) {
	if s.OnCases != nil && (r.New > 0 || r.Quarantined > 0) {
		s.OnCases()
	}
}

// ingestTx records events, then the quarantined updates and the position, in one
// transaction.
func (s *Service) ingestTx(ctx context.Context, events []Event, bad []Quarantined, cursorKey, cursor string) (IngestResult, error) {
	var res IngestResult
	err := s.Store.Update(ctx, func(t Tx) error {
		res = IngestResult{}
		tx := newBatchTx(t)
		if err := s.prefetch(tx, events); err != nil {
			return err
		}
		for _, ev := range events {
			if err := s.ingestOne(tx, ev, &res); err != nil {
				return err
			}
		}
		if err := s.finish(tx); err != nil {
			return err
		}
		for _, q := range bad {
			if err := s.quarantine(tx, q, &res); err != nil { // quarantine.go
				return err
			}
		}
		if cursorKey != "" {
			if err := tx.SaveCursor(cursorKey, cursor); err != nil {
				return fmt.Errorf("save cursor %s: %w", cursorKey, err)
			}
		}
		return nil
	})
	if err != nil {
		return IngestResult{}, err
	}
	return res, nil
}

// prefetch reads at once the conversation messages the events will look up one by one
// (conversations.go): a burst's messages are nearly all new, and asking for each was one
// query an event.
func (s *Service) prefetch(tx Tx, events []Event) error {
	if s.conversations() == nil {
		return nil
	}
	var keys []string
	for _, ev := range events {
		switch ev.Kind {
		case EventWrite, EventEdit:
			if ev.Ticket != nil {
				keys = append(keys, ev.Ticket.Key)
			}
		case EventAnswer, EventAnswerEdit:
			ref := ev.Item
			if ref.GroupID == 0 {
				ref.GroupID = ev.GroupID
			}
			keys = append(keys, ref.Key())
		case EventDelete, EventRestore:
			keys = append(keys, ev.Item.Key())
		}
	}
	if err := tx.PrefetchConvMessages(keys); err != nil {
		return fmt.Errorf("read the batch's conversation messages: %w", err)
	}
	return nil
}

func (r *IngestResult) add(o IngestResult) {
	r.New += o.New
	r.Duplicate += o.Duplicate
	r.Invalid += o.Invalid
	r.History += o.History
	r.Quarantined += o.Quarantined
	r.Opened = append(r.Opened, o.Opened...)
}

// lanes picks the events of a batch that are recorded first, before the rest: the bans
// and unbans with every earlier event they depend on, and the deletions and restores with
// theirs when those are few (a deleted comment's whole busy thread is not: it waits in
// the rest, in its place). Both parts keep the batch's order.
func lanes(evs []Event, people *Directory) (first, rest []Event) {
	first, rest = split(evs, people, func(ev Event) bool { return ev.Kind == EventBan || ev.Kind == EventUnban })
	more, others := split(rest, people, func(ev Event) bool { return ev.Kind == EventDelete || ev.Kind == EventRestore })
	if len(more) > 0 && len(more) <= bulkChunk {
		first, rest = append(first, more...), others
	}
	return first, rest
}

// access is a piece of state an event reads or writes while it is recorded.
type access struct {
	key   string
	write bool
}

// accesses lists what recording ev reads and writes: its item (the ticket, the
// conversation message, the case about it), its comment thread or message conversation
// (answers mark the thread's tickets answered and pick its customer), the customer (their
// tickets, cases, name), and the acting admin's actions of a kind (waves, batches) and,
// for an admin nobody knows, their alerts. Unknown kinds touch everything.
func accesses(ev Event, people *Directory) []access {
	w := func(k string) access { return access{key: k, write: true} }
	item := func(r Ref) string {
		if r.GroupID == 0 {
			r.GroupID = ev.GroupID
		}
		return "i:" + r.Key()
	}
	thread := func(r Ref) string {
		if r.GroupID == 0 {
			r.GroupID = ev.GroupID
		}
		return fmt.Sprintf("t:%d:%s:%d:%d", r.GroupID, r.Place, r.OwnerID, r.ParentID)
	}
	customer := func(u int64) string { return fmt.Sprintf("c:%d:%d", ev.GroupID, u) }
	admin := func() []access {
		if ev.ActorVKID == 0 {
			return nil
		}
		out := []access{w(fmt.Sprintf("a:%d:%d:%s", ev.GroupID, ev.ActorVKID, ev.Kind))}
		if _, known := people.ActorIn(ev.GroupID, ev.ActorVKID); !known {
			out = append(out, w(fmt.Sprintf("u:%d:%d", ev.GroupID, ev.ActorVKID)))
		}
		return out
	}
	switch ev.Kind {
	case EventWrite, EventEdit:
		if ev.Ticket == nil {
			return nil
		}
		return []access{w(item(ev.Ticket.Ref)), w("i:" + ev.Ticket.Key), w(thread(ev.Ticket.Ref)), w(customer(ev.Ticket.AuthorVKID))}
	case EventAnswer, EventAnswerEdit:
		out := []access{w(item(ev.Item)), w(thread(ev.Item))}
		if ev.ReplyTo.ItemID != 0 {
			out = append(out, w(item(ev.ReplyTo)), w(thread(ev.ReplyTo)))
		}
		return out
	case EventDelete, EventRestore, EventVanished:
		// The thread is read: whether the item was answered, and its conversation.
		out := []access{w(item(ev.Item)), {key: thread(ev.Item)}}
		if ev.UserVKID != 0 {
			out = append(out, w(customer(ev.UserVKID)))
		}
		return append(out, admin()...)
	case EventBan, EventUnban:
		return append([]access{w(customer(ev.UserVKID)), w(fmt.Sprintf("b:%d:%d", ev.GroupID, ev.UserVKID))}, admin()...)
	}
	return []access{w("*")}
}

// split divides a batch into the urgent events with every earlier event they depend on,
// and the rest, each in the batch's order. Recording first and then rest changes nothing
// against recording the batch in order: no event of rest comes before an event of first
// it shares state with, unless both only read it.
func split(evs []Event, people *Directory, urgent func(Event) bool) (first, rest []Event) {
	take := make([]bool, len(evs))
	reads, writes := map[string]bool{}, map[string]bool{}
	taken := false
	for i := len(evs) - 1; i >= 0; i-- {
		acc := accesses(evs[i], people)
		t := urgent(evs[i])
		for _, a := range acc {
			switch {
			case t:
			case a.key == "*":
				t = taken
			case writes["*"] || writes[a.key] || (a.write && reads[a.key]):
				t = true
			}
		}
		if !t {
			continue
		}
		take[i], taken = true, true
		for _, a := range acc {
			if a.write {
				writes[a.key] = true
			} else {
				reads[a.key] = true
			}
		}
	}
	for i, ev := range evs {
		if take[i] {
			first = append(first, ev)
		} else {
			rest = append(rest, ev)
		}
	}
	return first, rest
}
