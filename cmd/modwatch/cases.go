package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

const casesUsage = `Usage:
  modwatch cases list [--state STATE] [--limit N] --config FILE
  modwatch cases show ID --config FILE

States: awaiting_reason, awaiting_review, reversing, undo_pending, closed.
`

var caseStates = []justify.State{justify.StateAwaitingReason, justify.StateAwaitingReview,
	justify.StateReversing, justify.StateUndoPending, justify.StateClosed}

// cmdCases lists cases or shows one case's audit trail.
func cmdCases(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "show") {
		fmt.Fprint(stderr, casesUsage)
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("cases "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "path to the YAML config file")
	var state *string
	var limit *int
	if args[0] == "list" {
		state = fs.String("state", "", "only cases in this state")
		limit = fs.Int("limit", 50, "at most this many cases, newest first (0: all)")
	}
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if args[0] == "list" {
		if len(pos) > 0 {
			return fmt.Errorf("cases list: unexpected argument %q", pos[0])
		}
		return casesList(ctx, *path, justify.State(*state), *limit, stdout)
	}
	if len(pos) != 1 {
		return errors.New("cases show: give one case ID")
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(pos[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("cases show: %q is not a case ID", pos[0])
	}
	return casesShow(ctx, *path, justify.CaseID(id), stdout)
}

func casesList(ctx context.Context, path string, state justify.State, limit int, stdout io.Writer) (err error) {
	if state != "" && !validState(state) {
		return fmt.Errorf("cases list: --state %q is not a state: use one of %s", state, joinStates())
	}
	if limit < 0 {
		return fmt.Errorf("cases list: --limit %d must be 0 (all) or more", limit)
	}
	_, db, err := openDatabase(ctx, path, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	return listCases(ctx, db, state, limit, stdout)
}

// caseReader is what `cases list` and `cases show` read.
type caseReader interface {
	// CasesIn lists up to limit cases (all when limit <= 0) in a state (any when empty),
	// newest first.
	CasesIn(ctx context.Context, state justify.State, limit int) ([]justify.Case, error)
	// Case loads one case, or returns justify.ErrNotFound.
	Case(ctx context.Context, id justify.CaseID) (justify.Case, error)
	// Decisions lists one case's audit trail in the order it was written.
	Decisions(ctx context.Context, id justify.CaseID) ([]justify.Decision, error)
	// TicketsByKeys loads tickets by key; unknown keys are absent from the map.
	TicketsByKeys(ctx context.Context, keys []string) (map[string]justify.Ticket, error)
}

var _ caseReader = (*store.DB)(nil)

func listCases(ctx context.Context, db caseReader, state justify.State, limit int, stdout io.Writer) error {
	cs, err := db.CasesIn(ctx, state, limit)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		fmt.Fprintln(stdout, "no cases")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tOPENED (UTC)\tCOMMUNITY\tKIND\tBY\tCUSTOMER\tSTATE\tREASON\tDECIDED BY")
	for _, c := range cs {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, stamp(c.OpenedAt), c.GroupID, c.Kind,
			actorOf(c), customerOf(c), stateOf(c), reasonOf(c), dash(c.ResolvedBy))
	}
	return tw.Flush()
}

func casesShow(ctx context.Context, path string, id justify.CaseID, stdout io.Writer) (err error) {
	_, db, err := openDatabase(ctx, path, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	return showCase(ctx, db, id, stdout)
}

func showCase(ctx context.Context, db caseReader, id justify.CaseID, stdout io.Writer) error {
	c, err := db.Case(ctx, id)
	if errors.Is(err, justify.ErrNotFound) {
		return fmt.Errorf("cases show: no case %d", id)
	}
	if err != nil {
		return err
	}
	ds, err := db.Decisions(ctx, id)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	field := func(name, value string) {
		if value != "" {
			// Outside words reach a terminal too: ESC sequences and bidi controls are shown, not obeyed.
			fmt.Fprintf(tw, "%s:\t%s\n", name, justify.ShowText(value))
		}
	}
	field("Case", fmt.Sprintf("#%d (%s)", c.ID, c.Kind))
	field("Community", strconv.FormatInt(c.GroupID, 10))
	field("By", actorOf(c))
	field("Customer", customerOf(c))
	if c.Kind == justify.EventBan {
		field("VK reason", strings.TrimSpace(vkReasons[c.VKReason]+" "+dash(c.VKComment)))
	}
	field("Acted", stamp(c.ActedAt))
	if c.Kind == justify.EventBan {
		until := "forever"
		if !c.Until.IsZero() {
			until = stamp(c.Until)
		}
		field("Until", until)
	}
	if c.Item.Place != "" {
		field("Item", c.Item.Link())
		ts, err := db.TicketsByKeys(ctx, []string{c.Item.Key()})
		if err != nil {
			return err
		}
		switch tk, ok := ts[c.Item.Key()]; {
		case !ok:
			field("Words", "(modwatch never saw them)")
		case tk.Forgotten:
			field("Words", "(erased)")
		default:
			field("Words", strings.Join(strings.Fields(tk.Text), " "))
		}
	}
	if c.Severe {
		field("Severe", "an unanswered request was deleted")
	}
	field("Opened", stamp(c.OpenedAt))
	switch {
	case !c.AskedAt.IsZero():
		field("Asked", stamp(c.AskedAt))
		field("Deadline", stamp(c.Deadline))
	case c.NotAsked:
		field("Asked", "never: the prompt could not be delivered")
	case c.Operator != "" && c.State == justify.StateAwaitingReason:
		field("Asked", "not yet: the deadline runs from the prompt's delivery")
	}
	field("State", stateOf(c))
	if c.Justified() {
		late := ""
		if c.JustifiedLate() {
			late = " (late)"
		}
		field("Reason", fmt.Sprintf("%s at %s%s", reasonOf(c), stamp(c.JustifiedAt), late))
	} else if c.Overdue {
		field("Reason", "none by the deadline")
	}
	if !c.ResolvedAt.IsZero() {
		field("Decided", fmt.Sprintf("%s by %s", stamp(c.ResolvedAt), c.ResolvedBy))
	}
	field("Undo note", c.UndoNote)
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "\nAudit trail (%d):\n", len(ds))
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AT (UTC)\tACTION\tWHO\tTELEGRAM ID\tDETAIL")
	for _, d := range ds {
		tg := "-"
		if d.TelegramID != 0 {
			tg = strconv.FormatInt(d.TelegramID, 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", stamp(d.At), d.Action, d.Actor, tg, dash(d.Detail))
	}
	return tw.Flush()
}

// vkReasons names VK's ban reason codes as its ban form does.
var vkReasons = map[justify.BanReason]string{justify.BanOther: "other:", justify.BanSpam: "spam:",
	justify.BanAbuse: "abuse:", justify.BanLanguage: "strong language:", justify.BanFlood: "flood:"}

func validState(s justify.State) bool {
	for _, x := range caseStates {
		if s == x {
			return true
		}
	}
	return false
}

func joinStates() string {
	var ss []string
	for _, s := range caseStates {
		ss = append(ss, string(s))
	}
	return strings.Join(ss, ", ")
}

// stamp formats a time for the tables: UTC to the second, "-" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return justify.ShowText(strings.Join(strings.Fields(s), " "))
}

func actorOf(c justify.Case) string {
	switch {
	case c.Operator != "" && c.ActorRole != "" && c.ActorRole != justify.RoleOperator:
		// A manager or owner who moderates too: the role says why others decided it.
		return fmt.Sprintf("%s (%s, vk%d)", c.Operator, c.ActorRole, c.ActorVKID)
	case c.Operator != "":
		return fmt.Sprintf("%s (vk%d)", c.Operator, c.ActorVKID)
	case c.ActorVKID != 0:
		return fmt.Sprintf("unknown admin vk%d", c.ActorVKID)
	}
	return "unknown"
}

func customerOf(c justify.Case) string {
	if c.UserVKID == 0 {
		return "-"
	}
	if c.UserName == "" {
		return fmt.Sprintf("vk%d", c.UserVKID)
	}
	return fmt.Sprintf("vk%d %s", c.UserVKID, justify.ShowText(c.UserName))
}

func stateOf(c justify.Case) string {
	if c.State == justify.StateClosed {
		return "closed: " + string(c.Resolution)
	}
	return string(c.State)
}

func reasonOf(c justify.Case) string {
	if !c.Justified() {
		return "-"
	}
	if c.ReasonText == "" {
		return string(c.Reason)
	}
	return string(c.Reason) + ": " + justify.ShowText(strings.Join(strings.Fields(c.ReasonText), " "))
}
