package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.TicketStore = (*Tx)(nil)

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
		if !tk.AnsweredAt.IsZero() { // an answered ticket is in its hour's report roll-up
			if err := t.markHour(tk.Ref.GroupID, tk.AnsweredAt); err != nil {
				return false, err
			}
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

// The statements of MarkAnswered. An answer to a thread (or a dialog) marks every ticket
// of it written up to the answer, which is one community's thread in tickets_thread.
// They name that index: left to itself, SQLite reads the created_at range of
// tickets_waiting, every waiting ticket of the community, since that index holds only
// unanswered tickets. With a million imported tickets, half of them waiting, that held
// deriving to some thirty events a second. TestQueryPlans keeps them on tickets_thread.
const (
	markAnsweredOne = "UPDATE tickets SET answered_at = ?, answered_by = ? WHERE key = ? AND answered_at = 0"
	// markAnsweredDialog: a customer's dialog is the community's messages with one peer.
	markAnsweredDialog = `UPDATE tickets INDEXED BY tickets_thread SET answered_at = ?, answered_by = ?
		WHERE group_id = ? AND place = ? AND owner_id = ? AND answered_at = 0 AND created_at <= ?`
	markAnsweredThread = `UPDATE tickets INDEXED BY tickets_thread SET answered_at = ?, answered_by = ?
		WHERE group_id = ? AND place = ? AND owner_id = ? AND parent_id = ? AND answered_at = 0 AND created_at <= ?`
)

// MarkAnswered marks tickets answered; see justify.TicketStore. The first answer wins: a
// ticket already answered keeps its first-response time.
func (t *Tx) MarkAnswered(ref justify.Ref, thread bool, by int64, at time.Time) (int, error) {
	var res sql.Result
	var err error
	switch {
	case !thread:
		res, err = t.exec(markAnsweredOne, ms(at), by, ref.Key())
	case ref.Place == justify.PlaceMessage:
		res, err = t.exec(markAnsweredDialog, ms(at), by, ref.GroupID, ref.Place, ref.OwnerID, ms(at))
	default:
		res, err = t.exec(markAnsweredThread, ms(at), by, ref.GroupID, ref.Place, ref.OwnerID, ref.ParentID, ms(at))
	}
	if err != nil {
		return 0, fmt.Errorf("mark answered %s: %w", ref.Key(), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("mark answered %s: %w", ref.Key(), err)
	}
	if n > 0 {
		if err := t.markHour(ref.GroupID, at); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}

// MarkDeleted records a ticket's deletion; an unknown key returns ErrNotFound.
func (t *Tx) MarkDeleted(key string, by int64, at time.Time) error {
	if err := t.markAnsweredHour(key); err != nil {
		return err
	}
	return t.updateTicket(key, "UPDATE tickets SET deleted_at = ?, deleted_by = ? WHERE key = ?", ms(at), by, key)
}

// MarkRestored records that a deleted ticket is back.
func (t *Tx) MarkRestored(key string) error {
	if err := t.markAnsweredHour(key); err != nil {
		return err
	}
	return t.updateTicket(key, "UPDATE tickets SET deleted_at = 0, deleted_by = 0 WHERE key = ?", key)
}

// markAnsweredHour marks the report hour an answered ticket counts in: its deletion
// changes whether it was waiting at the end of a period.
func (t *Tx) markAnsweredHour(key string) error {
	var group, answered int64
	err := t.queryRow("SELECT group_id, answered_at FROM tickets WHERE key = ?", key).Scan(&group, &answered)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil // updateTicket says so
	case err != nil:
		return fmt.Errorf("find ticket %s: %w", key, err)
	case answered != 0:
		return t.markHour(group, fromMS(answered))
	}
	return nil
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
// and only those few rows are sorted: a customer with a thousand tickets costs about as
// little as one with ten (BenchmarkEvidence). The parts go in one statement, since every
// ban's prompt runs it: one statement costs SQLite's and the driver's overhead once.
func (t *Tx) TicketsOf(groupID, vkID int64, limit int) ([]justify.Ticket, error) {
	groups, query := []int64{groupID}, ticketsOfOne
	if groupID != 0 {
		groups, query = append(groups, 0), ticketsOfBoth
	}
	lim := limitOrAll(limit)
	// The parts in ticketsOfQuery's order: the open ones, then the answered ones.
	args := make([]any, 0, 6*len(groups)+1)
	for range 2 {
		for _, g := range groups {
			args = append(args, vkID, g, lim)
		}
	}
	ts, err := queryAll(t.ctx, t, query, "tickets", scanTicket, append(args, lim)...)
	if err != nil {
		return nil, fmt.Errorf("tickets of %d in group %d: %w", vkID, groupID, err)
	}
	return ts, nil
}

// ticketsOfOne and ticketsOfBoth are TicketsOf's statement for the help desk alone (group
// 0) and for a community with the help desk; each part takes (author, group, limit), then
// the whole takes the limit.
var (
	ticketsOfOne  = ticketsOfQuery(1)
	ticketsOfBoth = ticketsOfQuery(2)
)

// ticketsOfQuery reads the open parts of groups communities, then their answered parts,
// each through ticketsOfClause, and sorts the few rows they give.
func ticketsOfQuery(groups int) string {
	var parts []string
	for rank, open := range []bool{true, false} {
		for range groups {
			parts = append(parts, fmt.Sprintf("SELECT %d AS rank, * FROM (SELECT %s FROM tickets %s)",
				rank, ticketColumns, ticketsOfClause(open)))
		}
	}
	return "SELECT " + ticketColumns + " FROM (" + strings.Join(parts, " UNION ALL ") +
		") ORDER BY rank, created_at DESC, id DESC LIMIT ?"
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

// PostsAfter lists a group's customer wall-post tickets not known deleted, by ID.
func (t *Tx) PostsAfter(groupID, afterID int64, limit int) ([]justify.Ticket, error) {
	return queryTickets(t.ctx, t, "WHERE group_id = ? AND place = ? AND deleted_at = 0 AND id > ? ORDER BY id LIMIT ?",
		groupID, justify.PlaceWallPost, afterID, limitOrAll(limit))
}

// CountTickets counts the tickets held, for the demo and the load run.
func (db *DB) CountTickets(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets").Scan(&n); err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}
