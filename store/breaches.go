package store

// SLA breaches of the tickets nobody answered, counted and listed in SQL: a report must
// not read every waiting ticket with its words to count them (a community may leave
// hundreds of thousands waiting), nor list them all.

import (
	"context"
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// waitingPastSLA is the rule of report.breached for a ticket nobody answered, in SQL:
// written at or before the deadline, not deleted before the instant, and for imported
// tickets not closed in their own system (the statuses of justify.Ticket.Open). Its
// arguments are breachArgs'. tickets_waiting (migration 0017) covers it.
const waitingPastSLA = `answered_at = 0 AND created_at <= ? AND (deleted_at = 0 OR deleted_at >= ?)
	AND NOT (place = ? AND status IN ('closed', 'resolved', 'solved'))`

// countBreaches and longestWaits read tickets_waiting only: the count from the index
// alone, the list one community's range from its oldest end, stopping after n rows.
const (
	countBreaches = `SELECT group_id, COUNT(*) FROM tickets WHERE ` + waitingPastSLA + ` GROUP BY group_id`
	longestWaits  = `WHERE group_id = ? AND ` + waitingPastSLA + ` ORDER BY created_at, id LIMIT ?`
)

func breachArgs(at time.Time, sla time.Duration) []any {
	return []any{ms(at.Add(-sla)), msCeil(at), string(justify.PlaceHelpDesk)}
}

// msCeil is ms rounded up: a ticket deleted at a stored millisecond was deleted before at
// exactly when that millisecond is below msCeil(at).
func msCeil(t time.Time) int64 {
	v := ms(t)
	if !t.IsZero() && fromMS(v).Before(t) {
		v++
	}
	return v
}

// BreachCounts counts by community the tickets nobody answered that waited past sla at
// at: written at or before at-sla, not deleted before at, and for imported tickets not
// closed. Communities with none are absent; sla <= 0 counts none. Tickets answered after
// at were breaches too: the report counts those among the answered ones.
func (db *DB) BreachCounts(ctx context.Context, at time.Time, sla time.Duration) (map[int64]int, error) {
	out := map[int64]int{}
	if sla <= 0 {
		return out, nil
	}
	type count struct {
		group int64
		n     int
	}
	counts, err := queryAll(ctx, db.read, countBreaches, "tickets waiting past the deadline at "+at.Format(time.RFC3339),
		func(r scanner) (c count, err error) { return c, r.Scan(&c.group, &c.n) }, breachArgs(at, sla)...)
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		out[c.group] = c.n
	}
	return out, nil
}

// LongestWaits lists, for each of groups, the n tickets BreachCounts counts at at that
// were written first (all of them when n <= 0), with their words: the longest waits,
// oldest first within a community.
func (db *DB) LongestWaits(ctx context.Context, at time.Time, sla time.Duration, groups []int64, n int) ([]justify.Ticket, error) {
	if sla <= 0 {
		return nil, nil
	}
	limit := limitOrAll(n)
	var out []justify.Ticket
	for _, g := range groups {
		// One range of the index per community, read from its oldest end.
		args := append([]any{g}, breachArgs(at, sla)...)
		ts, err := queryTickets(ctx, db.read, longestWaits, append(args, limit)...)
		if err != nil {
			return nil, fmt.Errorf("longest waits of club%d at %s: %w", g, at.Format(time.RFC3339), err)
		}
		out = append(out, ts...)
	}
	return out, nil
}
