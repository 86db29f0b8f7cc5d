package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

func TestEventsQuarantined(t *testing.T) {
	e := newCLIEnv(t)
	e.with(func(db *store.DB) {
		require.NoError(t, db.Update(context.Background(), func(tx justify.Tx) error {
			for _, q := range []justify.Quarantined{
				{GroupID: 10, Kind: "wall_reply_new", Raw: []byte(`{"type":"wall_reply_new","object":{"text":"` + "\xff" + `"}}`), Size: 40, Err: "no id", At: cliT0},
				{GroupID: 20, Raw: []byte(`{"type":"message_new","obj`), Size: 70000, Err: "decode envelope", At: cliT0},
			} {
				if _, err := tx.Quarantine(&q); err != nil {
					return err
				}
			}
			return nil
		}))
	})
	tests := []struct {
		name     string
		args     []string
		code     int
		want     []string
		wantNot  []string
		wantErrs string
	}{
		{name: "all, newest first", args: []string{"events", "quarantined"}, want: []string{
			"2 quarantined update(s)", "#2  2026-03-14 09:00:00 UTC  community 20  unreadable  70000 bytes",
			"(the first 26 bytes are kept)", "error: no id", "\uFFFD"}},
		{name: "one community", args: []string{"events", "quarantined", "--community", "10"},
			want: []string{"1 quarantined update(s)", "wall_reply_new"}, wantNot: []string{"unreadable"}},
		{name: "jsonl keeps whole JSON as JSON, the rest as text", args: []string{"events", "quarantined", "--format", "jsonl"}, want: []string{
			`"raw":"{\"type\":\"message_new\",\"obj"`, `"cut":true`, `"raw":{"type":"wall_reply_new","object":{"text":"` + "\uFFFD" + `"}}`}},
		{name: "a community without any", args: []string{"events", "quarantined", "--community", "30"}, want: []string{"no quarantined updates"}},
		{name: "bad format", args: []string{"events", "quarantined", "--format", "xml"}, code: 1, wantErrs: "use text or jsonl"},
		{name: "bad limit", args: []string{"events", "quarantined", "--limit", "-1"}, code: 1, wantErrs: "--limit -1"},
		{name: "no subcommand", args: []string{"events"}, code: 2, wantErrs: "Usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := e.run(tt.args...)
			require.Equal(t, tt.code, code, errOut)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			for _, w := range tt.wantNot {
				assert.NotContains(t, out, w)
			}
			assert.Contains(t, errOut, tt.wantErrs)
		})
	}
}
