package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify/justifytest"
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
			res, err := runBench(context.Background(), benchOptions{
				Events: tt.events, Communities: tt.communities, BansShare: tt.bansShare,
				Dir: t.TempDir(), Lookups: 50, Seed: 7,
			}, &justifytest.SyncBuffer{})
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

func TestBenchCommandLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{name: "bad share", args: []string{"bench", "--bans-share", "1.5"}, code: 1},
		{name: "no events", args: []string{"bench", "--events", "0"}, code: 1},
		{name: "unknown flag", args: []string{"bench", "--fast"}, code: 1},
		{name: "json", args: []string{"bench", "--events", "30", "--communities", "1", "--lookups", "5", "--json", "--dir", t.TempDir()}, code: 0, out: "json"},
		{name: "table", args: []string{"bench", "--events", "30", "--communities", "1", "--lookups", "5", "--dir", t.TempDir()}, code: 0, out: "event→prompt p99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runCLI(context.Background(), tt.args, &stdout, &stderr)
			require.Equal(t, tt.code, code, "stderr: %s", stderr.String())
			switch tt.out {
			case "json":
				var res benchResult
				require.NoError(t, json.Unmarshal(stdout.Bytes(), &res))
				assert.Equal(t, 30, res.Events)
				assert.Equal(t, res.Pushed.Bans, res.Prompts)
			case "":
			default:
				assert.Contains(t, stdout.String(), tt.out)
			}
		})
	}
}
