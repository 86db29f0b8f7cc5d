package store

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.InboxStore = (*Tx)(nil)

// AddToInbox keeps events as they came, in order; see justify.InboxStore. An event is kept
// whole, as JSON (the ticket's or reply's words included), since nothing else holds it
// until it is derived. Rows go inboxRows to a statement: a burst's answer is recorded at
// close to SQLite's own speed, not at the driver's per-statement cost.
func (t *Tx) AddToInbox(events []justify.Event) ([]int64, error) {
	ids := make([]int64, 0, len(events))
	now := ms(t.now())
	for len(events) > 0 {
		n := inboxRows
		if len(events) < n {
			n = 1
		}
		args := make([]any, 0, 3*n)
		for _, ev := range events[:n] {
			raw, err := json.Marshal(ev)
			if err != nil {
				return nil, fmt.Errorf("encode event %s for the inbox: %w", ev.Key, err)
			}
			args = append(args, ev.GroupID, now, raw)
		}
		query := insertInbox1
		if n > 1 {
			query = insertInboxN
		}
		res, err := t.exec(query, args...)
		if err != nil {
			return nil, fmt.Errorf("keep %d events in the inbox: %w", n, err)
		}
		// The rows of one statement take consecutive IDs, the last one's returned.
		last, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("keep %d events in the inbox: %w", n, err)
		}
		for i := range n {
			ids = append(ids, last-int64(n-1-i))
		}
		events = events[n:]
	}
	return ids, nil
}

// inboxRows is how many events one statement keeps.
const inboxRows = 64

var (
	insertInbox1 = "INSERT INTO inbox (group_id, received_at, event) VALUES (?, ?, ?)"
	insertInboxN = "INSERT INTO inbox (group_id, received_at, event) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", inboxRows), ", ")
)

// InboxEvents returns the kept events of ids, in ID order; see justify.InboxStore.
func (t *Tx) InboxEvents(ids []int64) ([]justify.InboxEvent, error) {
	var out []justify.InboxEvent
	err := inChunks(ids, func(in string, args []any) error {
		evs, err := queryAll(t.ctx, t, "SELECT id, group_id, event FROM inbox WHERE id IN ("+in+") ORDER BY id",
			"inbox events", scanInbox, args...)
		out = append(out, evs...)
		return err
	})
	return out, err
}

// InboxAfter returns up to limit kept events with an ID above after, in ID order.
func (t *Tx) InboxAfter(after int64, limit int) ([]justify.InboxEvent, error) {
	return queryAll(t.ctx, t, "SELECT id, group_id, event FROM inbox WHERE id > ? ORDER BY id LIMIT ?",
		"inbox events", scanInbox, after, limitOrAll(limit))
}

// DropFromInbox deletes the kept events of ids and returns how many there were.
func (t *Tx) DropFromInbox(ids []int64) (int, error) {
	n := 0
	err := inChunks(ids, func(in string, args []any) error {
		k, err := t.affected("DELETE FROM inbox WHERE id IN ("+in+")", args...)
		n += k
		return err
	})
	if err != nil {
		return n, fmt.Errorf("drop derived events from the inbox: %w", err)
	}
	return n, nil
}

// InboxEmpty reports whether every kept event is derived: what the load run waits on. It
// reads one row at most (a count would read every kept event's bytes).
func (db *DB) InboxEmpty(ctx context.Context) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM inbox)").Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look into the inbox: %w", err)
	}
	return n == 0, nil
}

// scanInbox reads one kept event. One that no longer decodes (a build that wrote what
// this one cannot read) comes back with Err set and its bytes, so that the deriver
// quarantines it instead of stopping on it or dropping it.
func scanInbox(s scanner) (justify.InboxEvent, error) {
	var e justify.InboxEvent
	var raw []byte
	if err := s.Scan(&e.ID, &e.GroupID, &raw); err != nil {
		return e, err
	}
	if err := json.Unmarshal(raw, &e.Event); err != nil {
		e.Err, e.Raw = err.Error(), raw
	}
	return e, nil
}

