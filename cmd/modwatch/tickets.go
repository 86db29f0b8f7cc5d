package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/modwatch/modwatch/cmd/internal/ticketimport"
	"github.com/modwatch/modwatch/justify"
)

const ticketsUsage = `Usage:
  modwatch tickets import [--format csv|jsonl] [--encoding utf-8|windows-1251|koi8-r] FILE --config FILE

Imports help-desk tickets (e-mail, a help desk) so that a customer's requests from every
channel show in modwatch. Fields: external_id, vk_user_id, subject, text, status,
created_at, updated_at (times in RFC 3339, like 2026-03-14T09:26:53Z). A CSV file starts
with a header row naming its columns; a JSONL file holds one JSON object a line. The format
defaults to the file's extension. The file must be UTF-8 (a BOM is fine) unless
--encoding names another: windows-1251 (also cp1251) or koi8-r, as help desks in Russia
often export; a file that is not what it is said to be is refused with the first bad
line. Importing a ticket again updates it in place. A file with any bad row is not
imported at all: every bad row is listed with its line number.
`

func cmdTickets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, ticketsUsage)
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("tickets import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "path to the YAML config file")
	format := fs.String("format", "", "csv or jsonl (default: from the file's extension)")
	encName := fs.String("encoding", "utf-8", "the file's encoding: utf-8, windows-1251 (cp1251) or koi8-r")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("tickets import: give one FILE to import")
	}
	file := pos[0]
	if *format == "" {
		var ok bool
		if *format, ok = ticketimport.FormatOf(file); !ok {
			return fmt.Errorf("tickets import: cannot tell the format of %s: give --format csv or --format jsonl", file)
		}
	}
	if *format != ticketimport.CSV && *format != ticketimport.JSONL {
		return fmt.Errorf("tickets import: unknown format %q: use csv or jsonl", *format)
	}
	enc, err := ticketimport.ParseEncoding(*encName)
	if err != nil {
		return fmt.Errorf("tickets import: %w", err)
	}
	if *path == "" {
		return errors.New("tickets import: --config FILE is required")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("tickets import: %w", err)
	}
	data, encErr := ticketimport.Decode(data, enc)
	if encErr != nil {
		fmt.Fprintf(stderr, "%s:%d: %s\n", file, encErr.Line, encErr.Why)
		return fmt.Errorf("tickets import: %s cannot be read as %s; nothing was imported", file, enc.Name)
	}
	tickets, bad := ticketimport.Read(data, *format)
	if len(bad) > 0 {
		for _, e := range bad {
			fmt.Fprintf(stderr, "%s:%d: %s\n", file, e.Line, e.Why)
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
