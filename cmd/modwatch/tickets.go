package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

const ticketsUsage = `Usage:
  modwatch tickets import [--format csv|jsonl] FILE --config FILE

Imports help-desk tickets (e-mail, a help desk) so that a customer's requests from every
channel show in modwatch. Fields: external_id, vk_user_id, subject, text, status,
created_at, updated_at (times in RFC 3339, like 2026-03-14T09:26:53Z). A CSV file starts
with a header row naming its columns; a JSONL file holds one JSON object a line. The format
defaults to the file's extension. Importing a ticket again updates it in place. A file
with any bad row is not imported at all: every bad row is listed with its line number.
`

// importFields are the columns of an import, required ones first.
var importFields = []string{"external_id", "vk_user_id", "created_at", "subject", "text", "status", "updated_at"}

// requiredFields is how many of importFields a file must have.
const requiredFields = 3

// rowError is one bad row of an import file.
type rowError struct {
	line int
	why  string
}

// importRow is one record of an import file, by field name, with the line it starts on.
type importRow struct {
	line   int
	fields map[string]string
}

func cmdTickets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, ticketsUsage)
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("tickets import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "path to the YAML config file")
	format := fs.String("format", "", "csv or jsonl (default: from the file's extension)")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("tickets import: give one FILE to import")
	}
	file := pos[0]
	if *format == "" {
		switch strings.ToLower(filepath.Ext(file)) {
		case ".csv":
			*format = "csv"
		case ".jsonl", ".ndjson":
			*format = "jsonl"
		default:
			return fmt.Errorf("tickets import: cannot tell the format of %s: give --format csv or --format jsonl", file)
		}
	}
	if *format != "csv" && *format != "jsonl" {
		return fmt.Errorf("tickets import: unknown format %q: use csv or jsonl", *format)
	}
	if *path == "" {
		return errors.New("tickets import: --config FILE is required")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("tickets import: %w", err)
	}
	var rows []importRow
	var bad []rowError
	if *format == "csv" {
		rows, bad = readCSV(data)
	} else {
		rows, bad = readJSONL(data)
	}
	tickets, more := ticketsOf(rows)
	bad = append(bad, more...)
	if len(bad) > 0 {
		sort.SliceStable(bad, func(i, j int) bool { return bad[i].line < bad[j].line })
		for _, e := range bad {
			fmt.Fprintf(stderr, "%s:%d: %s\n", file, e.line, e.why)
		}
		return fmt.Errorf("tickets import: %s has %d bad row(s); nothing was imported", file, len(bad))
	}
	if len(tickets) == 0 {
		return fmt.Errorf("tickets import: %s holds no tickets", file)
	}
	return importTickets(ctx, *path, tickets, stdout)
}

func importTickets(ctx context.Context, path string, tickets []justify.Ticket, stdout io.Writer) (err error) {
	// The daemon may not have run yet: importing first is fine, so the file may be created.
	_, db, err := openDatabase(ctx, path, false)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	ins, upd, err := db.ImportTickets(ctx, tickets)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d new, updated %d\n", ins, upd)
	return nil
}

// readCSV reads a CSV file with a header row. A broken file (a stray quote) stops the
// reading at the break: the rest cannot be trusted to line up.
func readCSV(data []byte) ([]importRow, []rowError) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, []rowError{{1, "empty file: expected a header row"}}
	}
	if err != nil {
		return nil, []rowError{{1, "not valid CSV: " + csvReason(err)}}
	}
	var bad []rowError
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !known(h):
			bad = append(bad, rowError{1, fmt.Sprintf("unknown column %q: columns are %s", h, strings.Join(importFields, ", "))})
		case hasKey(col, h):
			bad = append(bad, rowError{1, fmt.Sprintf("column %q appears twice", h)})
		default:
			col[h] = i
		}
	}
	for _, f := range importFields[:requiredFields] {
		if !hasKey(col, f) {
			bad = append(bad, rowError{1, fmt.Sprintf("no %s column", f)})
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
			bad = append(bad, rowError{line, "not valid CSV: " + csvReason(err) + "; the rest of the file was not read"})
			break
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			bad = append(bad, rowError{line, fmt.Sprintf("%d fields, but the header has %d", len(rec), len(header))})
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
func readJSONL(data []byte) ([]importRow, []rowError) {
	var rows []importRow
	var bad []rowError
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
			bad = append(bad, rowError{line, "not a JSON object: " + err.Error()})
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
			bad = append(bad, rowError{line, strings.Join(why, "; ")})
			continue
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, rowError{line + 1, "cannot read: " + err.Error() + "; the rest of the file was not read"})
	}
	return rows, bad
}

// ticketsOf checks every row and turns the good ones into tickets; one row can have several
// problems, all named.
func ticketsOf(rows []importRow) ([]justify.Ticket, []rowError) {
	var out []justify.Ticket
	var bad []rowError
	seen := map[string]int{}
	for _, row := range rows {
		f := func(name string) string { return strings.TrimSpace(row.fields[name]) }
		var why []string
		tk := justify.Ticket{ExternalID: f("external_id"), Subject: f("subject"), Text: row.fields["text"], Status: strings.ToLower(f("status"))}
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
			bad = append(bad, rowError{row.line, strings.Join(why, "; ")})
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
