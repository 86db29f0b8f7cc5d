package telegramtest

import (
	"errors"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRateLimits(t *testing.T) {
	tests := []struct {
		name     string
		limited  bool
		sends    int
		want429  int
		otherOK  bool
		wantSent int
	}{
		{name: "off by default", sends: 20, wantSent: 20, otherOK: true},
		{name: "a burst within the limit", limited: true, sends: chatBurst, wantSent: chatBurst, otherOK: true},
		{name: "past the burst is refused", limited: true, sends: chatBurst + 3, want429: 3, wantSent: chatBurst, otherOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(token)
			defer s.Close()
			s.SetRateLimits(tt.limited)
			frozen := time.Now()
			s.limitClock = func() time.Time { return frozen }
			for _, id := range []int64{1, 2} {
				s.AddUser(id, "u")
				s.SendText(id, "/start")
			}
			bot := newBot(t, s, token)
			refused := 0
			for range tt.sends {
				_, err := bot.Send(tgbotapi.NewMessage(1, "hi"))
				var apiErr *tgbotapi.Error
				if errors.As(err, &apiErr) && apiErr.Code == 429 {
					refused++
					assert.Positive(t, apiErr.RetryAfter, "a 429 says when to retry")
					continue
				}
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want429, refused)
			assert.Equal(t, tt.want429, s.RateLimited())
			assert.Len(t, s.Messages(1), tt.wantSent)
			_, err := bot.Send(tgbotapi.NewMessage(2, "hi"))
			assert.Equal(t, tt.otherOK, err == nil, "another chat has its own limit: %v", err)
		})
	}
}

func TestRateLimitOverall(t *testing.T) {
	s := New(token)
	defer s.Close()
	s.SetRateLimits(true)
	frozen := time.Now()
	s.limitClock = func() time.Time { return frozen }
	bot := newBot(t, s, token)
	refused := 0
	// Each chat stays within its own limit; together they pass the bot's.
	for id := int64(1); id <= globalBurst+5; id++ {
		s.AddUser(id, "u")
		s.SendText(id, "/start")
		if _, err := bot.Send(tgbotapi.NewMessage(id, "hi")); err != nil {
			refused++
		}
	}
	assert.Equal(t, 5, refused)
	assert.Equal(t, refused, s.RateLimited())

	// A second later the bot may send again.
	frozen = frozen.Add(time.Second)
	_, err := bot.Send(tgbotapi.NewMessage(1, "hi"))
	assert.NoError(t, err)
}
