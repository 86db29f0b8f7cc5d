package vk

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// An answer is read in one pass while its updates' envelopes decode, and update by update
// when one does not; either way each update becomes the event DecodeUpdate makes of it, in
// its place, or is quarantined exactly as VK sent it, and the others go on.
func TestReadAnswerDecodesAsUpdateByUpdate(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "vk", "*.json"))
	require.NoError(t, err)
	var good []json.RawMessage
	for _, f := range files {
		name := filepath.Base(f)
		raw := update(t, name)
		var env struct {
			Type string `json:"type"`
		}
		if strings.HasPrefix(name, "malformed_") || json.Unmarshal(raw, &env) != nil || env.Type == "" {
			continue // not a long-poll update (API answers are kept here too)
		}
		good = append(good, raw)
	}
	require.Greater(t, len(good), 20)
	with := func(extra ...string) []json.RawMessage {
		out := append([]json.RawMessage(nil), good[:len(good)/2]...)
		for _, name := range extra {
			out = append(out, update(t, name))
		}
		return append(out, good[len(good)/2:]...)
	}
	tests := []struct {
		name    string
		updates []json.RawMessage
		onePass bool
	}{
		{name: "every update well formed", updates: good, onePass: true},
		{name: "an object malformed", updates: with("malformed_comment_no_from.json", "malformed_no_user_id.json"), onePass: true},
		{name: "an envelope malformed", updates: with("malformed_comment_no_from.json", "malformed_array.json"), onePass: false},
		{name: "no type, an object field of the wrong type", updates: with("malformed_no_type.json", "malformed_post_id_string.json"), onePass: true},
	}
	w := &Watcher{cfg: WatcherConfig{GroupID: 1, Now: func() time.Time { return fixedNow }}, log: zerolog.Nop()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(`{"ts":"1000","updates":[` + string(bytes.Join(asBytes(tt.updates), []byte(","))) + `]}`)
			a, err := readAnswer(body)
			require.NoError(t, err)
			assert.Equal(t, tt.onePass, a.envs != nil, "read in one pass")
			assert.Equal(t, "1000", string(a.Ts))
			require.Equal(t, len(tt.updates), a.updates())
			position := positions("900", "1000", len(tt.updates))
			evs, bad := w.decodeAnswer(a, position)

			var wantEvs []justify.Event
			var wantBad []string
			for i, raw := range tt.updates {
				ev, ok, err := DecodeUpdate(1, raw)
				switch {
				case err != nil:
					wantBad = append(wantBad, string(raw))
				case ok:
					wantEvs = append(wantEvs, stamp(ev, fixedNow, position(i)))
				}
			}
			require.NotEmpty(t, wantEvs)
			assert.Equal(t, wantEvs, evs)
			var gotBad []string
			for _, q := range bad {
				gotBad = append(gotBad, string(q.Raw))
			}
			assert.Equal(t, wantBad, gotBad, "quarantined byte for byte")
		})
	}
}

// update is a payload as it sits in an answer's list of updates.
func update(t *testing.T, name string) json.RawMessage {
	return bytes.TrimSpace(payload(t, name))
}

func asBytes(rs []json.RawMessage) [][]byte {
	out := make([][]byte, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}

// BenchmarkReadAnswer reads a long-poll answer of 200 comments, bans and deletions as the
// watcher does (one pass), and update by update as it does when an envelope is malformed.
func BenchmarkReadAnswer(b *testing.B) {
	var updates [][]byte
	for i := range 200 {
		name := [...]string{"wall_reply_new.json", "wall_reply_new.json", "user_block.json", "wall_reply_delete.json"}[i%4]
		updates = append(updates, bytes.TrimSpace(payload(b, name)))
	}
	body := []byte(`{"ts":"1200","updates":[` + string(bytes.Join(updates, []byte(","))) + `]}`)
	w := &Watcher{cfg: WatcherConfig{GroupID: 1, Now: func() time.Time { return fixedNow }}, log: zerolog.Nop()}
	position := positions("1000", "1200", len(updates))
	b.Run("one pass", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			a, err := readAnswer(body)
			if err != nil || a.envs == nil {
				b.Fatal("not read in one pass", err)
			}
			if evs, _ := w.decodeAnswer(a, position); len(evs) != len(updates) {
				b.Fatalf("%d events of %d", len(evs), len(updates))
			}
		}
	})
	b.Run("update by update", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var r pollResponse
			if err := json.Unmarshal(body, &r); err != nil {
				b.Fatal(err)
			}
			if evs, _ := w.decode(r.Updates, position); len(evs) != len(updates) {
				b.Fatalf("%d events of %d", len(evs), len(updates))
			}
		}
	})
}
