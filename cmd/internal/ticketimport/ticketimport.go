// Package ticketimport reads the help-desk tickets an administrator imports (CSV with a
// header row, or one JSON object a line) and checks every row, so that a file with a bad
// row can be refused whole, with every bad row named by its line.
package ticketimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// Formats of an import file.
const (
	CSV   = "csv"
	JSONL = "jsonl"
)

// importFields are the columns of an import, required ones first.
var importFields = []string{"external_id", "vk_user_id", "created_at", "subject", "text", "status", "updated_at"}

// requiredFields is how many of importFields a file must have.
const requiredFields = 3

// RowError is one bad row of an import file.
type RowError struct {
	Line int    // the line the row starts on
	Why  string // every problem of the row
}

// importRow is one record of an import file, by field name, with the line it starts on.
type importRow struct {
	line   int
	fields map[string]string
}

// FormatOf tells an import file's format from its name's extension.
func FormatOf(name string) (string, bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV, true
	case ".jsonl", ".ndjson":
		return JSONL, true
	}
	return "", false
}

// Read reads an import file in format (CSV or JSONL), already made UTF-8 by Decode, and
// checks every row. It returns the
// tickets of the good rows and every bad row, in the order of their lines; a caller that
// imports nothing when a row is bad needs only check the second.
func Read(data []byte, format string) ([]justify.Ticket, []RowError) {
	var rows []importRow
	var bad []RowError
	if format == CSV {
		rows, bad = readCSV(data)
	} else {
		rows, bad = readJSONL(data)
	}
	tickets, more := ticketsOf(rows)
	bad = append(bad, more...)
	sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
	return tickets, bad
}

// readCSV reads a CSV file with a header row. A broken file (a stray quote) stops the
// reading at the break: the rest cannot be trusted to line up.
func readCSV(data []byte) ([]importRow, []RowError) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, []RowError{{Line: 1, Why: "empty file: expected a header row"}}
	}
	if err != nil {
		return nil, []RowError{{Line: 1, Why: "not valid CSV: " + csvReason(err)}}
	}
	var bad []RowError
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !known(h):
			bad = append(bad, RowError{Line: 1, Why: fmt.Sprintf("unknown column %q: columns are %s", h, strings.Join(importFields, ", "))})
		case hasKey(col, h):
			bad = append(bad, RowError{Line: 1, Why: fmt.Sprintf("column %q appears twice", h)})
		default:
			col[h] = i
		}
	}
	for _, f := range importFields[:requiredFields] {
		if !hasKey(col, f) {
			bad = append(bad, RowError{Line: 1, Why: fmt.Sprintf("no %s column", f)})
		}
	}
	if len(bad) > 0 {
		return nil, bad
	}
	var rows []importRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			bad = append(bad, RowError{Line: line, Why: "not valid CSV: " + csvReason(err) + "; the rest of the file was not read"})
			break
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			bad = append(bad, RowError{Line: line, Why: fmt.Sprintf("%d fields, but the header has %d", len(rec), len(header))})
			continue
		}
		row := importRow{line: line, fields: map[string]string{}}
		for name, i := range col {
			row.fields[name] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows, bad
}

// csvReason is a csv error without the "record on line N" prefix the caller already gives.
func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// readJSONL reads one JSON object a line; blank lines are skipped. vk_user_id may be a
// number or a string of digits; the other fields are strings.
func readJSONL(data []byte) ([]importRow, []RowError) {
	var rows []importRow
	var bad []RowError
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\ufeff"))
		}
		if len(text) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(text, &obj); err != nil {
			bad = append(bad, RowError{Line: line, Why: "not a JSON object: " + err.Error()})
			continue
		}
		row := importRow{line: line, fields: map[string]string{}}
		var why []string
		names := make([]string, 0, len(obj))
		for k := range obj {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := obj[k]
			if !known(k) {
				why = append(why, fmt.Sprintf("unknown field %q", k))
				continue
			}
			var s string
			if err := json.Unmarshal(v, &s); err == nil {
				row.fields[k] = s
				continue
			}
			var n json.Number
			if k == "vk_user_id" && json.Unmarshal(v, &n) == nil {
				row.fields[k] = n.String()
				continue
			}
			if string(v) == "null" {
				continue
			}
			why = append(why, fmt.Sprintf("%s must be a string, not %s", k, v))
		}
		if len(why) > 0 {
			bad = append(bad, RowError{Line: line, Why: strings.Join(why, "; ")})
			continue
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, RowError{Line: line + 1, Why: "cannot read: " + err.Error() + "; the rest of the file was not read"})
	}
	return rows, bad
}

// ticketsOf checks every row and turns the good ones into tickets; one row can have several
// problems, all named.
func ticketsOf(rows []importRow) ([]justify.Ticket, []RowError) {
	var out []justify.Ticket
	var bad []RowError
	seen := map[string]int{}
	for _, row := range rows {
		// Decode made the file UTF-8; cleaning every field as well keeps any caller of Read
		// from storing a byte Telegram would refuse in every later message.
		f := func(name string) string { return strings.TrimSpace(justify.CleanText(row.fields[name])) }
		var why []string
		tk := justify.Ticket{ExternalID: f("external_id"), Subject: f("subject"), Text: justify.CleanText(row.fields["text"]), Status: strings.ToLower(f("status"))}
		switch first, dup := seen[tk.ExternalID]; {
		case tk.ExternalID == "":
			why = append(why, "missing external_id")
		case dup:
			why = append(why, fmt.Sprintf("external_id %q repeats line %d", tk.ExternalID, first))
		default:
			seen[tk.ExternalID] = row.line
		}
		id, err := strconv.ParseInt(f("vk_user_id"), 10, 64)
		switch {
		case f("vk_user_id") == "":
			why = append(why, "missing vk_user_id")
		case err != nil || id <= 0:
			why = append(why, fmt.Sprintf("vk_user_id %q is not a positive number", f("vk_user_id")))
		}
		tk.AuthorVKID = id
		parse := func(name string, required bool) time.Time {
			v := f(name)
			if v == "" {
				if required {
					why = append(why, "missing "+name)
				}
				return time.Time{}
			}
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				why = append(why, fmt.Sprintf("%s %q is not an RFC 3339 time like 2026-03-14T09:26:53Z", name, v))
			}
			return t
		}
		tk.CreatedAt = parse("created_at", true)
		tk.UpdatedAt = parse("updated_at", false)
		switch {
		case tk.UpdatedAt.IsZero():
			tk.UpdatedAt = tk.CreatedAt
		case !tk.CreatedAt.IsZero() && tk.UpdatedAt.Before(tk.CreatedAt):
			why = append(why, fmt.Sprintf("updated_at %s is before created_at %s", f("updated_at"), f("created_at")))
		}
		if len(why) > 0 {
			bad = append(bad, RowError{Line: row.line, Why: strings.Join(why, "; ")})
			continue
		}
		out = append(out, tk)
	}
	return out, bad
}

func known(field string) bool {
	for _, f := range importFields {
		if f == field {
			return true
		}
	}
	return false
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }
