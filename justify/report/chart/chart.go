// Package chart draws the owners' hourly activity heatmap as a PNG, with gonum.org/v1/plot
// (pure Go, no CGO) and the Go fonts, which cover Cyrillic. It does no I/O and knows
// nothing of reports: it takes counts per operator and hour.
package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Width is the width of every chart in pixels: a phone screen's, so Telegram shows the
// chart without scaling it down.
const Width = 1080

// Heights of the parts of a chart, in pixels.
const (
	rowHeight    = 56
	headHeight   = 190 // title, hour labels and the zone under them
	legendHeight = 120
	margin       = 16 // keeps names and numbers off the image's edge
	emptyHeight  = 360
	maxNameRunes = 16
)

// Colours: an hour without actions is almost white, any action is visibly blue, and the
// busiest hour is the darkest.
var (
	emptyCell  = color.RGBA{R: 0xF2, G: 0xF4, B: 0xF7, A: 0xFF}
	cellColors = palette.Palette(colors{
		color.RGBA{R: 0xC6, G: 0xDB, B: 0xEF, A: 0xFF},
		color.RGBA{R: 0x9E, G: 0xCA, B: 0xE1, A: 0xFF},
		color.RGBA{R: 0x6B, G: 0xAE, B: 0xD6, A: 0xFF},
		color.RGBA{R: 0x42, G: 0x92, B: 0xC6, A: 0xFF},
		color.RGBA{R: 0x21, G: 0x71, B: 0xB5, A: 0xFF},
		color.RGBA{R: 0x08, G: 0x51, B: 0x9C, A: 0xFF},
		color.RGBA{R: 0x08, G: 0x30, B: 0x6B, A: 0xFF},
	})
	textColor = color.RGBA{R: 0x20, G: 0x20, B: 0x20, A: 0xFF}
)

type colors []color.Color

func (c colors) Colors() []color.Color { return c }

// Options say what a chart shows besides the counts.
type Options struct {
	// Title heads the chart.
	Title string
	// Empty is written instead of a grid when nobody acted ("no activity").
	Empty string
	// Location is the time zone the hours are counted in, named under them; UTC when nil.
	Location *time.Location
	// Replies are each operator's replies to customers by hour: drawn, when any operator
	// has some, in a green row of its own under the operator's (blue) actions, with a
	// scale of their own.
	Replies map[string][24]int
	// Shifts mark each operator's hours on shift: outlined across the operator's rows.
	Shifts map[string][24]bool
	// Actions, RepliesLabel and ShiftsLabel name the two scales and the outline in the
	// legend ("actions", "replies", "outlined: on shift"); English when empty.
	Actions, RepliesLabel, ShiftsLabel string
}

// Heatmap draws activity (per operator, actions in each hour of the day in loc) as a
// Width-pixel-wide PNG: one row per operator sorted by name, 24 labelled hour columns
// coloured by count with the count written in the cell, and a scale under the grid. An
// empty map gives a valid image saying "no activity".
func Heatmap(activity map[string][24]int, title string, loc *time.Location) ([]byte, error) {
	return Render(activity, Options{Title: title, Empty: "no activity", Location: loc})
}

