// Command modwatch watches VK communities' admin actions and asks the moderators who took
// them why, in Telegram, with managers reviewing every case.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// The distroless image has no zoneinfo; digests need owners' time zones.
	_ "time/tzdata"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `modwatch keeps VK community moderators accountable.

Usage:
  modwatch run --config FILE [--env-file FILE]
                                    run the daemon; SIGHUP reloads the config
  modwatch demo                     run the daemon against built-in VK and Telegram test servers
  modwatch bench [--events N] [--communities C] [--bans-share F] [--dir D] [--json]
                                    measure ingest rate, prompt latency and memory in-process
  modwatch config check [--online [--fix]] --config FILE
                                    validate a config file and the environment it names;
                                    --online also asks VK and Telegram whether they are set
                                    up as modwatch needs, --fix turns on what modwatch may
  modwatch tickets import [--format csv|jsonl] FILE --config FILE
                                    import help-desk tickets; a file with a bad row imports nothing
  modwatch forget --vk-user ID --config FILE
                                    erase what a customer wrote (a data-subject request)
  modwatch cases list [--state S] [--limit N] --config FILE
  modwatch cases show ID --config FILE
                                    list cases, or show one case's audit trail
  modwatch events quarantined [--community ID] [--limit N] [--format text|jsonl] --config FILE
                                    the VK updates that could not be decoded, as VK sent them
  modwatch report [--since 7d] [--community ID] [--operator NAME] [--for NAME] [--format text|csv|json] --config FILE
                                    the moderation figures of a period, against the one before
  modwatch qa list [--since 7d] [--limit N] [--format text|json] --config FILE
                                    the spot checks of dialogs: verdicts, comments, audit trails
  modwatch backup FILE --config FILE
                                    write a consistent copy of the database, even while the
                                    daemon runs; FILE must not exist
  modwatch health [--url URL | --config FILE]
                                    ask a running daemon's /healthz; exit 0 when healthy
  modwatch version                  print the version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(runCLI(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// runCLI runs one command line and returns the process exit code.
func runCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "run":
		err = cmdRun(ctx, args[1:], stderr)
	case "demo":
		err = cmdDemo(ctx, args[1:], stdout, stderr)
	case "bench":
		err = cmdBench(ctx, args[1:], stdout, stderr)
	case "config":
		if len(args) < 2 || args[1] != "check" {
			fmt.Fprint(stderr, usage)
			return 2
		}
		err = cmdConfigCheck(ctx, args[2:], stdout)
	case "tickets":
		err = cmdTickets(ctx, args[1:], stdout, stderr)
	case "forget":
		err = cmdForget(ctx, args[1:], stdout, stderr)
	case "cases":
		err = cmdCases(ctx, args[1:], stdout, stderr)
	case "events":
		err = cmdEvents(ctx, args[1:], stdout, stderr)
	case "backup":
		err = cmdBackup(ctx, args[1:], stdout, stderr)
	case "report":
		err = cmdReport(ctx, args[1:], stdout, stderr)
	case "qa":
		err = cmdQA(ctx, args[1:], stdout, stderr)
	case "health":
		err = cmdHealth(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "modwatch", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "modwatch: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 2
		}
		fmt.Fprintln(stderr, "modwatch:", err)
		return 1
	}
	return 0
}

func configFlag(name string, args []string, stderr io.Writer) (string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "path to the YAML config file")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if *path == "" {
		return "", errors.New(name + ": --config FILE is required")
	}
	return *path, nil
}
