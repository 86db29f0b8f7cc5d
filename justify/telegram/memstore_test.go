package telegram

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// memStore is a small in-memory justify.Store, Outbox and ButtonStore. Update works on a
// copy and keeps it only when fn succeeds, so refused transitions change nothing.
type memStore struct {
	mu      sync.Mutex
	st      *memState
	buttons map[string]justify.Button
}

type memState struct {
	events    map[string]justify.Event
	cursors   map[string]string
	cases     map[justify.CaseID]justify.Case
	nextCase  justify.CaseID
	decisions []justify.Decision
	msgs      []justify.Message // ID is index+1
	pending   map[int64]justify.PendingInput
	tickets   map[string]justify.Ticket
	nextTkt   int64
	alerts    map[string]justify.AlertGroup
	// alertFrom is the first message ID of an alert key's newest group.
	alertFrom map[string]int64
}

func newMemStore() *memStore {
	return &memStore{
		st: &memState{
			events: map[string]justify.Event{}, cursors: map[string]string{},
			cases: map[justify.CaseID]justify.Case{}, pending: map[int64]justify.PendingInput{},
			tickets: map[string]justify.Ticket{}, alerts: map[string]justify.AlertGroup{}, alertFrom: map[string]int64{},
		},
		buttons: map[string]justify.Button{},
	}
}

var (
	_ justify.Store       = (*memStore)(nil)
	_ justify.Outbox      = (*memStore)(nil)
	_ justify.ButtonStore = (*memStore)(nil)
)

func (s *memState) clone() *memState {
	return &memState{
		events: maps.Clone(s.events), cursors: maps.Clone(s.cursors), cases: maps.Clone(s.cases),
		nextCase: s.nextCase, decisions: slices.Clone(s.decisions), msgs: slices.Clone(s.msgs),
		pending: maps.Clone(s.pending), tickets: maps.Clone(s.tickets), nextTkt: s.nextTkt,
		alerts: maps.Clone(s.alerts), alertFrom: maps.Clone(s.alertFrom),
	}
}

