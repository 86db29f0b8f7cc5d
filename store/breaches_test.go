package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
)

// breachFixture stores one ticket of each case the SLA rule tells apart, in two
// communities and the help desk, and returns the keys that breach at at.
func breachFixture(t *testing.T, db *DB, at time.Time, sla time.Duration) map[string]bool {
	t.Helper()
	late := at.Add(-sla - time.Hour)
	type tc struct {
		key                        string
		group                      int64
		place                      justify.Place
		status                     string
		created, answered, deleted time.Time
		forgotten                  bool
		breach                     bool
	}
	cases := []tc{
		{key: "waiting past the deadline", group: 1, created: late, breach: true},
		{key: "waiting since long", group: 1, created: late.Add(-72 * time.Hour), breach: true},
		{key: "written exactly at the deadline", group: 1, created: at.Add(-sla), breach: true},
		{key: "within the deadline", group: 1, created: at.Add(-sla + time.Millisecond)},
		{key: "written after", group: 1, created: at.Add(time.Hour)},
		{key: "answered in time", group: 1, created: late, answered: late.Add(time.Minute)},
		// Answered after at: a breach at at, but the report counts it among the answered.
		{key: "answered late", group: 1, created: late, answered: at.Add(time.Hour)},
		{key: "forgotten by retention", group: 1, created: late, forgotten: true, breach: true},
		{key: "deleted before", group: 1, created: late, deleted: at.Add(-time.Minute)},
		{key: "deleted at", group: 1, created: late, deleted: at},
		{key: "deleted after", group: 1, created: late, deleted: at.Add(time.Minute), breach: true},
		{key: "other community", group: 2, created: late, breach: true},
		{key: "imported open", group: 0, place: justify.PlaceHelpDesk, status: "open", created: late, breach: true},
		{key: "imported closed", group: 0, place: justify.PlaceHelpDesk, status: "closed", created: late},
		{key: "imported resolved", group: 0, place: justify.PlaceHelpDesk, status: "resolved", created: late},
		{key: "imported solved", group: 0, place: justify.PlaceHelpDesk, status: "solved", created: late},
		// Only imported tickets have a status that closes them.
		{key: "comment with a status", group: 1, status: "closed", created: late, breach: true},
	}
	want := map[string]bool{}
	update(t, db, func(tx justify.Tx) error {
		for _, c := range cases {
			place := c.place
			if place == "" {
				place = justify.PlaceWallComment
			}
			tk := justify.Ticket{Key: c.key, Ref: justify.Ref{GroupID: c.group, Place: place}, AuthorVKID: 7,
				AuthorName: "Customer", Text: "words of " + c.key, Status: c.status, CreatedAt: c.created,
				AnsweredAt: c.answered, DeletedAt: c.deleted, Forgotten: c.forgotten}
			if c.forgotten {
				tk.Text, tk.AuthorName = "", ""
			}
			if _, err := tx.UpsertTicket(&tk); err != nil {
				return err
			}
			want[c.key] = c.breach
		}
		return nil
	})
	return want
}

func TestBreachCountsAndLongestWaits(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	sla := 4 * time.Hour
	at := t0.Add(500 * time.Microsecond) // between two stored milliseconds
	want := breachFixture(t, db, at, sla)

	wantCounts := map[int64]int{}
	all, err := db.OpenTickets(ctx, at.Add(time.Hour), time.Time{})
	require.NoError(t, err)
	for _, tk := range all {
		if want[tk.Key] {
			wantCounts[tk.Ref.GroupID]++
		}
	}
	counts, err := db.BreachCounts(ctx, at, sla)
	require.NoError(t, err)
	assert.Equal(t, wantCounts, counts)
	assert.Equal(t, map[int64]int{0: 1, 1: 6, 2: 1}, counts, "the table's breaches by community")

	none, err := db.BreachCounts(ctx, at, 0)
	require.NoError(t, err)
	assert.Empty(t, none, "no SLA, no breach")

	tests := []struct {
		name   string
		groups []int64
		n      int
		want   []string
	}{
		{name: "the longest of one community", groups: []int64{1}, n: 2,
			want: []string{"waiting since long", "waiting past the deadline"}},
		{name: "n per community", groups: []int64{0, 1, 2}, n: 1,
			want: []string{"imported open", "waiting since long", "other community"}},
		{name: "all", groups: []int64{1}, n: 0, want: []string{"waiting since long", "waiting past the deadline",
			"forgotten by retention", "deleted after", "comment with a status", "written exactly at the deadline"}},
		{name: "a community with none", groups: []int64{3}, n: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := db.LongestWaits(ctx, at, sla, tt.groups, tt.n)
			require.NoError(t, err)
			var keys []string
			for _, tk := range ts {
				keys = append(keys, tk.Key)
				if tk.Key == "waiting since long" {
					assert.Equal(t, "words of waiting since long", tk.Text, "listed with their words")
				}
			}
			assert.Equal(t, tt.want, keys)
		})
	}
}

// TestReportBreachesAsBefore checks that a report counting breaches in the store gives
// the figures of one that reads every waiting ticket (the report's own rule), and lists
// the longest waits of that full list.
func TestReportBreachesAsBefore(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	sla := 4 * time.Hour
	to := t0.Add(500 * time.Microsecond)
	from := to.Add(-24 * time.Hour)
	breachFixture(t, db, to, sla)
	// More waiting tickets than are listed, spread over both periods.
	update(t, db, func(tx justify.Tx) error {
		for i := range 30 {
			tk := justify.Ticket{Key: fmt.Sprint("spread ", i), Ref: justify.Ref{GroupID: 1 + int64(i%2), Place: justify.PlaceMessage},
				AuthorVKID: int64(100 + i), CreatedAt: to.Add(-time.Duration(i) * 100 * time.Minute)}
			if i%5 == 0 {
				tk.AnsweredAt = to.Add(-time.Duration(i) * 30 * time.Minute)
			}
			if _, err := tx.UpsertTicket(&tk); err != nil {
				return err
			}
		}
		return nil
	})

	opts := report.Options{SLA: sla, Communities: []justify.Community{{GroupID: 1, Name: "One"}, {GroupID: 2, Name: "Two"}}}
	prevFrom := from.Add(-to.Sub(from))
	open, err := db.OpenTickets(ctx, to, prevFrom)
	require.NoError(t, err)
	answered, err := db.AnsweredTickets(ctx, prevFrom)
	require.NoError(t, err)
	full := report.Compute(report.Input{From: from, To: to, SLA: sla, Communities: append(opts.Communities,
		justify.Community{Name: report.HelpDeskName}), Tickets: open, Answered: answered})

	for _, n := range []int{0, 1, 3} {
		t.Run(fmt.Sprint("listing ", n), func(t *testing.T) {
			o := opts
			o.Breaches = n
			got, err := report.Load(ctx, db, o, from, to)
			require.NoError(t, err)
			require.Len(t, got.Communities, len(full.Communities))
			for i, c := range got.Communities {
				w := full.Communities[i]
				assert.Equal(t, w.Name, c.Name)
				assert.Equal(t, w.Total, c.Total, "the same figures in %s", c.Name)
				assert.Equal(t, w.Operators, c.Operators)
				assert.Equal(t, len(w.SLABreaches), c.SLABreachesTotal, "every breach counted in %s", c.Name)
				listed := w.SLABreaches
				if n > 0 && len(listed) > n {
					listed = listed[:n]
				}
				assert.Equal(t, listed, c.SLABreaches, "the longest waits of %s", c.Name)
			}
		})
	}
}
