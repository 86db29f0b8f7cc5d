package vk

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func payload(tb testing.TB, name string) json.RawMessage {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vk", name))
	require.NoError(tb, err)
	return b
}

func TestDecodeUpdate(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    justify.Event
		ignored bool
		wantErr bool
	}{
		{name: "temporary ban", file: "user_block.json", want: justify.Event{
			Key: "vk:1:0c6a4e4d2b8f4c1e9b1f7d3a5e2c8b90a1d2e3f4", GroupID: 1, Kind: justify.EventBan,
			ActorVKID: 111, UserVKID: 222, VKReason: justify.BanSpam, Comment: "spam links in comments",
			Until: time.Unix(1795000000, 0).UTC(), Source: justify.SourceLongPoll,
		}},
		{name: "ban forever", file: "user_block_forever.json", want: justify.Event{
			Key: "vk:1:1d7b5f5e3c9f5d2f0c2f8e4b6f3d9ca1b2e3f4a5", GroupID: 1, Kind: justify.EventBan,
			ActorVKID: 111, UserVKID: 333, VKReason: justify.BanAbuse, Source: justify.SourceLongPoll,
		}},
		{name: "ban without comment field", file: "user_block_no_comment.json", want: justify.Event{
			Key: "vk:1:2e8c6a6f4daa6e3a1d3a9f5c7a4eadb2c3f4a5b6", GroupID: 1, Kind: justify.EventBan,
			ActorVKID: 111, UserVKID: 444, VKReason: justify.BanOther, Source: justify.SourceLongPoll,
		}},
		{name: "invalid bytes in the comment become U+FFFD", file: "user_block_invalid_utf8.json", want: justify.Event{
			Key: "vk:1:8d3f1b2c0e9a7f6e5d4c3b2a1a09f8e7d6c5b4a3", GroupID: 1, Kind: justify.EventBan,
			ActorVKID: 111, UserVKID: 222, VKReason: justify.BanOther, Comment: "\uFFFD\uFFFD\uFFFD\uFFFD спам", Source: justify.SourceLongPoll,
		}},
		{name: "unban by admin", file: "user_unblock.json", want: justify.Event{
			Key: "vk:1:3f9d7b7a5ebb7f4b2e4bafa6d8b5febc3d4a5b6c7", GroupID: 1, Kind: justify.EventUnban,
			ActorVKID: 111, UserVKID: 222, Source: justify.SourceLongPoll,
		}},
		{name: "ban expired", file: "user_unblock_expired.json", want: justify.Event{
			Key: "vk:1:4a0e8c8b6fcc8a5c3f5cbab7e9c6afcd4e5b6c7d8", GroupID: 1, Kind: justify.EventUnban,
			ActorVKID: 111, UserVKID: 222, Expired: true, Source: justify.SourceLongPoll,
		}},
		{name: "user id as string", file: "malformed_user_id_string.json", wantErr: true},
		{name: "no user id", file: "malformed_no_user_id.json", wantErr: true},
		{name: "no event id", file: "malformed_no_event_id.json", wantErr: true},
		{name: "no object", file: "malformed_no_object.json", wantErr: true},
		{name: "no type", file: "malformed_no_type.json", wantErr: true},
		{name: "another community", file: "malformed_other_group.json", wantErr: true},
		{name: "not an object", file: "malformed_array.json", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, ok, err := DecodeUpdate(1, payload(t, tt.file))
			if tt.wantErr {
				require.ErrorIs(t, err, ErrMalformed)
				assert.False(t, ok)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, !tt.ignored, ok)
			assert.Equal(t, tt.want, ev)
			if ok {
				assert.NoError(t, ev.Validate(), "decoded events must pass the domain's validation")
			}
		})
	}
}

func TestPollTsAcceptsStringAndNumber(t *testing.T) {
	tests := []struct {
		name, body, want string
		failed           int
	}{
		{name: "normal answer", body: `{"ts":"42","updates":[]}`, want: "42"},
		{name: "failed 1 with a number", body: string(payload(t, "longpoll_failed_1.json")), want: "30", failed: 1},
		{name: "failed 2 without ts", body: `{"failed":2}`, want: "", failed: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r pollResponse
			require.NoError(t, json.Unmarshal([]byte(tt.body), &r))
			assert.Equal(t, tt.want, string(r.Ts))
			assert.Equal(t, tt.failed, r.Failed)
		})
	}
}

// FuzzDecodeUpdate checks that no input panics and that every accepted event is one the
// domain can store. Every payload in testdata/vk seeds it.
func FuzzDecodeUpdate(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "vk", "*.json"))
	require.NoError(f, err)
	require.NotEmpty(f, files)
	for _, name := range files {
		f.Add([]byte(payload(f, filepath.Base(name))))
	}
	f.Add([]byte(`{"type":"user_block","object":null,"event_id":"x"}`))
	f.Add([]byte(`{"type":"user_block","object":{"user_id":1e30},"event_id":"x"}`))
	f.Add([]byte(`{"type":"board_post_delete","object":{"id":1,"topic_id":2,"topic_owner_id":-9223372036854775808},"event_id":"x"}`))
	f.Add([]byte(`{"type":"message_new","object":{"message":null,"id":3,"from_id":4},"event_id":"x"}`))
	f.Add([]byte(`{"type":"_delete","object":{},"event_id":"x"}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, ok, err := DecodeUpdate(1, raw)
		if err != nil || !ok {
			assert.False(t, ok)
			if err != nil {
				assert.ErrorIs(t, err, ErrMalformed)
			}
			return
		}
		assert.NoError(t, ev.Validate())
		assert.Equal(t, int64(1), ev.GroupID)
		texts := []string{ev.UserName, ev.ActorName, ev.Comment}
		if ev.Ticket != nil {
			assert.Equal(t, ev.Ticket.Ref.Key(), ev.Ticket.Key)
			texts = append(texts, ev.Ticket.Text, ev.Ticket.AuthorName, ev.Ticket.Link)
			texts = append(texts, ev.Ticket.Attachments...)
		}
		for _, s := range texts {
			assert.True(t, utf8.ValidString(s), "every text is valid UTF-8: %q", s)
		}
	})
}

func BenchmarkDecodeUpdate(b *testing.B) {
	raw := payload(b, "user_block.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeUpdate(1, raw); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFullName(t *testing.T) {
	tests := []struct {
		name, first, last, want string
	}{
		{name: "both", first: "Мария", last: "Иванова", want: "Мария Иванова"},
		{name: "no last name", first: "Мария", want: "Мария"},
		{name: "invalid bytes", first: "Ма\xffрия", last: "\xcf\xf0", want: "Ма\uFFFDрия \uFFFD\uFFFD"},
		{name: "controls are kept for the record", first: "Мария", last: "\u202Eавонави", want: "Мария \u202Eавонави"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, fullName(tt.first, tt.last))
		})
	}
}
