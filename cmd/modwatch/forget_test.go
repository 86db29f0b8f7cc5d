package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

func TestForget(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  string
		// erased is whether customer 5001's words are gone afterwards.
		erased bool
	}{
		{
			name:   "erases the words and says what it kept",
			args:   []string{"forget", "--vk-user", "5001"},
			erased: true,
			wantOut: []string{"forgot vk5001:",
				"3 ticket(s): text, subject and author name erased; 0 earlier text(s) deleted",
				"2 case(s) and 0 event(s): name and ban comment erased",
				"kept: the VK id"},
		},
		{
			name:    "accepts the id as VK shows it",
			args:    []string{"forget", "--vk-user", "id5001"},
			erased:  true,
			wantOut: []string{"forgot vk5001:"},
		},
		{
			name:    "someone modwatch never saw",
			args:    []string{"forget", "--vk-user", "777"},
			wantOut: []string{"0 ticket(s)", "0 case(s)"},
		},
		{
			name:     "the flag is required",
			args:     []string{"forget"},
			wantCode: 1,
			wantErr:  "--vk-user ID is required",
		},
		{
			name:     "a person is never named by position",
			args:     []string{"forget", "5001"},
			wantCode: 1,
			wantErr:  `unexpected argument "5001": name the person with --vk-user ID`,
		},
		{
			name:     "not an id",
			args:     []string{"forget", "--vk-user", "anna"},
			wantCode: 1,
			wantErr:  `--vk-user "anna" is not a VK user id`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newCLIEnv(t)
			ban, deletion := e.seedCases()
			code, _, errOut := e.run("tickets", "import", fixture("good.csv"))
			require.Equal(t, 0, code, errOut)

			code, out, errOut := e.run(tt.args...)
			assert.Equal(t, tt.wantCode, code, "stderr:\n%s", errOut)
			for _, w := range tt.wantOut {
				assert.Contains(t, out, w)
			}
			if tt.wantErr != "" {
				assert.Contains(t, errOut, tt.wantErr)
			}

			_, show, _ := e.run("cases", "show", fmt.Sprint(deletion))
			_, showBan, _ := e.run("cases", "show", fmt.Sprint(ban))
			imported := e.imports("HD-1", "HD-2")
			if !tt.erased {
				assert.Contains(t, show, "Где мой заказ? Уже неделя")
				assert.Contains(t, showBan, "Анна Кузнецова")
				assert.Contains(t, imported["HD-1"].Text, "Заказ 123")
				return
			}
			assert.Contains(t, show, "Words:      (erased)")
			for _, s := range []string{show, showBan} {
				assert.NotContains(t, s, "Анна Кузнецова")
				assert.NotContains(t, s, "оскорбления")
			}
			assert.Empty(t, imported["HD-1"].Text)
			assert.True(t, imported["HD-1"].Forgotten)
			assert.Contains(t, imported["HD-2"].Text, "Хочу вернуть", "another customer keeps their words")

			// The outcome and the audit trail stay.
			assert.Contains(t, showBan, "closed: reversed")
			assert.Contains(t, showBan, "abuse: грубил")
			assert.Contains(t, showBan, "Audit trail (3):")
			e.with(func(db *store.DB) {
				c, err := db.Case(context.Background(), ban)
				require.NoError(t, err)
				assert.Equal(t, justify.ResolutionReversed, c.Resolution)
				assert.Equal(t, int64(5001), c.UserVKID)
			})
		})
	}
}
