package chart

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The rows of a chart: each operator's actions, and under them their replies when the
// chart shows replies; and the outline of their hours on shift.

// replyColors colour replies green, so that they never read as moderation actions.
var replyColors = palette.Palette(colors{
	color.RGBA{R: 0xC7, G: 0xE9, B: 0xC0, A: 0xFF},
	color.RGBA{R: 0xA1, G: 0xD9, B: 0x9B, A: 0xFF},
	color.RGBA{R: 0x74, G: 0xC4, B: 0x76, A: 0xFF},
	color.RGBA{R: 0x41, G: 0xAB, B: 0x5D, A: 0xFF},
	color.RGBA{R: 0x23, G: 0x8B, B: 0x45, A: 0xFF},
	color.RGBA{R: 0x00, G: 0x6D, B: 0x2C, A: 0xFF},
	color.RGBA{R: 0x00, G: 0x44, B: 0x1B, A: 0xFF},
})

// shiftColor outlines the hours on shift.
var shiftColor = color.RGBA{R: 0xE6, G: 0x55, B: 0x0D, A: 0xFF}

// maxHeight keeps a chart within Telegram's photo limits (width and height together at
// most 10000 pixels, a ratio of at most 20): rows get thinner rather than the image taller.
const maxHeight = 8900

// minRowHeight is the thinnest a row gets, however many operators there are.
const minRowHeight = 14

// row is one line of the grid: an operator's actions, or their replies.
type row struct {
	name    string
	replies bool
	hours   [24]int
	shift   [24]bool
	// first marks the first row of an operator, where their shift outline begins.
	first bool
}

type rows []row

// layout lists the rows: per operator, sorted by name, their actions and, when any
// operator has replies, their replies.
func layout(names []string, activity map[string][24]int, o Options) rows {
	withReplies := false
	for _, h := range o.Replies {
		for _, n := range h {
			withReplies = withReplies || n > 0
		}
	}
	var out rows
	for _, n := range names {
		out = append(out, row{name: n, hours: activity[n], shift: o.Shifts[n], first: true})
		if withReplies {
			out = append(out, row{name: o.RepliesLabel, replies: true, hours: o.Replies[n], shift: o.Shifts[n]})
		}
	}
	return out
}

func (rs rows) max(replies bool) int {
	m := 1
	for _, r := range rs {
		for _, n := range r.hours {
			if r.replies == replies && n > m {
				m = n
			}
		}
	}
	return m
}

func (rs rows) hasReplies() bool {
	for _, r := range rs {
		if r.replies {
			return true
		}
	}
	return false
}

func (rs rows) hasShifts() bool {
	for _, r := range rs {
		for _, on := range r.shift {
			if on {
				return true
			}
		}
	}
	return false
}

func (rs rows) labels() []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.name
	}
	return out
}

// rowPixels is the height of a row when there are n: rowHeight, or less so that the
// chart stays within maxHeight.
func rowPixels(n int) int {
	if n == 0 {
		return rowHeight
	}
	h := (maxHeight - headHeight - legendHeight) / n
	switch {
	case h > rowHeight:
		return rowHeight
	case h < minRowHeight:
		return minRowHeight
	}
	return h
}

// outline draws a frame around each run of hours on shift, across an operator's rows.
type outline struct{ rows rows }

// Plot implements plot.Plotter.
func (ol outline) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	style := draw.LineStyle{Color: shiftColor, Width: vg.Length(4)}
	n := len(ol.rows)
	for i := 0; i < n; i++ {
		r := ol.rows[i]
		if !r.first {
			continue
		}
		span := 1
		for i+span < n && !ol.rows[i+span].first {
			span++
		}
		// Row i is drawn at y = n-1-i; its operator's rows go down from there.
		top, bottom := float64(n-1-i)+0.5, float64(n-i-span)-0.5
		for h := 0; h < 24; h++ {
			if !r.shift[h] || (h > 0 && r.shift[h-1]) {
				continue
			}
			end := h
			for end+1 < 24 && r.shift[end+1] {
				end++
			}
			x0, x1 := trX(float64(h)-0.5), trX(float64(end)+0.5)
			y0, y1 := trY(bottom), trY(top)
			c.StrokeLines(style, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}})
		}
	}
}

// drawScales draws the actions' scale, and the replies' beside it when the chart has
// replies.
func drawScales(c draw.Canvas, replies bool, maxAct, maxRep int, o Options, f fontSet) error {
	if !replies {
		scale, err := scalePlot(maxAct, cellColors, "", f)
		if err != nil {
			return err
		}
		scale.Draw(c)
		return nil
	}
	mid := (c.Min.X + c.Max.X) / 2
	left, right := c, c
	left.Max.X, right.Min.X = mid-10, mid+10
	for _, s := range []struct {
		c    draw.Canvas
		max  int
		pal  palette.Palette
		name string
	}{{left, maxAct, cellColors, o.Actions}, {right, maxRep, replyColors, o.RepliesLabel}} {
		scale, err := scalePlot(s.max, s.pal, s.name, f)
		if err != nil {
			return err
		}
		scale.Draw(s.c)
	}
	return nil
}

// defaults fills the legend's words left empty.
func (o *Options) defaults() {
	if o.Actions == "" {
		o.Actions = "actions"
	}
	if o.RepliesLabel == "" {
		o.RepliesLabel = "replies"
	}
	if o.ShiftsLabel == "" {
		o.ShiftsLabel = "outlined: on shift"
	}
}
