package telegram

import (
	"sync"
	"time"
)

// Limits is how fast the bot may write: a message (or edit) to one chat every ChatEvery
// with bursts of ChatBurst, and one to anyone every GlobalEvery with bursts of
// GlobalBurst. The zero Limits sends as fast as it can.
type Limits struct {
	ChatEvery   time.Duration
	ChatBurst   int
	GlobalEvery time.Duration
	GlobalBurst int
}

// TelegramLimits stay below Telegram's: about one message a second to one chat (short
// bursts are tolerated) and about 30 a second overall; past them it answers 429. Pacing
// spreads a wave of work out in modwatch instead of having Telegram refuse it.
var TelegramLimits = Limits{ChatEvery: time.Second, ChatBurst: 3, GlobalEvery: time.Second / 25, GlobalBurst: 25}

// bucket is a token bucket: one token per every, holding at most burst.
type bucket struct {
	tokens float64
	at     time.Time
}

func (b *bucket) refill(now time.Time, every time.Duration, burst int) {
	if b.at.IsZero() {
		b.tokens, b.at = float64(burst), now
		return
	}
	b.tokens += float64(now.Sub(b.at)) / float64(every)
	if b.tokens > float64(burst) {
		b.tokens = float64(burst)
	}
	b.at = now
}

// wait is how long until the bucket holds a whole token.
func (b *bucket) wait(every time.Duration) time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(every))
}

// pacer decides when the next message to a chat may go. It uses the real clock, never
// the injected one: Telegram counts real seconds.
type pacer struct {
	mu     sync.Mutex
	limits Limits
	now    func() time.Time
	all    bucket
	chats  map[int64]*bucket
}

func newPacer(l Limits) *pacer { return &pacer{limits: l, now: time.Now, chats: map[int64]*bucket{}} }

func (p *pacer) set(l Limits) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.limits, p.all, p.chats = l, bucket{}, map[int64]*bucket{}
}

// refillLocked brings both buckets of chat up to now; ok is false when pacing is off.
func (p *pacer) refillLocked(chat int64) (*bucket, bool) {
	l := p.limits
	if l.ChatEvery <= 0 || l.GlobalEvery <= 0 {
		return nil, false
	}
	now := p.now()
	c, ok := p.chats[chat]
	if !ok {
		c = &bucket{}
		p.chats[chat] = c
	}
	c.refill(now, l.ChatEvery, max(1, l.ChatBurst))
	p.all.refill(now, l.GlobalEvery, max(1, l.GlobalBurst))
	return c, true
}

// take reserves a message to chat now if both limits allow it; otherwise it reserves
// nothing and says how long to wait.
func (p *pacer) take(chat int64) (bool, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, on := p.refillLocked(chat)
	if !on {
		return true, 0
	}
	if w := max(c.wait(p.limits.ChatEvery), p.all.wait(p.limits.GlobalEvery)); w > 0 {
		return false, w
	}
	c.tokens--
	p.all.tokens--
	return true, 0
}

// spend counts a message that goes at once whatever the pace: an answer to what a
// person just did. The outbox then waits the longer, so the average stays within limits.
func (p *pacer) spend(chat int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, on := p.refillLocked(chat); on {
		c.tokens--
		p.all.tokens--
	}
}

// overall is how long the overall limit holds every chat back; 0 when it does not.
func (p *pacer) overall() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.limits
	if l.ChatEvery <= 0 || l.GlobalEvery <= 0 {
		return 0
	}
	p.all.refill(p.now(), l.GlobalEvery, max(1, l.GlobalBurst))
	return p.all.wait(l.GlobalEvery)
}
