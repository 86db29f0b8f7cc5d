package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/store"
)

// A second daemon on a database another one runs on refuses to start, naming the lock
// file and the running daemon's PID, and leaves the first one alone; the read-only
// commands still work beside the running daemon.
func TestOneDaemonPerDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a real process")
	}
	bin := buildBinary(t)
	h := newHarness(t)
	h.startTeam()
	h.vk.Ban(group, operatorVK, customer, 1, "", 0)
	h.waitMessage(operatorTG, "the prompt", isPrompt)

	// The second daemon is another process: the PID it names is this test's, which holds
	// the lock through the in-process daemon.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "--config", h.configPath())
	cmd.Env = append(os.Environ(), "E2E_VK="+vkToken, "E2E_VK2="+vk2Token, "E2E_VK_USER="+userToken, "E2E_TG="+botToken)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "the second daemon gave up on its own; stderr:\n%s", stderr.String())
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "the second daemon must fail: %v\n%s", err, stderr.String())
	assert.Equal(t, 1, exit.ExitCode())
	lock := daemon.LockPath(filepath.Join(h.dir, "modwatch.db"))
	assert.Contains(t, stderr.String(), "in use by another modwatch daemon")
	assert.Contains(t, stderr.String(), "pid "+strconv.Itoa(os.Getpid()))
	assert.Contains(t, stderr.String(), lock)
	assert.NotContains(t, stderr.String(), "modwatch started", "refused before anything started")

	// The first daemon goes on: a later ban is still asked about.
	h.vk.Ban(group, operatorVK, customer2, 1, "", 0)
	h.waitMessage(operatorTG, "the second prompt", func(m telegramtest.Msg) bool {
		return isPrompt(m) && strings.Contains(m.HTML, "vk.com/id"+itoa(customer2))
	})

	// Read-only commands beside it.
	for _, args := range [][]string{{"cases", "list"}, {"cases", "show", "1"}, {"report", "--since", "30d"}} {
		var out, errOut bytes.Buffer
		code := runCLI(context.Background(), append(args, "--config", h.configPath()), &out, &errOut)
		assert.Equal(t, 0, code, "%v: %s", args, errOut.String())
		if args[0] == "cases" {
			assert.Contains(t, out.String(), "Ivan", "%v shows the case", args)
		}
	}
}

// An update VK sends that cannot be decoded is kept, not lost: the managers and owners hear
// of it once per kind (repeats edit that alert), `events quarantined` lists it as VK sent
// it, and /metrics counts it. The rest of its batch goes on as usual.
func TestMalformedUpdateIsQuarantined(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	bad := `{"type":"user_block","object":{"admin_id":111,"user_id":"not a number"},"group_id":10,"event_id":"bad1","v":"5.199"}`
	h.vk.PushRaw(group, json.RawMessage(bad))
	h.vk.Ban(group, operatorVK, customer, 1, "", 0)
	h.waitMessage(operatorTG, "the prompt of the good ban", isPrompt)

	isQuarantine := hasText("could not be read")
	for _, chat := range []int64{managerTG, manager2TG, ownerTG} {
		alert := h.waitMessage(chat, "the quarantine alert", isQuarantine)
		assert.Contains(t, alert.Text, "user_block")
		assert.Contains(t, alert.Text, "Brand support")
		assert.Contains(t, alert.Text, "modwatch events quarantined")
	}
	h.settle()
	assert.Empty(t, h.botMessages(operatorTG, isQuarantine), "operators are not alerted")

	// VK delivers the same update again, and another bad ban: one more kept, and the alert
	// is edited, not sent again.
	h.vk.PushRaw(group, json.RawMessage(bad))
	h.vk.PushRaw(group, json.RawMessage(`{"type":"user_block","object":{"user_id":"x"},"group_id":10,"event_id":"bad2","v":"5.199"}`))
	h.vk.Ban(group, operatorVK, customer2, 1, "", 0)
	h.waitMessage(operatorTG, "the prompt of the barrier ban", func(m telegramtest.Msg) bool {
		return isPrompt(m) && strings.Contains(m.HTML, "vk.com/id"+itoa(customer2))
	})
	require.Eventually(t, func() bool {
		ms := h.botMessages(managerTG, isQuarantine)
		return len(ms) == 1 && strings.Contains(ms[0].Text, "Repeated 2 times")
	}, 15*time.Second, 10*time.Millisecond, "the alert counts the second bad update in place")
	h.settle()
	assert.Len(t, h.botMessages(managerTG, isQuarantine), 1, "one alert per kind")
	assert.Len(t, h.cases(), 2, "both good bans are cases")

	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), []string{"events", "quarantined", "--config", h.configPath()}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "2 quarantined update(s)")
	assert.Contains(t, out.String(), bad, "kept as VK sent it")
	assert.Contains(t, out.String(), "community 10  user_block")

	out.Reset()
	code = runCLI(context.Background(), []string{"events", "quarantined", "--format", "jsonl", "--limit", "1", "--config", h.configPath()}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	var line struct {
		Community int64           `json:"community"`
		Type      string          `json:"type"`
		Error     string          `json:"error"`
		Raw       json.RawMessage `json:"raw"`
	}
	sc := bufio.NewScanner(&out)
	require.True(t, sc.Scan())
	require.NoError(t, json.Unmarshal(sc.Bytes(), &line))
	assert.Equal(t, int64(group), line.Community)
	assert.Equal(t, "user_block", line.Type)
	assert.Contains(t, string(line.Raw), `"event_id":"bad2"`, "newest first")
	assert.Contains(t, line.Error, "malformed vk update")
	assert.False(t, sc.Scan(), "--limit 1")

	srv := httptest.NewServer(h.dm.HealthHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	metrics, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(metrics), `modwatch_vk_quarantined_updates_total{community="10"} 2`)
}

