package ticketimport

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the encoded fixtures in testdata/tickets from their UTF-8 sources")

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "tickets", name))
	require.NoError(t, err)
	return b
}

// encodedFixtures are real files in a help desk's encoding: each is its UTF-8 source
// encoded by golang.org/x/text, committed as bytes (regenerate with -update).
var encodedFixtures = []struct {
	file, source string
	enc          Encoding
}{
	{file: "cp1251.csv", source: "cyrillic.csv", enc: windows1251},
	{file: "koi8r.jsonl", source: "cyrillic.jsonl", enc: koi8r},
}

func TestEncodedFixtures(t *testing.T) {
	for _, fx := range encodedFixtures {
		t.Run(fx.file, func(t *testing.T) {
			want, err := fx.enc.cm.NewEncoder().Bytes(fixture(t, fx.source))
			require.NoError(t, err, "every letter of %s must exist in %s", fx.source, fx.enc.Name)
			if *update {
				require.NoError(t, os.WriteFile(filepath.Join("..", "..", "..", "testdata", "tickets", fx.file), want, 0o644))
			}
			got := fixture(t, fx.file)
			assert.Equal(t, want, got, "run go test ./cmd/internal/ticketimport -update to regenerate")
			assert.False(t, utf8.Valid(got), "an encoded fixture must not be UTF-8")
		})
	}
}

func TestParseEncoding(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "utf-8", want: "utf-8"},
		{in: "UTF8", want: "utf-8"},
		{in: "windows-1251", want: "windows-1251"},
		{in: "CP1251", want: "windows-1251"},
		{in: "cp-1251", want: "windows-1251"},
		{in: "win1251", want: "windows-1251"},
		{in: "Windows_1251", want: "windows-1251"},
		{in: "koi8-r", want: "koi8-r"},
		{in: "KOI8R", want: "koi8-r"},
		{in: "latin1", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := ParseEncoding(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "use utf-8 (the default), windows-1251 (also cp1251) or koi8-r")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, e.Name)
		})
	}
}

func TestDecode(t *testing.T) {
	csv1251 := fixture(t, "cp1251.csv")
	jsonlKOI := fixture(t, "koi8r.jsonl")
	utf8CSV := fixture(t, "cyrillic.csv")
	tests := []struct {
		name string
		data []byte
		enc  Encoding
		// want is the decoded file; wantLine and wantWhy describe a refusal.
		want     []byte
		wantLine int
		wantWhy  string
	}{
		{name: "UTF-8 as UTF-8", data: utf8CSV, enc: UTF8, want: utf8CSV},
		{name: "a UTF-8 BOM is accepted", data: append([]byte("\ufeff"), utf8CSV...), enc: UTF8, want: append([]byte("\ufeff"), utf8CSV...)},
		{name: "Windows-1251 converted", data: csv1251, enc: windows1251, want: utf8CSV},
		{name: "KOI8-R converted", data: jsonlKOI, enc: koi8r, want: fixture(t, "cyrillic.jsonl")},
		{name: "ASCII in any encoding", data: []byte("a,b\n1,2\n"), enc: koi8r, want: []byte("a,b\n1,2\n")},
		{name: "Windows-1251 read as UTF-8", data: csv1251, enc: UTF8, wantLine: 2,
			wantWhy: "not UTF-8 (byte 0xC7 at character 10; 2 more lines like it); the file looks like Windows-1251: add --encoding windows-1251"},
		{name: "KOI8-R read as UTF-8", data: jsonlKOI, enc: UTF8, wantLine: 1,
			wantWhy: "not UTF-8 (byte 0xE4 at character 51; 1 more line like it); the file looks like KOI8-R: add --encoding koi8-r"},
		{name: "one stray byte in UTF-8", data: []byte("a,b\nок,\xff\n"), enc: UTF8, wantLine: 2,
			wantWhy: "not UTF-8 (byte 0xFF at character 4); if it came from a help desk in Windows-1251 or KOI8-R, add --encoding windows-1251 or --encoding koi8-r"},
		{name: "UTF-8 said to be Windows-1251", data: utf8CSV, enc: windows1251, wantLine: 2,
			wantWhy: "the file is already UTF-8: reading it as windows-1251 would garble every letter outside ASCII; drop --encoding windows-1251"},
		{name: "UTF-16", data: []byte{0xFF, 0xFE, 'a', 0}, enc: UTF8, wantLine: 1, wantWhy: "the file is UTF-16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad := Decode(tt.data, tt.enc)
			if tt.wantWhy != "" {
				require.NotNil(t, bad)
				assert.Equal(t, tt.wantLine, bad.Line)
				assert.Contains(t, bad.Why, tt.wantWhy)
				return
			}
			require.Nil(t, bad)
			assert.Equal(t, string(tt.want), string(got))
			assert.True(t, utf8.Valid(got))
		})
	}
}

// Decoded files read as their UTF-8 sources do: the same tickets, word for word.
func TestReadDecoded(t *testing.T) {
	for _, fx := range encodedFixtures {
		t.Run(fx.file, func(t *testing.T) {
			format, _ := FormatOf(fx.file)
			data, bad := Decode(fixture(t, fx.file), fx.enc)
			require.Nil(t, bad)
			got, rowErrs := Read(data, format)
			require.Empty(t, rowErrs)
			want, rowErrs := Read(fixture(t, fx.source), format)
			require.Empty(t, rowErrs)
			assert.Equal(t, want, got)
			require.Len(t, got, 2)
		})
	}
	data, bad := Decode(fixture(t, "cp1251.csv"), windows1251)
	require.Nil(t, bad)
	got, _ := Read(data, CSV)
	assert.Equal(t, "Заказ №123", got[0].Subject)
	assert.Equal(t, "Заказ так и не пришёл — верните деньги, пожалуйста", got[0].Text)
	assert.Equal(t, "Ёлка «Зимняя» сломана.\nЧек приложил.", got[1].Text)
}

// Read is an entry too: whatever bytes reach it, the tickets it returns are UTF-8.
func TestReadCleansText(t *testing.T) {
	tests := []struct {
		name, format, data string
	}{
		{name: "csv", format: CSV, data: "external_id,vk_user_id,subject,text,created_at\nX-\xff,5,Те\xefма,сло\xe2о,2026-03-10T09:00:00Z\n"},
		{name: "jsonl", format: JSONL, data: "{\"external_id\":\"X-\xff\",\"vk_user_id\":5,\"subject\":\"Те\xefма\",\"text\":\"сло\xe2о\",\"created_at\":\"2026-03-10T09:00:00Z\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad := Read([]byte(tt.data), tt.format)
			require.Empty(t, bad)
			require.Len(t, got, 1)
			assert.Equal(t, "X-\uFFFD", got[0].ExternalID)
			assert.Equal(t, "Те\uFFFDма", got[0].Subject)
			assert.Equal(t, "сло\uFFFDо", got[0].Text)
		})
	}
}
