package telegramtest

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Rate limits as Telegram enforces them, a little more lenient than a well-behaved bot's
// own pacing so that network jitter is not mistaken for a flood: per chat one message a
// second with bursts of chatBurst, overall globalPerSecond with bursts of globalBurst.
const (
	chatBurst       = 5
	globalPerSecond = 30
	globalBurst     = 40
)

// limitedMethods are the calls that count as messages.
var limitedMethods = map[string]bool{
	"sendMessage": true, "sendPhoto": true, "editMessageText": true, "editMessageReplyMarkup": true,
}

type tokens struct {
	n  float64
	at time.Time
}

// take refills t at perSecond up to burst and spends one token; when none is left it
// spends nothing and returns the whole seconds to wait, as retry_after.
func (t *tokens) take(now time.Time, perSecond float64, burst int) int {
	if t.at.IsZero() {
		t.n, t.at = float64(burst), now
	}
	t.n = math.Min(float64(burst), t.n+now.Sub(t.at).Seconds()*perSecond)
	t.at = now
	if t.n >= 1 {
		t.n--
		return 0
	}
	return max(1, int(math.Ceil((1-t.n)/perSecond)))
}

// SetRateLimits makes the server answer 429 with retry_after, as Telegram does, when a
// chat gets more than about one message a second, a group more than 20 in a minute, or
// the bot sends more than about 30 a second overall. Off by default.
func (s *Server) SetRateLimits(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited = on
	s.chatTokens, s.allTokens, s.groupSends = map[string]*tokens{}, tokens{}, map[string][]time.Time{}
}

// RateLimited counts the calls the server refused with 429 for going too fast.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused429
}

// rateLimitLocked returns the retry_after of a call that goes too fast, 0 when it may go.
func (s *Server) rateLimitLocked(method string, p map[string]string) int {
	if !s.limited || !limitedMethods[method] {
		return 0
	}
	now := time.Now()
	if s.limitClock != nil {
		now = s.limitClock()
	}
	chat := p["chat_id"]
	c, ok := s.chatTokens[chat]
	if !ok {
		c = &tokens{}
		s.chatTokens[chat] = c
	}
	// Both buckets are checked before either is spent, so a refusal costs nothing.
	probeChat, probeAll := *c, s.allTokens
	if w := max(probeChat.take(now, 1, chatBurst), probeAll.take(now, globalPerSecond, globalBurst)); w > 0 {
		s.refused429++
		return w
	}
	if strings.HasPrefix(chat, "-") {
		if w := s.groupFloodLocked(chat, now); w > 0 { // groups.go
			s.refused429++
			return w
		}
	}
	*c, s.allTokens = probeChat, probeAll
	return 0
}

func retryAfterDesc(w int) string { return "Too Many Requests: retry after " + strconv.Itoa(w) }
