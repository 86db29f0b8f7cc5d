package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func TestButtons(t *testing.T) {
	ctx := context.Background()
	spam := justify.Button{Token: "tok-spam", CaseID: 3, TelegramID: 7, Action: "reason", Reason: justify.ReasonSpam, Created: t0}
	approve := justify.Button{Token: "tok-approve", CaseID: 3, TelegramID: 8, Action: "approve", Created: t0}
	tests := []struct {
		name    string
		saves   [][]justify.Button
		saveErr bool
		token   string
		want    justify.Button
		missing bool
	}{
		{"a saved button", [][]justify.Button{{spam, approve}}, false, "tok-spam", spam, false},
		{"another of the batch", [][]justify.Button{{spam, approve}}, false, "tok-approve", approve, false},
		{"an unknown token", [][]justify.Button{{spam}}, false, "forged", justify.Button{}, true},
		{"nothing to save", [][]justify.Button{nil}, false, "tok-spam", justify.Button{}, true},
		{
			name:    "a reused token is refused and its batch is not saved",
			saves:   [][]justify.Button{{spam}, {approve, {Token: "tok-spam", CaseID: 4, TelegramID: 9, Action: "reverse"}}},
			saveErr: true, token: "tok-spam", want: spam,
		},
		{
			name:    "the refused batch left nothing behind",
			saves:   [][]justify.Button{{spam}, {approve, {Token: "tok-spam", CaseID: 4, TelegramID: 9, Action: "reverse"}}},
			saveErr: true, token: "tok-approve", missing: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			var err error
			for _, bs := range tt.saves {
				if err = db.SaveButtons(ctx, bs); err != nil {
					break
				}
			}
			assert.Equal(t, tt.saveErr, err != nil, "save error: %v", err)
			got, err := db.Button(ctx, tt.token)
			if tt.missing {
				assert.ErrorIs(t, err, justify.ErrNotFound)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
