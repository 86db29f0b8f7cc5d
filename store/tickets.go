package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

const ticketColumns = `id, key, group_id, place, owner_id, parent_id, item_id, author_vk_id, author_name, text,
	attachments, link, created_at, updated_at, answered_at, answered_by, deleted_at, deleted_by,
	external_id, subject, status, forgotten`

func scanTicket(s scanner) (justify.Ticket, error) {
	var tk justify.Ticket
	var attachments string
	var created, updated, answered, deleted int64
	var forgotten int
	err := s.Scan(&tk.ID, &tk.Key, &tk.Ref.GroupID, &tk.Ref.Place, &tk.Ref.OwnerID, &tk.Ref.ParentID, &tk.Ref.ItemID,
		&tk.AuthorVKID, &tk.AuthorName, &tk.Text, &attachments, &tk.Link, &created, &updated, &answered, &tk.AnsweredBy,
		&deleted, &tk.DeletedBy, &tk.ExternalID, &tk.Subject, &tk.Status, &forgotten)
	if err != nil {
		return tk, err
	}
	if attachments != "" {
		tk.Attachments = strings.Split(attachments, ",")
	}
	tk.CreatedAt, tk.UpdatedAt, tk.AnsweredAt, tk.DeletedAt = fromMS(created), fromMS(updated), fromMS(answered), fromMS(deleted)
	tk.Forgotten = forgotten == 1
	return tk, nil
}

func queryTickets(ctx context.Context, q querier, clause string, args ...any) ([]justify.Ticket, error) {
	return queryAll(ctx, q, "SELECT "+ticketColumns+" FROM tickets "+clause, "tickets", scanTicket, args...)
}

func ticketValues(tk *justify.Ticket) []any {
	return []any{tk.Key, tk.Ref.GroupID, tk.Ref.Place, tk.Ref.OwnerID, tk.Ref.ParentID, tk.Ref.ItemID, tk.AuthorVKID,
		tk.AuthorName, tk.Text, strings.Join(tk.Attachments, ","), tk.Link, ms(tk.CreatedAt), ms(tk.UpdatedAt),
		ms(tk.AnsweredAt), tk.AnsweredBy, ms(tk.DeletedAt), tk.DeletedBy, tk.ExternalID, tk.Subject, tk.Status,
		b2i(tk.Forgotten)}
}

