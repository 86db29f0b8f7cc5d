package store

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modwatch/modwatch/justify"
)

func TestCursor(t *testing.T) {
	tests := []struct {
		name  string
		saves [][2]string
		key   string
		want  string
	}{
		{"none saved", nil, "vk:1", ""},
		{"saved", [][2]string{{"vk:1", "10"}}, "vk:1", "10"},
		{"the last save wins", [][2]string{{"vk:1", "10"}, {"vk:1", "11"}}, "vk:1", "11"},
		{"keys are separate", [][2]string{{"vk:1", "10"}, {"tg", "99"}}, "vk:1", "10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			for _, s := range tt.saves {
				update(t, db, func(tx justify.Tx) error { return tx.SaveCursor(s[0], s[1]) })
			}
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.Cursor(tt.key)
				assert.Equal(t, tt.want, got)
				return err
			})
		})
	}
}
