package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// pageChats are the chats a backlog goes to, in the order its messages are queued.
var pageChats = []int64{ivanTG, olgaTG, mariaTG, annaTG}

// queueBacklog writes n alerts to each of pageChats in one transaction, interleaved
// (numbered 1..n in each chat), so that one page holds messages for every chat.
func (e *env) queueBacklog(n int) {
	e.t.Helper()
	require.NoError(e.t, e.store.Update(context.Background(), func(tx justify.Tx) error {
		for i := 1; i <= n; i++ {
			for _, chat := range pageChats {
				a := justify.Alert{Kind: justify.AlertToken, GroupID: groupID, Key: fmt.Sprintf("k%d-%d", chat, i),
					Subject: fmt.Sprintf("token-%03d", i), Count: 2, At: e.clock.Now()}
				payload, err := json.Marshal(a)
				require.NoError(e.t, err)
				if _, err := tx.Enqueue(justify.Message{ChatID: chat, Kind: justify.MsgAlert, Payload: string(payload),
					Created: e.clock.Now()}); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

var backlogNumber = regexp.MustCompile(`token-(\d{3})`)

// backlogSeen lists the numbers of the backlog's messages a chat shows, in the order they
// arrived.
func (e *env) backlogSeen(chat int64) []int {
	var out []int
	for _, m := range e.srv.Messages(chat) {
		if sub := backlogNumber.FindStringSubmatch(m.Text); sub != nil {
			n, _ := strconv.Atoi(sub[1])
			out = append(out, n)
		}
	}
	return out
}

// checkBacklog checks that every chat shows the backlog's n messages once each, in order,
// and that the outbox recorded each as the Telegram message that shows it.
func (e *env) checkBacklog(n int) {
	e.t.Helper()
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	shown := map[[2]int64]string{}
	for _, chat := range pageChats {
		assert.Equal(e.t, want, e.backlogSeen(chat), "chat %d: each message once, in order", chat)
		for _, m := range e.srv.Messages(chat) {
			shown[[2]int64{chat, int64(m.ID)}] = m.Text
		}
	}
	recorded := 0
	for _, m := range e.messages() {
		if m.Kind != justify.MsgAlert || !strings.Contains(m.Payload, "token-") {
			continue
		}
		recorded++
		a, err := justify.ParseAlert(m.Payload)
		require.NoError(e.t, err)
		require.False(e.t, m.SentAt.IsZero(), "message %d is recorded sent", m.ID)
		assert.Contains(e.t, shown[[2]int64{m.ChatID, int64(m.TelegramMessageID)}], a.Subject,
			"message %d is recorded as the Telegram message that shows it", m.ID)
	}
	assert.Equal(e.t, n*len(pageChats), recorded)
}

// waitRecorded waits until the outbox records the chat's alert about subject as sent.
func (e *env) waitRecorded(chat int64, subject string) {
	e.t.Helper()
	require.Eventually(e.t, func() bool {
		sent := false
		// A failed read is another try: require must not fail off the test's goroutine.
		_ = e.store.View(context.Background(), func(tx justify.Tx) error {
			ms, err := tx.MessagesIn(chat, justify.MsgAlert)
			for _, m := range ms {
				if strings.Contains(m.Payload, subject) {
					sent = !m.SentAt.IsZero()
				}
			}
			return err
		})
		return sent
	}, 5*time.Second, 5*time.Millisecond, "chat %d: %s recorded sent", chat, subject)
}

// jitter delays each message a little, at random, so that two messages of one chat sent
// side by side would arrive out of order.
type jitter struct{ client }

func (j jitter) SendText(ctx context.Context, chatID int64, text string, kb keyboard, forceReply bool) result {
	time.Sleep(time.Duration(rand.IntN(1500)) * time.Microsecond)
	return j.client.SendText(ctx, chatID, text, kb, forceReply)
}

// A page with messages for several chats sends to them side by side, but each chat's
// messages arrive in the order they were queued, and each is sent and recorded once.
func TestPageKeepsEachChatsOrder(t *testing.T) {
	e := newEnv(t)
	e.wrap = func(c client) client { return jitter{c} }
	e.start()
	e.startAll()
	before := e.srv.Calls("sendMessage")
	const n = 20 // 80 messages: one page
	e.queueBacklog(n)
	e.bot.Wake()
	e.settled()
	e.checkBacklog(n)
	assert.Equal(t, n*len(pageChats), e.srv.Calls("sendMessage")-before, "each message sent once")
}

// holdOne holds the send of one message until the sender is stopped; Telegram then takes
// it all the same, as it may take a message whose answer the sender never waits for.
type holdOne struct {
	client
	text    string
	held    chan struct{}
	chat    atomic.Int64 // the chat of the message held
	once    sync.Once
	holding atomic.Bool
}

func (h *holdOne) SendText(ctx context.Context, chatID int64, text string, kb keyboard, forceReply bool) result {
	if strings.Contains(text, h.text) && h.holding.CompareAndSwap(false, true) {
		h.chat.Store(chatID)
		h.once.Do(func() { close(h.held) })
		<-ctx.Done()
		return h.client.SendText(context.WithoutCancel(ctx), chatID, text, kb, forceReply)
	}
	return h.client.SendText(ctx, chatID, text, kb, forceReply)
}

// failSentAll fails the first record of messages sent, as a database that fails (or a
// crash) between Telegram taking messages and the outbox recording them.
type failSentAll struct {
	Service
	mu     sync.Mutex
	failed bool
	lost   int // the messages of the failed record
	calls  int // the calls that failed
}

func (f *failSentAll) SentAll(ctx context.Context, ds []justify.Delivery) ([]int64, error) {
	f.mu.Lock()
	if !f.failed {
		f.failed, f.lost = true, len(ds)
	}
	// The record, and the sender's tries of its messages one by one, fail.
	fail := f.calls <= f.lost
	if fail {
		f.calls++
	}
	f.mu.Unlock()
	if fail {
		return nil, errors.New("disk I/O error")
	}
	return f.Service.SentAll(ctx, ds)
}

func (f *failSentAll) failedRecord() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lost
}

// A stop in the middle of a page loses nothing and sends nothing twice: what Telegram took
// is recorded before the sender returns, and what it was not handed yet goes after a
// restart, in order. When recording fails, the messages stay due and go again: each at
// least once, and twice at most those the failed record held, as the outbox promises.
func TestPageStoppedOrFailedLosesNothing(t *testing.T) {
	t.Run("stopped while a message is in flight", func(t *testing.T) {
		e := newEnv(t)
		hold := &holdOne{text: "token-005", held: make(chan struct{})}
		e.wrap = func(c client) client { hold.client = c; return hold }
		e.start()
		e.startAll()
		const n = 12
		e.queueBacklog(n)
		e.bot.Wake()
		<-hold.held
		for _, chat := range pageChats {
			if chat != hold.chat.Load() {
				// The other chats' senders are done: only the held message is in flight.
				// Their last message showing in the chat is not enough: until its answer
				// is recorded it is in flight too, and a stop then may send it again.
				e.waitRecorded(chat, fmt.Sprintf("token-%03d", n))
			}
		}
		e.stop()
		assert.Equal(t, []int{1, 2, 3, 4, 5}, e.backlogSeen(hold.chat.Load()), "the held chat stopped after the message in flight")
		e.wrap = nil
		// What the stop cut short is retried after its back-off.
		e.clock.Add(time.Minute)
		e.start()
		e.bot.Wake()
		e.settled()
		e.checkBacklog(n)
	})
	t.Run("the record of sent messages fails", func(t *testing.T) {
		e := newEnv(t)
		fail := &failSentAll{Service: e.deps.Service}
		e.deps.Service = fail
		e.start()
		e.startAll() // the greetings are no outbox messages: the backlog's first record fails
		before := e.srv.Calls("sendMessage")
		const n = 12
		e.queueBacklog(n)
		e.bot.Wake()
		e.settled()
		lost := fail.failedRecord()
		require.Positive(t, lost, "a record failed")
		sent := e.srv.Calls("sendMessage") - before
		assert.Equal(t, n*len(pageChats)+lost, sent, "each message once, those whose record failed twice")
		for _, chat := range pageChats {
			seen := map[int]bool{}
			for _, k := range e.backlogSeen(chat) {
				seen[k] = true
			}
			assert.Len(t, seen, n, "chat %d got every message", chat)
		}
		// Each message is recorded once, as the last Telegram message that showed it.
		recorded := 0
		for _, m := range e.messages() {
			if m.Kind == justify.MsgAlert && strings.Contains(m.Payload, "token-") {
				recorded++
				require.False(t, m.SentAt.IsZero(), "message %d is recorded sent", m.ID)
			}
		}
		assert.Equal(t, n*len(pageChats), recorded)
	})
}
