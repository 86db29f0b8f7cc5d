package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func imported(id string, author int64, status string, created, updated time.Time) justify.Ticket {
	return justify.Ticket{ExternalID: id, AuthorVKID: author, Subject: "subject " + id, Text: "text " + id,
		Status: status, CreatedAt: created, UpdatedAt: updated}
}

func TestImportTickets(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// first is imported before the step under test, second is the step.
		first, second    []justify.Ticket
		wantIns, wantUpd int
		// want is the stored ticket "import:a" after second.
		want func(tk *justify.Ticket)
	}{
		{
			name:    "new tickets of every community",
			second:  []justify.Ticket{imported("a", 7, "Open", t0, t0.Add(time.Minute)), imported("b", 8, "open", t0, t0)},
			wantIns: 2,
			want:    func(tk *justify.Ticket) {},
		},
		{
			name:    "a closed ticket counts as answered when the help desk closed it",
			second:  []justify.Ticket{imported("a", 7, "resolved", t0, t0.Add(time.Hour))},
			wantIns: 1,
			want: func(tk *justify.Ticket) {
				tk.Status, tk.AnsweredAt = "resolved", t0.Add(time.Hour)
			},
		},
		{
			name:    "re-import updates in place",
			first:   []justify.Ticket{imported("a", 7, "open", t0, t0)},
			second:  []justify.Ticket{{ExternalID: "a", AuthorVKID: 7, Subject: "new subject", Text: "new text", Status: "closed", CreatedAt: t0, UpdatedAt: t0.Add(2 * time.Hour)}},
			wantUpd: 1,
			want: func(tk *justify.Ticket) {
				tk.Subject, tk.Text, tk.Status = "new subject", "new text", "closed"
				tk.UpdatedAt, tk.AnsweredAt = t0.Add(2*time.Hour), t0.Add(2*time.Hour)
			},
		},
		{
			name:   "the same file twice changes nothing",
			first:  []justify.Ticket{imported("a", 7, "open", t0, t0.Add(time.Minute))},
			second: []justify.Ticket{imported("a", 7, "open", t0, t0.Add(time.Minute))},
			want:   func(tk *justify.Ticket) {},
		},
		{
			name:    "the first answer wins over a later close",
			first:   []justify.Ticket{imported("a", 7, "closed", t0, t0.Add(time.Hour))},
			second:  []justify.Ticket{imported("a", 7, "closed", t0, t0.Add(5*time.Hour))},
			wantUpd: 1,
			want: func(tk *justify.Ticket) {
				tk.Status, tk.UpdatedAt, tk.AnsweredAt = "closed", t0.Add(5*time.Hour), t0.Add(time.Hour)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			_, _, err := db.ImportTickets(ctx, tt.first)
			require.NoError(t, err)
			ins, upd, err := db.ImportTickets(ctx, tt.second)
			require.NoError(t, err)
			assert.Equal(t, tt.wantIns, ins, "inserted")
			assert.Equal(t, tt.wantUpd, upd, "updated")

			got, err := db.TicketsByKeys(ctx, []string{"import:a"})
			require.NoError(t, err)
			require.Contains(t, got, "import:a")
			want := imported("a", 7, "open", t0, t0.Add(time.Minute))
			if len(tt.first) > 0 {
				want.UpdatedAt = tt.first[0].UpdatedAt
			} else {
				want.UpdatedAt = tt.second[0].UpdatedAt
			}
			want.ID, want.Key, want.Ref = got["import:a"].ID, "import:a", justify.Ref{Place: justify.PlaceHelpDesk}
			tt.want(&want)
			assert.Equal(t, want, got["import:a"])
		})
	}
}

func TestImportTicketsIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	_, _, err := db.ImportTickets(ctx, []justify.Ticket{imported("a", 7, "open", t0, t0), imported("", 8, "open", t0, t0)})
	require.ErrorContains(t, err, "ticket 2 of 2: no external id")
	assert.Equal(t, 0, count(t, db, "tickets"))

	// A failure inside the transaction (here: the context ends) keeps nothing either.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err = db.ImportTickets(cctx, []justify.Ticket{imported("a", 7, "open", t0, t0)})
	require.Error(t, err)
	assert.Equal(t, 0, count(t, db, "tickets"))
}

func TestImportKeepsForgottenWordsForgotten(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	_, _, err := db.ImportTickets(ctx, []justify.Ticket{imported("a", 7, "open", t0, t0)})
	require.NoError(t, err)
	_, err = db.ForgetPersonDetail(ctx, 7)
	require.NoError(t, err)

	_, upd, err := db.ImportTickets(ctx, []justify.Ticket{imported("a", 7, "closed", t0, t0.Add(time.Hour))})
	require.NoError(t, err)
	assert.Equal(t, 1, upd, "the status still changes")
	got, err := db.TicketsByKeys(ctx, []string{"import:a"})
	require.NoError(t, err)
	tk := got["import:a"]
	assert.True(t, tk.Forgotten)
	assert.Empty(t, tk.Text)
	assert.Empty(t, tk.Subject)
	assert.Equal(t, "closed", tk.Status)
}

