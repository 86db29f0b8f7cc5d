package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/store"
)

// The database commands (tickets, forget, cases, report) work on the daemon's database,
// found through its config; they can run beside the daemon (SQLite WAL, busy timeout).

// parseArgs parses flags that may come before or after positional arguments
// ("import FILE --config F" as well as "import --config F FILE") and returns the
// positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// notNeeded stands in for the environment: the database commands use no token, so an
// administrator can run them without the daemon's secrets. The rest of the config is
// still checked.
func notNeeded(string) (string, bool) { return "not needed by this command", true }

// openDatabase loads the config at path and opens the database it names. With mustExist,
// a missing database file is an error rather than a new empty database, so that a wrong
// --config does not report "nothing found" about the wrong file.
func openDatabase(ctx context.Context, path string, mustExist bool) (*configs.Config, *store.DB, error) {
	if path == "" {
		return nil, nil, errors.New("--config FILE is required")
	}
	cfg, _, err := configs.Load(path, notNeeded)
	if err != nil {
		return nil, nil, err
	}
	if mustExist {
		if _, err := os.Stat(cfg.Database); err != nil {
			return nil, nil, fmt.Errorf("database %s (from %s): %w", cfg.Database, path, err)
		}
	}
	// The commands write too (migrations, imports, erasures): with Litestream they must
	// not checkpoint either.
	db, err := store.OpenWith(ctx, cfg.Database, store.Options{Litestream: cfg.Litestream})
	if err != nil {
		return nil, nil, err
	}
	return cfg, db, nil
}

// closeDB closes db, keeping the first error.
func closeDB(db *store.DB, err *error) {
	if cerr := db.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("close database: %w", cerr)
	}
}
