package store

import (
	"context"
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
