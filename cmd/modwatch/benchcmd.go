package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/modwatch/modwatch/cmd/internal/loadrun"
)

// cmdBench runs the real daemon (in-process, or with --process as `modwatch run` in a
// process of its own) against the fake VK and Telegram of this process, feeds it a
// realistic stream of events and prints what it sustained, as a table or, with --json, as
// one JSON object.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o loadrun.Options
	fs.IntVar(&o.Events, "events", 20000, "events to feed through VK's long poll")
	fs.IntVar(&o.Communities, "communities", 10, "communities watched")
	fs.Float64Var(&o.BansShare, "bans-share", 0.1, "share of the events that are bans by configured operators (0..1)")
	fs.StringVar(&o.Dir, "dir", "", "keep the bench's config and databases in this folder instead of a temporary one")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	fs.IntVar(&o.Rate, "rate", 0, "push at most this many events per second; 0 pushes as fast as possible")
	fs.IntVar(&o.PreloadTickets, "preload-tickets", 0, "store this many customers' tickets before the daemon starts")
	fs.Float64Var(&o.PreloadAnswered, "preload-answered", 0.5, "share of the preloaded tickets that were answered (0..1, 0 takes the default); the others wait, and reports list them")
	fs.IntVar(&o.PreloadMessages, "preload-messages", 0, "store this many community messages (60 days of dialogs) before the daemon starts, and time a 30-day report over them")
	fs.IntVar(&o.Lookups, "lookups", 2000, "ticket lookups (a customer's tickets, as a ban's prompt shows them) to time")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "give up after this long")
	fs.StringVar(&o.LogLevel, "log-level", "info", "the daemon's log level; its log is discarded, but still written")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the feeding phase, until every event is derived and every prompt arrived, to this file")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile, taken once every prompt arrived, to this file")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the event mix")
	fs.BoolVar(&o.Pace, "pace", false, "pace the bot within Telegram's rate limits, as in production (latency then includes the pacing)")
	fs.IntVar(&o.GroupAfter, "group-after", 0, "batch an operator's wave past this many actions, as justify.group_after; 0 prompts each ban")
	process := fs.Bool("process", false, "run the daemon as `modwatch run` in a process of its own (this executable unless --binary), so that its RSS and CPU are measured alone")
	fs.StringVar(&o.Binary, "binary", "", "with --process, the modwatch executable to run as the daemon (an older build, say)")
	fs.DurationVar(&o.Idle, "idle", 0, "with --process, then watch the quiet daemon this long: its CPU, goroutines and sockets")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Binary != "" && !*process {
		return errors.New("bench: --binary needs --process")
	}
	if *process && o.Binary == "" {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("bench: --process: find this executable: %w", err)
		}
		o.Binary = self
	}
	res, err := loadrun.Run(ctx, o, io.Discard)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	loadrun.Print(stdout, res)
	return nil
}
