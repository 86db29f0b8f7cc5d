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
			case "":
			default:
				assert.Contains(t, stdout.String(), tt.out)
			}
		})
	}
}
