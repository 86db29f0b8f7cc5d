package justify

import (
	"context"
	"fmt"
	"slices"
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
//
// Events the long poll delivered before, kept in the inbox, are derived first (RecordPoll).
func (s *Service) IngestPoll(ctx context.Context, a PollAnswer) (IngestResult, error) {
	for _, g := range groupsOf(a.Events) {
		if err := s.inbox.waitDerived(ctx, g); err != nil {
			return IngestResult{}, fmt.Errorf("wait for the inbox of group %d: %w", g, err)
		}
	}
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
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = IngestResult{}
		if err := s.recordBatch(tx, events, &res); err != nil {
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

// recordBatch records events in order, as one batch (batchTx), counting them in res.
func (s *Service) recordBatch(t Tx, events []Event, res *IngestResult) error {
	tx := newBatchTx(t)
	if err := s.prefetch(tx, events); err != nil {
		return err
	}
	for _, ev := range events {
		if err := s.ingestOne(tx, ev, res); err != nil {
			return err
		}
	}
	return s.finish(tx)
}

// groupsOf lists the communities of events, each once.
func groupsOf(events []Event) []int64 {
	var out []int64
	for _, ev := range events {
		if !slices.Contains(out, ev.GroupID) {
			out = append(out, ev.GroupID)
		}
	}
	return out
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
	r.Queued += o.Queued
	for g, n := range o.NewIn {
		if r.NewIn == nil {
			r.NewIn = map[int64]int{}
		}
		r.NewIn[g] += n
	}
}

// lanes picks the events of a batch that are recorded first, before the rest: the bans
// and unbans with every earlier event they depend on, and the deletions and restores with
// theirs when those are few (a deleted comment's whole busy thread is not: it waits in
// the rest, in its place). Both parts keep the batch's order.
func lanes(evs []Event, people *Directory) (first, rest []Event) {
	acc := make([][]access, len(evs))
	kinds := make([]EventKind, len(evs))
	at := make([]int64, len(evs))
	for i, ev := range evs {
		acc[i], kinds[i], at[i] = accesses(ev, people), ev.Kind, ev.At.UnixMilli()
	}
	take := firstLane(kinds, at, acc)
	for i, ev := range evs {
		if take[i] {
			first = append(first, ev)
		} else {
			rest = append(rest, ev)
		}
	}
	return first, rest
}

// firstLane marks, of events of kinds, at times at (Unix ms), with accesses acc, in the
// order they came, those that go first (see lanes).
func firstLane(kinds []EventKind, at []int64, acc [][]access) []bool {
	take := takeWith(acc, at, nil, func(i int) bool { return kinds[i] == EventBan || kinds[i] == EventUnban })
	more := takeWith(acc, at, take, func(i int) bool { return kinds[i] == EventDelete || kinds[i] == EventRestore })
	n := 0
	for i := range more {
		if more[i] && !take[i] {
			n++
		}
	}
	if n > 0 && n <= bulkChunk {
		for i := range more {
			take[i] = take[i] || more[i]
		}
	}
	return take
}

// urgentKind tells the kinds that make an event go first (firstLane).
func urgentKind(k EventKind) bool {
	return k == EventBan || k == EventUnban || k == EventDelete || k == EventRestore
}

// access is a piece of state an event reads or writes while it is recorded, by the hash
// of its name (stateKey): the inbox plans thousands of events at once. Two names that
// hash alike only make two events look dependent, which keeps them in the order they came.
type access struct {
	key  uint64
	mode accessMode
}

// accessMode says how an event uses a piece of state, which decides what must be
// recorded before it.
type accessMode uint8

const (
	// reads need the earlier writes recorded first.
	reads accessMode = iota
	// writes need every earlier use recorded first, and go before every later one.
	writes
	// adds are a customer's message added to a thread or conversation: the thread's
	// answered marks and dialogs go by the messages' own times (an answer marks what was
	// written up to its time; a conversation is rebuilt from the earliest change), so only
	// the earlier writes of the thread (answers) from the same time on must come first:
	// VK's times are whole seconds, and a tie goes by the order recorded. A later write
	// of the thread must come after it.
	adds
)

// everything is the access of an event of a kind nobody planned for: it depends on every
// event before it.
const everything = 0

// stateKey hashes a piece of state's name (FNV-1a), never to everything.
func stateKey(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	if h == everything {
		h = 1
	}
	return h
}

// accesses lists what recording ev reads and writes: its item (the ticket, the
// conversation message, the case about it), its comment thread or message conversation
// (answers mark the thread's tickets answered and pick its customer), the customer (their
// tickets, cases, name), and the acting admin's actions of a kind (waves, batches) and,
// for an admin nobody knows, their alerts. Unknown kinds touch everything.
func accesses(ev Event, people *Directory) []access {
	w := func(k string) access { return access{key: stateKey(k), mode: writes} }
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
		return []access{w(item(ev.Ticket.Ref)), w("i:" + ev.Ticket.Key), {key: stateKey(thread(ev.Ticket.Ref)), mode: adds},
			w(customer(ev.Ticket.AuthorVKID))}
	case EventAnswer, EventAnswerEdit:
		out := []access{w(item(ev.Item)), w(thread(ev.Item))}
		if ev.ReplyTo.ItemID != 0 {
			out = append(out, w(item(ev.ReplyTo)), w(thread(ev.ReplyTo)))
		}
		return out
	case EventDelete, EventRestore, EventVanished:
		// The thread is read: whether the item was answered, and its conversation.
		out := []access{w(item(ev.Item)), {key: stateKey(thread(ev.Item)), mode: reads}}
		if ev.UserVKID != 0 {
			out = append(out, w(customer(ev.UserVKID)))
		}
		return append(out, admin()...)
	case EventBan, EventUnban:
		return append([]access{w(customer(ev.UserVKID)), w(fmt.Sprintf("b:%d:%d", ev.GroupID, ev.UserVKID))}, admin()...)
	}
	return []access{{key: everything, mode: writes}}
}

// takeWith marks the urgent events, and every earlier event they depend on, of events
// at times at (Unix ms) with accesses acc, in the order they came; those marked in taken
// are already out of the list. Recording the marked ones first and then the others
// changes nothing against recording them in order: no event left comes before a marked
// one that needs it first (see accessMode).
func takeWith(acc [][]access, at []int64, taken []bool, urgent func(i int) bool) []bool {
	take := make([]bool, len(acc))
	// wrote: keys a marked event writes (every earlier use must come first); read: keys
	// a marked event reads (earlier writes must come first); added: the earliest time a
	// marked event adds to a key (earlier writes from then on must come first).
	wrote, read, added := map[uint64]bool{}, map[uint64]bool{}, map[uint64]int64{}
	later := false
	for i := len(acc) - 1; i >= 0; i-- {
		if taken != nil && taken[i] {
			continue
		}
		t := urgent(i)
		for _, a := range acc[i] {
			if t {
				break
			}
			switch {
			case a.key == everything:
				t = later
			case wrote[everything] || wrote[a.key]:
				t = true
			case a.mode == writes:
				from, ok := added[a.key]
				t = read[a.key] || (ok && at[i] >= from)
			}
		}
		if !t {
			continue
		}
		take[i], later = true, true
		for _, a := range acc[i] {
			switch a.mode {
			case writes:
				wrote[a.key] = true
			case reads:
				read[a.key] = true
			case adds:
				if from, ok := added[a.key]; !ok || at[i] < from {
					added[a.key] = at[i]
				}
			}
		}
	}
	return take
}
