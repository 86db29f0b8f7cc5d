package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/store"
)

const (
	testToken = "4242:AAH-secret-test-token"
	groupID   = 500
	userVK    = 9001
	ivanVK    = 111
	ivanTG    = 1001
	olgaTG    = 2001
	mariaTG   = 2002
	annaTG    = 3001
	stranger  = 4040
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

var people = []justify.Person{
	{Name: "Ivan", Role: justify.RoleOperator, VKID: ivanVK, TelegramID: ivanTG},
	{Name: "Olga", Role: justify.RoleManager, TelegramID: olgaTG},
	{Name: "Maria", Role: justify.RoleManager, TelegramID: mariaTG},
	{Name: "Anna", Role: justify.RoleOwner, TelegramID: annaTG},
}

type fakeReverser struct {
	// held, when set before the bot starts, makes Unban wait until it is closed, as a slow VK.
	held     chan struct{}
	mu       sync.Mutex
	unbans   [][2]int64
	restores []justify.Ref
}

func (f *fakeReverser) Unban(ctx context.Context, groupID, userVKID int64) error {
	if f.held != nil {
		select {
		case <-f.held:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unbans = append(f.unbans, [2]int64{groupID, userVKID})
	return nil
}

func (f *fakeReverser) calls() [][2]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][2]int64(nil), f.unbans...)
}

type env struct {
	t     *testing.T
	srv   *telegramtest.Server
	store *store.DB
	// events counts the events ingested, to give each a fresh key.
	events int
	svc    *justify.Service
	clock  *justifytest.Clock
	rev    *fakeReverser
	logs   *justifytest.SyncBuffer
	cfg    Config
	deps   Deps
	bot    *Bot
	stop   func()
	// wrap, when set, stands between the bot and its Telegram client.
	wrap func(client) client
}

type option func(*env)

func withLang(l string) option { return func(e *env) { e.cfg.Lang = l } }

func noReversal(e *env) {
	e.svc.Communities = map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Кофейня «Зерно»"}}
}

// newEnv wires the real service over a real SQLite store to a bot talking to the fake
// Telegram. People are known to the fake server but have not pressed Start yet.
func newEnv(t *testing.T, opts ...option) *env {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	e := &env{t: t, srv: telegramtest.New(testToken), store: db, clock: justifytest.NewClock(t0), rev: &fakeReverser{}, logs: &justifytest.SyncBuffer{}}
	// Cleanups run last first: the bot stops (registered in start), then the server and the database close.
	t.Cleanup(func() { _ = db.Close() })
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() {
		// Runs after the bot stopped: its whole log, to tell what a failure went through.
		if t.Failed() {
			t.Logf("the bot's log:\n%s", e.logs.String())
		}
	})
	dir := justify.NewDirectory(people)
	communities := map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Кофейня «Зерно»", CanReverse: true}}
	e.svc = &justify.Service{
		Store: e.store, People: dir, Communities: communities, Reverser: e.rev, Now: e.clock.Now,
		Deadline: 2 * time.Hour, RemindBefore: 30 * time.Minute,
	}
	e.cfg = Config{Token: testToken, Endpoint: e.srv.Endpoint(), PollTimeout: 2 * time.Second, Location: time.UTC}
	e.deps = Deps{Service: e.svc, Cursors: e.svc, Cases: e.store, Outbox: e.store, Buttons: e.store, People: dir, Communities: communities, Now: e.clock.Now}
	for _, p := range people {
		e.srv.AddUser(p.TelegramID, p.Name)
	}
	e.srv.AddUser(stranger, "Stranger")
	for _, o := range opts {
		o(e)
	}
	return e
}

// start runs a bot, and the service's reversals as the daemon does, until the test ends
// or stop is called.
func (e *env) start() {
	e.t.Helper()
	log := zerolog.New(e.logs)
	bot, err := New(e.cfg, e.deps, log)
	require.NoError(e.t, err)
	if e.wrap != nil {
		bot.api = e.wrap(bot.api)
	}
	e.bot = bot
	e.svc.OnReversal = func(justify.ReversalResult) { bot.Wake() }
	stopBot := justifytest.Run(e.t, bot.Run)
	stopReversals := justifytest.Run(e.t, e.svc.RunReversals)
	e.stop = func() { stopReversals(); stopBot() }
}

// startAll makes every person press Start, then waits for the greetings.
func (e *env) startAll() {
	e.t.Helper()
	for _, p := range people {
		e.srv.SendText(p.TelegramID, "/start")
	}
	for _, p := range people {
		e.waitMsg(p.TelegramID, p.Name)
	}
}