// `modwatch backup` copies the database while the daemon runs and writes to it: the copy
// opens as a database of its own with the same cases and audit trails, and an existing
// file is never overwritten.
func TestBackupWhileRunning(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "casino links", 0)
	prompt := h.waitMessage(operatorTG, "the prompt", isPrompt)
	c := onlyCase(t, h)
	h.press(operatorTG, prompt, 0)
	review := h.waitMessage(managerTG, "the review", isReview)
	h.press(managerTG, review, 0) // keep the ban
	c = h.waitCase(c.ID, "the decision", func(c justify.Case) bool { return c.State == justify.StateClosed })
	trail := decisionsOf(t, h, c.ID)
	require.GreaterOrEqual(t, len(trail), 3)

	// The daemon goes on writing while the copy is taken.
	for i := range 20 {
		h.vk.Ban(group, operator2VK, int64(7000+i), 1, "", 0)
	}
	dest := filepath.Join(t.TempDir(), "modwatch-backup.db")
	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), []string{"backup", dest, "--config", h.configPath()}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "backup written to "+dest)
	assert.Contains(t, out.String(), "integrity check ok")

	out.Reset()
	errOut.Reset()
	code = runCLI(context.Background(), []string{"backup", dest, "--config", h.configPath()}, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "never overwritten")

	// The copy, opened as modwatch opens a database, holds the same case and trail, and a
	// consistent prefix of the wave: every case it holds has its opening in the trail.
	cp, err := store.Open(context.Background(), dest)
	require.NoError(t, err)
	defer cp.Close()
	got, err := cp.Case(context.Background(), c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)
	gotTrail, err := cp.Decisions(context.Background(), c.ID)
	require.NoError(t, err)
	assert.Equal(t, trail, gotTrail)
	cases, err := cp.ListCases(context.Background(), 0)
	require.NoError(t, err)
	for _, k := range cases {
		ds, err := cp.Decisions(context.Background(), k.ID)
		require.NoError(t, err)
		require.NotEmpty(t, ds, "case %d has its trail", k.ID)
		assert.Equal(t, justify.ActionOpened, ds[0].Action)
	}

	// The daemon was not disturbed: the wave's cases all open.
	require.Eventually(t, func() bool { return len(h.cases()) == 21 }, 15*time.Second, 10*time.Millisecond)
}

