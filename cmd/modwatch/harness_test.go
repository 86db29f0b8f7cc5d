package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// People and ids of the end-to-end tests.
const (
	group       = 10
	group2      = 20 // a community without an admin user token
	operatorVK  = 111
	operator2VK = 112
	unknownVK   = 999
	customer    = 5001
	customer2   = 5002
	operatorTG  = 1001
	operator2TG = 1002
	managerTG   = 2001
	manager2TG  = 2002
	ownerTG     = 3001
	strangerTG  = 4001
	botToken    = "777:e2e-bot-secret"
	vkToken     = "e2e-community-secret"
	vk2Token    = "e2e-community2-secret"
	userToken   = "e2e-admin-user-secret"
)

const e2eConfig = `
database: %s
language: %s
vk:
  api_url: %s
  long_poll_wait: 1s
  communities:
    - {group_id: 10, name: "Brand support", token_env: E2E_VK, user_token_env: E2E_VK_USER}
    - {group_id: 20, name: "Brand shop", token_env: E2E_VK2}
telegram:
  token_env: E2E_TG
  api_endpoint: %s
  poll_timeout: 1s
justify:
  deadline: 1h
  remind_before: 15m
  check_every: 100ms
people:
  - {name: Ivan, role: operator, vk_id: 111, telegram_id: 1001}
  - {name: Petr, role: operator, vk_id: 112, telegram_id: 1002}
  - {name: Olga, role: manager, telegram_id: 2001}
  - {name: Pavel, role: manager, telegram_id: 2002}
  - {name: Anna, role: owner, telegram_id: 3001}
log:
  level: debug
`

// harness runs the real daemon from a config file against VK and Telegram test servers.
type harness struct {
	t       *testing.T
	dir     string
	lang    string
	vk      *vktest.Server
	tg      *telegramtest.Server
	clock   *justifytest.Clock // the daemon's time, shared with the test
	logs    *justifytest.SyncBuffer
	dm      *daemon.Daemon
	running bool
	// edit changes the config before it is written, for tests that need more keys.
	edit func(string) string
	// opts are the daemon's options besides its clock, for tests that steer it.
	opts daemon.Options
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{
		t: t, dir: t.TempDir(), lang: "en", vk: vktest.New(), tg: telegramtest.New(botToken),
		clock: justifytest.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)), logs: &justifytest.SyncBuffer{},
	}
	h.vk.AddGroup(group, vkToken)
	h.vk.AddGroup(group2, vk2Token)
	h.vk.AddAdminToken(group, 100, userToken)
	h.vk.SetName(customer, "Maria", "Ivanova")
	for id, name := range map[int64]string{operatorTG: "Ivan", operator2TG: "Petr", managerTG: "Olga", manager2TG: "Pavel", ownerTG: "Anna", strangerTG: "Stranger"} {
		h.tg.AddUser(id, name)
	}
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", h.logs.String())
		}
		h.tg.Close()
		h.vk.Close()
		for _, secret := range []string{botToken, vkToken, vk2Token, userToken} {
			if strings.Contains(h.logs.String(), secret) {
				t.Errorf("a token reached the log")
			}
		}
	})
	return h
}