func (m *memStore) Update(_ context.Context, fn func(justify.Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.st.clone()
	if err := fn(memTx{c}); err != nil {
		return err
	}
	m.st = c
	return nil
}

func (m *memStore) View(_ context.Context, fn func(justify.Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn(memTx{m.st.clone()})
}

// snapshot returns the state for assertions.
func (m *memStore) snapshot() *memState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st.clone()
}

type memTx struct{ s *memState }

func (t memTx) InsertEvent(ev justify.Event) (bool, error) {
	if _, ok := t.s.events[ev.Key]; ok {
		return false, nil
	}
	t.s.events[ev.Key] = ev
	return true, nil
}

func (t memTx) Cursor(key string) (string, error) { return t.s.cursors[key], nil }

func (t memTx) SaveCursor(key, value string) error { t.s.cursors[key] = value; return nil }

func (t memTx) CreateCase(c *justify.Case) error {
	t.s.nextCase++
	c.ID, c.Version = t.s.nextCase, 1
	t.s.cases[c.ID] = *c
	return nil
}

func (t memTx) Case(id justify.CaseID) (justify.Case, error) {
	c, ok := t.s.cases[id]
	if !ok {
		return justify.Case{}, justify.ErrNotFound
	}
	return c, nil
}

func (t memTx) OpenCaseFor(groupID, userVKID int64, kind justify.EventKind) (justify.Case, error) {
	var found justify.Case
	for _, c := range t.s.cases {
		if c.GroupID == groupID && c.UserVKID == userVKID && c.Kind == kind && c.Open() && c.ID > found.ID {
			found = c
		}
	}
	if found.ID == 0 {
		return found, justify.ErrNotFound
	}
	return found, nil
}

func (t memTx) SaveCase(c *justify.Case) error {
	if t.s.cases[c.ID].Version != c.Version {
		return justify.ErrConflict
	}
	c.Version++
	t.s.cases[c.ID] = *c
	return nil
}

func (t memTx) DueCases(now time.Time) ([]justify.Case, error) {
	var out []justify.Case
	for _, c := range t.s.cases {
		if c.State == justify.StateAwaitingReason && (!c.Deadline.After(now) || (!c.RemindAt.IsZero() && !c.RemindAt.After(now))) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (t memTx) CasesInState(st justify.State) ([]justify.Case, error) {
	var out []justify.Case
	for _, c := range t.s.cases {
		if c.State == st {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b justify.Case) int { return int(a.ID - b.ID) })
	return out, nil
}

func (t memTx) AddDecision(d justify.Decision) error {
	d.ID = int64(len(t.s.decisions) + 1)
	t.s.decisions = append(t.s.decisions, d)
	return nil
}

func (t memTx) Decisions(id justify.CaseID) ([]justify.Decision, error) {
	var out []justify.Decision
	for _, d := range t.s.decisions {
		if d.CaseID == id {
			out = append(out, d)
		}
	}
	return out, nil
}

func (t memTx) Enqueue(m justify.Message) (int64, error) {
	m.ID = int64(len(t.s.msgs) + 1)
	t.s.msgs = append(t.s.msgs, m)
	return m.ID, nil
}

func (t memTx) MessagesOf(id justify.CaseID, kind justify.MessageKind) ([]justify.Message, error) {
	var out []justify.Message
	for _, m := range t.s.msgs {
		if m.CaseID == id && m.Kind == kind && m.EditOf == 0 {
			out = append(out, m)
		}
	}
	return out, nil
}

func (t memTx) SetPendingInput(in justify.PendingInput) error {
	t.s.pending[in.TelegramID] = in
	return nil
}

func (t memTx) PendingInput(id int64) (justify.PendingInput, error) {
	in, ok := t.s.pending[id]
	if !ok {
		return in, justify.ErrNotFound
	}
	return in, nil
}

func (t memTx) ClearPendingInput(id int64) error { delete(t.s.pending, id); return nil }

func (m *memStore) DueMessages(_ context.Context, now time.Time, limit int) ([]justify.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []justify.Message
	for _, msg := range m.st.msgs {
		if msg.SentAt.IsZero() && !msg.Failed && !msg.NextAttempt.After(now) && len(out) < limit {
			out = append(out, msg)
		}
	}
	return out, nil
}

func (m *memStore) Message(_ context.Context, id int64) (justify.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id < 1 || int(id) > len(m.st.msgs) {
		return justify.Message{}, justify.ErrNotFound
	}
	return m.st.msgs[id-1], nil
}

func (m *memStore) settle(id int64, fn func(*justify.Message)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id < 1 || int(id) > len(m.st.msgs) {
		return justify.ErrNotFound
	}
	fn(&m.st.msgs[id-1])
	return nil
}

func (m *memStore) MarkSent(_ context.Context, id int64, tgID int, at time.Time) error {
	return m.settle(id, func(msg *justify.Message) { msg.SentAt, msg.TelegramMessageID = at, tgID })
}

func (m *memStore) MarkRetry(_ context.Context, id int64, errText string, next time.Time) error {
	return m.settle(id, func(msg *justify.Message) {
		msg.Attempts++
		msg.LastError, msg.NextAttempt = errText, next
	})
}

func (m *memStore) MarkFailed(_ context.Context, id int64, errText string) error {
	return m.settle(id, func(msg *justify.Message) {
		msg.Attempts++
		msg.LastError, msg.Failed = errText, true
	})
}

func (m *memStore) SaveButtons(_ context.Context, bs []justify.Button) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range bs {
		m.buttons[b.Token] = b
	}
	return nil
}

func (m *memStore) Button(_ context.Context, token string) (justify.Button, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.buttons[token]
	if !ok {
		return b, justify.ErrNotFound
	}
	return b, nil
}

func (t memTx) UpsertTicket(tk *justify.Ticket) (bool, error) {
	if old, ok := t.s.tickets[tk.Key]; ok {
		tk.ID = old.ID
		return false, nil
	}
	t.s.nextTkt++
	tk.ID = t.s.nextTkt
	t.s.tickets[tk.Key] = *tk
	return true, nil
}

func (t memTx) EditTicket(key, text string, at time.Time) (justify.Ticket, error) {
	tk, ok := t.s.tickets[key]
	if !ok {
		return tk, justify.ErrNotFound
	}
	tk.Text, tk.UpdatedAt = text, at
	t.s.tickets[key] = tk
	return tk, nil
}

func (t memTx) Ticket(key string) (justify.Ticket, error) {
	tk, ok := t.s.tickets[key]
	if !ok {
		return tk, justify.ErrNotFound
	}
	return tk, nil
}

func (t memTx) MarkAnswered(ref justify.Ref, thread bool, by int64, at time.Time) (int, error) {
	n := 0
	for k, tk := range t.s.tickets {
		r := tk.Ref
		var match bool
		switch {
		case !thread:
			match = k == ref.Key()
		case ref.Place == justify.PlaceMessage:
			match = r.GroupID == ref.GroupID && r.Place == ref.Place && r.OwnerID == ref.OwnerID
		default:
			match = r.GroupID == ref.GroupID && r.Place == ref.Place && r.OwnerID == ref.OwnerID && r.ParentID == ref.ParentID
		}
		if !match || tk.Answered() || (thread && tk.CreatedAt.After(at)) {
			continue
		}
		tk.AnsweredAt, tk.AnsweredBy = at, by
		t.s.tickets[k] = tk
		n++
	}
	return n, nil
}

func (t memTx) MarkDeleted(key string, by int64, at time.Time) error {
	tk, ok := t.s.tickets[key]
	if !ok {
		return justify.ErrNotFound
	}
	tk.DeletedAt, tk.DeletedBy = at, by
	t.s.tickets[key] = tk
	return nil
}

func (t memTx) MarkRestored(key string) error {
	tk, ok := t.s.tickets[key]
	if !ok {
		return justify.ErrNotFound
	}
	tk.DeletedAt, tk.DeletedBy = time.Time{}, 0
	t.s.tickets[key] = tk
	return nil
}

func (t memTx) TicketsOf(groupID, vkID int64, limit int) ([]justify.Ticket, error) {
	var out []justify.Ticket
	for _, tk := range t.s.tickets {
		if tk.Ref.GroupID == groupID && tk.AuthorVKID == vkID {
			out = append(out, tk)
		}
	}
	slices.SortFunc(out, func(a, b justify.Ticket) int {
		if a.Open() != b.Open() {
			if a.Open() {
				return -1
			}
			return 1
		}
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (t memTx) OpenCaseForItem(ref justify.Ref) (justify.Case, error) {
	var found justify.Case
	for _, c := range t.s.cases {
		if c.Item.Key() == ref.Key() && c.Open() && c.ID > found.ID {
			found = c
		}
	}
	if found.ID == 0 {
		return found, justify.ErrNotFound
	}
	return found, nil
}

func (t memTx) RecentActions(groupID, actorVKID int64, kind justify.EventKind, since time.Time) (int, error) {
	n := 0
	for _, ev := range t.s.events {
		if ev.GroupID == groupID && ev.ActorVKID == actorVKID && ev.Kind == kind && !ev.At.Before(since) {
			n++
		}
	}
	return n, nil
}

func (t memTx) NoteAlert(a justify.Alert, window time.Duration) (justify.AlertGroup, bool, error) {
	g, ok := t.s.alerts[a.Key]
	first := !ok || g.LastAt.Before(a.At.Add(-window))
	if first {
		g = justify.AlertGroup{Key: a.Key, FirstAt: a.At}
		// The group's messages are those enqueued from now on.
		t.s.alertFrom[a.Key] = int64(len(t.s.msgs) + 1)
	}
	g.LastAt = a.At
	g.Count++
	if a.Count > g.Count {
		g.Count = a.Count // a wave counts its own actions
	}
	a.Count = g.Count
	g.Alert = a
	t.s.alerts[a.Key] = g
	return g, first, nil
}

func (t memTx) AlertMessages(key string) ([]justify.Message, error) {
	var out []justify.Message
	for _, m := range t.s.msgs {
		if m.Kind != justify.MsgAlert || m.EditOf != 0 || m.ID < t.s.alertFrom[key] {
			continue
		}
		var a struct{ Key string }
		if json.Unmarshal([]byte(m.Payload), &a) == nil && a.Key == key {
			out = append(out, m)
		}
	}
	return out, nil
}

func (t memTx) ActiveBans(groupID int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	for _, ev := range t.s.events {
		if ev.GroupID != groupID {
			continue
		}
		switch ev.Kind {
		case justify.EventBan:
			out[ev.UserVKID] = ev.At
		case justify.EventUnban:
			delete(out, ev.UserVKID)
		}
	}
	return out, nil
}

func (t memTx) PostsAfter(groupID, afterID int64, limit int) ([]justify.Ticket, error) {
	return nil, nil
}
