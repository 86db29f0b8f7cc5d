package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram"
	"github.com/modwatch/modwatch/store"
)

// cmdConfigCheck validates a config file and the environment it names; with --online it
// also asks VK and Telegram whether they are set up as modwatch needs, and with --fix
// turns on what modwatch may turn on itself. A required thing missing is an error.
func cmdConfigCheck(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	fs.SetOutput(stdout)
	path := fs.String("config", "", "path to the YAML config file")
	online := fs.Bool("online", false, "also ask VK and Telegram whether they are set up as modwatch needs")
	fix := fs.Bool("fix", false, "with --online: turn on the Long Poll API, its version and the event types modwatch needs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("config check: --config FILE is required")
	}
	cfg, secrets, err := configs.Load(*path, os.LookupEnv)
	if err != nil {
		return err
	}
	for _, w := range cfg.Warnings(secrets) {
		fmt.Fprintln(stdout, "warning:", w)
	}
	fmt.Fprintf(stdout, "%s is valid: %d communities, %d people\n", *path, len(cfg.VK.Communities), len(cfg.People))
	if !*online {
		if *fix {
			return errors.New("config check: --fix needs --online")
		}
		return nil
	}
	targets := daemon.VKSetupTargets(cfg, secrets)
	tg, closeDB, err := telegramTarget(ctx, cfg, secrets, stdout)
	if err != nil {
		return err
	}
	defer closeDB()
	targets = append(targets, tg)
	return checkOnline(ctx, targets, *fix, stdout)
}

// telegramTarget is the Telegram half of the check. The people the bot cannot reach are
// read from the database, when there is one; the check never creates it.
func telegramTarget(ctx context.Context, cfg *configs.Config, secrets configs.Secrets, stdout io.Writer) (daemon.SetupTarget, func(), error) {
	sc := telegram.SetupConfig{Token: secrets.Telegram, Endpoint: cfg.Telegram.EndpointFormat(),
		Chats: daemon.SetupChats(cfg), People: cfg.Directory().All()}
	closeDB := func() {}
	if _, err := os.Stat(cfg.Database); err == nil {
		db, err := store.OpenWith(ctx, cfg.Database, store.Options{Litestream: cfg.Litestream})
		if err != nil {
			return daemon.SetupTarget{}, nil, err
		}
		closeDB = func() { _ = db.Close() }
		if sc.Reach, err = db.Reach(ctx); err != nil {
			closeDB()
			return daemon.SetupTarget{}, nil, err
		}
	} else {
		fmt.Fprintf(stdout, "no database yet at %s: who has pressed Start in the bot is not known\n", cfg.Database)
	}
	return daemon.SetupTarget{Name: "Telegram", Check: func(ctx context.Context) ([]justify.SetupProblem, error) {
		return telegram.CheckSetup(ctx, sc, zerolog.Nop())
	}}, closeDB, nil
}

// checkOnline checks every target, fixes what it may when fix is set and checks those
// again, and prints what is missing. It fails when a required thing is missing or a
// target could not be asked.
func checkOnline(ctx context.Context, targets []daemon.SetupTarget, fix bool, out io.Writer) error {
	var required, warnings, fixable int
	var unasked []string
	for _, t := range targets {
		problems, err := t.Check(ctx)
		if err == nil && fix && t.Fix != nil && anyFixable(problems) {
			var changed []string
			if changed, err = t.Fix(ctx, problems); err == nil {
				fmt.Fprintf(out, "\n%s: turned on %s\n", t.Name, strings.Join(changed, ", "))
				problems, err = t.Check(ctx)
			}
		}
		fmt.Fprintf(out, "\n%s:\n", t.Name)
		for _, p := range problems {
			if p.Required {
				required++
				fmt.Fprintf(out, "  missing: %s: %s\n", p.Name, p.Problem)
			} else {
				warnings++
				fmt.Fprintf(out, "  warning: %s: %s\n", p.Name, p.Problem)
			}
			switch {
			case p.Fixable:
				fixable++
				fmt.Fprintf(out, "    fix: %s (or --fix)\n", p.Fix)
			case p.Fix != "":
				fmt.Fprintf(out, "    fix: %s\n", p.Fix)
			}
		}
		if err != nil {
			unasked = append(unasked, t.Name)
			fmt.Fprintf(out, "  could not check: %v\n", err)
		} else if len(problems) == 0 {
			fmt.Fprintln(out, "  ok: set up as modwatch needs")
		}
	}
	fmt.Fprintf(out, "\n%d required thing(s) missing, %d warning(s)\n", required, warnings)
	if fixable > 0 && !fix {
		fmt.Fprintf(out, "%d of them can be fixed by modwatch: run again with --online --fix\n", fixable)
	}
	switch {
	case len(unasked) > 0:
		return fmt.Errorf("config check: could not check %s", strings.Join(unasked, ", "))
	case required > 0:
		return fmt.Errorf("config check: %d required thing(s) missing in VK or Telegram", required)
	}
	return nil
}

func anyFixable(problems []justify.SetupProblem) bool {
	for _, p := range problems {
		if p.Fixable {
			return true
		}
	}
	return false
}
