package chart

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBigTeamStaysSendable checks that a chart of many operators with replies stays within
// Telegram's photo limits: width and height together at most 10000 pixels.
func TestBigTeamStaysSendable(t *testing.T) {
	act, rep := map[string][24]int{}, map[string][24]int{}
	for i := range 150 {
		name := fmt.Sprintf("Оператор %03d", i)
		var a, r [24]int
		a[i%24], r[(i+3)%24] = 1, 2+i%9
		act[name], rep[name] = a, r
	}
	b, err := Render(act, Options{Title: "t", Location: moscow(t), Replies: rep})
	require.NoError(t, err)
	img := decode(t, b)
	assert.LessOrEqual(t, img.Bounds().Dx()+img.Bounds().Dy(), 10000)
	assert.Less(t, len(b), 10<<20)
	assert.True(t, hasColor(img, replyColors.Colors()[len(replyColors.Colors())-1]), "replies in green")
	assert.True(t, hasColor(img, cellColors.Colors()[len(cellColors.Colors())-1]), "actions in blue")
}

func TestShiftsAreOutlined(t *testing.T) {
	act := map[string][24]int{"Анна": {10: 1}}
	without, err := Render(act, Options{Title: "t", Location: moscow(t)})
	require.NoError(t, err)
	assert.False(t, hasColor(decode(t, without), shiftColor))
	with, err := Render(act, Options{Title: "t", Location: moscow(t), Shifts: map[string][24]bool{"Анна": {9: true, 10: true}}})
	require.NoError(t, err)
	assert.True(t, hasColor(decode(t, with), shiftColor), "the hours on shift are outlined")
}
