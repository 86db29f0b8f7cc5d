package daemon

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

const (
	testBotToken  = "42:daemon-test-bot"
	testVKToken   = "daemon-test-community"
	testRefusedTk = "daemon-test-refused"
)

// startConfig is a daemon of two communities against the test servers; VK refuses the
// second one's token.
func startConfig(t *testing.T) (*configs.Config, configs.Secrets) {
	t.Helper()
	vkSrv, tgSrv := vktest.New(), telegramtest.New(testBotToken)
	t.Cleanup(func() { tgSrv.Close(); vkSrv.Close() })
	vkSrv.AddGroup(1, testVKToken)
	vkSrv.AddGroup(2, "the token VK knows")
	doc := fmt.Sprintf(`
database: %s
vk:
  api_url: %s
  long_poll_wait: 1s
  communities:
    - {group_id: 1, token_env: VK1}
    - {group_id: 2, token_env: VK2}
telegram:
  token_env: TG
  api_endpoint: %s
  poll_timeout: 1s
people:
  - {name: Ivan, role: operator, vk_id: 11, telegram_id: 101}
  - {name: Olga, role: manager, telegram_id: 201}
`, filepath.Join(t.TempDir(), "modwatch.db"), vkSrv.URL(), tgSrv.URL())
	env := map[string]string{"VK1": testVKToken, "VK2": testRefusedTk, "TG": testBotToken}
	cfg, secrets, err := configs.Parse([]byte(doc), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	return cfg, secrets
}

// Start returns once the daemon is ready, whatever way it then ends: Stop is a clean end,
// an ended deadline is reported by Wait, and the store is closed either way.
func TestStartIsReadyAndEnds(t *testing.T) {
	tests := []struct {
		name    string
		end     func(d *Daemon, cancel context.CancelFunc) error
		wantErr error
	}{
		{name: "stop", end: func(d *Daemon, _ context.CancelFunc) error { return d.Stop() }},
		{name: "context cancelled, as on SIGTERM", end: func(d *Daemon, cancel context.CancelFunc) error { cancel(); return d.Wait() }},
		{name: "deadline", wantErr: context.DeadlineExceeded, end: func(d *Daemon, _ context.CancelFunc) error { return d.Wait() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, secrets := startConfig(t)
			ctx, cancel := context.WithCancel(context.Background())
			if tt.wantErr != nil {
				ctx, cancel = context.WithTimeout(context.Background(), 3*time.Second)
			}
			defer cancel()
			d, err := Start(ctx, cfg, secrets, zerolog.Nop(), Options{})
			require.NoError(t, err)
			require.NoError(t, ctx.Err(), "Start returned when the daemon was ready, before ctx ended")

			pos, err := d.Service().Cursor(ctx, vk.CursorKey(1))
			require.NoError(t, err)
			assert.NotEmpty(t, pos, "ready: the community VK accepts has a long-poll position")

			err = tt.end(d, cancel)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.NoError(t, err)
			}
			assert.Error(t, d.Store().Ping(context.Background()), "the store is closed once the daemon ended")
		})
	}
}

// A daemon that cannot start leaves nothing running and says why.
func TestStartRefusesABadBotToken(t *testing.T) {
	cfg, secrets := startConfig(t)
	secrets.Telegram = "666:a-token-telegram-refuses"
	_, err := Start(context.Background(), cfg, secrets, zerolog.Nop(), Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "start telegram bot")
}
