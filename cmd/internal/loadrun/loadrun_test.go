package loadrun

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchRecordsEveryEvent runs a small bench and checks only counts: timings depend on
// the machine, so they are reported, never asserted.
func TestBenchRecordsEveryEvent(t *testing.T) {
	tests := []struct {
		name        string
		events      int
		communities int
		bansShare   float64
	}{
		{name: "two communities", events: 500, communities: 2, bansShare: 0.1},
		{name: "bans only", events: 40, communities: 1, bansShare: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(context.Background(), Options{
				Events: tt.events, Communities: tt.communities, BansShare: tt.bansShare,
				Dir: t.TempDir(), Lookups: 50, Seed: 7,
			}, io.Discard)
			require.NoError(t, err)

			p := res.Pushed
			assert.Equal(t, tt.events, p.Comments+p.Replies+p.Deletions+p.Bans, "every planned event is pushed")
			assert.Equal(t, int(float64(tt.events)*tt.bansShare+0.5), p.Bans)
			assert.GreaterOrEqual(t, res.Decodable, p.Bans, "bans are always decodable")
			assert.Equal(t, res.Decodable, res.Recorded, "every event this build decodes is recorded once")
			assert.Equal(t, p.Bans, res.Prompts, "every ban by an operator got its prompt")
			assert.Positive(t, res.IngestPerSec)
			assert.Positive(t, res.BaselinePerSec)
			assert.Positive(t, res.DBBytes)
		})
	}
}

// TestBenchTimesTheReport preloads community messages and checks that the 30-day report
// over them was made and saw them; how long it took is reported, never asserted.
func TestBenchTimesTheReport(t *testing.T) {
	res, err := Run(context.Background(), Options{
		Events: 20, Communities: 2, Dir: t.TempDir(), Lookups: 5, Seed: 3, PreloadMessages: 3000,
	}, io.Discard)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, res.PreloadedMessages, 3000)
	assert.Positive(t, res.ReportDialogs, "the report counted the preloaded dialogs")
	assert.Positive(t, res.ReportSigns)
	assert.Positive(t, res.ReportLoadMS)
}
