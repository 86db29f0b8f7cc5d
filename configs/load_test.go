package configs

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProblemsNameKeyAndLine checks the exact problems a document gets: each names its key
// and line, and every mistake in the document is reported at once.
func TestProblemsNameKeyAndLine(t *testing.T) {
	env := envOf(map[string]string{"VK": "v", "TG": "t"})
	// minimal ends on line 10; what a test appends starts on line 11.
	tests := []struct {
		name string
		doc  string
		want Problems
	}{
		{name: "unknown top-level key", doc: minimal + "databse: x.db\n",
			want: Problems{{Key: "", Line: 11, Message: `unknown key "databse"`}}},
		{name: "unknown nested key", doc: minimal + "justify:\n  deadlin: 2h\n",
			want: Problems{{Key: "justify", Line: 12, Message: `unknown key "deadlin"`}}},
		{name: "unknown key in a list item", doc: strings.Replace(minimal, "token_env: VK", "token_env: VK\n      tokn_env: X", 1),
			want: Problems{{Key: "vk.communities[0]", Line: 6, Message: `unknown key "tokn_env"`}}},
		{name: "unknown key in a digest", doc: minimal + "  - {name: Anna, role: owner, telegram_id: 301, digest: {every: daily, colour: red}}\n",
			want: Problems{{Key: "people[2].digest", Line: 11, Message: `unknown key "colour"`}}},
		{name: "duration", doc: minimal + "justify:\n  deadline: soon\n",
			want: Problems{{Key: "justify.deadline", Line: 12, Message: `"soon" is not valid here: expected a duration like 90s, 30m or 2h`}}},
		{name: "number for a duration", doc: minimal + "justify:\n  deadline: 30\n",
			want: Problems{{Key: "justify.deadline", Line: 12, Message: `"30" is not valid here: expected a duration like 90s, 30m or 2h`}}},
		{name: "whole number", doc: strings.Replace(minimal, "telegram_id: 201", "telegram_id: olga", 1),
			want: Problems{{Key: "people[1].telegram_id", Line: 10, Message: `"olga" is not valid here: expected a whole number`}}},
		{name: "boolean", doc: strings.Replace(minimal, "token_env: TG", "token_env: TG\n  pace: maybe", 1),
			want: Problems{{Key: "telegram.pace", Line: 8, Message: `"maybe" is not valid here: expected true or false`}}},
		{name: "list for a section", doc: minimal + "log: [info]\n",
			want: Problems{{Key: "log", Line: 11, Message: "a list is not valid here: expected a section of keys"}}},
		{name: "text for a section", doc: minimal + "log: info\n",
			want: Problems{{Key: "log", Line: 11, Message: `"info" is not valid here: expected a section of keys`}}},
		{name: "section for a list", doc: "people: {name: Olga}\n",
			want: Problems{{Key: "people", Line: 1, Message: "a section of keys is not valid here: expected a list"}}},
		{name: "section for a text", doc: minimal + "database: {path: x}\n",
			want: Problems{{Key: "database", Line: 11, Message: "a section of keys is not valid here: expected a text"}}},
		{name: "key written twice", doc: minimal + "language: ru\nlanguage: en\n",
			want: Problems{{Key: "language", Line: 12, Message: "written twice, first on line 11"}}},
		{name: "not a section at the top", doc: "- vk\n",
			want: Problems{{Line: 1, Message: "a list is not valid here: expected a section of keys"}}},
		{name: "every mistake at once", doc: minimal + "databse: x\njustify:\n  deadline: soon\n  group_after: many\n  check_every: [1]\n",
			want: Problems{
				{Line: 11, Message: `unknown key "databse"`},
				{Key: "justify.deadline", Line: 13, Message: `"soon" is not valid here: expected a duration like 90s, 30m or 2h`},
				{Key: "justify.group_after", Line: 14, Message: `"many" is not valid here: expected a whole number`},
				{Key: "justify.check_every", Line: 15, Message: "a list is not valid here: expected a duration like 90s, 30m or 2h"},
			}},
		{name: "invalid value", doc: minimal + "language: de\n",
			want: Problems{{Key: "language", Line: 11, Message: `"de" is not supported: use ru or en`}}},
		{name: "invalid values in a flow section", doc: minimal + "justify: {deadline: 10s}\nhealth: {listen: nope}\n",
			want: Problems{
				{Key: "justify.deadline", Line: 11, Message: "10s is too short: give operators at least a minute"},
				// remind_before is not written: the problem points at its section.
				{Key: "justify.remind_before", Line: 11, Message: "30m0s must be positive and shorter than justify.deadline (10s)"},
				{Key: "health.listen", Line: 12, Message: `"nope" is not a host:port address`},
			}},
		{name: "missing key points at its list item", doc: minimal + "  - {name: Petr, role: operator, telegram_id: 102}\n",
			want: Problems{{Key: "people[2].vk_id", Line: 11, Message: `operator "Petr" has no VK id: modwatch could not tell their actions apart`}}},
		{name: "digest values", doc: minimal + "  - name: Anna\n    role: owner\n    telegram_id: 301\n    digest:\n      every: hourly\n      at: '9:00'\n",
			want: Problems{
				{Key: "people[2].digest.every", Line: 15, Message: `"hourly": use daily or weekly`},
				{Key: "people[2].digest.at", Line: 16, Message: `"9:00": write the time as HH:MM, like 09:00`},
			}},
		{name: "missing section", doc: "telegram: {token_env: TG}\npeople: [{name: Olga, role: manager, telegram_id: 201}]\n",
			want: Problems{{Key: "vk.communities", Line: 0, Message: "no community to watch"}}},
		{name: "merged keys are known keys", doc: minimal + "  - &anna {name: Anna, role: owner, telegram_id: 301}\n  - {<<: *anna, name: Petr, role: operator, telegram_id: 302}\n",
			want: Problems{{Key: "people[3].vk_id", Line: 12, Message: `operator "Petr" has no VK id: modwatch could not tell their actions apart`}}},
		{name: "unknown key merged in", doc: minimal + "  - {<<: {colour: red}, name: Anna, role: owner, telegram_id: 301}\n",
			want: Problems{{Key: "people[2]", Line: 11, Message: `unknown key "colour"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tt.doc), env)
			var got Problems
			require.True(t, errors.As(err, &got), "%v", err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{name: "all", p: Problem{Key: "vk.api_url", Line: 3, Message: "bad"}, want: "vk.api_url: bad (line 3)"},
		{name: "no line", p: Problem{Key: "vk.communities", Message: "none"}, want: "vk.communities: none"},
		{name: "no key", p: Problem{Line: 2, Message: `unknown key "x"`}, want: `unknown key "x" (line 2)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.p.String())
		})
	}
	assert.Equal(t, "the config has 2 problem(s):\n  - a: x (line 1)\n  - b: y", Problems{{Key: "a", Line: 1, Message: "x"}, {Key: "b", Message: "y"}}.Error())
}

func TestNotYAML(t *testing.T) {
	_, _, err := Parse([]byte("vk: ["), envOf(nil))
	var got Problems
	require.True(t, errors.As(err, &got))
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Message, "not valid YAML")
}
