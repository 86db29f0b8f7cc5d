package store

// The reads of the report loader (the CLI, /stats and the digests): each is one query of
// its own on the read pool, outside the domain's transactions.

import (
	"context"
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
)

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

// OpenTickets lists the tickets nobody answered that were written before before and not
// deleted before since, oldest first, through tickets_open: those that may wait past the
// answer deadline at the end of a period that starts at or after since. Tickets answered
// since come from AnsweredTickets, which reads them without their words.
func (db *DB) OpenTickets(ctx context.Context, before, since time.Time) ([]justify.Ticket, error) {
	ts, err := queryTickets(ctx, db.read, `WHERE answered_at = 0 AND created_at < ? AND (deleted_at = 0 OR deleted_at >= ?)
		ORDER BY created_at, id`, ms(before), ms(since))
	if err != nil {
		return nil, fmt.Errorf("open tickets written before %s: %w", before.Format(time.RFC3339), err)
	}
	return ts, nil
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
