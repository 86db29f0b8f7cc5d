package vk_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/modwatch/modwatch/watchers/vk"
)

// BenchmarkDecodeUpdateByKind decodes real-shaped long-poll updates, one kind each (the
// package's own BenchmarkDecodeUpdate times a ban alone): every event of every
// watched community goes through DecodeUpdate once.
func BenchmarkDecodeUpdateByKind(b *testing.B) {
	for _, bc := range []struct {
		name string
		file string
	}{
		{name: "ban", file: "user_block.json"},
		{name: "unban", file: "user_unblock.json"},
		{name: "comment", file: "wall_reply_new.json"},
	} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vk", bc.file))
		if err != nil {
			b.Fatalf("read %s: %v", bc.file, err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, _, err := vk.DecodeUpdate(1, json.RawMessage(raw)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
