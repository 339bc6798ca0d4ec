package sweep

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"oscsim/internal/atomicfile"
	"oscsim/netlist"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette is a colour-blind-friendly set (Okabe & Ito 2008, with brown for
// their yellow, which is too light on white), then greys.
var palette = []color.RGBA{
	{0, 114, 178, 255}, {213, 94, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{230, 159, 0, 255}, {86, 180, 233, 255}, {140, 86, 20, 255}, {0, 0, 0, 255},
	{120, 120, 120, 255}, {180, 180, 180, 255},
}

func colour(i int) color.RGBA { return palette[i%len(palette)] }

func withAlpha(c color.RGBA, a uint8) color.Color {
	// Premultiplied: scale the channels with the alpha.
	f := float64(a) / 255
	return color.RGBA{uint8(float64(c.R) * f), uint8(float64(c.G) * f), uint8(float64(c.B) * f), a}
}

// Plot draws the figures of a results directory into outDir, one file per
// figure and format ("png", "svg", "pdf"), and returns the files written:
//
//   - accuracy-vs-AXIS for every numeric axis: the mean accuracy with the
//     min–max band over instances and seeds and the 95% interval of the
//     mean as error bars, one curve per value of the other axes;
//   - accuracy-vs-power, -area and -energy when the points' power, die
//     area or energy per inference differ: every point at its mean cost
//     and accuracy, labelled by its axis values, with the Pareto front (no
//     other point is both cheaper and more accurate) marked;
//   - breakdown-area and breakdown-power: the ledger's lines stacked, one
//     bar per point (one bar when every point has the same breakdown).
func Plot(dir, outDir string, formats []string) ([]string, error) {
	t, err := ReadSummary(dir)
	if err != nil {
		return nil, err
	}
	if t.Len() == 0 {
		return nil, fmt.Errorf("sweep: %s has no finished points to plot", dir)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	save := func(f figure, name string) error {
		for _, format := range formats {
			path := filepath.Join(outDir, name+"."+format)
			if err := f.save(path, format); err != nil {
				return fmt.Errorf("sweep: plot %s: %w", path, err)
			}
			files = append(files, path)
		}
		return nil
	}
	for a, ax := range t.Meta.Axes {
		if ax.Unit == unitText || len(distinct(t, a)) < 2 {
			continue
		}
		f, err := accuracyVsAxis(t, a)
		if err != nil {
			return files, err
		}
		if err := save(f, "accuracy-vs-"+fileName(ax.Path)); err != nil {
			return files, err
		}
	}
	for _, c := range costs {
		if !varies(t, c.metric) {
			continue
		}
		f, err := accuracyVsCost(t, c)
		if err != nil {
			return files, err
		}
		if err := save(f, "accuracy-vs-"+c.name); err != nil {
			return files, err
		}
	}
	bd, err := readBreakdown(dir, t.Meta)
	if err != nil {
		return files, fmt.Errorf("sweep: %w", err)
	}
	for _, q := range []string{"area", "power"} {
		f, err := breakdownBars(t, bd, q)
		if err != nil {
			return files, err
		}
		if f.p == nil {
			continue
		}
		if err := save(f, "breakdown-"+q); err != nil {
			return files, err
		}
	}
	return files, nil
}

// figure is a plot, its size (of the plot, without an outside legend)
// and whether its legend goes in a strip to the right of it.
type figure struct {
	p             *plot.Plot
	w, h          vg.Length
	legendOutside bool
}

// save writes the figure in a format, through a temporary file.
func (f figure) save(path, format string) error {
	w := f.w
	var leg plot.Legend
	var lw vg.Length
	if f.legendOutside {
		leg = f.p.Legend
		r := leg.Rectangle(draw.Canvas{})
		lw = r.Max.X - r.Min.X + vg.Points(16)
		w += lw
	}
	c, err := draw.NewFormattedCanvas(w, f.h, format)
	if err != nil {
		return err
	}
	dc := draw.New(c)
	if f.legendOutside {
		f.p.Legend = plot.NewLegend()
		f.p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
		f.p.Legend = leg
		leg.Top, leg.Left = true, true
		leg.Draw(draw.Crop(dc, w-lw+vg.Points(8), 0, 0, -vg.Points(48)))
	} else {
		f.p.Draw(dc)
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}

func fileName(path string) string {
	r := strings.NewReplacer(".", "-", "[", "", "]", "", "_", "-")
	return r.Replace(path)
}

// distinct returns the distinct cells of axis a, in first-seen order.
func distinct(t *Summary, a int) []string {
	var out []string
	seen := map[string]bool{}
	for r := 0; r < t.Len(); r++ {
		if c := t.Axis[r][a]; !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// varies reports whether a metric's mean differs by more than 1% across
// points.
func varies(t *Summary, metric string) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for r := 0; r < t.Len(); r++ {
		v := t.Stat(r, metric).Mean
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return hi > lo && (hi-lo) > 0.01*math.Max(math.Abs(hi), math.Abs(lo))
}

// scale picks how a unit's values are shown: a factor and the unit text
// with an SI prefix that keeps max |v| in [1, 1000).
func scale(unit string, maxAbs float64) (float64, string) {
	switch unit {
	case unitRatio:
		return 100, "%"
	case "", unitText:
		return 1, ""
	case "m2":
		for _, p := range []struct {
			f float64
			s string
		}{{1, "m²"}, {1e-6, "mm²"}, {1e-12, "µm²"}} {
			if maxAbs >= p.f {
				return 1 / p.f, p.s
			}
		}
		return 1e12, "µm²"
	}
	sym := unit
	if unit == "Ohm" {
		sym = "Ω"
	}
	if maxAbs == 0 || math.IsNaN(maxAbs) {
		return 1, sym
	}
	s, f, _ := netlist.SIPrefix(maxAbs)
	return 1 / f, micro(s) + sym
}

// micro writes netlist's ASCII micro prefix "u" as "µ" for plots.
func micro(prefix string) string {
	if prefix == "u" {
		return "µ"
	}
	return prefix
}

func axisLabel(label, unit string) string {
	if unit == "" {
		return label
	}
	return label + " (" + unit + ")"
}

// metricLabel turns a metric name into a label: "success_rate" →
// "success rate".
func metricLabel(m string) string { return strings.ReplaceAll(m, "_", " ") }

func newPlot(t *Summary, title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Add(plotter.NewGrid())
	p.Legend.Top = false
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	return p
}

// accuracyRange sets the y axis of an accuracy plot: 0 to 1 when every
// value is a fraction.
func accuracyRange(p *plot.Plot, t *Summary) {
	acc := t.Meta.Accuracy
	lo, hi := math.Inf(1), math.Inf(-1)
	for r := 0; r < t.Len(); r++ {
		s := t.Stat(r, acc)
		lo, hi = math.Min(lo, s.Min), math.Max(hi, s.Max)
	}
	if lo >= 0 && hi <= 1 {
		p.Y.Min, p.Y.Max = 0, 1.05
	}
}

// accuracyVsAxis plots the accuracy against axis a: mean with markers,
// min–max band over instances and seeds, 95% interval error bars; one
// curve per combination of the other axes' values.
func accuracyVsAxis(t *Summary, a int) (figure, error) {
	m := t.Meta
	ax := m.Axes[a]
	acc := m.Accuracy
	maxAbs := 0.0
	for r := 0; r < t.Len(); r++ {
		if v, ok := t.AxisValue(r, a); ok {
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
	}
	f, u := scale(ax.Unit, maxAbs)
	title := fmt.Sprintf("%s: %s against %s\nband: min–max over %d instances × %d noise seeds; bars: 95%% interval of the mean",
		m.Name, metricLabel(acc), ax.Label, m.Instances, m.Seeds)
	p := newPlot(t, title)

	p.X.Label.Text = axisLabel(ax.Label, u)
	p.Y.Label.Text = metricLabel(acc)
	accuracyRange(p, t)
	// A log axis when the positive values span 20× or more (k = 10 …
	// 783, linewidths 20 kHz … 1 GHz); a 0 is drawn a decade below the
	// smallest positive value and labelled "0".
	lo, hi, zero := math.Inf(1), 0.0, false
	for r := 0; r < t.Len(); r++ {
		if v, ok := t.AxisValue(r, a); ok {
			if v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			} else if v == 0 {
				zero = true
			}
		}
	}
	xOf := func(v float64) float64 { return v * f }
	if lo > 0 && hi >= 20*lo && (zero || allPositive(t, a)) {
		// Ticks with SI prefixes (20k, 1M, 1G) in the base unit.
		si := ax.Unit != "" && ax.Unit != unitRatio && ax.Unit != "m2"
		if si {
			f, u = 1, scaleUnit(ax.Unit)
			p.X.Label.Text = axisLabel(ax.Label, u)
		}
		z := lo * f / 10
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = zeroTicks{zero: z, show: zero, si: si}
		xOf = func(v float64) float64 {
			if v == 0 {
				return z
			}
			return v * f
		}
	}

	// Group the rows by the other axes' cells.
	type series struct {
		name string
		rows []int
	}
	var groups []*series
	byKey := map[string]*series{}
	// Other axes make separate curves, except those the plotted axis
	// determines (a weights file listed with its k).
	dependent := map[int]bool{}
	for b := range m.Axes {
		of := map[string]string{}
		dependent[b] = true
		for r := 0; r < t.Len(); r++ {
			if v, ok := of[t.Axis[r][a]]; ok && v != t.Axis[r][b] {
				dependent[b] = false
				break
			}
			of[t.Axis[r][a]] = t.Axis[r][b]
		}
	}
	for r := 0; r < t.Len(); r++ {
		if _, ok := t.AxisValue(r, a); !ok {
			continue
		}
		var parts []string
		for b, other := range m.Axes {
			if b != a && !dependent[b] {
				parts = append(parts, fmt.Sprintf("%s = %s", other.Label, formatAxisCell(t.Axis[r][b], other.Unit)))
			}
		}
		k := strings.Join(parts, ", ")
		g := byKey[k]
		if g == nil {
			g = &series{name: k}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, r)
	}
	// Bands for up to maxBands curves; more would hide each other.
	const maxBands = 4
	if len(groups) > maxBands {
		p.Title.Text = fmt.Sprintf("%s: %s against %s\nbars: 95%% interval of the mean over %d instances × %d noise seeds (min–max in summary.csv)",
			m.Name, metricLabel(acc), ax.Label, m.Instances, m.Seeds)
	}
	for gi, g := range groups {
		sort.SliceStable(g.rows, func(i, j int) bool {
			x, _ := t.AxisValue(g.rows[i], a)
			y, _ := t.AxisValue(g.rows[j], a)
			return x < y
		})
		n := len(g.rows)
		mean := make(plotter.XYs, n)
		band := make(plotter.XYs, 0, 2*n)
		bars := errPoints{XYs: make(plotter.XYs, n), YErrors: make(plotter.YErrors, n)}
		for i, r := range g.rows {
			x, _ := t.AxisValue(r, a)
			s := t.Stat(r, acc)
			mean[i] = plotter.XY{X: xOf(x), Y: s.Mean}
			bars.XYs[i] = mean[i]
			lo, hi := s.Mean-s.CI95Lo, s.CI95Hi-s.Mean
			if math.IsNaN(lo) || math.IsNaN(hi) {
				lo, hi = 0, 0
			}
			bars.YErrors[i] = struct{ Low, High float64 }{lo, hi}
		}
		for _, r := range g.rows {
			x, _ := t.AxisValue(r, a)
			band = append(band, plotter.XY{X: xOf(x), Y: t.Stat(r, acc).Max})
		}
		for i := n - 1; i >= 0; i-- {
			x, _ := t.AxisValue(g.rows[i], a)
			band = append(band, plotter.XY{X: xOf(x), Y: t.Stat(g.rows[i], acc).Min})
		}
		c := colour(gi)
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return figure{}, err
		}
		poly.Color = withAlpha(c, 40)
		poly.LineStyle.Width = 0
		if len(groups) > 1 {
			poly.LineStyle = draw.LineStyle{Color: withAlpha(c, 160), Width: vg.Points(0.5), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
		}
		line, pts, err := plotter.NewLinePoints(mean)
		if err != nil {
			return figure{}, err
		}
		line.Color, line.Width = c, vg.Points(1.5)
		pts.Color, pts.Shape, pts.Radius = c, draw.CircleGlyph{}, vg.Points(2.5)
		eb, err := plotter.NewYErrorBars(bars)
		if err != nil {
			return figure{}, err
		}
		eb.Color, eb.CapWidth = c, vg.Points(4)
		if len(groups) <= maxBands {
			p.Add(poly)
		}
		p.Add(line, pts, eb)
		name := g.name
		if name == "" {
			name = "mean"
		}
		if len(groups) <= 8 {
			p.Legend.Add(name, line, pts)
		}
	}
	if len(groups) == 1 {
		band, _ := plotter.NewPolygon(plotter.XYs{{}, {}, {}})
		band.Color = withAlpha(colour(0), 50)
		band.LineStyle.Width = 0
		p.Legend.Add("min–max", band)
	}
	return figure{p: p, w: 16 * vg.Centimeter, h: 11 * vg.Centimeter, legendOutside: len(groups) > 1}, nil
}

// allPositive reports whether every numeric value of axis a is > 0.
func allPositive(t *Summary, a int) bool {
	for r := 0; r < t.Len(); r++ {
		if v, ok := t.AxisValue(r, a); ok && v <= 0 {
			return false
		}
	}
	return true
}

// zeroTicks are log ticks with a tick labelled "0" at the position a
// zero value is drawn.
type zeroTicks struct {
	zero float64
	show bool
	// si labels the ticks with SI prefixes ("20k", "1M").
	si bool
}

// Ticks implements plot.Ticker.
func (z zeroTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.LogTicks{Prec: -1}.Ticks(min, max)
	if z.si {
		for i := range ts {
			if ts[i].Label != "" {
				ts[i].Label = siLabel(ts[i].Value)
			}
		}
	}
	if !z.show {
		return ts
	}
	var out []plot.Tick
	for _, t := range ts {
		if t.Value > z.zero*1.5 { // no decade tick on top of the zero
			out = append(out, t)
		}
	}
	return append(out, plot.Tick{Value: z.zero, Label: "0"})
}

// siLabel writes a tick value with an SI prefix: 2e4 → "20k".
func siLabel(v float64) string {
	s, f, ok := netlist.SIPrefix(math.Abs(v))
	if !ok {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v/f, 'g', 3, 64) + micro(s)
}

// scaleUnit is a unit's symbol as axis labels show it.
func scaleUnit(unit string) string {
	if unit == "Ohm" {
		return "Ω"
	}
	return unit
}

// errPoints are points with asymmetric y errors.
type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

func formatAxisCell(c, unit string) string {
	v, err := strconv.ParseFloat(c, 64)
	if err != nil || unit == unitText {
		return c
	}
	f, u := scale(unit, math.Abs(v))
	return strconv.FormatFloat(v*f, 'g', 4, 64) + u
}

// pointLabel names row r's point by its numeric axis values (tag.k = 56
// → "56"), or by its text values when no axis is numeric (a file path by
// its base name).
func pointLabel(t *Summary, r int, sep string) string {
	var num, txt []string
	for a, ax := range t.Meta.Axes {
		if ax.Unit == unitText {
			txt = append(txt, filepath.Base(t.Axis[r][a]))
		} else {
			num = append(num, formatAxisCell(t.Axis[r][a], ax.Unit))
		}
	}
	if len(num) > 0 {
		return strings.Join(num, sep)
	}
	return strings.Join(txt, sep)
}

// cost is a metric a design pays for, plotted against accuracy.
type cost struct{ metric, name, unit, label string }

var costs = []cost{
	{MetricPower, "power", "W", "mean power"},
	{MetricArea, "area", "m2", "die area"},
	{MetricEnergy, "energy", "J", "energy per inference"},
}

// accuracyVsCost plots every point at its mean cost (power, area or
// energy) and accuracy, with the Pareto front marked.
func accuracyVsCost(t *Summary, c cost) (figure, error) {
	m := t.Meta
	acc := m.Accuracy
	maxP := 0.0
	for r := 0; r < t.Len(); r++ {
		maxP = math.Max(maxP, t.Stat(r, c.metric).Mean)
	}
	f, u := scale(c.unit, maxP)
	var num, txt []string
	for _, ax := range m.Axes {
		if ax.Unit == unitText {
			txt = append(txt, ax.Label)
		} else {
			num = append(num, ax.Label)
		}
	}
	if len(num) == 0 {
		num = txt
	}
	lbl := strings.Join(num, ", ")
	if len(num) > 1 {
		lbl = "their axis values"
	}
	p := newPlot(t, fmt.Sprintf("%s: %s against %s\npoints labelled by %s; bars: 95%% interval; line: Pareto front", m.Name, metricLabel(acc), c.name, lbl))
	p.X.Label.Text = axisLabel(c.label, u)
	p.Y.Label.Text = metricLabel(acc)
	accuracyRange(p, t)
	all := make(plotter.XYs, t.Len())
	bars := errPoints{XYs: make(plotter.XYs, t.Len()), YErrors: make(plotter.YErrors, t.Len())}
	labels := make([]string, t.Len())
	for r := 0; r < t.Len(); r++ {
		s := t.Stat(r, acc)
		all[r] = plotter.XY{X: t.Stat(r, c.metric).Mean * f, Y: s.Mean}
		bars.XYs[r] = all[r]
		lo, hi := s.Mean-s.CI95Lo, s.CI95Hi-s.Mean
		if math.IsNaN(lo) || math.IsNaN(hi) {
			lo, hi = 0, 0
		}
		bars.YErrors[r] = struct{ Low, High float64 }{lo, hi}
		labels[r] = pointLabel(t, r, ", ")
	}
	front := paretoFront(all)
	sc, err := plotter.NewScatter(all)
	if err != nil {
		return figure{}, err
	}
	sc.Color, sc.Shape, sc.Radius = colour(0), draw.CircleGlyph{}, vg.Points(2.5)
	eb, err := plotter.NewYErrorBars(bars)
	if err != nil {
		return figure{}, err
	}
	eb.Color, eb.CapWidth = colour(0), vg.Points(3)
	var step plotter.XYs
	var fp plotter.XYs
	for k, i := range front {
		if k > 0 {
			step = append(step, plotter.XY{X: all[i].X, Y: all[front[k-1]].Y})
		}
		step = append(step, all[i])
		fp = append(fp, all[i])
	}
	fl, err := plotter.NewLine(step)
	if err != nil {
		return figure{}, err
	}
	fl.Color, fl.Width, fl.Dashes = colour(1), vg.Points(1.5), []vg.Length{vg.Points(4), vg.Points(2)}
	fs, err := plotter.NewScatter(fp)
	if err != nil {
		return figure{}, err
	}
	fs.Color, fs.Shape, fs.Radius = colour(1), draw.RingGlyph{}, vg.Points(5)
	// Label every point when there are few, else the front only.
	if len(all) > 12 {
		onFront := map[int]bool{}
		for _, i := range front {
			onFront[i] = true
		}
		for i := range labels {
			if !onFront[i] {
				labels[i] = ""
			}
		}
	}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: all, Labels: labels})
	if err != nil {
		return figure{}, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(7)
	}
	lb.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(-10)}
	p.Add(fl, eb, sc, fs, lb)
	p.Legend.Add("points (mean over runs)", sc)
	p.Legend.Add("Pareto front", fl, fs)
	p.Legend.Top, p.Legend.Left = false, false
	return figure{p: p, w: 16 * vg.Centimeter, h: 11 * vg.Centimeter}, nil
}

// paretoFront returns the indices of the points no other point beats in
// both power (x, lower is better) and accuracy (y, higher is better), in
// order of rising power.
func paretoFront(xy plotter.XYs) []int {
	idx := make([]int, len(xy))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool {
		a, b := xy[idx[i]], xy[idx[j]]
		return a.X < b.X || a.X == b.X && a.Y > b.Y
	})
	var out []int
	best := math.Inf(-1)
	for _, i := range idx {
		if xy[i].Y > best {
			out = append(out, i)
			best = xy[i].Y
		}
	}
	return out
}

// breakdownBars stacks the ledger lines of one quantity per point. The
// area bars show the core's components (the pad ring and a pad-limited
// die's unused core go in the title).
func breakdownBars(t *Summary, bd map[int][][]string, quantity string) (figure, error) {
	m := t.Meta
	na := len(m.Axes)
	type bar struct {
		label string
		vals  map[string]float64
	}
	var comps []string
	var bars []bar
	var outside []string
	die := map[string]bool{"pad ring (I/O)": true, "unused core (pad-limited die)": true}
	var dieArea float64
	for r := 0; r < t.Len(); r++ {
		rows := bd[t.Point[r]]
		b := bar{vals: map[string]float64{}, label: pointLabel(t, r, "\n")}
		for _, row := range rows {
			if row[na+1] != quantity {
				continue
			}
			name := row[na+2]
			v, _ := strconv.ParseFloat(row[na+3], 64)
			if quantity == "area" && die[name] {
				if r == 0 && !contains(outside, name) {
					outside = append(outside, name)
				}
				continue
			}
			if !contains(comps, name) {
				comps = append(comps, name)
			}
			b.vals[name] = v
		}
		if quantity == "area" && r == 0 {
			dieArea = t.Stat(r, MetricArea).Mean
		}
		bars = append(bars, b)
	}
	if len(comps) == 0 {
		return figure{}, nil
	}
	// Drop components that are zero everywhere.
	var keep []string
	for _, c := range comps {
		for _, b := range bars {
			if b.vals[c] != 0 {
				keep = append(keep, c)
				break
			}
		}
	}
	comps = keep
	// One bar when every point has the same breakdown.
	same := true
	for _, b := range bars[1:] {
		for _, c := range comps {
			if d := math.Abs(b.vals[c] - bars[0].vals[c]); d > 1e-9*math.Abs(bars[0].vals[c]) {
				same = false
			}
		}
	}
	if same {
		bars = bars[:1]
		bars[0].label = "every point"
	}
	maxTot := 0.0
	for _, b := range bars {
		s := 0.0
		for _, c := range comps {
			s += b.vals[c]
		}
		maxTot = math.Max(maxTot, s)
	}
	unit := map[string]string{"area": "m2", "power": "W"}[quantity]
	f, u := scale(unit, maxTot)
	title := fmt.Sprintf("%s: %s breakdown (chip.Ledger)", m.Name, quantity)
	if quantity == "area" {
		title += "\ncore: cells and placement overhead"
		if len(bars) == 1 {
			title += fmt.Sprintf("; die %.3g mm² with the pad ring", dieArea*1e6)
		} else {
			title += "; die with the pad ring: area_m2"
		}
	} else {
		title += "\ninstance 0's ledger; coupler conduction set to the point's mean power"
	}
	p := newPlot(t, title)
	p.Y.Label.Text = axisLabel(quantity, u)
	width := vg.Points(math.Max(8, math.Min(40, 300/float64(len(bars)))))
	var prev *plotter.BarChart
	for ci, c := range comps {
		vals := make(plotter.Values, len(bars))
		for i, b := range bars {
			vals[i] = b.vals[c] * f
		}
		bc, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return figure{}, err
		}
		bc.Color = colour(ci)
		bc.LineStyle.Width = 0
		if prev != nil {
			bc.StackOn(prev)
		}
		prev = bc
		p.Add(bc)
		p.Legend.Add(c, bc)
	}
	names := make([]string, len(bars))
	for i, b := range bars {
		names[i] = b.label
	}
	p.NominalX(names...)
	p.X.Tick.Label.Font.Size = vg.Points(7)
	p.Y.Min = 0
	w := vg.Length(math.Max(14, math.Min(40, 4+1.2*float64(len(bars))))) * vg.Centimeter
	return figure{p: p, w: w, h: 12 * vg.Centimeter, legendOutside: true}, nil
}