const insertTicket = `INSERT INTO tickets (key, group_id, place, owner_id, parent_id, item_id, author_vk_id, author_name,
	text, attachments, link, created_at, updated_at, answered_at, answered_by, deleted_at, deleted_by, external_id,
	subject, status, forgotten) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// UpsertTicket stores a ticket by its Key and reports whether it was new; a known key
// changes nothing (VK redelivers). It sets tk.ID either way.
func (t *Tx) UpsertTicket(tk *justify.Ticket) (bool, error) {
	if tk.Key == "" {
		tk.Key = tk.Ref.Key()
	}
	res, err := t.exec(insertTicket+" ON CONFLICT (key) DO NOTHING", ticketValues(tk)...)
	if err != nil {
		return false, fmt.Errorf("insert ticket %s: %w", tk.Key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("insert ticket %s: %w", tk.Key, err)
	}
	if n == 1 {
		if tk.ID, err = res.LastInsertId(); err != nil {
			return false, fmt.Errorf("insert ticket %s: %w", tk.Key, err)
		}
		return true, nil
	}
	// A redelivery: the row is the one stored before.
	if err := t.queryRow("SELECT id FROM tickets WHERE key = ?", tk.Key).Scan(&tk.ID); err != nil {
		return false, fmt.Errorf("find ticket %s: %w", tk.Key, err)
	}
	return false, nil
}

// Ticket loads a ticket by key, or returns an error wrapping justify.ErrNotFound.
func (t *Tx) Ticket(key string) (justify.Ticket, error) {
	tk, err := scanTicket(t.queryRow("SELECT "+ticketColumns+" FROM tickets WHERE key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return tk, fmt.Errorf("ticket %s: %w", key, justify.ErrNotFound)
	}
	if err != nil {
		return tk, fmt.Errorf("load ticket %s: %w", key, err)
	}
	return tk, nil
}

// EditTicket replaces a ticket's text, keeping the previous text in ticket_edits. An edit
// repeating the current text (a redelivery) changes nothing.
func (t *Tx) EditTicket(key, text string, at time.Time) (justify.Ticket, error) {
	tk, err := t.Ticket(key)
	if err != nil {
		return tk, err
	}
	if tk.Text == text || tk.Forgotten {
		return tk, nil
	}
	if _, err := t.exec("INSERT INTO ticket_edits (ticket_id, text, replaced_at) VALUES (?, ?, ?)", tk.ID, tk.Text, ms(at)); err != nil {
		return tk, fmt.Errorf("keep earlier text of ticket %s: %w", key, err)
	}
	if _, err := t.exec("UPDATE tickets SET text = ?, updated_at = ? WHERE id = ?", text, ms(at), tk.ID); err != nil {
		return tk, fmt.Errorf("edit ticket %s: %w", key, err)
	}
	tk.Text, tk.UpdatedAt = text, at
	return tk, nil
}

// MarkAnswered marks tickets answered; see justify.Tx. The first answer wins: a ticket
// already answered keeps its first-response time.
func (t *Tx) MarkAnswered(ref justify.Ref, thread bool, by int64, at time.Time) (int, error) {
	var res sql.Result
	var err error
	switch {
	case !thread:
		res, err = t.exec("UPDATE tickets SET answered_at = ?, answered_by = ? WHERE key = ? AND answered_at = 0",
			ms(at), by, ref.Key())
	case ref.Place == justify.PlaceMessage:
		res, err = t.exec(`UPDATE tickets SET answered_at = ?, answered_by = ? WHERE group_id = ? AND place = ?
			AND owner_id = ? AND answered_at = 0 AND created_at <= ?`,
			ms(at), by, ref.GroupID, ref.Place, ref.OwnerID, ms(at))
	default:
		res, err = t.exec(`UPDATE tickets SET answered_at = ?, answered_by = ? WHERE group_id = ? AND place = ?
			AND owner_id = ? AND parent_id = ? AND answered_at = 0 AND created_at <= ?`,
			ms(at), by, ref.GroupID, ref.Place, ref.OwnerID, ref.ParentID, ms(at))
	}
	if err != nil {
		return 0, fmt.Errorf("mark answered %s: %w", ref.Key(), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("mark answered %s: %w", ref.Key(), err)
	}
	return int(n), nil
}

// MarkDeleted records a ticket's deletion; an unknown key returns ErrNotFound.
func (t *Tx) MarkDeleted(key string, by int64, at time.Time) error {
	return t.updateTicket(key, "UPDATE tickets SET deleted_at = ?, deleted_by = ? WHERE key = ?", ms(at), by, key)
}

// MarkRestored records that a deleted ticket is back.
func (t *Tx) MarkRestored(key string) error {
	return t.updateTicket(key, "UPDATE tickets SET deleted_at = 0, deleted_by = 0 WHERE key = ?", key)
}

func (t *Tx) updateTicket(key, query string, args ...any) error {
	res, err := t.exec(query, args...)
	if err != nil {
		return fmt.Errorf("update ticket %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update ticket %s: %w", key, err)
	}
	if n == 0 {
		return fmt.Errorf("ticket %s: %w", key, justify.ErrNotFound)
	}
	return nil
}

// TicketsOf lists a customer's tickets in a group, unanswered first, then newest first.
// Imported help-desk tickets (group 0) belong to every community.
//
// Sorting by "unanswered first" is an expression no index gives, so a plain ORDER BY would
// sort all of a customer's tickets. Instead each part (open or answered, this community or
// the help desk) is read newest first straight from tickets_author, at most limit rows,
// and the parts are merged here: a customer with a thousand tickets costs about as little
// as one with ten (BenchmarkEvidence).
func (t *Tx) TicketsOf(groupID, vkID int64, limit int) ([]justify.Ticket, error) {
	groups := []int64{groupID}
	if groupID != 0 {
		groups = append(groups, 0)
	}
	var out []justify.Ticket
	for _, open := range []bool{true, false} {
		if limit > 0 && len(out) >= limit {
			break
		}
		var part []justify.Ticket
		for _, g := range groups {
			ts, err := queryTickets(t.ctx, t, ticketsOfClause(open), vkID, g, limitOrAll(limit))
			if err != nil {
				return nil, fmt.Errorf("tickets of %d in group %d: %w", vkID, g, err)
			}
			part = append(part, ts...)
		}
		sort.SliceStable(part, func(i, j int) bool {
			if !part[i].CreatedAt.Equal(part[j].CreatedAt) {
				return part[i].CreatedAt.After(part[j].CreatedAt)
			}
			return part[i].ID > part[j].ID
		})
		out = append(out, part...)
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// openTicket is a ticket that still waits for the community (justify.Ticket.Open).
const openTicket = "answered_at = 0 AND status NOT IN ('closed', 'resolved', 'solved')"

// ticketsOfClause reads one customer's open (or answered) tickets of one community through
// tickets_author, newest first; TestQueryPlans checks that it needs no sort.
func ticketsOfClause(open bool) string {
	cond := openTicket
	if !open {
		cond = "NOT (" + openTicket + ")"
	}
	return "WHERE author_vk_id = ? AND group_id = ? AND " + cond + " ORDER BY created_at DESC, id DESC LIMIT ?"
}

// OpenCaseForItem returns the newest open case about an item, or ErrNotFound.
func (t *Tx) OpenCaseForItem(ref justify.Ref) (justify.Case, error) {
	c, err := scanCase(t.queryRow("SELECT "+caseColumns+` FROM cases
		WHERE item_place = ? AND item_owner = ? AND item_parent = ? AND item_id = ? AND item_group = ? AND state != ?
		ORDER BY id DESC LIMIT 1`, ref.Place, ref.OwnerID, ref.ParentID, ref.ItemID, ref.GroupID, justify.StateClosed))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("open case of %s: %w", ref.Key(), justify.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("find open case of %s: %w", ref.Key(), err)
	}
	return c, nil
}

// RecentActions counts an admin's events of kind in a group at or after since.
func (t *Tx) RecentActions(groupID, actorVKID int64, kind justify.EventKind, since time.Time) (int, error) {
	var n int
	err := t.queryRow(`SELECT COUNT(*) FROM events
		WHERE group_id = ? AND actor_vk_id = ? AND kind = ? AND at >= ?`, groupID, actorVKID, kind, ms(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s by %d in group %d: %w", kind, actorVKID, groupID, err)
	}
	return n, nil
}

// NoteAlert records an alert under its key; see justify.Tx. The group's count is how often
// the key was noted, or the alert's own count when that is larger (a wave counts itself).
func (t *Tx) NoteAlert(a justify.Alert, window time.Duration) (justify.AlertGroup, bool, error) {
	g := justify.AlertGroup{Key: a.Key}
	var first, last int64
	err := t.queryRow("SELECT first_at, last_at, count FROM alerts WHERE key = ?", a.Key).
		Scan(&first, &last, &g.Count)
	isFirst := errors.Is(err, sql.ErrNoRows) || a.At.Sub(fromMS(last)) > window
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return g, false, fmt.Errorf("load alert %s: %w", a.Key, err)
	}
	if isFirst {
		g.FirstAt, g.Count = a.At, 1
	} else {
		g.FirstAt = fromMS(first)
		g.Count++
	}
	g.LastAt = a.At
	g.Count = max(g.Count, a.Count)
	a.Count = g.Count
	g.Alert = a
	_, err = t.exec(`INSERT INTO alerts (key, first_at, last_at, count, alert) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET first_at = excluded.first_at, last_at = excluded.last_at,
		count = excluded.count, alert = excluded.alert`, a.Key, ms(g.FirstAt), ms(g.LastAt), g.Count, a.Payload())
	if err != nil {
		return g, false, fmt.Errorf("save alert %s: %w", a.Key, err)
	}
	return g, isFirst, nil
}

// AlertMessages lists the original messages of an alert key's newest group.
func (t *Tx) AlertMessages(key string) ([]justify.Message, error) {
	// The newest original is of the newest group; a key never alerted has none. "alert_key
	// != ''" lets SQLite use the partial index outbox_alert: it cannot see that from the
	// bound key alone.
	var id int64
	err := t.queryRow(`SELECT COALESCE(MAX(id), 0) FROM outbox WHERE alert_key = ? AND alert_key != '' AND edit_of = 0
		AND kind = ?`, key, justify.MsgAlert).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("find messages of alert %s: %w", key, err)
	}
	if id == 0 {
		return nil, nil
	}
	// Every original of the newest group was enqueued in the same transaction, so they
	// share that transaction's created_at.
	return queryMessages(t.ctx, t, `WHERE alert_key = ? AND alert_key != '' AND edit_of = 0 AND kind = ?
		AND created_at = (SELECT created_at FROM outbox WHERE id = ?) ORDER BY id`, key, justify.MsgAlert, id)
}

// ActiveBans maps the users of a group whose latest ban or unban event is a ban to the ID
// of that ban event.
func (t *Tx) ActiveBans(groupID int64) (map[int64]int64, error) {
	rows, err := t.QueryContext(t.ctx, `SELECT user_vk_id, kind, id FROM events e
		WHERE group_id = ? AND kind IN ('ban', 'unban') AND id = (
			SELECT MAX(id) FROM events WHERE user_vk_id = e.user_vk_id AND group_id = e.group_id AND kind IN ('ban', 'unban'))`,
		groupID)
	if err != nil {
		return nil, fmt.Errorf("list bans of group %d: %w", groupID, err)
	}
	defer func() { _ = rows.Close() }()
	out := map[int64]int64{}
	for rows.Next() {
		var user, id int64
		var kind string
		if err := rows.Scan(&user, &kind, &id); err != nil {
			return nil, fmt.Errorf("read ban of group %d: %w", groupID, err)
		}
		if kind == string(justify.EventBan) {
			out[user] = id
		}
	}
	return out, rows.Err()
}

// LastEventID is the ID of the newest recorded event, 0 when none.
func (t *Tx) LastEventID() (int64, error) {
	var id int64
	if err := t.queryRow("SELECT COALESCE(MAX(id), 0) FROM events").Scan(&id); err != nil {
		return 0, fmt.Errorf("find the newest event: %w", err)
	}
	return id, nil
}

// PostsAfter lists a group's customer wall-post tickets not known deleted, by ID.
func (t *Tx) PostsAfter(groupID, afterID int64, limit int) ([]justify.Ticket, error) {
	return queryTickets(t.ctx, t, "WHERE group_id = ? AND place = ? AND deleted_at = 0 AND id > ? ORDER BY id LIMIT ?",
		groupID, justify.PlaceWallPost, afterID, limitOrAll(limit))
}

// LastBanEvent returns the newest ban or unban event of a user in a group.
func (t *Tx) LastBanEvent(groupID, userVKID int64) (justify.Event, error) {
	ev, _, err := scanEvent(t.queryRow("SELECT "+eventColumns+`, received_at FROM events WHERE group_id = ? AND user_vk_id = ?
		AND kind IN ('ban', 'unban') ORDER BY id DESC LIMIT 1`, groupID, userVKID))
	if errors.Is(err, sql.ErrNoRows) {
		return justify.Event{}, fmt.Errorf("ban of user %d in group %d: %w", userVKID, groupID, justify.ErrNotFound)
	}
	if err != nil {
		return justify.Event{}, fmt.Errorf("find ban of user %d in group %d: %w", userVKID, groupID, err)
	}
	return ev, nil
}

// CountTickets counts the tickets held, for the demo and the load run.
func (db *DB) CountTickets(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets").Scan(&n); err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}

// RetryUnreachable makes due again a person's messages that Telegram refused with 403 (the
// sender records Telegram's "Forbidden: ..." description), so that what was sent before
// they pressed Start reaches them after.
func (db *DB) RetryUnreachable(ctx context.Context, chatID int64) (int, error) {
	var n int64
	err := db.Update(ctx, func(jtx justify.Tx) error {
		res, err := jtx.(*Tx).exec(`UPDATE outbox SET failed = 0, next_attempt = 0
			WHERE chat_id = ? AND failed = 1 AND sent_at = 0 AND last_error LIKE 'Forbidden%'`, chatID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("requeue messages to %d: %w", chatID, err)
	}
	return int(n), nil
}
