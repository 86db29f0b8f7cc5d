package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/cmd/internal/loadrun"
)

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
		{name: "idle in-process", args: []string{"bench", "--idle", "1s"}, code: 1},
		{name: "binary without process", args: []string{"bench", "--binary", "/bin/true"}, code: 1},
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
				var res loadrun.Result
				require.NoError(t, json.Unmarshal(stdout.Bytes(), &res))
				assert.Equal(t, 30, res.Events)
				assert.Equal(t, res.Pushed.Bans, res.Prompts)
				assertBenchFields(t, stdout.Bytes())
				// In-process, the daemon's own RSS and idle cost cannot be told from the
				// bench's: -1 says not measured.
				assert.False(t, res.Process)
				assert.Equal(t, -1.0, res.DaemonPeakRSSMB)
				assert.Equal(t, -1, res.Idle.Goroutines)
			case "":
			default:
				assert.Contains(t, stdout.String(), tt.out)
			}
		})
	}
}

// benchFields are the figures `modwatch bench --json` promises, by these names: scripts
// that compare runs read them.
var benchFields = []string{
	"ingest_events_per_second", "baseline_rows_per_second", "ingest_ratio", "first_prompt_ms",
	"prompt_p50_ms", "prompt_p99_ms", "daemon_peak_rss_mb", "process_peak_rss_mb",
	"ticket_lookup_p99_ms", "report_seconds", "communities", "tickets", "events",
}

// assertBenchFields checks that out is one JSON object with every promised figure, each a
// number.
func assertBenchFields(t *testing.T, out []byte) map[string]any {
	t.Helper()
	var fields map[string]any
	dec := json.NewDecoder(bytes.NewReader(out))
	require.NoError(t, dec.Decode(&fields))
	assert.False(t, dec.More(), "one JSON object, nothing after it")
	for _, name := range benchFields {
		v, ok := fields[name]
		if assert.True(t, ok, "field %s", name) {
			assert.IsType(t, float64(0), v, "field %s is a number", name)
		}
	}
	return fields
}

// TestBenchSeparateProcess runs a small bench against the real binary in a process of its
// own, then watches it idle for a moment, and checks counts and that each figure read
// from outside the daemon was read; how big they are is reported, never asserted.
func TestBenchSeparateProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a real process")
	}
	bin := buildBinary(t)
	var stdout, stderr bytes.Buffer
	code := runCLI(context.Background(), []string{"bench", "--process", "--binary", bin, "--events", "120", "--communities", "2",
		"--lookups", "5", "--idle", "2s", "--json", "--dir", t.TempDir()}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	fields := assertBenchFields(t, stdout.Bytes())

	var res loadrun.Result
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &res))
	assert.True(t, res.Process)
	assert.Equal(t, res.Decodable, res.Recorded, "every event this build decodes is recorded once")
	assert.Equal(t, res.Pushed.Bans, res.Prompts, "every ban got its prompt")
	assert.Positive(t, fields["daemon_peak_rss_mb"], "the daemon's own RSS was read from /proc")
	assert.GreaterOrEqual(t, res.FirstPromptMS, 0.0, "the first ban's prompt was seen")
	assert.Positive(t, res.Idle.Goroutines, "goroutines were read from the daemon's /metrics")
	assert.Positive(t, res.Idle.Sockets, "the daemon's sockets were counted")
	assert.GreaterOrEqual(t, res.Idle.CPUPercent, 0.0)
	assert.Positive(t, res.Idle.Seconds)
}