// ban ingests a ban by adminVK and returns the case opened. Each ban is of a new customer
// (userVK for the first), since a second ban of a user with an open case opens none.
func (e *env) ban(adminVK int64, userName, comment string) justify.CaseID {
	e.t.Helper()
	e.events++
	n := e.events - 1
	res, err := e.svc.Ingest(context.Background(), []justify.Event{{
		Key: fmt.Sprintf("ev%d", n+1), GroupID: groupID, Kind: justify.EventBan, ActorVKID: adminVK,
		UserVKID: userVK + int64(n), UserName: userName, VKReason: justify.BanSpam, Comment: comment,
		At: e.clock.Now().Add(-time.Minute), Source: justify.SourceLongPoll,
	}}, "", "")
	require.NoError(e.t, err)
	require.Len(e.t, res.Opened, 1)
	if e.bot != nil {
		e.bot.Wake()
	}
	return res.Opened[0]
}

// waitMsg waits for a bot message in chat whose text contains substr and returns it.
func (e *env) waitMsg(chat int64, substr string) telegramtest.Msg {
	e.t.Helper()
	var found telegramtest.Msg
	require.Eventually(e.t, func() bool {
		for _, m := range e.srv.Messages(chat) {
			if strings.Contains(m.Text, substr) {
				found = m
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "chat %d never showed %q; it has %+v", chat, substr, e.srv.Messages(chat))
	return found
}

// count is how many bot messages in chat contain substr.
func (e *env) count(chat int64, substr string) int {
	n := 0
	for _, m := range e.srv.Messages(chat) {
		if strings.Contains(m.Text, substr) {
			n++
		}
	}
	return n
}

// waitPrefixed waits until exactly n bot messages in chat begin with prefix.
func (e *env) waitPrefixed(chat int64, prefix string, n int, why string) {
	e.t.Helper()
	require.Eventually(e.t, func() bool {
		got := 0
		for _, m := range e.srv.Messages(chat) {
			if strings.HasPrefix(m.Text, prefix) {
				got++
			}
		}
		return got == n
	}, 5*time.Second, 5*time.Millisecond, why)
}

// waitEdit waits until message id in chat contains substr.
func (e *env) waitEdit(chat int64, id int, substr string) telegramtest.Msg {
	e.t.Helper()
	var m telegramtest.Msg
	require.Eventually(e.t, func() bool {
		m, _ = e.srv.Message(chat, id)
		return strings.Contains(m.Text, substr)
	}, 5*time.Second, 5*time.Millisecond, "message %d in chat %d never showed %q", id, chat, substr)
	return m
}

// press presses the button labelled label on message m and waits for the answer.
func (e *env) press(from int64, m telegramtest.Msg, label string) telegramtest.CallbackAnswer {
	e.t.Helper()
	cur, _ := e.srv.Message(m.ChatID, m.ID)
	for _, row := range cur.Buttons {
		for _, b := range row {
			if b.Text == label {
				return e.pressData(from, m.ID, b.Data)
			}
		}
	}
	e.t.Fatalf("message %d has no button %q: %+v", m.ID, label, cur.Buttons)
	return telegramtest.CallbackAnswer{}
}

func (e *env) pressData(from int64, msgID int, data string) telegramtest.CallbackAnswer {
	e.t.Helper()
	qid := e.srv.PressButton(from, msgID, data)
	var a telegramtest.CallbackAnswer
	require.Eventually(e.t, func() bool {
		var ok bool
		a, ok = e.srv.AnswerTo(qid)
		return ok
	}, 5*time.Second, 5*time.Millisecond, "press %s never answered", qid)
	return a
}

func (e *env) caseNow(id justify.CaseID) justify.Case {
	c, _, err := e.svc.Case(context.Background(), id)
	require.NoError(e.t, err)
	return c
}

// settled waits until the outbox holds no message that is still due.
func (e *env) settled() {
	e.t.Helper()
	require.Eventually(e.t, func() bool {
		due, _ := e.store.DueMessages(context.Background(), e.clock.Now(), 100)
		return len(due) == 0
	}, 5*time.Second, 5*time.Millisecond)
}

func labels(m telegramtest.Msg) []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

func zerologTo(w io.Writer) zerolog.Logger { return zerolog.New(w) }

func (f *fakeReverser) Restore(_ context.Context, item justify.Ref) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.restores = append(f.restores, item)
	return nil
}

// messages lists every outbox message, by ID.
func (e *env) messages() []justify.Message {
	e.t.Helper()
	var out []justify.Message
	for id := int64(1); ; id++ {
		m, err := e.store.Message(context.Background(), id)
		if errors.Is(err, justify.ErrNotFound) {
			return out
		}
		require.NoError(e.t, err)
		out = append(out, m)
	}
}

// firstMessage is the first outbox message, or a zero one when there is none yet.
func (e *env) firstMessage() justify.Message {
	m, _ := e.store.Message(context.Background(), 1)
	return m
}

// cursor reads a saved cursor.
func (e *env) cursor(key string) string {
	e.t.Helper()
	var v string
	require.NoError(e.t, e.store.View(context.Background(), func(tx justify.Tx) (err error) {
		v, err = tx.Cursor(key)
		return err
	}))
	return v
}
