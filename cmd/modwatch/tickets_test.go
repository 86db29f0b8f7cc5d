package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

func fixture(name string) string { return filepath.Join("..", "..", "testdata", "tickets", name) }

// imports reads the imported tickets by external id.
func (e *cliEnv) imports(ids ...string) map[string]justify.Ticket {
	e.t.Helper()
	var keys []string
	for _, id := range ids {
		keys = append(keys, store.ImportKey(id))
	}
	out := map[string]justify.Ticket{}
	e.with(func(db *store.DB) {
		got, err := db.TicketsByKeys(context.Background(), keys)
		require.NoError(e.t, err)
		for _, tk := range got {
			out[tk.ExternalID] = tk
		}
	})
	return out
}

func TestTicketsImport(t *testing.T) {
	tests := []struct {
		name string
		// before is imported first (and must succeed), args are the step under test.
		before   []string
		args     []string
		wantCode int
		wantOut  string
		// wantErr lists what stderr must say, line numbers included.
		wantErr []string
		// wantIDs are the external ids stored afterwards.
		wantIDs []string
	}{
		{
			name:    "csv with a header, quoted multi-line text and an offset time",
			args:    []string{"tickets", "import", "--format", "csv", fixture("good.csv")},
			wantOut: "imported 3 new, updated 0\n",
			wantIDs: []string{"HD-1", "HD-2", "HD-3"},
		},
		{
			name:    "the format from the extension, flags after the file",
			args:    []string{"tickets", "import", fixture("good.jsonl")},
			wantOut: "imported 2 new, updated 0\n",
			wantIDs: []string{"J-1", "J-2"},
		},
		{
			name:    "re-import updates in place",
			before:  []string{"tickets", "import", fixture("good.csv")},
			args:    []string{"tickets", "import", fixture("update.csv")},
			wantOut: "imported 1 new, updated 1\n",
			wantIDs: []string{"HD-1", "HD-2", "HD-3", "HD-4"},
		},
		{
			name:    "the same file again changes nothing",
			before:  []string{"tickets", "import", fixture("good.csv")},
			args:    []string{"tickets", "import", fixture("good.csv")},
			wantOut: "imported 0 new, updated 0\n",
			wantIDs: []string{"HD-1", "HD-2", "HD-3"},
		},
		{
			name:     "a csv with bad rows imports nothing and lists every one",
			args:     []string{"tickets", "import", "--format", "csv", fixture("bad.csv")},
			wantCode: 1,
			wantErr: []string{
				"bad.csv:3: missing external_id\n",
				`bad.csv:4: vk_user_id "abc" is not a positive number` + "\n",
				`bad.csv:5: vk_user_id "-7" is not a positive number` + "\n",
				`bad.csv:6: created_at "10.03.2026" is not an RFC 3339 time like 2026-03-14T09:26:53Z` + "\n",
				"bad.csv:7: updated_at 2026-03-09T09:00:00Z is before created_at 2026-03-10T09:00:00Z\n",
				`bad.csv:8: external_id "HD-1" repeats line 2` + "\n",
				"bad.csv:9: 3 fields, but the header has 7\n",
				"bad.csv has 7 bad row(s); nothing was imported",
			},
		},
		{
			name:     "a jsonl with bad rows imports nothing",
			args:     []string{"tickets", "import", "--format", "jsonl", fixture("bad.jsonl")},
			wantCode: 1,
			wantErr: []string{
				`bad.jsonl:2: vk_user_id "0" is not a positive number`,
				"bad.jsonl:3: not a JSON object",
				`bad.jsonl:4: unknown field "priority"`,
				`bad.jsonl:5: missing external_id; created_at "yesterday" is not an RFC 3339 time`,
				"bad.jsonl has 4 bad row(s); nothing was imported",
			},
		},
		{
			name:     "a bad file leaves earlier imports as they were",
			before:   []string{"tickets", "import", fixture("good.csv")},
			args:     []string{"tickets", "import", fixture("bad.csv")},
			wantCode: 1,
			wantErr:  []string{"nothing was imported"},
			wantIDs:  []string{"HD-1", "HD-2", "HD-3"},
		},
		{
			name:     "a Windows-1251 file is refused with its line and a hint",
			args:     []string{"tickets", "import", fixture("cp1251.csv")},
			wantCode: 1,
			wantErr: []string{
				"cp1251.csv:2: not UTF-8 (byte 0xC7 at character 10; 2 more lines like it); the file looks like Windows-1251: add --encoding windows-1251\n",
				"cp1251.csv cannot be read as utf-8; nothing was imported",
			},
		},
		{
			name:    "--encoding windows-1251 converts it",
			args:    []string{"tickets", "import", "--encoding", "windows-1251", fixture("cp1251.csv")},
			wantOut: "imported 2 new, updated 0\n",
			wantIDs: []string{"W-1", "W-2"},
		},
		{
			name:    "cp1251 is the same",
			args:    []string{"tickets", "import", fixture("cp1251.csv"), "--encoding", "cp1251"},
			wantOut: "imported 2 new, updated 0\n",
			wantIDs: []string{"W-1", "W-2"},
		},
		{
			name:     "a KOI8-R file is recognised",
			args:     []string{"tickets", "import", fixture("koi8r.jsonl")},
			wantCode: 1,
			wantErr:  []string{"koi8r.jsonl:1: not UTF-8", "add --encoding koi8-r"},
		},
		{
			name:    "--encoding koi8-r converts it",
			args:    []string{"tickets", "import", "--encoding", "KOI8-R", fixture("koi8r.jsonl")},
			wantOut: "imported 2 new, updated 0\n",
			wantIDs: []string{"K-1", "K-2"},
		},
		{
			name:     "a UTF-8 file said to be Windows-1251 is refused, not garbled",
			args:     []string{"tickets", "import", "--encoding", "windows-1251", fixture("good.csv")},
			wantCode: 1,
			wantErr:  []string{"good.csv:2: the file is already UTF-8", "drop --encoding windows-1251", "cannot be read as windows-1251"},
		},
		{
			name:     "unknown encoding",
			args:     []string{"tickets", "import", "--encoding", "latin1", fixture("good.csv")},
			wantCode: 1,
			wantErr:  []string{`unknown encoding "latin1": use utf-8 (the default), windows-1251 (also cp1251) or koi8-r`},
		},
		{
			name:     "unknown columns",
			args:     []string{"tickets", "import", fixture("columns.csv")},
			wantCode: 1,
			wantErr:  []string{`columns.csv:1: unknown column "id"`, "columns.csv:1: no external_id column"},
		},
		{
			name:     "unknown format",
			args:     []string{"tickets", "import", "--format", "xml", fixture("good.csv")},
			wantCode: 1,
			wantErr:  []string{`unknown format "xml": use csv or jsonl`},
		},
		{
			name:     "a format the extension does not tell",
			args:     []string{"tickets", "import", "tickets.txt"},
			wantCode: 1,
			wantErr:  []string{"give --format csv or --format jsonl"},
		},
		{
			name:     "a header and no ticket",
			args:     []string{"tickets", "import", fixture("header-only.csv")},
			wantCode: 1,
			wantErr:  []string{"header-only.csv holds no tickets"},
		},
		{
			name:     "no file",
			args:     []string{"tickets", "import"},
			wantCode: 1,
			wantErr:  []string{"give one FILE to import"},
		},
		{
			name:     "a missing file",
			args:     []string{"tickets", "import", fixture("missing.csv")},
			wantCode: 1,
			wantErr:  []string{"no such file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newCLIEnv(t)
			if tt.before != nil {
				code, _, errOut := e.run(tt.before...)
				require.Equal(t, 0, code, errOut)
			}
			code, out, errOut := e.run(tt.args...)
			assert.Equal(t, tt.wantCode, code, "stderr:\n%s", errOut)
			assert.Equal(t, tt.wantOut, out)
			for _, w := range tt.wantErr {
				assert.Contains(t, errOut, w)
			}
			if tt.wantCode == 0 || tt.before != nil {
				var ids []string
				for id := range e.imports("HD-1", "HD-2", "HD-3", "HD-4", "HD-9", "J-1", "J-2", "W-1", "W-2", "K-1", "K-2") {
					ids = append(ids, id)
				}
				assert.ElementsMatch(t, tt.wantIDs, ids)
			} else {
				assert.NoFileExists(t, e.dbPath, "a rejected file must not even open the database")
			}
		})
	}
}

