package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

const eventsUsage = `Usage:
  modwatch events quarantined [--community ID] [--limit N] [--format text|jsonl] --config FILE

Lists the VK updates modwatch could not decode, newest first, as VK sent them: the
watcher moved past them, so this is all that is left of them.
`

// cmdEvents lists the updates kept in quarantine.
func cmdEvents(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) == 0 || args[0] != "quarantined" {
		fmt.Fprint(stderr, eventsUsage)
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("events quarantined", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "path to the YAML config file")
	community := fs.Int64("community", 0, "only this community's updates")
	limit := fs.Int("limit", 50, "at most this many updates, newest first (0: all)")
	format := fs.String("format", "text", "text, or jsonl: one JSON object a line")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return fmt.Errorf("events quarantined: unexpected argument %q", pos[0])
	case *limit < 0:
		return fmt.Errorf("events quarantined: --limit %d must be 0 (all) or more", *limit)
	case *community < 0:
		return fmt.Errorf("events quarantined: --community %d: give the id without the minus sign", *community)
	case *format != "text" && *format != "jsonl":
		return fmt.Errorf("events quarantined: --format %q: use text or jsonl", *format)
	}
	_, db, err := openDatabase(ctx, *path, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	qs, err := db.Quarantined(ctx, store.QuarantineFilter{GroupID: *community, Limit: *limit})
	if err != nil {
		return err
	}
	if *format == "jsonl" {
		return quarantineJSONL(qs, stdout)
	}
	quarantineText(qs, stdout)
	return nil
}

func quarantineText(qs []justify.Quarantined, stdout io.Writer) {
	if len(qs) == 0 {
		fmt.Fprintln(stdout, "no quarantined updates")
		return
	}
	fmt.Fprintf(stdout, "%d quarantined update(s), newest first:\n", len(qs))
	for _, q := range qs {
		fmt.Fprintf(stdout, "\n#%d  %s UTC  community %d  %s  %d bytes\n", q.ID, stamp(q.At), q.GroupID, q.KindOrUnreadable(), q.Size)
		fmt.Fprintf(stdout, "  error: %s\n", q.Err)
		if q.Size > len(q.Raw) {
			fmt.Fprintf(stdout, "  (the first %d bytes are kept)\n", len(q.Raw))
		}
		fmt.Fprintf(stdout, "  %s\n", strings.ToValidUTF8(string(q.Raw), "\uFFFD"))
	}
}

// quarantineLine is one update in --format jsonl. Raw is the update itself when it is
// whole JSON, else its text.
type quarantineLine struct {
	ID         int64  `json:"id"`
	Community  int64  `json:"community"`
	Type       string `json:"type"`
	ReceivedAt string `json:"received_at"`
	Size       int    `json:"size"`
	Cut        bool   `json:"cut"`
	Error      string `json:"error"`
	Raw        any    `json:"raw"`
}

func quarantineJSONL(qs []justify.Quarantined, stdout io.Writer) error {
	enc := json.NewEncoder(stdout)
	for _, q := range qs {
		// Bytes that are not UTF-8 can only be inside strings of JSON that is otherwise
		// whole: replaced, it stays JSON.
		text := strings.ToValidUTF8(string(q.Raw), "\uFFFD")
		var raw any = text
		if json.Valid([]byte(text)) {
			raw = json.RawMessage(text)
		}
		line := quarantineLine{ID: q.ID, Community: q.GroupID, Type: q.Kind, ReceivedAt: q.At.UTC().Format("2006-01-02T15:04:05.000Z"),
			Size: q.Size, Cut: q.Size > len(q.Raw), Error: q.Err, Raw: raw}
		if err := enc.Encode(line); err != nil {
			return fmt.Errorf("write update %d: %w", q.ID, err)
		}
	}
	return nil
}