// forgetInbox erases a person's words from the events kept and not derived yet: their
// tickets' texts and names (marked forgotten), their name and the ban comment on what was
// done to them, and the community's replies in their private conversation or to one of
// their comments. Without it, a forget run while a burst is still being derived would see
// the words recorded again seconds later. A kept event that no longer decodes and mentions
// the person is deleted, as a quarantined update is. It returns how many kept events
// changed.
func (t *Tx) forgetInbox(vkID int64) (int, error) {
	theirs, err := t.ticketKeysOf(vkID)
	if err != nil {
		return 0, err
	}
	mention := mentionOf(vkID)
	n := 0
	// A page at a time, in the order kept: a reply comes after the comment it answers,
	// so their comments kept earlier are known by the time a reply to one is read.
	for after := int64(0); ; {
		page, err := t.InboxAfter(after, 1000)
		if err != nil {
			return n, fmt.Errorf("read the inbox: %w", err)
		}
		for _, k := range page {
			changed, err := t.forgetKept(k, vkID, theirs, mention)
			if err != nil {
				return n, err
			}
			if changed {
				n++
			}
		}
		if len(page) < 1000 {
			return n, nil
		}
		after = page[len(page)-1].ID
	}
}

// forgetKept erases vkID's words from one kept event (deleting it when it no longer
// decodes and mentions them), and reports whether it changed. theirs gains the keys of
// their kept tickets.
func (t *Tx) forgetKept(k justify.InboxEvent, vkID int64, theirs map[string]bool, mention *regexp.Regexp) (bool, error) {
	if k.Err != "" {
		if !mention.Match(k.Raw) {
			return false, nil
		}
		if _, err := t.exec("DELETE FROM inbox WHERE id = ?", k.ID); err != nil {
			return false, fmt.Errorf("delete kept event %d: %w", k.ID, err)
		}
		return true, nil
	}
	if tk := k.Event.Ticket; tk != nil && tk.AuthorVKID == vkID {
		theirs[tk.Key], theirs[tk.Ref.Key()] = true, true
	}
	if !eraseKept(&k.Event, vkID, theirs) {
		return false, nil
	}
	raw, err := json.Marshal(k.Event)
	if err != nil {
		return false, fmt.Errorf("encode kept event %d: %w", k.ID, err)
	}
	if _, err := t.exec("UPDATE inbox SET event = ? WHERE id = ?", raw, k.ID); err != nil {
		return false, fmt.Errorf("erase kept event %d: %w", k.ID, err)
	}
	return true, nil
}

// eraseKept erases from ev what vkID wrote or what names them (theirs: the keys of their
// tickets), and reports whether anything changed.
func eraseKept(ev *justify.Event, vkID int64, theirs map[string]bool) bool {
	changed := false
	if tk := ev.Ticket; tk != nil && tk.AuthorVKID == vkID && (tk.Text != "" || tk.AuthorName != "" || tk.Subject != "" || !tk.Forgotten) {
		tk.Text, tk.AuthorName, tk.Subject, tk.Forgotten = "", "", "", true
		changed = true
	}
	if ev.UserVKID == vkID && (ev.UserName != "" || ev.Comment != "") {
		ev.UserName, ev.Comment = "", ""
		changed = true
	}
	replyTo := ev.ReplyTo
	if replyTo.GroupID == 0 {
		replyTo.GroupID = ev.GroupID // as the deriver reads it
	}
	toThem := ev.Item.Place == justify.PlaceMessage && ev.Item.OwnerID == vkID ||
		replyTo.ItemID != 0 && theirs[replyTo.Key()]
	if r := ev.Reply; r != nil && r.Text != "" && toThem {
		r.Text = ""
		changed = true
	}
	return changed
}

// ticketKeysOf lists the keys of a person's stored tickets.
func (t *Tx) ticketKeysOf(vkID int64) (map[string]bool, error) {
	keys, err := queryAll(t.ctx, t.tx, "SELECT key FROM tickets WHERE author_vk_id = ?", "tickets",
		func(s scanner) (string, error) {
			var k string
			return k, s.Scan(&k)
		}, vkID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out, nil
}