func TestTicketsImportFields(t *testing.T) {
	e := newCLIEnv(t)
	code, _, errOut := e.run("tickets", "import", fixture("good.csv"))
	require.Equal(t, 0, code, errOut)
	got := e.imports("HD-1", "HD-2", "HD-3")
	hd2 := got["HD-2"]
	assert.Equal(t, justify.Ref{Place: justify.PlaceHelpDesk}, hd2.Ref, "an import belongs to every community")
	assert.Equal(t, int64(5002), hd2.AuthorVKID)
	assert.Equal(t, "Возврат", hd2.Subject)
	assert.Equal(t, "Хочу вернуть товар.\nЧек приложил.", hd2.Text)
	assert.Equal(t, time.Date(2026, 3, 11, 7, 0, 0, 0, time.UTC), hd2.CreatedAt)
	assert.Equal(t, time.Date(2026, 3, 12, 9, 30, 0, 0, time.UTC), hd2.AnsweredAt, "closed counts as answered when updated")
	assert.False(t, hd2.Open())
	hd3 := got["HD-3"]
	assert.Equal(t, hd3.CreatedAt, hd3.UpdatedAt, "no updated_at: the created time")
	assert.True(t, hd3.Open())

	code, _, errOut = e.run("tickets", "import", fixture("update.csv"))
	require.Equal(t, 0, code, errOut)
	hd1 := e.imports("HD-1")["HD-1"]
	assert.Equal(t, "Заказ 123 так и не пришёл", hd1.Text)
	assert.Equal(t, "resolved", hd1.Status)
	assert.Equal(t, time.Date(2026, 3, 13, 15, 0, 0, 0, time.UTC), hd1.AnsweredAt)
	assert.Equal(t, got["HD-1"].ID, hd1.ID, "updated in place")
}
