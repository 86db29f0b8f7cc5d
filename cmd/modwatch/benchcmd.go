package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"time"

	"github.com/modwatch/modwatch/cmd/internal/loadrun"
)

// cmdBench runs the real daemon in-process against the fake VK and Telegram, feeds it a
// realistic stream of events and prints what it sustained.
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
	fs.IntVar(&o.PreloadMessages, "preload-messages", 0, "store this many community messages (60 days of dialogs) before the daemon starts, and time a 30-day report over them")
	fs.IntVar(&o.Lookups, "lookups", 2000, "ticket lookups (a customer's tickets, as a ban's prompt shows them) to time")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "give up after this long")
	fs.StringVar(&o.LogLevel, "log-level", "info", "the daemon's log level; its log is discarded, but still written")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the feeding phase to this file")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile, taken once every prompt arrived, to this file")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the event mix")
	fs.BoolVar(&o.Pace, "pace", false, "pace the bot within Telegram's rate limits, as in production (latency then includes the pacing)")
	fs.IntVar(&o.GroupAfter, "group-after", 0, "batch an operator's wave past this many actions, as justify.group_after; 0 prompts each ban")
	if err := fs.Parse(args); err != nil {
		return err
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
