package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Moscow must resolve on a machine without tzdata

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	return img
}

func moscow(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	return loc
}

// luma is a pixel's brightness, 0 (black) to 0xFFFF (white).
func luma(c color.Color) uint32 {
	r, g, b, _ := c.RGBA()
	return (299*r + 587*g + 114*b) / 1000
}

func TestHeatmap(t *testing.T) {
	activity := map[string][24]int{
		"Анна":  {0: 1, 9: 2, 10: 3, 13: 1},
		"Борис": {6: 2, 15: 1, 23: 1},
		"Вера":  {},
		"Глеб":  {0: 9, 1: 9, 2: 9, 3: 9, 4: 9, 5: 9, 6: 9, 7: 9, 8: 9, 9: 9, 10: 9, 11: 9, 12: 9, 13: 9, 14: 9, 15: 9, 16: 9, 17: 9, 18: 9, 19: 9, 20: 9, 21: 9, 22: 9, 23: 9},
	}
	b, err := Heatmap(activity, "Действия по часам", moscow(t))
	require.NoError(t, err)
	img := decode(t, b)
	assert.Equal(t, Width, img.Bounds().Dx())
	assert.Equal(t, headHeight+rowHeight*len(activity)+legendHeight, img.Bounds().Dy())

	distinct := map[color.RGBA]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 2 {
		for x := 0; x < img.Bounds().Dx(); x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			distinct[color.RGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: uint8(a >> 8)}] = true
		}
	}
	assert.Greater(t, len(distinct), 8, "cells in several colours, text, background")

	assert.True(t, hasColor(img, emptyCell), "an empty hour is drawn")
	assert.True(t, hasColor(img, cellColors.Colors()[len(cellColors.Colors())-1]), "the busiest hour is the darkest colour")
	assert.True(t, hasColor(img, cellColors.Colors()[0]), "a single action is visible")
}

// hasColor reports whether a block of at least 10×10 pixels has colour c.
func hasColor(img image.Image, c color.Color) bool {
	want := color.RGBAModel.Convert(c)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y-10; y += 5 {
		for x := b.Min.X; x < b.Max.X-10; x += 5 {
			if color.RGBAModel.Convert(img.At(x, y)) == want &&
				color.RGBAModel.Convert(img.At(x+9, y+9)) == want {
				return true
			}
		}
	}
	return false
}

func TestHeatmapRowsDiffer(t *testing.T) {
	// One operator busy at every hour, one with nothing: the busy row is darker.
	var busy [24]int
	for h := range busy {
		busy[h] = 4
	}
	b, err := Heatmap(map[string][24]int{"А": busy, "Я": {}}, "t", moscow(t))
	require.NoError(t, err)
	img := decode(t, b)
	// Rows are sorted by name top to bottom; find each row's band by its colours along
	// a column in the middle of the hours.
	x := Width * 3 / 4
	var busyY, emptyY []int
	for y := 0; y < img.Bounds().Dy(); y++ {
		switch color.RGBAModel.Convert(img.At(x, y)) {
		case color.RGBAModel.Convert(cellColors.Colors()[len(cellColors.Colors())-1]):
			busyY = append(busyY, y)
		case color.RGBAModel.Convert(emptyCell):
			emptyY = append(emptyY, y)
		}
	}
	require.NotEmpty(t, busyY)
	require.NotEmpty(t, emptyY)
	assert.Less(t, busyY[0], emptyY[0], "А's row is above Я's")
	assert.Greater(t, len(busyY), rowHeight/2, "the busy row is a full band")
	assert.Less(t, luma(img.At(x, busyY[len(busyY)/2])), luma(img.At(x, emptyY[len(emptyY)/2])))
}

func TestHeatmapEmpty(t *testing.T) {
	for _, act := range []map[string][24]int{nil, {}} {
		b, err := Heatmap(act, "Действия по часам", nil)
		require.NoError(t, err)
		img := decode(t, b)
		assert.Equal(t, Width, img.Bounds().Dx())
		assert.Equal(t, emptyHeight, img.Bounds().Dy())
		assert.False(t, blank(img), "says there was no activity")
	}
	ru, err := Render(nil, Options{Title: "Действия", Empty: "нет активности"})
	require.NoError(t, err)
	en, err := Heatmap(nil, "Действия", nil)
	require.NoError(t, err)
	assert.NotEqual(t, ru, en, "the empty text is drawn")
}

// Operators who all did nothing still get a valid grid (Compute leaves them out, but a
// caller may not).
func TestHeatmapAllZero(t *testing.T) {
	b, err := Heatmap(map[string][24]int{"Анна": {}}, "t", time.UTC)
	require.NoError(t, err)
	img := decode(t, b)
	assert.Equal(t, headHeight+rowHeight+legendHeight, img.Bounds().Dy())
	assert.True(t, hasColor(img, emptyCell))
}

func blank(img image.Image) bool {
	first := img.At(0, 0)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.At(x, y) != first {
				return false
			}
		}
	}
	return true
}

func TestScaleValues(t *testing.T) {
	tests := []struct {
		max  int
		want []int
	}{
		{max: 1, want: []int{0, 1}},
		{max: 3, want: []int{0, 1, 2, 3}},
		{max: 25, want: []int{0, 1, 5, 9, 13, 17, 21, 25}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, scaleValues(tt.max), "max %d", tt.max)
	}
}

func TestShort(t *testing.T) {
	assert.Equal(t, "Анна", short("Анна"))
	assert.Equal(t, "Вера Константин…", short("Вера Константиновна"))
}

func BenchmarkHeatmap(b *testing.B) {
	loc := moscow(b)
	act := map[string][24]int{}
	for i, name := range []string{"Анна", "Борис", "Вера", "Глеб", "Дарья", "Егор", "Жанна", "Зоя"} {
		var h [24]int
		for j := range h {
			h[j] = (i*7 + j*3) % 11
		}
		act[name] = h
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Heatmap(act, "Действия по часам", loc); err != nil {
			b.Fatal(err)
		}
	}
}
