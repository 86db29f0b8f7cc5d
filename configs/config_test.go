package configs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

var fullEnv = envOf(map[string]string{
	"MODWATCH_VK_TOKEN_123456":      "community-secret",
	"MODWATCH_VK_USER_TOKEN_123456": "user-secret",
	"MODWATCH_TELEGRAM_TOKEN":       "123:bot-secret",
})

func TestExampleConfigIsValid(t *testing.T) {
	cfg, secrets, err := Parse(Example(), fullEnv)
	require.NoError(t, err)
	assert.Equal(t, "ru", cfg.Language)
	assert.Equal(t, "123:bot-secret", secrets.Telegram)
	assert.Equal(t, "user-secret", secrets.CommunityAdmin[123456])
	assert.True(t, cfg.Communities(secrets)[123456].CanReverse)
	assert.Len(t, cfg.Warnings(secrets), 0, "%v", cfg.Warnings(secrets))
	assert.NotContains(t, secrets.String(), "secret")
}

const minimal = `
vk:
  communities:
    - group_id: 1
      token_env: VK
telegram:
  token_env: TG
people:
  - {name: Ivan, role: operator, vk_id: 11, telegram_id: 101}
  - {name: Olga, role: manager, telegram_id: 201}
`

func TestConfigDefaults(t *testing.T) {
	cfg, s, err := Parse([]byte(minimal), envOf(map[string]string{"VK": "v", "TG": "t"}))
	require.NoError(t, err)
	assert.Equal(t, "modwatch.db", cfg.Database)
	assert.Equal(t, "https://api.vk.com/method/", cfg.VK.MethodURL())
	assert.Equal(t, "https://api.telegram.org/bot%s/%s", cfg.Telegram.EndpointFormat())
	assert.Equal(t, Defaults().Justify.Deadline, cfg.Justify.Deadline)
	assert.False(t, cfg.Communities(s)[1].CanReverse)
	require.Len(t, cfg.Warnings(s), 2)
	assert.Contains(t, cfg.Warnings(s)[0], "by hand")
}

func TestConfigProblems(t *testing.T) {
	env := envOf(map[string]string{"VK": "v", "TG": "t", "EMPTY": " "})
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{name: "unknown key", doc: minimal + "databse: x.db\n", want: []string{`unknown key "databse"`}},
		{name: "not yaml", doc: "vk: [", want: []string{"not valid YAML"}},
		{name: "unset token variable", doc: strings.Replace(minimal, "token_env: TG", "token_env: NOPE", 1), want: []string{"telegram.token_env: environment variable NOPE is not set"}},
		{name: "empty token variable", doc: strings.Replace(minimal, "token_env: VK", "token_env: EMPTY", 1), want: []string{"vk.communities[0].token_env: environment variable EMPTY is empty"}},
		{name: "unset user token variable", doc: strings.Replace(minimal, "token_env: VK", "token_env: VK\n      user_token_env: NOPE", 1), want: []string{"vk.communities[0].user_token_env: environment variable NOPE is not set"}},
		{name: "duplicate telegram id", doc: minimal + "  - {name: Anna, role: owner, telegram_id: 201}\n", want: []string{"people[2].telegram_id: 201 is also Olga's"}},
		{name: "operator without vk id", doc: minimal + "  - {name: Petr, role: operator, telegram_id: 102}\n", want: []string{`people[2].vk_id: operator "Petr" has no VK id`}},
		{name: "bad role", doc: minimal + "  - {name: Petr, role: admin, telegram_id: 102}\n", want: []string{`people[2].role: "admin" is not a role`}},
		{name: "duplicate name", doc: minimal + "  - {name: Olga, role: owner, telegram_id: 301}\n", want: []string{`people[2].name: "Olga" is used twice`}},
		{name: "no manager", doc: strings.Replace(minimal, "role: manager", "role: owner", 1), want: []string{"people: no manager"}},
		{name: "bad language", doc: minimal + "language: de\n", want: []string{`language: "de" is not supported`}},
		{name: "bad url", doc: minimal + "telegram_extra: 1\n", want: []string{`unknown key "telegram_extra"`}},
		{name: "vk url", doc: strings.Replace(minimal, "vk:\n", "vk:\n  api_url: ftp://x\n", 1), want: []string{"vk.api_url"}},
		{name: "negative group", doc: strings.Replace(minimal, "group_id: 1", "group_id: -1", 1), want: []string{"vk.communities[0].group_id: -1 must be the community's positive id"}},
		{name: "remind after deadline", doc: minimal + "justify: {deadline: 10m, remind_before: 20m}\n", want: []string{"justify.remind_before"}},
		{name: "bad duration", doc: minimal + "justify:\n  deadline: soon\n", want: []string{`justify.deadline: "soon" is not valid here`}},
		{name: "bad number", doc: strings.Replace(minimal, "telegram_id: 201", "telegram_id: olga", 1), want: []string{`people[1].telegram_id: "olga" is not valid here`}},
		{name: "bad log level", doc: minimal + "log: {level: loud}\n", want: []string{`log.level: "loud" is not a level`}},
		{name: "several at once", doc: strings.Replace(strings.Replace(minimal, "token_env: TG", "token_env: NOPE", 1), "vk_id: 11, ", "", 1), want: []string{"telegram.token_env", "people[0].vk_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tt.doc), env)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "configs.", "messages speak of keys, not Go types")
		})
	}
}
