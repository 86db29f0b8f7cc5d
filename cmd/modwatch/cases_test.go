package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

// cliConfigBody is a valid config for the database commands. Its token variables are not
// set in the tests: these commands must not need them.
const cliConfigBody = `
database: %s
vk:
  communities:
    - {group_id: 10, name: "Brand support", token_env: CLI_TEST_VK}
    - {group_id: 20, name: "Brand shop", token_env: CLI_TEST_VK2}
telegram:
  token_env: CLI_TEST_TG
people:
  - {name: Ivan, role: operator, vk_id: 111, telegram_id: 1001}
  - {name: Petr, role: operator, vk_id: 112, telegram_id: 1002}
  - {name: Olga, role: manager, telegram_id: 2001}
  - {name: Anna, role: owner, telegram_id: 3001}
`

// cliEnv is a config file in a temporary folder and the database it names.
type cliEnv struct {
	t      *testing.T
	config string
	dbPath string
}

func newCLIEnv(t *testing.T) *cliEnv {
	t.Helper()
	dir := t.TempDir()
	e := &cliEnv{t: t, config: filepath.Join(dir, "modwatch.yaml"), dbPath: filepath.Join(dir, "modwatch.db")}
	require.NoError(t, os.WriteFile(e.config, fmt.Appendf(nil, cliConfigBody, e.dbPath), 0o600))
	return e
}

// run runs one command line, adding --config, and returns the exit code and both outputs.
func (e *cliEnv) run(args ...string) (int, string, string) {
	e.t.Helper()
	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), append(args, "--config", e.config), &out, &errOut)
	return code, out.String(), errOut.String()
}

// with opens the database for setting up or checking, runs fn and closes it again, so that
// the commands under test work on the file as the CLI would.
func (e *cliEnv) with(fn func(db *store.DB)) {
	e.t.Helper()
	db, err := store.Open(context.Background(), e.dbPath)
	require.NoError(e.t, err)
	defer func() { require.NoError(e.t, db.Close()) }()
	fn(db)
}

var cliT0 = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

// seedCases stores a reversed ban by Ivan (with its audit trail, decided from Telegram) and
// an open deletion of an unanswered request by an unknown admin, and returns their ids.
func (e *cliEnv) seedCases() (ban, deletion justify.CaseID) {
	e.t.Helper()
	item := justify.Ref{GroupID: 10, Place: justify.PlaceWallComment, OwnerID: -10, ParentID: 5, ItemID: 77}
	e.with(func(db *store.DB) {
		require.NoError(e.t, db.Update(context.Background(), func(tx justify.Tx) error {
			b := justify.Case{GroupID: 10, EventKey: "b1", Kind: justify.EventBan, ActorVKID: 111, Operator: "Ivan",
				UserVKID: 5001, UserName: "Анна Кузнецова", VKComment: "оскорбления", ActedAt: cliT0, OpenedAt: cliT0,
				Deadline: cliT0.Add(time.Hour), State: justify.StateClosed, Resolution: justify.ResolutionReversed,
				Reason: justify.ReasonAbuse, ReasonText: "грубил", JustifiedAt: cliT0.Add(10 * time.Minute),
				ResolvedAt: cliT0.Add(20 * time.Minute), ResolvedBy: "Olga"}
			if err := tx.CreateCase(&b); err != nil {
				return err
			}
			for _, d := range []justify.Decision{
				{Action: justify.ActionOpened, Actor: "modwatch", At: cliT0, Detail: "operator Ivan"},
				{Action: justify.ActionJustified, Actor: "Ivan", TelegramID: 1001, At: cliT0.Add(10 * time.Minute), Detail: "abuse: грубил"},
				{Action: justify.ActionReversed, Actor: "Olga", TelegramID: 2001, At: cliT0.Add(20 * time.Minute), Detail: "undone through VK API"},
			} {
				d.CaseID = b.ID
				if err := tx.AddDecision(d); err != nil {
					return err
				}
			}
			tk := justify.Ticket{Key: item.Key(), Ref: item, AuthorVKID: 5001, AuthorName: "Анна Кузнецова",
				Text: "Где мой заказ?\nУже неделя", CreatedAt: cliT0.Add(-time.Hour), DeletedAt: cliT0.Add(time.Hour), DeletedBy: 999}
			if _, err := tx.UpsertTicket(&tk); err != nil {
				return err
			}
			d := justify.Case{GroupID: 10, EventKey: "d1", Kind: justify.EventDelete, ActorVKID: 999, UserVKID: 5001,
				UserName: "Анна Кузнецова", Item: item, Severe: true, ActedAt: cliT0.Add(time.Hour),
				OpenedAt: cliT0.Add(time.Hour), Deadline: cliT0.Add(2 * time.Hour), State: justify.StateAwaitingReview}
			if err := tx.CreateCase(&d); err != nil {
				return err
			}
			ban, deletion = b.ID, d.ID
			return tx.AddDecision(justify.Decision{CaseID: d.ID, Action: justify.ActionOpened, Actor: "modwatch",
				At: cliT0.Add(time.Hour), Detail: "unknown admin vk999; the request was unanswered"})
		}))
	})
	return ban, deletion
}