func (h *harness) configPath() string {
	path := filepath.Join(h.dir, "modwatch.yaml")
	body := fmt.Sprintf(e2eConfig, filepath.Join(h.dir, "modwatch.db"), h.lang, h.vk.URL(), h.tg.URL())
	if h.edit != nil {
		body = h.edit(body)
	}
	require.NoError(h.t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

func (h *harness) env(k string) (string, bool) {
	v, ok := map[string]string{"E2E_VK": vkToken, "E2E_VK2": vk2Token, "E2E_VK_USER": userToken, "E2E_TG": botToken}[k]
	return v, ok
}

// start runs the daemon and waits until it is ready.
func (h *harness) start() {
	h.t.Helper()
	cfg, secrets, err := configs.Load(h.configPath(), h.env)
	require.NoError(h.t, err)
	log, err := daemon.NewLogger(cfg.Log, h.logs)
	require.NoError(h.t, err)
	opts := h.opts
	opts.Now = h.clock.Now
	opts.Source = configs.Source{Path: h.configPath(), LookupEnv: h.env} // what a reload reads
	dm, err := daemon.Start(context.Background(), cfg, secrets, log, opts)
	if err != nil {
		h.t.Fatalf("daemon did not start: %v", err)
	}
	h.dm, h.running = dm, true
}

// pressStart has people open the bot, as everyone must before it can write to them, and
// waits for each greeting.
func (h *harness) pressStart(ids ...int64) {
	h.t.Helper()
	for _, id := range ids {
		n := len(h.botMessages(id, nil))
		h.tg.SendText(id, "/start")
		require.Eventually(h.t, func() bool { return len(h.botMessages(id, nil)) > n }, 15*time.Second, 10*time.Millisecond, "greeting")
	}
}

// startTeam starts the daemon and has the whole team press Start.
func (h *harness) startTeam() {
	h.t.Helper()
	h.start()
	h.pressStart(operatorTG, operator2TG, managerTG, manager2TG, ownerTG)
}

// stop ends the daemon as SIGTERM would, and waits for it.
func (h *harness) stop() {
	if !h.running {
		return
	}
	stopped := make(chan error, 1)
	go func() { stopped <- h.dm.Stop() }()
	select {
	case err := <-stopped:
		require.NoError(h.t, err)
	case <-time.After(30 * time.Second):
		h.t.Fatal("daemon did not stop within 30s")
	}
	h.running = false
}

// botMessages lists the bot's messages in a chat that satisfy ok.
func (h *harness) botMessages(chat int64, ok func(telegramtest.Msg) bool) []telegramtest.Msg {
	var out []telegramtest.Msg
	for _, m := range h.tg.Messages(chat) {
		if m.FromBot && (ok == nil || ok(m)) {
			out = append(out, m)
		}
	}
	return out
}

// waitMessage waits until the bot has sent chat a message satisfying ok, and returns the newest.
func (h *harness) waitMessage(chat int64, what string, ok func(telegramtest.Msg) bool) telegramtest.Msg {
	h.t.Helper()
	var found telegramtest.Msg
	require.Eventually(h.t, func() bool {
		ms := h.botMessages(chat, ok)
		if len(ms) == 0 {
			return false
		}
		found = ms[len(ms)-1]
		return true
	}, 15*time.Second, 10*time.Millisecond, "waiting for %s", what)
	return found
}

// waitCase waits until case id satisfies ok and returns it.
func (h *harness) waitCase(id justify.CaseID, what string, ok func(justify.Case) bool) justify.Case {
	h.t.Helper()
	var c justify.Case
	require.Eventually(h.t, func() bool {
		var err error
		c, _, err = h.dm.Service().Case(context.Background(), id)
		return err == nil && ok(c)
	}, 15*time.Second, 10*time.Millisecond, "waiting for %s", what)
	return c
}

// settle is the barrier to wait at before checking that something did not happen. It
// returns once the bot has handled every Telegram update sent so far (its next poll
// confirmed them) and the outbox holds no message that is due: by then, whatever those
// updates or the changes already committed would send has been sent. It does not wait for
// VK events still on their way; a test waits for a later VK event's effect for that.
func (h *harness) settle() {
	h.t.Helper()
	require.Eventually(h.t, func() bool {
		if h.tg.PendingUpdates() > 0 {
			return false
		}
		due, err := h.dm.Store().DueMessages(context.Background(), h.clock.Now(), 1)
		return err == nil && len(due) == 0
	}, 15*time.Second, 10*time.Millisecond, "the bot handles every update and delivers every message due")
}

// press presses a button of a message the bot sent to chat, as its recipient.
func (h *harness) press(chat int64, m telegramtest.Msg, index int) string {
	h.t.Helper()
	cur, ok := h.tg.Message(chat, m.ID)
	require.True(h.t, ok)
	bs := buttons(cur)
	require.Greater(h.t, len(bs), index, "message %d has buttons %v", m.ID, bs)
	return h.tg.PressButton(chat, m.ID, bs[index].Data)
}

func (h *harness) answer(queryID string) string {
	h.t.Helper()
	return h.answeredWithin(queryID, 15*time.Second, "the press")
}

// answeredWithin waits at most d for the bot's answer to a button press and returns it.
func (h *harness) answeredWithin(queryID string, d time.Duration, what string) string {
	h.t.Helper()
	var a telegramtest.CallbackAnswer
	require.Eventually(h.t, func() bool {
		var ok bool
		a, ok = h.tg.AnswerTo(queryID)
		return ok
	}, d, 5*time.Millisecond, "%s was not answered within %s", what, d)
	return a.Text
}

func (h *harness) cases() []justify.Case {
	cs, err := h.dm.Store().ListCases(context.Background(), 1000)
	require.NoError(h.t, err)
	return cs
}

// callVK calls a VK API method on the test server as an admin would from VK's own
// interface, and returns VK's error, if any.
func (h *harness) callVK(method, token string, params map[string]string) error {
	form := url.Values{"access_token": {token}, "v": {"5.199"}}
	for k, v := range params {
		form.Set(k, v)
	}
	resp, err := http.PostForm(h.vk.URL()+method, form)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Error *struct {
			Code int    `json:"error_code"`
			Msg  string `json:"error_msg"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if out.Error != nil {
		return fmt.Errorf("%s: VK error %d: %s", method, out.Error.Code, out.Error.Msg)
	}
	return nil
}

// buttons lists a message's buttons, row after row.
func buttons(m telegramtest.Msg) []telegramtest.Button {
	var out []telegramtest.Button
	for _, row := range m.Buttons {
		out = append(out, row...)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
