package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/store"
)

// TestReportLongestWaits runs modwatch report over a help desk with more requests waiting
// past the SLA than it lists: every one is counted, only the longest waits are listed with
// their words, and the text says how many more there are.
func TestReportLongestWaits(t *testing.T) {
	e := newCLIEnv(t)
	const waiting = 8
	e.with(func(db *store.DB) {
		var ts []justify.Ticket
		for i := range waiting {
			ts = append(ts, justify.Ticket{ExternalID: fmt.Sprint("HD-", i), AuthorVKID: int64(6000 + i),
				Subject: "Возврат", Text: fmt.Sprint("Жду ответа №", i), Status: "open",
				CreatedAt: cliT0.Add(-time.Duration(i+1) * time.Hour)})
		}
		// A closed one waits for nobody.
		ts = append(ts, justify.Ticket{ExternalID: "HD-closed", AuthorVKID: 6100, Text: "Спасибо", Status: "closed",
			CreatedAt: cliT0.Add(-48 * time.Hour)})
		_, _, err := db.ImportTickets(context.Background(), ts)
		require.NoError(t, err)
	})
	old := reportClock
	reportClock = func() time.Time { return cliT0.Add(24 * time.Hour) }
	t.Cleanup(func() { reportClock = old })

	helpDesk := func(t *testing.T, out string) report.CommunityReport {
		t.Helper()
		var r report.Report
		require.NoError(t, json.Unmarshal([]byte(out), &r))
		for _, c := range r.Communities {
			if c.Name == report.HelpDeskName {
				return c
			}
		}
		t.Fatalf("no help desk in %s", out)
		return report.CommunityReport{}
	}
	tests := []struct {
		name   string
		args   []string
		listed int
	}{
		{name: "the default lists report.DefaultExamples", args: nil, listed: report.DefaultExamples},
		{name: "--examples 3", args: []string{"--examples", "3"}, listed: 3},
		{name: "--examples 0 lists all", args: []string{"--examples", "0"}, listed: waiting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := e.run(append([]string{"report", "--since", "1d", "--format", "json"}, tt.args...)...)
			require.Equal(t, 0, code, "stderr:\n%s", errOut)
			c := helpDesk(t, out)
			assert.Equal(t, waiting, c.Total.Current.SLABreaches, "every waiting request counted")
			assert.Equal(t, waiting, c.SLABreachesTotal)
			require.Len(t, c.SLABreaches, tt.listed)
			for i, b := range c.SLABreaches {
				// The oldest request waits longest: HD-7, then HD-6...
				assert.Equal(t, fmt.Sprint("Жду ответа №", waiting-1-i), b.Excerpt, "listed longest first, with words")
			}
		})
	}

	code, out, errOut := e.run("report", "--since", "1d", "--lang", "en", "--examples", "3")
	require.Equal(t, 0, code, "stderr:\n%s", errOut)
	assert.Contains(t, out, "Жду ответа №7")
	assert.NotContains(t, out, "Жду ответа №4", "not among the longest three")
	assert.Contains(t, out, fmt.Sprintf("and %d more", waiting-3))
}