// Telegram cannot make a send idempotent: when its reply is lost after it accepted a
// message (here a proxy answers 502), the retry sends the message again. The bound: one
// extra copy per lost reply, and none for an edit, which lands on the same message.
func TestLostReplyRepeatsOneMessage(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.tg.LoseReplyNext("sendMessage", http.StatusBadGateway)
	h.vk.Ban(group, operatorVK, customer, 1, "", 0)
	h.waitMessage(operatorTG, "the prompt, whose reply is lost", isPrompt)
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM outbox WHERE kind = 'prompt' AND attempts = 1 AND sent_at = 0") == 1
	}, 15*time.Second, 10*time.Millisecond, "the prompt waits for its retry")
	h.clock.Add(3 * time.Second) // the retry is due
	require.Eventually(t, func() bool { return len(h.botMessages(operatorTG, isPrompt)) == 2 }, 15*time.Second, 10*time.Millisecond,
		"the retry sends the prompt again")
	h.settle()
	prompts := h.botMessages(operatorTG, isPrompt)
	require.Len(t, prompts, 2, "one extra copy for one lost reply")
	assert.Equal(t, prompts[0].Text, prompts[1].Text)

	// An edit whose reply is lost is sent again to the same message: nothing new appears.
	before := len(h.botMessages(operatorTG, nil))
	h.tg.LoseReplyNext("editMessageText", http.StatusBadGateway)
	c := onlyCase(t, h)
	h.press(operatorTG, prompts[1], 0)
	h.waitCase(c.ID, "the reason", func(c justify.Case) bool { return c.Reason == justify.ReasonSpam })
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM outbox WHERE edit_of != 0 AND attempts = 1 AND sent_at = 0") == 1
	}, 15*time.Second, 10*time.Millisecond, "the edit, whose reply is lost, waits for its retry")
	m, _ := h.tg.Message(operatorTG, prompts[1].ID)
	assert.Len(t, buttons(m), 1, "yet Telegram applied it: the prompt shows the recorded reason")
	edits := h.tg.Calls("editMessageText")
	h.clock.Add(3 * time.Second) // its retry is due
	require.Eventually(t, func() bool { return h.tg.Calls("editMessageText") > edits }, 15*time.Second, 10*time.Millisecond,
		"the edit is retried")
	h.settle()
	assert.Len(t, h.botMessages(operatorTG, nil), before, "the edit made no new message")

	// The extra copy's buttons act on the same case: once it moved on, a press changes nothing.
	trail := decisionsOf(t, h, c.ID)
	q := h.press(operatorTG, prompts[0], 1)
	assert.Contains(t, h.answer(q), "no longer needed")
	h.settle()
	c = h.waitCase(c.ID, "the case", func(justify.Case) bool { return true })
	assert.Equal(t, justify.ReasonSpam, c.Reason, "the stale copy's press changed nothing")
	assert.Equal(t, trail, decisionsOf(t, h, c.ID))
}

// A database a newer modwatch wrote is refused by the daemon and by every command, with
// the version named, and left as it was: never migrated down, never misread.
func TestNewerDatabaseIsRefused(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.vk.Ban(group, operatorVK, customer, 1, "", 0)
	h.waitMessage(operatorTG, "the prompt", isPrompt)
	h.stop()

	path := filepath.Join(h.dir, "modwatch.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = raw.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)")
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	versions := countRowsAt(t, path, "SELECT COUNT(*) FROM schema_migrations")

	cfg, secrets, err := configs.Load(h.configPath(), h.env)
	require.NoError(t, err)
	log, err := daemon.NewLogger(cfg.Log, h.logs)
	require.NoError(t, err)
	_, err = daemon.Start(context.Background(), cfg, secrets, log, daemon.Options{Now: h.clock.Now})
	require.ErrorIs(t, err, store.ErrNewerSchema)
	assert.Contains(t, err.Error(), "9999_future.sql")

	for _, args := range [][]string{{"cases", "list"}, {"report"}, {"events", "quarantined"}, {"backup", filepath.Join(t.TempDir(), "b.db")}} {
		var out, errOut bytes.Buffer
		code := runCLI(context.Background(), append(args, "--config", h.configPath()), &out, &errOut)
		assert.Equal(t, 1, code, "%v", args)
		assert.Contains(t, errOut.String(), "written by a newer modwatch", "%v", args)
	}
	assert.Equal(t, versions, countRowsAt(t, path, "SELECT COUNT(*) FROM schema_migrations"), "nothing migrated")
	assert.Equal(t, 1, countRowsAt(t, path, "SELECT COUNT(*) FROM schema_migrations WHERE version = 9999"))
	assert.Equal(t, 1, countRowsAt(t, path, "SELECT COUNT(*) FROM cases"), "the record is untouched")
}
