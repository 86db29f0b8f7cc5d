package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// cmdForget erases a customer's words for a data-subject request. It asks for no
// confirmation (it is meant for scripts and tickets), but the person must be named by flag,
// never by position, so that a stray argument cannot erase someone.
func cmdForget(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("forget", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "path to the YAML config file")
	user := fs.String("vk-user", "", "the VK user id of the person to forget")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("forget: unexpected argument %q: name the person with --vk-user ID", pos[0])
	}
	if *user == "" {
		return errors.New("forget: --vk-user ID is required")
	}
	// Accept the forms people copy from VK: 42, id42, vk42.
	raw := strings.TrimPrefix(strings.TrimPrefix(*user, "id"), "vk")
	id, perr := strconv.ParseInt(raw, 10, 64)
	if perr != nil || id <= 0 {
		return fmt.Errorf("forget: --vk-user %q is not a VK user id (a positive number)", *user)
	}
	_, db, err := openDatabase(ctx, *path, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	e, err := db.ForgetPersonDetail(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "forgot vk%d:\n", id)
	fmt.Fprintf(stdout, "  %d ticket(s): text, subject and author name erased; %d earlier text(s) deleted\n", e.Tickets, e.Edits)
	fmt.Fprintf(stdout, "  %d case(s) and %d event(s): name and ban comment erased\n", e.Cases, e.Events)
	fmt.Fprintf(stdout, "  %d alert(s): the quoted words erased\n", e.Alerts)
	if e.Inbox > 0 {
		fmt.Fprintf(stdout, "  %d event(s) received and not yet recorded: their words erased\n", e.Inbox)
	}
	if e.Quarantined > 0 {
		fmt.Fprintf(stdout, "  %d quarantined update(s) mentioning them: deleted\n", e.Quarantined)
	}
	fmt.Fprintln(stdout, "kept: the VK id, times, places and links of tickets, cases' outcomes, operators' reasons")
	fmt.Fprintln(stdout, "and the audit trail; Telegram messages already delivered cannot be recalled.")
	return nil
}
