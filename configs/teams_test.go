package configs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// agency serves two brands, each with its operator, manager and owner.
const agency = `
vk:
  communities:
    - {group_id: 1, token_env: VK}
    - {group_id: 2, token_env: VK}
telegram:
  token_env: TG
people:
  - {name: Ivan, role: operator, vk_id: 11, telegram_id: 101, communities: [1]}
  - {name: Petr, role: operator, vk_id: 12, telegram_id: 102, communities: [2]}
  - {name: Olga, role: manager, telegram_id: 201, communities: [1]}
  - {name: Pavel, role: manager, telegram_id: 202, communities: [2]}
  - {name: Anna, role: owner, telegram_id: 301, communities: [1]}
`

func TestScopesAndTeamChats(t *testing.T) {
	env := envOf(map[string]string{"VK": "v", "TG": "t"})
	tests := []struct {
		name     string
		doc      string
		wantErr  []string
		wantWarn string
	}{
		{name: "two brands", doc: agency},
		{name: "a community that is not configured", doc: strings.Replace(agency, "communities: [2]}\n  - {name: Olga", "communities: [2, 3]}\n  - {name: Olga", 1),
			wantErr: []string{"people[1].communities[1]: 3 is not a community in vk.communities: write the group_id of a watched community (line 10)"}},
		{name: "an empty scope", doc: strings.Replace(agency, "communities: [1]}\n  - {name: Petr", "communities: []}\n  - {name: Petr", 1),
			wantErr: []string{"people[0].communities: empty: list the group ids Ivan works for, or leave the key out for every community"}},
		{name: "listed twice", doc: strings.Replace(agency, "communities: [2]}\n  - {name: Anna", "communities: [2, 2]}\n  - {name: Anna", 1),
			wantErr: []string{"people[3].communities[1]: 2 is listed twice"}},
		{name: "no manager for a community", doc: strings.Replace(agency, "  - {name: Pavel, role: manager, telegram_id: 202, communities: [2]}\n", "", 1),
			wantWarn: "vk.communities[1]: nobody but operators works for community 2 (people[].communities): nobody will review its cases or hear its alerts"},
		{name: "only an owner for a community", doc: strings.Replace(agency, "{name: Pavel, role: manager", "{name: Pavel, role: owner", 1),
			wantWarn: "vk.communities[1]: no manager works for community 2 (people[].communities): its owners decide its cases"},
		{name: "a person's id as the review chat", doc: strings.Replace(agency, "token_env: TG", "token_env: TG\n  review_chat: 5", 1),
			wantErr: []string{"telegram.review_chat: 5 is a person's id"}},
		{name: "a topic with no chat", doc: strings.Replace(agency, "{group_id: 2, token_env: VK}", "{group_id: 2, token_env: VK, review_topic: 3}", 1),
			wantErr: []string{"vk.communities[1].review_topic: 3 is set but there is no chat to be a topic of: set vk.communities[1].review_chat"}},
		{name: "a negative topic", doc: strings.Replace(agency, "token_env: TG", "token_env: TG\n  alerts_chat: -100\n  alerts_topic: -1", 1),
			wantErr: []string{"telegram.alerts_topic: -1 must be a forum topic's id"}},
		{name: "a community's own chat", doc: strings.Replace(agency, "{group_id: 2, token_env: VK}", "{group_id: 2, token_env: VK, review_chat: -7, review_topic: 3}", 1)},
		{name: "a manager moderating where nobody else decides", doc: strings.Replace(agency, "{name: Pavel, role: manager, telegram_id: 202", "{name: Pavel, role: manager, vk_id: 22, telegram_id: 202", 1),
			wantErr: []string{"people[3].vk_id: nobody but Pavel could decide about Pavel's own actions in VK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, s, err := Parse([]byte(tt.doc), env)
			if len(tt.wantErr) > 0 {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				return
			}
			require.NoError(t, err)
			if tt.wantWarn != "" {
				assert.Contains(t, cfg.Warnings(s), tt.wantWarn)
			} else {
				for _, w := range cfg.Warnings(s) {
					assert.NotContains(t, w, "works for community", "every community has a manager")
				}
			}
		})
	}
}

// A community's chat is its own, or telegram's; a topic of its own alone is a topic of
// telegram's chat.
func TestTeamChatsOfCommunities(t *testing.T) {
	doc := strings.Replace(agency, "token_env: TG", "token_env: TG\n  review_chat: -100\n  review_topic: 1\n  alerts_chat: -200", 1)
	doc = strings.Replace(doc, "{group_id: 2, token_env: VK}", "{group_id: 2, token_env: VK, review_topic: 9, alerts_chat: -300, alerts_topic: 4}", 1)
	cfg, s, err := Parse([]byte(doc), envOf(map[string]string{"VK": "v", "TG": "t"}))
	require.NoError(t, err)
	cms := cfg.Communities(s)
	assert.Equal(t, justify.Chat{ID: -100, Topic: 1}, cms[1].ReviewChat)
	assert.Equal(t, justify.Chat{ID: -200}, cms[1].AlertsChat)
	assert.Equal(t, justify.Chat{ID: -100, Topic: 9}, cms[2].ReviewChat, "a topic of telegram's chat")
	assert.Equal(t, justify.Chat{ID: -300, Topic: 4}, cms[2].AlertsChat)
	assert.Equal(t, justify.Chat{ID: -200}, cfg.AlertsChat())
	ivan, ok := cfg.Directory().ByName("Ivan")
	require.True(t, ok)
	assert.Equal(t, []int64{1}, ivan.Communities)
}
