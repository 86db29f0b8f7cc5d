package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// cmdBackup writes a consistent copy of the daemon's database, which may be running.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "path to the YAML config file")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("backup: give one FILE to write the copy to (it must not exist)")
	}
	_, db, err := openDatabase(ctx, *path, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	info, err := db.Backup(ctx, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s: %d bytes, schema version %d, %d case(s), %d audit trail entries; integrity check ok\n",
		info.Path, info.Bytes, info.Schema, info.Cases, info.Decisions)
	return nil
}