// mkCase creates a case opened at `opened` and returns its id.
func mkCase(t *testing.T, db *DB, c justify.Case) justify.CaseID {
	t.Helper()
	if c.GroupID == 0 {
		c.GroupID = 1
	}
	if c.Kind == "" {
		c.Kind = justify.EventBan
	}
	if c.State == "" {
		c.State = justify.StateAwaitingReason
	}
	update(t, db, func(tx justify.Tx) error { return tx.CreateCase(&c) })
	return c.ID
}

func TestCasesBetween(t *testing.T) {
	db := openTest(t)
	for i, at := range []time.Time{t0.Add(-time.Second), t0, t0.Add(time.Hour), t0.Add(2 * time.Hour)} {
		mkCase(t, db, justify.Case{EventKey: fmt.Sprint("e", i), OpenedAt: at})
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"from included, to excluded", t0, t0.Add(2 * time.Hour), []string{"e1", "e2"}},
		{"everything", t0.Add(-time.Hour), t0.Add(3 * time.Hour), []string{"e0", "e1", "e2", "e3"}},
		{"empty period", t0.Add(10 * time.Hour), t0.Add(11 * time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := db.CasesBetween(context.Background(), tt.from, tt.to)
			require.NoError(t, err)
			var keys []string
			for _, c := range cs {
				keys = append(keys, c.EventKey)
			}
			assert.Equal(t, tt.want, keys)
		})
	}
}

func TestTicketsBetween(t *testing.T) {
	db := openTest(t)
	from, to := t0, t0.Add(24*time.Hour)
	mk := func(key string, created, answered, deleted time.Time) justify.Ticket {
		return justify.Ticket{Key: key, Ref: justify.Ref{GroupID: 1, Place: justify.PlaceMessage}, AuthorVKID: 7,
			CreatedAt: created, AnsweredAt: answered, DeletedAt: deleted}
	}
	var zero time.Time
	all := []justify.Ticket{
		mk("written in", from.Add(time.Hour), zero, zero),
		mk("answered in", from.Add(-48*time.Hour), from.Add(time.Hour), zero),
		mk("waiting since long", from.Add(-48*time.Hour), zero, zero),
		mk("answered only after", from.Add(-48*time.Hour), to.Add(time.Hour), zero),
		mk("deleted in", from.Add(-48*time.Hour), zero, from.Add(time.Hour)),
		mk("answered before", from.Add(-48*time.Hour), from.Add(-time.Hour), zero),
		mk("deleted before", from.Add(-48*time.Hour), zero, from.Add(-time.Hour)),
		mk("written after", to, zero, zero),
	}
	update(t, db, func(tx justify.Tx) error {
		for i := range all {
			if _, err := tx.UpsertTicket(&all[i]); err != nil {
				return err
			}
		}
		return nil
	})
	ts, err := db.TicketsBetween(context.Background(), from, to)
	require.NoError(t, err)
	var keys []string
	for _, tk := range ts {
		keys = append(keys, tk.Key)
	}
	assert.ElementsMatch(t, []string{"written in", "answered in", "waiting since long", "answered only after", "deleted in"}, keys)
}

func TestDecisionsOfAndTicketsByKeys(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	// More than one IN chunk of each.
	n := inChunk + 7
	var ids []justify.CaseID
	var keys []string
	update(t, db, func(tx justify.Tx) error {
		for i := range n {
			c := justify.Case{GroupID: 1, EventKey: fmt.Sprint("e", i), Kind: justify.EventBan, State: justify.StateAwaitingReason}
			if err := tx.CreateCase(&c); err != nil {
				return err
			}
			ids = append(ids, c.ID)
			for _, a := range []justify.Action{justify.ActionOpened, justify.ActionJustified} {
				if err := tx.AddDecision(justify.Decision{CaseID: c.ID, Action: a, Actor: "Ivan", TelegramID: 101, At: t0, Detail: fmt.Sprint(i)}); err != nil {
					return err
				}
			}
			tk := justify.Ticket{Key: fmt.Sprint("k", i), Ref: justify.Ref{GroupID: 1, Place: justify.PlaceMessage}, Text: fmt.Sprint(i)}
			if _, err := tx.UpsertTicket(&tk); err != nil {
				return err
			}
			keys = append(keys, tk.Key)
		}
		return nil
	})
	withoutDecisions := mkCase(t, db, justify.Case{EventKey: "bare"})

	ds, err := db.DecisionsOf(ctx, append(ids, withoutDecisions, 999999))
	require.NoError(t, err)
	assert.Len(t, ds, n)
	assert.NotContains(t, ds, withoutDecisions)
	last := ds[ids[n-1]]
	require.Len(t, last, 2)
	assert.Equal(t, []justify.Action{justify.ActionOpened, justify.ActionJustified}, []justify.Action{last[0].Action, last[1].Action})
	assert.Equal(t, fmt.Sprint(n-1), last[1].Detail)
	assert.Equal(t, int64(101), last[1].TelegramID)

	ts, err := db.TicketsByKeys(ctx, append(keys, "unknown"))
	require.NoError(t, err)
	assert.Len(t, ts, n)
	assert.Equal(t, fmt.Sprint(n-1), ts[keys[n-1]].Text)

	empty, err := db.DecisionsOf(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, empty)
}

