package configs

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func TestConversationsProblems(t *testing.T) {
	env := envOf(map[string]string{"VK": "v", "TG": "t"})
	// minimal ends on line 10; what a test appends starts on line 11.
	tests := []struct {
		name string
		doc  string
		want Problems
	}{
		{name: "settings out of range",
			doc: strings.Replace(minimal, "vk:\n", "vk:\n  unanswered_check_every: 500ms\n", 1) +
				"conversations:\n  stall_after: 0s\n  template_min_customers: 1\n  idle_after: 30s\n  greetings: ['  ']\n",
			want: Problems{
				{Key: "vk.unanswered_check_every", Line: 3, Message: "500ms is too often: at least 1s"},
				{Key: "conversations.stall_after", Line: 13, Message: "0s must be positive"},
				{Key: "conversations.template_min_customers", Line: 14, Message: "1 is too few: a template goes to at least 2 customers"},
				{Key: "conversations.idle_after", Line: 15, Message: "30s is too short: at least 1m"},
				{Key: "conversations.greetings[0]", Line: 16, Message: "empty phrase"},
			}},
		{name: "a shift's mistakes",
			doc: minimal + "  - name: Petr\n    role: operator\n    vk_id: 12\n    telegram_id: 102\n    shifts:\n      - {days: [mon, funday], from: '09:00', to: '18:00'}\n      - {days: [sat], from: '9', to: '18:00'}\n      - {days: [sun], from: '09:00', to: '18:00', time_zone: Mars/Olympus}\n",
			want: Problems{
				{Key: "people[2].shifts[0]", Line: 16, Message: `"funday" is not a day: use mon, tue, wed, thu, fri, sat, sun`},
				{Key: "people[2].shifts[1]", Line: 17, Message: `from: "9": write the time as HH:MM, like 09:00`},
				{Key: "people[2].shifts[2]", Line: 18, Message: `time_zone "Mars/Olympus" is not a known time zone (use an IANA name like Europe/Moscow)`},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tt.doc), env)
			var got Problems
			require.True(t, errors.As(err, &got), "%v", err)
			assert.ElementsMatch(t, tt.want, got)
		})
	}
}

func TestShiftsAndLexicon(t *testing.T) {
	doc := "time_zone: Europe/Moscow\n" + minimal + `  - name: Petr
    role: operator
    vk_id: 12
    telegram_id: 102
    shifts:
      - {days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}
      - {days: [sat], from: "22:00", to: "06:00", time_zone: UTC}
  - name: Anna
    role: owner
    telegram_id: 301
    shifts: [{days: [mon], from: "09:00", to: "18:00"}]
  - name: Vera
    role: manager
    vk_id: 13
    telegram_id: 302
    shifts: [{days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00", time_zone: Europe/Moscow}]
conversations:
  holding_replies: [Смотрим в базе]
`
	cfg, _, err := Parse([]byte(doc), envOf(map[string]string{"VK": "v", "TG": "t"}))
	require.NoError(t, err)
	shifts := cfg.Shifts()
	require.Len(t, shifts, 2, "the shifts of those who answer in VK: Ivan has none, Anna no VK id")
	require.Contains(t, shifts, int64(13), "a manager who answers customers too")
	petr := shifts[12]
	require.Len(t, petr, 2)
	msk, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	assert.Equal(t, msk, petr[0].Location, "a shift without a time zone is in the team's")
	assert.True(t, petr.On(time.Date(2026, 11, 23, 9, 30, 0, 0, msk)), "Monday morning in Moscow")
	assert.True(t, petr.On(time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)), "Saturday's night shift")

	assert.Equal(t, justify.ReplyHolding, cfg.Lexicon().ClassifyReply("Смотрим в базе", nil, false))
	assert.Equal(t, 5*time.Minute, Defaults().VK.UnansweredCheckEvery)
}