func TestCasesCommands(t *testing.T) {
	e := newCLIEnv(t)
	ban, deletion := e.seedCases()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		// want must all appear in stdout, notWant must not; wantErr in stderr.
		want, notWant []string
		wantErr       string
	}{
		{
			name: "list shows who, what, when and the outcome, newest first",
			args: []string{"cases", "list"},
			want: []string{"ID  OPENED (UTC)", fmt.Sprintf("%d   2026-03-14 10:00:00  10         delete", deletion),
				"unknown admin vk999", "awaiting_review", "Ivan (vk111)", "vk5001 Анна Кузнецова", "closed: reversed", "abuse: грубил", "Olga"},
		},
		{
			name:    "list by state",
			args:    []string{"cases", "list", "--state", "closed"},
			want:    []string{"closed: reversed"},
			notWant: []string{"awaiting_review"},
		},
		{
			name:    "list with a limit",
			args:    []string{"cases", "list", "--limit", "1"},
			want:    []string{"awaiting_review"},
			notWant: []string{"closed: reversed"},
		},
		{
			name: "list of a state with no case",
			args: []string{"cases", "list", "--state", "reversing"},
			want: []string{"no cases"},
		},
		{
			name:     "a state that does not exist",
			args:     []string{"cases", "list", "--state", "open"},
			wantCode: 1,
			wantErr:  `--state "open" is not a state: use one of awaiting_reason, awaiting_review, reversing, undo_pending, closed`,
		},
		{
			name: "show gives the audit trail with Telegram accounts",
			args: []string{"cases", "show", fmt.Sprint(ban)},
			want: []string{"Case:", fmt.Sprintf("#%d (ban)", ban), "Customer:", "vk5001 Анна Кузнецова", "VK reason:  other: оскорбления",
				"Until:", "forever", "Reason:", "abuse: грубил at 2026-03-14 09:10:00", "Decided:", "2026-03-14 09:20:00 by Olga",
				"Audit trail (3):", "AT (UTC)", "TELEGRAM ID",
				"2026-03-14 09:10:00  justified  Ivan      1001",
				"2026-03-14 09:20:00  reversed   Olga      2001         undone through VK API"},
		},
		{
			name: "show of a deletion quotes the deleted words",
			args: []string{"cases", "show", fmt.Sprint(deletion)},
			want: []string{"Words:", "Где мой заказ? Уже неделя", "Severe:", "https://vk.com/wall-10_5?reply=77", "unknown admin vk999"},
		},
		{
			name:     "show of an unknown case",
			args:     []string{"cases", "show", "999"},
			wantCode: 1,
			wantErr:  "no case 999",
		},
		{
			name:     "show without an id",
			args:     []string{"cases", "show"},
			wantCode: 1,
			wantErr:  "give one case ID",
		},
		{
			name:     "an unknown subcommand",
			args:     []string{"cases", "delete"},
			wantCode: 2,
			wantErr:  "modwatch cases list",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := e.run(tt.args...)
			assert.Equal(t, tt.wantCode, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, out, w)
			}
			if tt.wantErr != "" {
				assert.Contains(t, errOut, tt.wantErr)
			}
		})
	}
}

func TestDatabaseCommandsNeedTheDaemonsDatabase(t *testing.T) {
	e := newCLIEnv(t)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"cases list", []string{"cases", "list"}, "modwatch.db (from "},
		{"forget", []string{"forget", "--vk-user", "5"}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := e.run(tt.args...)
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, tt.wantErr)
			assert.NoFileExists(t, e.dbPath, "a wrong config must not leave an empty database behind")
		})
	}
	t.Run("no config", func(t *testing.T) {
		var out, errOut bytes.Buffer
		assert.Equal(t, 1, runCLI(context.Background(), []string{"cases", "list"}, &out, &errOut))
		assert.Contains(t, errOut.String(), "--config FILE is required")
	})
}

// A customer's words printed in a terminal must not act on it: an ESC sequence could clear
// the screen or retitle the window, an override reverse the line.
func TestCasesShowNeutralisesControls(t *testing.T) {
	e := newCLIEnv(t)
	item := justify.Ref{GroupID: 10, Place: justify.PlaceWallComment, OwnerID: -10, ParentID: 5, ItemID: 78}
	var id justify.CaseID
	e.with(func(db *store.DB) {
		require.NoError(t, db.Update(context.Background(), func(tx justify.Tx) error {
			tk := justify.Ticket{Key: item.Key(), Ref: item, AuthorVKID: 5003, AuthorName: "\u202EВася",
				Text: "верните деньги\x1b[2J\x1b]0;pwned\x07", CreatedAt: cliT0}
			if _, err := tx.UpsertTicket(&tk); err != nil {
				return err
			}
			c := justify.Case{GroupID: 10, EventKey: "d9", Kind: justify.EventDelete, ActorVKID: 999, UserVKID: 5003,
				UserName: "\u202EВася", Item: item, ActedAt: cliT0, OpenedAt: cliT0, Deadline: cliT0.Add(time.Hour),
				State: justify.StateAwaitingReview}
			if err := tx.CreateCase(&c); err != nil {
				return err
			}
			id = c.ID
			return tx.AddDecision(justify.Decision{CaseID: c.ID, Action: justify.ActionOpened, Actor: "modwatch", At: cliT0, Detail: "by \u202Eadmin"})
		}))
	})
	for _, args := range [][]string{{"cases", "show", itoa(int64(id))}, {"cases", "list"}} {
		code, out, errOut := e.run(args...)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "vk5003 ⟪U+202E⟫Вася", args)
		assert.NotContains(t, out, "\u202E", args)
		assert.NotContains(t, out, "\x1b", args)
		if args[1] == "show" {
			assert.Contains(t, out, "верните деньги⟪U+001B⟫[2J⟪U+001B⟫]0;pwned⟪U+0007⟫")
			assert.Contains(t, out, "by ⟪U+202E⟫admin")
		}
	}
}
