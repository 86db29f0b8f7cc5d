package telegram

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits is how fast the bot may write: a message (or edit) to one chat every ChatEvery
// with bursts of ChatBurst, to one group chat every GroupEvery with bursts of GroupBurst
// (ChatEvery's pace when zero), and one to anyone every GlobalEvery with bursts of
// GlobalBurst. The zero Limits sends as fast as it can.
type Limits struct {
	ChatEvery   time.Duration
	ChatBurst   int
	GroupEvery  time.Duration
	GroupBurst  int
	GlobalEvery time.Duration
	GlobalBurst int
}

// TelegramLimits stay below Telegram's: about one message a second to one chat (short
// bursts are tolerated), 20 a minute to a group, and about 30 a second overall; past them
// it answers 429. Pacing spreads a wave of work out in modwatch instead of having
// Telegram refuse it. A group's bucket of 3 refilled 17 times a minute lets at most
// 3 + 17 = 20 messages through in any minute.
var TelegramLimits = Limits{ChatEvery: time.Second, ChatBurst: 3, GroupEvery: time.Minute / 17, GroupBurst: 3,
	GlobalEvery: time.Second / 25, GlobalBurst: 25}

func (l Limits) on() bool { return l.ChatEvery > 0 && l.GlobalEvery > 0 }

// pacer decides when the next message to a chat may go: a token bucket per chat and one
// for everyone. It never waits itself: the sender moves on to other chats instead. It uses
// the real clock, never the injected one: Telegram counts real seconds.
//
// Every bucket starts empty, as of the moment the pacer was set up: Telegram still counts
// what the previous run sent just before a restart (or a crash), which this run cannot
// know, so it may not spend a burst that Telegram's bucket no longer holds. Starting empty
// and refilling no faster than Telegram does, the pacer never has a token that Telegram's
// bucket lacks. It costs at most ChatEvery of delay to a chat's first message in the first
// seconds after a start.
type pacer struct {
	mu     sync.Mutex
	limits Limits
	now    func() time.Time
	start  time.Time // when the buckets were empty
	all    *rate.Limiter
	chats  map[int64]*rate.Limiter
}

func newPacer(l Limits) *pacer { return newPacerClock(l, time.Now) }

// newPacerClock is newPacer on another clock, for tests.
func newPacerClock(l Limits, now func() time.Time) *pacer {
	p := &pacer{now: now}
	p.set(l)
	return p
}

func (p *pacer) set(l Limits) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.chats != nil && l == p.limits {
		// A reload that keeps the limits keeps the buckets: draining them would hold up
		// every chat's next message for nothing.
		return
	}
	p.limits, p.chats, p.start = l, map[int64]*rate.Limiter{}, p.now()
	p.all = drained(l.GlobalEvery, l.GlobalBurst, p.start)
}

// drained is a bucket of burst tokens, one more every every, that was empty at at.
func drained(every time.Duration, burst int, at time.Time) *rate.Limiter {
	burst = max(1, burst)
	l := rate.NewLimiter(rate.Every(every), burst)
	l.AllowN(at, burst)
	return l
}

// chatLocked returns chat's bucket; nil when pacing is off. A bucket made later than the
// start was empty at the start too: it has refilled since by what the time allows. Group
// chats (negative ids) get the group pace, which is slower than a person's.
func (p *pacer) chatLocked(chat int64) *rate.Limiter {
	if !p.limits.on() {
		return nil
	}
	c, ok := p.chats[chat]
	if !ok {
		every, burst := p.limits.ChatEvery, p.limits.ChatBurst
		if chat < 0 && p.limits.GroupEvery > 0 {
			every, burst = p.limits.GroupEvery, p.limits.GroupBurst
		}
		c = drained(every, burst, p.start)
		p.chats[chat] = c
	}
	return c
}

// take reserves a message to chat now if both limits allow it; otherwise it reserves
// nothing and says how long to wait.
func (p *pacer) take(chat int64) (bool, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.chatLocked(chat)
	if c == nil {
		return true, 0
	}
	now := p.now()
	rc, ra := c.ReserveN(now, 1), p.all.ReserveN(now, 1)
	if w := max(rc.DelayFrom(now), ra.DelayFrom(now)); w > 0 {
		// The sender does not wait: it holds the chat back, so the tokens go back.
		rc.CancelAt(now)
		ra.CancelAt(now)
		return false, w
	}
	return true, 0
}

// spend counts a message that goes at once whatever the pace: an answer to what a
// person just did. The outbox then waits the longer, so the average stays within limits.
func (p *pacer) spend(chat int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.chatLocked(chat); c != nil {
		now := p.now()
		c.ReserveN(now, 1)
		p.all.ReserveN(now, 1)
	}
}

// overall is how long the overall limit holds every chat back; 0 when it does not.
func (p *pacer) overall() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.limits.on() {
		return 0
	}
	now := p.now()
	r := p.all.ReserveN(now, 1)
	defer r.CancelAt(now)
	return r.DelayFrom(now)
}