// Render is Heatmap with every text chosen by the caller, for digests in the owner's
// language.
func Render(activity map[string][24]int, o Options) ([]byte, error) {
	fonts, err := goFonts()
	if err != nil {
		return nil, err
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	o.defaults()
	seen := map[string]bool{}
	var names []string
	for _, m := range []map[string][24]int{activity, o.Replies} {
		for name := range m {
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	rows := layout(names, activity, o)

	var c *vgimg.Canvas
	if len(names) == 0 {
		c = canvas(emptyHeight)
		if err := drawEmpty(draw.New(c), o, fonts); err != nil {
			return nil, err
		}
	} else {
		h := headHeight + rowPixels(len(rows))*len(rows) + legendHeight
		c = canvas(h)
		dc := draw.Crop(draw.New(c), margin, -margin, margin, 0)
		top, bottom := dc, dc
		top.Min.Y = dc.Min.Y + vg.Length(legendHeight)
		bottom.Max.Y = dc.Min.Y + vg.Length(legendHeight) - 20
		maxAct, maxRep := rows.max(false), rows.max(true)
		grid, err := gridPlot(rows, maxAct, maxRep, o, fonts)
		if err != nil {
			return nil, err
		}
		grid.Draw(top)
		// The scales sit under the hours, not under the names.
		bottom.Min.X += vg.Length(nameColumn(rows.labels(), fonts))
		if err := drawScales(bottom, rows.hasReplies(), maxAct, maxRep, o, fonts); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode activity chart: %w", err)
	}
	return buf.Bytes(), nil
}

// canvas is a white Width×h canvas where one point is one pixel.
func canvas(h int) *vgimg.Canvas {
	return vgimg.NewWith(vgimg.UseWH(vg.Length(Width), vg.Length(h)), vgimg.UseDPI(72),
		vgimg.UseBackgroundColor(color.White))
}

// fontSet is the Go fonts registered for plot's text handler.
type fontSet struct {
	handler text.Handler
}

func (f fontSet) style(size float64, bold bool) text.Style {
	fnt := font.Font{Typeface: "Go", Size: vg.Length(size)}
	if bold {
		fnt.Weight = xfont.WeightBold
	}
	return text.Style{Color: textColor, Font: fnt, Handler: f.handler, XAlign: draw.XCenter, YAlign: draw.YCenter}
}

var (
	fontsOnce sync.Once
	fonts     fontSet
	fontsErr  error
)

// goFonts parses the Go fonts once; a cache of its own leaves plot's defaults alone.
func goFonts() (fontSet, error) {
	fontsOnce.Do(func() {
		regular, err := opentype.Parse(goregular.TTF)
		if err != nil {
			fontsErr = fmt.Errorf("parse go regular font: %w", err)
			return
		}
		bold, err := opentype.Parse(gobold.TTF)
		if err != nil {
			fontsErr = fmt.Errorf("parse go bold font: %w", err)
			return
		}
		cache := font.NewCache(font.Collection{
			{Font: font.Font{Typeface: "Go"}, Face: regular},
			{Font: font.Font{Typeface: "Go", Weight: xfont.WeightBold}, Face: bold},
		})
		fonts = fontSet{handler: text.Plain{Fonts: cache}}
	})
	return fonts, fontsErr
}

// newPlot is a plot whose every text is in the Go fonts, placed as plot places it.
func newPlot(f fontSet) *plot.Plot {
	p := plot.New()
	p.TextHandler = f.handler
	restyle := func(s *text.Style, size float64, bold bool) {
		n := f.style(size, bold)
		s.Font, s.Handler, s.Color = n.Font, n.Handler, n.Color
	}
	restyle(&p.Title.TextStyle, 30, true)
	p.Title.Padding = 20
	restyle(&p.X.Label.TextStyle, 20, false)
	restyle(&p.Y.Label.TextStyle, 20, false)
	restyle(&p.X.Tick.Label, 20, false)
	restyle(&p.Y.Tick.Label, 24, false)
	restyle(&p.Legend.TextStyle, 20, false)
	return p
}

// grid is the rows as plotter.GridXYZ: column c is hour c, row r is rows[len-1-r] (plot's
// Y grows upwards, the names are read downwards). A grid shows one kind of row (actions
// or replies); the other kind's cells are NaN, which a heat map leaves undrawn.
type grid struct {
	rows    rows
	replies bool
}

func (g grid) Dims() (c, r int) { return 24, len(g.rows) }
func (g grid) Z(c, r int) float64 {
	row := g.rows[len(g.rows)-1-r]
	if row.replies != g.replies {
		return math.NaN()
	}
	return float64(row.hours[c])
}
func (g grid) X(c int) float64 { return float64(c) }
func (g grid) Y(r int) float64 { return float64(r) }

// heat colours counts: 0 as emptyCell, 1..max over pal.
func heat(g plotter.GridXYZ, max int, pal palette.Palette) *plotter.HeatMap {
	h := plotter.NewHeatMap(g, pal)
	// Zero falls under Min and takes the Underflow colour, so a single action is never
	// drawn as light as no action.
	h.Min, h.Max = 0.5, float64(max)
	if h.Max <= h.Min {
		h.Max = 1
	}
	h.Underflow = emptyCell
	h.NaN = nil
	return h
}

// cellLabels writes each non-zero count in its cell, white on the dark half of the scale.
func cellLabels(g plotter.GridXYZ, max int, f fontSet) (*plotter.Labels, error) {
	var xys plotter.XYs
	var labels []string
	var styles []text.Style
	cols, rows := g.Dims()
	for c := 0; c < cols; c++ {
		for r := 0; r < rows; r++ {
			n := g.Z(c, r)
			if n == 0 || math.IsNaN(n) {
				continue
			}
			xys = append(xys, plotter.XY{X: g.X(c), Y: g.Y(r)})
			labels = append(labels, strconv.Itoa(int(n)))
			s := f.style(17, false)
			if n > float64(max)/2 {
				s.Color = color.White
			}
			styles = append(styles, s)
		}
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return nil, fmt.Errorf("label activity cells: %w", err)
	}
	l.TextStyle = styles
	return l, nil
}

func gridPlot(rs rows, maxAct, maxRep int, o Options, f fontSet) (*plot.Plot, error) {
	p := newPlot(f)
	p.Title.Text = o.Title
	for _, kind := range []struct {
		replies bool
		max     int
		pal     palette.Palette
	}{{false, maxAct, cellColors}, {true, maxRep, replyColors}} {
		if kind.replies && !rs.hasReplies() {
			continue
		}
		g := grid{rows: rs, replies: kind.replies}
		p.Add(heat(g, kind.max, kind.pal))
		labels, err := cellLabels(g, kind.max, f)
		if err != nil {
			return nil, err
		}
		if len(labels.XYs) > 0 {
			p.Add(labels)
		}
	}
	if rs.hasShifts() {
		p.Add(outline{rows: rs})
	}
	names := rs.labels()
	ys := make([]string, len(names))
	for i, n := range names {
		ys[len(names)-1-i] = short(n)
	}
	p.NominalY(ys...)
	hours := make([]string, 24)
	for h := range hours {
		hours[h] = strconv.Itoa(h)
	}
	p.NominalX(hours...)
	p.X.Label.Text = o.Location.String()
	if rs.hasShifts() {
		p.X.Label.Text += " · " + o.ShiftsLabel
	}
	p.X.Min, p.X.Max = -0.5, 23.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(rs))-0.5
	return p, nil
}

// scalePlot is a legend: a strip of cells with the counts they stand for, named.
func scalePlot(max int, pal palette.Palette, name string, f fontSet) (*plot.Plot, error) {
	values := scaleValues(max)
	p := newPlot(f)
	p.Title.Text = ""
	g := strip(values)
	p.Add(heat(g, max, pal))
	labels := make([]string, len(values))
	for i, v := range values {
		labels[i] = strconv.Itoa(v)
	}
	p.NominalX(labels...)
	p.X.Label.Text = name
	p.HideY()
	p.X.Min, p.X.Max = -0.5, float64(len(values))-0.5
	p.Y.Min, p.Y.Max = -0.5, 0.5
	return p, nil
}

// scaleValues are 0, 1 and counts spread up to max, one per colour at most.
func scaleValues(max int) []int {
	out := []int{0}
	steps := len(cellColors.Colors())
	for i := 0; i < steps; i++ {
		v := 1 + (max-1)*i/(steps-1)
		if v > out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// strip is a one-row grid of the scale's values.
type strip []int

func (s strip) Dims() (c, r int)   { return len(s), 1 }
func (s strip) Z(c, _ int) float64 { return float64(s[c]) }
func (s strip) X(c int) float64    { return float64(c) }
func (s strip) Y(int) float64      { return 0 }

// nameColumn is the width the grid plot gives the operators' names, so the scale starts
// where the hours do.
func nameColumn(names []string, f fontSet) float64 {
	style := newPlot(f).Y.Tick.Label
	var w vg.Length
	for _, n := range names {
		if x := style.Width(short(n)); x > w {
			w = x
		}
	}
	return float64(w)
}

// short cuts a long operator name so the hours keep their width.
func short(name string) string {
	if utf8.RuneCountInString(name) <= maxNameRunes {
		return name
	}
	r := []rune(name)
	return string(r[:maxNameRunes-1]) + "…"
}

func drawEmpty(c draw.Canvas, o Options, f fontSet) error {
	title := f.style(30, true)
	c.FillText(title, vg.Point{X: c.Center().X, Y: c.Max.Y - 60}, o.Title)
	msg := f.style(28, false)
	msg.Color = color.RGBA{R: 0x70, G: 0x70, B: 0x70, A: 0xFF}
	c.FillText(msg, c.Center(), o.Empty)
	zone := f.style(20, false)
	c.FillText(zone, vg.Point{X: c.Center().X, Y: c.Min.Y + 50}, o.Location.String())
	return nil
}
