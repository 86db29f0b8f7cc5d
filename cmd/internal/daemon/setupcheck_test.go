package daemon

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram"
)

// fakeTarget answers the check with what the test puts in it.
type fakeTarget struct {
	problems []justify.SetupProblem
	err      error
}

func (f *fakeTarget) target(groupID int64) SetupTarget {
	return SetupTarget{GroupID: groupID, Name: "target", Check: func(context.Context) ([]justify.SetupProblem, error) {
		return f.problems, f.err
	}}
}

// Each problem is alerted once while it lasts, again if it comes back; a check that
// could not be made forgets nothing; refused tokens are left to the watchers' own alerts.
func TestSetupWatchAlertsOncePerProblem(t *testing.T) {
	event := justify.SetupProblem{GroupID: 10, Check: justify.CheckEvents, Name: "wall_reply_delete", Required: true, Problem: "off"}
	right := justify.SetupProblem{GroupID: 10, Check: justify.CheckRights, Name: "messages", Required: true, Problem: "missing"}
	refused := justify.SetupProblem{GroupID: 10, Check: justify.CheckCommunityToken, Name: "community token", Required: true}
	chat := justify.SetupProblem{Check: justify.CheckChat, Name: "telegram.review_chat", Required: true}
	vkSide, tgSide := &fakeTarget{}, &fakeTarget{}
	var alerts []justify.Alert
	failAlert := false
	woken := 0
	w := &setupWatch{
		targets: []SetupTarget{vkSide.target(10), tgSide.target(0)},
		alert: func(_ context.Context, a justify.Alert) error {
			if failAlert {
				return errors.New("database is locked")
			}
			alerts = append(alerts, a)
			return nil
		},
		wake: func() { woken++ },
		now:  func() time.Time { return time.Unix(1_800_000_000, 0) },
		log:  zerolog.Nop(),
	}
	keys := func() []string {
		var out []string
		for _, a := range alerts {
			out = append(out, a.Key)
		}
		return out
	}
	steps := []struct {
		name     string
		vk, tg   []justify.SetupProblem
		vkErr    error
		failSend bool
		wantErr  bool
		want     []string // every alert so far
	}{
		{name: "first sight", vk: []justify.SetupProblem{event, refused}, tg: []justify.SetupProblem{chat},
			want: []string{event.Key(), chat.Key()}},
		{name: "still there: nothing new", vk: []justify.SetupProblem{event}, tg: []justify.SetupProblem{chat},
			want: []string{event.Key(), chat.Key()}},
		{name: "VK out of reach: nothing forgotten", vkErr: errors.New("timeout"), tg: []justify.SetupProblem{chat}, wantErr: true,
			want: []string{event.Key(), chat.Key()}},
		{name: "a new one", vk: []justify.SetupProblem{event, right}, tg: []justify.SetupProblem{chat},
			want: []string{event.Key(), chat.Key(), right.Key()}},
		{name: "fixed", vk: []justify.SetupProblem{right},
			want: []string{event.Key(), chat.Key(), right.Key()}},
		{name: "an alert that could not be written is tried again", vk: []justify.SetupProblem{event, right}, failSend: true, wantErr: true,
			want: []string{event.Key(), chat.Key(), right.Key()}},
		{name: "back again", vk: []justify.SetupProblem{event, right},
			want: []string{event.Key(), chat.Key(), right.Key(), event.Key()}},
	}
	for _, s := range steps {
		vkSide.problems, vkSide.err, tgSide.problems, failAlert = s.vk, s.vkErr, s.tg, s.failSend
		err := w.run(context.Background())
		if s.wantErr {
			require.Error(t, err, s.name)
		} else {
			require.NoError(t, err, s.name)
		}
		assert.Equal(t, s.want, keys(), s.name)
	}
	assert.Equal(t, justify.AlertSetup, alerts[0].Kind)
	assert.Equal(t, "wall_reply_delete", alerts[0].Subject)
	assert.Equal(t, int64(10), alerts[0].GroupID)
	assert.Equal(t, 3, woken, "the bot is woken when something was alerted")
}

// The setup check looks at every team chat the config names, each by its key.
func TestSetupChatsAreTheConfigsTeamChats(t *testing.T) {
	tests := []struct {
		name string
		cfg  configs.Config
		want []telegram.SetupChat
	}{
		{name: "no team chat", cfg: configs.Config{VK: configs.VKConfig{Communities: []configs.CommunityConfig{{GroupID: 1}}}}},
		{
			name: "shared and per community",
			cfg: configs.Config{
				Telegram: configs.TelegramConfig{ReviewChat: -100, AlertsChat: -200},
				VK:       configs.VKConfig{Communities: []configs.CommunityConfig{{GroupID: 1}, {GroupID: 2, ReviewChat: -300, AlertsChat: -400}}},
			},
			want: []telegram.SetupChat{
				{Key: "telegram.review_chat", ChatID: -100}, {Key: "telegram.alerts_chat", ChatID: -200},
				{Key: "vk.communities[1].review_chat", ChatID: -300}, {Key: "vk.communities[1].alerts_chat", ChatID: -400},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SetupChats(&tt.cfg))
		})
	}
}
