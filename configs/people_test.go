package configs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// Everyone's vk_id is looked up, so it must be unique across the whole team, and a
// manager or owner who moderates needs someone else to decide about their actions.
func TestPeoplesVKIDs(t *testing.T) {
	env := envOf(map[string]string{"VK": "v", "TG": "t"})
	withOlgaVK := strings.Replace(minimal, "{name: Olga, role: manager, telegram_id: 201}", "{name: Olga, role: manager, vk_id: 21, telegram_id: 201}", 1)
	tests := []struct {
		name    string
		doc     string
		wantErr []string
		// moderator is who, if anyone, the directory finds by VK id 21.
		moderator justify.Role
	}{
		{name: "a manager with the operator's vk id", doc: minimal + "  - {name: Pavel, role: manager, vk_id: 11, telegram_id: 202}\n",
			wantErr: []string{"people[2].vk_id: 11 is both Ivan's and Pavel's"}},
		{name: "an owner with a manager's vk id", doc: withOlgaVK + "  - {name: Anna, role: owner, vk_id: 21, telegram_id: 301}\n",
			wantErr: []string{"people[2].vk_id: 21 is both Olga's and Anna's"}},
		{name: "the only manager moderates and nobody else could decide", doc: withOlgaVK,
			wantErr: []string{"people[1].vk_id: nobody but Olga could decide about Olga's own actions in VK: add another manager or an owner, or remove vk_id"}},
		{name: "a negative vk id", doc: minimal + "  - {name: Anna, role: owner, vk_id: -5, telegram_id: 301}\n",
			wantErr: []string{"people[2].vk_id: -5 must be the person's positive VK user id"}},
		{name: "the only manager moderates, the owner decides", doc: withOlgaVK + "  - {name: Anna, role: owner, telegram_id: 301}\n",
			moderator: justify.RoleManager},
		{name: "a manager moderates, another decides", doc: withOlgaVK + "  - {name: Pavel, role: manager, telegram_id: 202}\n",
			moderator: justify.RoleManager},
		{name: "an owner moderates, the manager decides", doc: minimal + "  - {name: Anna, role: owner, vk_id: 21, telegram_id: 301}\n",
			moderator: justify.RoleOwner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := Parse([]byte(tt.doc), env)
			if len(tt.wantErr) > 0 {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				return
			}
			require.NoError(t, err)
			p, ok := cfg.Directory().ByVK(21)
			require.True(t, ok, "their actions are theirs")
			assert.Equal(t, tt.moderator, p.Role)
		})
	}
}