func TestStatsAndEventCounts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for i, s := range []justify.State{justify.StateAwaitingReason, justify.StateAwaitingReason, justify.StateClosed} {
		mkCase(t, db, justify.Case{EventKey: fmt.Sprint(i), State: s})
	}
	update(t, db, func(tx justify.Tx) error {
		for i, ev := range []justify.Event{{GroupID: 1, Kind: justify.EventBan}, {GroupID: 1, Kind: justify.EventBan},
			{GroupID: 2, Kind: justify.EventUnban}} {
			ev.Key = fmt.Sprint("e", i)
			if _, err := tx.InsertEvent(ev); err != nil {
				return err
			}
		}
		return nil
	})
	stats, err := db.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[justify.State]int{justify.StateAwaitingReason: 2, justify.StateClosed: 1}, stats)

	evs, err := db.EventCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[[2]string]int{{"1", "ban"}: 2, {"2", "unban"}: 1}, evs)
}

func TestCaseReadersAndCasesIn(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := mkCase(t, db, justify.Case{EventKey: "a", State: justify.StateClosed})
	mkCase(t, db, justify.Case{EventKey: "b"})
	c := mkCase(t, db, justify.Case{EventKey: "c", State: justify.StateClosed})
	update(t, db, func(tx justify.Tx) error {
		return tx.AddDecision(justify.Decision{CaseID: a, Action: justify.ActionApproved, Actor: "Olga", At: t0})
	})

	got, err := db.Case(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, "a", got.EventKey)
	_, err = db.Case(ctx, 12345)
	require.ErrorIs(t, err, justify.ErrNotFound)
	ds, err := db.Decisions(ctx, a)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, "Olga", ds[0].Actor)

	tests := []struct {
		name  string
		state justify.State
		limit int
		want  []justify.CaseID
	}{
		{"closed, newest first", justify.StateClosed, 0, []justify.CaseID{c, a}},
		{"limited", justify.StateClosed, 1, []justify.CaseID{c}},
		{"any state", "", 0, []justify.CaseID{c, c - 1, a}},
		{"none in the state", justify.StateReversing, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := db.CasesIn(ctx, tt.state, tt.limit)
			require.NoError(t, err)
			var ids []justify.CaseID
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			assert.Equal(t, tt.want, ids)
		})
	}
}

// TestQueryPlans keeps the hot and the large queries on their indexes: a full scan of
// tickets or events would go unnoticed in tests and hurt with a million rows.
func TestQueryPlans(t *testing.T) {
	db := openTest(t)
	tests := []struct {
		name  string
		query string
		args  []any
		// want must appear in the plan; "SCAN tickets" etc. must not, unless allowed.
		want string
	}{
		{
			// Each half of TicketsOf reads one customer's tickets of one community newest
			// first from the index, with no sort (checked below).
			name:  "TicketsOf",
			query: "SELECT " + ticketColumns + " FROM tickets " + ticketsOfClause(true),
			args:  []any{1, 2, 10},
			want:  "SEARCH tickets USING INDEX tickets_author (author_vk_id=? AND group_id=?)",
		},
		{
			name:  "ForgetPerson's tickets",
			query: "SELECT id FROM tickets WHERE author_vk_id = ?",
			args:  []any{1},
			want:  "SEARCH tickets USING COVERING INDEX tickets_author (author_vk_id=?)",
		},
		{
			// Every repeat of a wave alert (one per ban in a raid) looks its messages up.
			name:  "AlertMessages",
			query: "SELECT COALESCE(MAX(id), 0) FROM outbox WHERE alert_key = ? AND alert_key != '' AND edit_of = 0 AND kind = ?",
			args:  []any{"wave:1:2:ban", "alert"},
			want:  "USING COVERING INDEX outbox_alert (alert_key=? AND kind=?)",
		},
		{
			// A batch's figures come from one pass over its members, on their index.
			name:  "Batch",
			query: selectBatches + "WHERE b.id = ? GROUP BY b.id",
			args:  []any{1},
			want:  "SEARCH c USING INDEX cases_batch (batch_id=?)",
		},
		{
			name:  "CasesBetween",
			query: "SELECT " + caseColumns + " FROM cases WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at, id",
			args:  []any{1, 2},
			want:  "SEARCH cases USING INDEX cases_opened (opened_at>? AND opened_at<?)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := db.read.Query("EXPLAIN QUERY PLAN "+tt.query, tt.args...)
			require.NoError(t, err)
			defer func() { _ = rows.Close() }()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
				plan = append(plan, detail)
			}
			require.NoError(t, rows.Err())
			all := strings.Join(plan, "\n")
			assert.Contains(t, all, tt.want)
			assert.NotRegexp(t, `SCAN (tickets|cases|events)\b`, all)
			assert.NotContains(t, all, "TEMP B-TREE", "the index gives the order")
		})
	}
}
