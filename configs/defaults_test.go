package configs

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultsFillOnlyWhatIsLeftOut checks that a key the file leaves out gets its default
// while a key set to zero stays zero: for several keys the example says 0 turns a feature
// off, which must not quietly turn it back on.
func TestDefaultsFillOnlyWhatIsLeftOut(t *testing.T) {
	env := envOf(map[string]string{"VK": "v", "TG": "t"})
	tests := []struct {
		name  string
		doc   string // minimal when empty
		extra string // appended to the document
		check func(t *testing.T, c *Config)
	}{
		{name: "all left out", check: func(t *testing.T, c *Config) {
			want := Defaults()
			want.VK.Communities, want.People, want.Telegram.TokenEnv = c.VK.Communities, c.People, c.Telegram.TokenEnv
			assert.Equal(t, want, *c)
		}},
		{name: "wave alerts off", extra: "alerts: {wave_count: 0}\n", check: func(t *testing.T, c *Config) {
			assert.Zero(t, c.Alerts.WaveCount)
			assert.Equal(t, Defaults().Alerts.WaveWithin, c.Alerts.WaveWithin, "the rest of the section keeps its defaults")
		}},
		{name: "backfill off", doc: withVK("backfill_posts: 0"), check: func(t *testing.T, c *Config) {
			assert.Zero(t, c.VK.BackfillPosts)
		}},
		{name: "words kept", extra: "tickets: {retention: 0s}\n", check: func(t *testing.T, c *Config) {
			assert.Zero(t, c.Tickets.Retention)
		}},
		{name: "grouping off", extra: "justify: {group_after: 0}\n", check: func(t *testing.T, c *Config) {
			assert.Zero(t, c.Justify.GroupAfter)
		}},
		{name: "no reminder", extra: "justify: {remind_before: 0s}\n", check: func(t *testing.T, c *Config) {
			assert.Zero(t, c.Justify.RemindBefore)
		}},
		{name: "unpaced", doc: strings.Replace(minimal, "token_env: TG", "token_env: TG\n  pace: false", 1), check: func(t *testing.T, c *Config) {
			assert.False(t, c.Telegram.Pace)
		}},
		{name: "empty value keeps the default", extra: "database:\n", check: func(t *testing.T, c *Config) {
			assert.Equal(t, Defaults().Database, c.Database)
		}},
		{name: "digest keys left out", extra: "  - {name: Anna, role: owner, telegram_id: 301, digest: {every: weekly}}\n",
			check: func(t *testing.T, c *Config) {
				want := DefaultDigest()
				want.Every = Weekly
				require.NotNil(t, c.People[2].Digest)
				assert.Equal(t, want, *c.People[2].Digest)
			}},
		{name: "no digest", check: func(t *testing.T, c *Config) {
			assert.Nil(t, c.People[1].Digest)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc
			if doc == "" {
				doc = minimal
			}
			doc += tt.extra
			c, _, err := Parse([]byte(doc), env)
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

// TestZeroIsNotADefault checks that a zero where zero means nothing is refused by name
// instead of being replaced by the default.
func TestZeroIsNotADefault(t *testing.T) {
	env := envOf(map[string]string{"VK": "v", "TG": "t"})
	tests := []struct {
		doc  string
		want string
	}{
		{doc: withVK("long_poll_wait: 0s"), want: "vk.long_poll_wait: 0s is out of range"},
		{doc: withVK("reconcile_every: 0s"), want: "vk.reconcile_every: 0s is too often"},
		{doc: withVK("post_check_every: 0s"), want: "vk.post_check_every: 0s is too often"},
		{doc: withVK("backfill_comments: 0"), want: "vk.backfill_comments: 0 is out of range (1 to 100)"},
		{doc: withVK("setup_check_every: 30s"), want: "vk.setup_check_every: 30s is too often: at least 1m, or 0 to turn the check off"},
		{doc: withVK("setup_check_every: -1h"), want: "vk.setup_check_every: -1h0m0s is too often"},
		{doc: minimal + "justify: {deadline: 0s}\n", want: "justify.deadline: 0s is too short"},
		{doc: minimal + "justify: {reversal_timeout: 0s}\n", want: "justify.reversal_timeout: 0s is too short: at least 1m"},
		{doc: minimal + "alerts: {group_within: 0s}\n", want: "alerts.group_within: 0s must be positive"},
		{doc: minimal + "tickets: {answer_within: 0s}\n", want: "tickets.answer_within: 0s must be positive"},
		{doc: minimal + "database: ''\n", want: "database: missing"},
		{doc: strings.Replace(minimal, "  token_env: TG\n", "  token_env: TG\n  keep_sent: 0s\n", 1),
			want: "telegram.keep_sent: 0s is too short: at least 24h"},
		{doc: strings.Replace(minimal, "  token_env: TG\n", "  token_env: TG\n  keep_sent: 48h\n", 1) + "alerts: {group_within: 72h}\n",
			want: "telegram.keep_sent: 48h0m0s is too short: at least 24h and alerts.group_within (72h0m0s)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, _, err := Parse([]byte(tt.doc), env)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// withVK is the minimal config with one more key in its vk section.
func withVK(line string) string { return strings.Replace(minimal, "vk:\n", "vk:\n  "+line+"\n", 1) }

func TestDefaultDigestIsValid(t *testing.T) {
	tm, err := DefaultDigest().Timing()
	require.NoError(t, err)
	assert.Equal(t, DigestTiming{Every: Daily, Weekday: time.Monday, At: "09:00", Location: time.UTC}, tm)
}
