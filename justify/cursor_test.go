package justify_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSaveCursor(t *testing.T) {
	tests := []struct {
		name  string
		saves [][2]string // key, value, in order
		key   string
		want  string
	}{
		{name: "never saved", key: "vk:1", want: ""},
		{name: "saved", saves: [][2]string{{"vk:1", "42"}}, key: "vk:1", want: "42"},
		{name: "the last save wins", saves: [][2]string{{"vk:1", "42"}, {"vk:1", "0"}}, key: "vk:1", want: "0"},
		{name: "keys apart", saves: [][2]string{{"vk:1", "42"}, {"vk:2", "7"}}, key: "vk:2", want: "7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc, db := testService(t)
			for _, s := range tt.saves {
				require.NoError(t, svc.SaveCursor(ctx, s[0], s[1]))
			}
			got, err := svc.Cursor(ctx, tt.key)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			// A cursor saved on its own records no event.
			counts, err := db.EventCounts(ctx)
			require.NoError(t, err)
			assert.Empty(t, counts)
		})
	}
}
