package report

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// breachTickets are n tickets of group 1 waiting since an hour apart, the oldest first.
func breachTickets(to time.Time, n int) []justify.Ticket {
	var ts []justify.Ticket
	for i := range n {
		ts = append(ts, justify.Ticket{ID: int64(i + 1), Key: fmt.Sprint("k", i), Ref: justify.Ref{GroupID: 1, Place: justify.PlaceMessage},
			AuthorName: "Customer", Text: fmt.Sprint("words ", i), CreatedAt: to.Add(-time.Duration(100-i) * time.Hour)})
	}
	return ts
}

// TestBreachesCountedInStore: breaches counted by the store give the figures of the full
// list, and the list is the longest waits, the tickets answered only after the period's
// end included.
func TestBreachesCountedInStore(t *testing.T) {
	from, to := utc("2026-11-23T00:00:00Z"), utc("2026-11-24T00:00:00Z")
	sla := 4 * time.Hour
	all := breachTickets(to, 20)
	// Answered after to, written before every waiting one: the longest wait of all.
	late := justify.AnsweredTicket{ID: 99, GroupID: 1, CreatedAt: to.Add(-200 * time.Hour), AnsweredAt: to.Add(time.Hour)}
	fullIn := Input{From: from, To: to, SLA: sla, Tickets: all, Answered: []justify.AnsweredTicket{late}}
	full := Compute(fullIn)
	require.Len(t, full.Communities, 1)
	require.Equal(t, 21, full.Communities[0].Total.Current.SLABreaches)

	tests := []struct {
		name   string
		listed int
		want   []int64
	}{
		{name: "all", listed: 0, want: []int64{99, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}},
		{name: "the longest three", listed: 3, want: []int64{99, 1, 2}},
		{name: "more than there are", listed: 50, want: []int64{99, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullIn
			// The store counts the waiting ones at each end and reads only the listed.
			in.BreachCounts = [2]map[int64]int{{1: 20}, {1: 20}}
			in.Tickets = all
			if tt.listed > 0 && tt.listed < len(all) {
				in.Tickets = all[:tt.listed]
			}
			in.BreachesListed = tt.listed
			got := Compute(in)
			require.Len(t, got.Communities, 1)
			c := got.Communities[0]
			assert.Equal(t, full.Communities[0].Total, c.Total, "the same figures")
			assert.Equal(t, 21, c.SLABreachesTotal)
			var ids []int64
			for _, b := range c.SLABreaches {
				ids = append(ids, b.TicketID)
			}
			assert.Equal(t, tt.want, ids)
		})
	}
}

// TestBreachListSaysHowManyMore: the text and Telegram lists end with the breaches not
// listed.
func TestBreachListSaysHowManyMore(t *testing.T) {
	from, to := utc("2026-11-23T00:00:00Z"), utc("2026-11-24T00:00:00Z")
	all := breachTickets(to, 12)
	tests := []struct {
		name     string
		listed   int
		counted  int
		render   func(Report, string) string
		wantMore string
		noMore   bool
	}{
		{name: "text, all listed", listed: 0, counted: 12, render: RenderText, noMore: true},
		{name: "text, 3 of 479,998", listed: 3, counted: 479998, render: RenderText, wantMore: "and 479995 more"},
		{name: "Telegram, 10 of 12 read", listed: 10, counted: 12, render: RenderHTML, wantMore: "and 2 more"},
		{name: "Telegram, 12 read, 10 shown", listed: 0, counted: 12, render: RenderHTML, wantMore: "and 2 more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{From: from, To: to, SLA: time.Hour, BreachCounts: [2]map[int64]int{{1: tt.counted}, {}},
				BreachesListed: tt.listed, Tickets: all}
			if tt.listed > 0 {
				in.Tickets = all[:tt.listed]
			}
			out := tt.render(Compute(in), "en")
			assert.Contains(t, out, "words 0", "the longest wait is listed")
			if tt.noMore {
				assert.NotContains(t, out, " more")
				assert.Contains(t, out, "words 11")
				return
			}
			assert.Contains(t, out, tt.wantMore)
		})
	}
}
