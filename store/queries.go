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

// This file holds the readers and bulk writers of the CLI, the reports and /metrics: each
// is one transaction of its own on *DB, outside the domain's justify.Tx.

// importKeyPrefix marks the keys of tickets imported from another channel.
const importKeyPrefix = "import:"

// ImportKey is the key an imported ticket is stored under.
func ImportKey(externalID string) string { return importKeyPrefix + externalID }

// closedStatuses are the help-desk statuses meaning "dealt with" (see justify.Ticket.Open).
var closedStatuses = map[string]bool{"closed": true, "resolved": true, "solved": true}

// ImportTickets stores help-desk tickets in one transaction: all or none. Each is stored as
// a justify.PlaceHelpDesk ticket of every community (group 0) under "import:<ExternalID>";
// ExternalID must be set. A ticket already imported gets the new subject, text, status and
// updated time in place (inserted and updated count only real changes; a repeated import of
// the same file reports 0, 0), keeping its first answer. A closed, resolved or solved ticket
// with no answer time is taken as answered at its updated time (its created time when it
// has none), so that the figures count it answered and not waiting. A ticket whose words were
// forgotten keeps them forgotten: an erasure request outlives the help desk's export.
func (db *DB) ImportTickets(ctx context.Context, tickets []justify.Ticket) (inserted, updated int, err error) {
	for i, tk := range tickets {
		if tk.ExternalID == "" {
			return 0, 0, fmt.Errorf("import ticket %d of %d: no external id", i+1, len(tickets))
		}
	}
	err = db.Update(ctx, func(jtx justify.Tx) error {
		tx := jtx.(*Tx)
		for _, in := range tickets {
			isNew, changed, err := tx.importTicket(in)
			if err != nil {
				return err
			}
			switch {
			case isNew:
				inserted++
			case changed:
				updated++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("import %d tickets: %w", len(tickets), err)
	}
	return inserted, updated, nil
}

// importTicket inserts or updates one imported ticket.
func (t *Tx) importTicket(in justify.Ticket) (isNew, changed bool, err error) {
	tk := justify.Ticket{
		Key: ImportKey(in.ExternalID), Ref: justify.Ref{Place: justify.PlaceHelpDesk},
		AuthorVKID: in.AuthorVKID, AuthorName: in.AuthorName, Text: in.Text, Link: in.Link,
		CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, AnsweredAt: in.AnsweredAt, AnsweredBy: in.AnsweredBy,
		ExternalID: in.ExternalID, Subject: in.Subject, Status: strings.ToLower(strings.TrimSpace(in.Status)),
	}
	// The first answer wins; a help desk that closed a ticket dealt with it.
	firstAnswer := func(have time.Time) time.Time {
		switch {
		case !have.IsZero():
			return have
		case !tk.AnsweredAt.IsZero():
			return tk.AnsweredAt
		case !closedStatuses[tk.Status]:
			return time.Time{}
		case !tk.UpdatedAt.IsZero():
			return tk.UpdatedAt
		}
		return tk.CreatedAt
	}
	old, err := t.Ticket(tk.Key)
	if errors.Is(err, justify.ErrNotFound) {
		tk.AnsweredAt = firstAnswer(time.Time{})
		isNew, err := t.UpsertTicket(&tk)
		return isNew, false, err
	}
	if err != nil {
		return false, false, err
	}
	if old.Forgotten {
		tk.Text, tk.Subject, tk.AuthorName = "", "", ""
	}
	answered := firstAnswer(old.AnsweredAt)
	if old.Text == tk.Text && old.Subject == tk.Subject && old.Status == tk.Status &&
		old.UpdatedAt.Equal(tk.UpdatedAt.Truncate(time.Millisecond)) && old.AnsweredAt.Equal(answered) &&
		old.AuthorVKID == tk.AuthorVKID {
		return false, false, nil
	}
	_, err = t.exec(`UPDATE tickets SET text = ?, subject = ?, status = ?, updated_at = ?, answered_at = ?,
		author_vk_id = ? WHERE id = ?`, tk.Text, tk.Subject, tk.Status, ms(tk.UpdatedAt), ms(answered), tk.AuthorVKID, old.ID)
	if err != nil {
		return false, false, fmt.Errorf("update imported ticket %s: %w", tk.Key, err)
	}
	return false, true, nil
}

// Case loads one case, or returns an error wrapping justify.ErrNotFound.
func (db *DB) Case(ctx context.Context, id justify.CaseID) (justify.Case, error) {
	var c justify.Case
	err := db.View(ctx, func(tx justify.Tx) error {
		var err error
		c, err = tx.Case(id)
		return err
	})
	return c, err
}

// Decisions lists one case's audit trail in the order it was written.
func (db *DB) Decisions(ctx context.Context, id justify.CaseID) ([]justify.Decision, error) {
	var ds []justify.Decision
	err := db.View(ctx, func(tx justify.Tx) error {
		var err error
		ds, err = tx.Decisions(id)
		return err
	})
	return ds, err
}

// CasesIn lists up to limit cases (all when limit <= 0) in a state, newest first; an empty
// state lists every case, like ListCases.
func (db *DB) CasesIn(ctx context.Context, state justify.State, limit int) ([]justify.Case, error) {
	if state == "" {
		return db.ListCases(ctx, limit)
	}
	return queryCases(ctx, db.read, "WHERE state = ? ORDER BY id DESC LIMIT ?", state, limitOrAll(limit))
}

// CasesBetween lists the cases opened in [from, to), oldest first.
func (db *DB) CasesBetween(ctx context.Context, from, to time.Time) ([]justify.Case, error) {
	cs, err := queryCases(ctx, db.read, "WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at, id", ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("cases opened from %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return cs, nil
}

// TicketsBetween lists what a report of [from, to) needs to know of tickets, oldest first:
// every ticket written before to that was not already answered or deleted before from. That
// is the tickets written in the period, those answered in it, and those still waiting at
// its end (unanswered, or answered or deleted only later). It may return more than a report
// counts (report.Compute ignores the rest), never less. Old unanswered tickets are listed
// in every period: they are the SLA breaches.
func (db *DB) TicketsBetween(ctx context.Context, from, to time.Time) ([]justify.Ticket, error) {
	ts, err := queryTickets(ctx, db.read, `WHERE created_at < ? AND (answered_at = 0 OR answered_at >= ?)
		AND (deleted_at = 0 OR deleted_at >= ?) ORDER BY created_at, id`, ms(to), ms(from), ms(from))
	if err != nil {
		return nil, fmt.Errorf("tickets from %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return ts, nil
}

// inChunk bounds the number of values bound to one IN (...) list, well under SQLite's limit
// on host parameters.
const inChunk = 500

// inChunks calls fn with the values of vs in chunks of at most inChunk, each with its
// "?, ?, ..." placeholder list.
func inChunks[T any](vs []T, fn func(placeholders string, args []any) error) error {
	for len(vs) > 0 {
		n := min(len(vs), inChunk)
		args := make([]any, n)
		for i, v := range vs[:n] {
			args[i] = v
		}
		if err := fn(strings.TrimSuffix(strings.Repeat("?, ", n), ", "), args); err != nil {
			return err
		}
		vs = vs[n:]
	}
	return nil
}

// DecisionsOf loads the audit trails of many cases at once, each in the order it was
// written. Cases without decisions are absent from the map.
func (db *DB) DecisionsOf(ctx context.Context, ids []justify.CaseID) (map[justify.CaseID][]justify.Decision, error) {
	out := map[justify.CaseID][]justify.Decision{}
	err := inChunks(ids, func(ph string, args []any) error {
		ds, err := queryDecisions(ctx, db.read, "WHERE case_id IN ("+ph+") ORDER BY id", args...)
		for _, d := range ds {
			out[d.CaseID] = append(out[d.CaseID], d)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list decisions of %d cases: %w", len(ids), err)
	}
	return out, nil
}

// TicketsByKeys loads tickets by key; unknown keys are absent from the map.
func (db *DB) TicketsByKeys(ctx context.Context, keys []string) (map[string]justify.Ticket, error) {
	out := map[string]justify.Ticket{}
	err := inChunks(keys, func(ph string, args []any) error {
		ts, err := queryTickets(ctx, db.read, "WHERE key IN ("+ph+")", args...)
		for _, t := range ts {
			out[t.Key] = t
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load %d tickets by key: %w", len(keys), err)
	}
	return out, nil
}

// Stats counts cases by state, for /metrics. States with no case are absent.
func (db *DB) Stats(ctx context.Context) (map[justify.State]int, error) {
	out := map[justify.State]int{}
	err := countRows(ctx, db.read, "SELECT state, COUNT(*) FROM cases GROUP BY state", func(rows *sql.Rows) error {
		var s justify.State
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return err
		}
		out[s] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count cases by state: %w", err)
	}
	return out, nil
}

// EventCounts counts the stored events by community (its id in decimal) and kind, for
// /metrics: {"123", "ban"} → 7.
func (db *DB) EventCounts(ctx context.Context) (map[[2]string]int, error) {
	out := map[[2]string]int{}
	err := countRows(ctx, db.read, "SELECT CAST(group_id AS TEXT), kind, COUNT(*) FROM events GROUP BY group_id, kind",
		func(rows *sql.Rows) error {
			var k [2]string
			var n int
			if err := rows.Scan(&k[0], &k[1], &n); err != nil {
				return err
			}
			out[k] = n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	return out, nil
}

func countRows(ctx context.Context, q querier, query string, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
