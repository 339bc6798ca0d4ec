package repro

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"oscsim/bench"
	"oscsim/dataset"
	"oscsim/internal/atomicfile"
	"oscsim/learn"
	"oscsim/netlist"
)

// OscNet v1.5 on the simulated 784-ring chip (configs/oscnet-mnist.toml,
// docs/oscnet.md "Inference on the simulated chip"): Fig. 8 (pairwise
// accuracy against the share of connections kept) and the chip's accuracy
// by method and read-out. Both train the default model (TopABS k = 56) on
// all 60,000 training images and run bench.OscNetEval, the code behind
// `oscsim eval oscnet`.
func oscnetChipExperiments() []Experiment {
	return []Experiment{
		{Name: "oscnet-fig8", Paper: "Cai et al., OscNet v1.5, ICCVW 2025, Fig. 8",
			Summary: "pairwise-elimination accuracy on the chip against the share of connections kept (5–100%), noise and mismatch on and off, with area and power",
			Run:     runOscnetFig8},
		{Name: "oscnet-chip", Paper: "Cai et al., OscNet v1.5, ICCVW 2025, Sec. 4",
			Summary: "software, per-class (spin and supply-power read-outs, 5-bit couplers) and pairwise (24%) accuracy on the 784-ring chip with noise and mismatch",
			Run:     runOscnetChip},
	}
}

// OscnetFig8Shares are Fig. 8's shares of W^(a,b)'s connections kept, in
// percent; the paper states 24% costs 0.1 point against 100%.
var OscnetFig8Shares = []int{5, 10, 24, 50, 100}

// oscnetFig8Drop is the paper's accuracy drop at 24% (points).
const oscnetFig8Drop = 0.1

// Image counts: the sizes, and --quick's.
const (
	oscnetChipImages      = 10000 // oscnet-chip; Fig. 8 at 24% and 100%
	oscnetFig8Images      = 2000  // Fig. 8 at 5, 10, 50%
	oscnetChipQuickImages = 500
	oscnetFig8QuickImages = 16
)

// oscnetChipSetup trains the default model on all training images and
// loads the chip description.
func oscnetChipSetup(ctx context.Context, env Env) (*learn.Model, *netlist.Netlist, string, error) {
	set := learn.DefaultSettings()
	dir, err := dataset.Locate(ctx, "mnist", env.DataDir)
	if err != nil {
		return nil, nil, "", err
	}
	im, lab, err := dataset.LoadSplit(dir, "train")
	if err != nil {
		return nil, nil, "", err
	}
	x, err := learn.Binarize(im, set.Threshold)
	if err != nil {
		return nil, nil, "", err
	}
	m, err := learn.Train(ctx, x, lab, set)
	if err != nil {
		return nil, nil, "", err
	}
	const name = "oscnet-mnist.toml"
	nl, err := embeddedChip(name)
	return m, nl, "embedded:" + name, err
}

// oscnetEval is the evaluation both experiments start from.
func oscnetEval(m *learn.Model, env Env, images int) bench.OscNetEval {
	e := bench.DefaultOscNetEval()
	e.Model, e.Weights, e.Images, e.Data, e.Progress = m, "(trained: default settings)", images, env.DataDir, env.Log
	if env.Seed != 0 {
		e.NoiseSeed = env.Seed
	}
	return e
}

// OscnetChipBits is the coupler resolution of oscnet-chip's per-class
// method: the 5 bits.
const OscnetChipBits = 5

func runOscnetChip(ctx context.Context, env Env) (*Result, error) {
	m, nl, src, err := oscnetChipSetup(ctx, env)
	if err != nil {
		return nil, err
	}
	n := oscnetChipImages
	if env.Quick {
		n = oscnetChipQuickImages
	}
	res := &Result{}
	pc := oscnetEval(m, env, n)
	pc.Methods, pc.Bits = []bench.Method{bench.MethodPerClass}, OscnetChipBits
	rp, err := pc.Evaluate(ctx, nl, src)
	if err != nil {
		return nil, err
	}
	// The software classifier on the same images.
	o := &bench.OscNet{Model: m}
	if err := o.LoadImages(ctx, "mnist", env.DataDir, 0, n); err != nil {
		return nil, err
	}
	sc, err := m.Classifier().Evaluate(ctx, o.Images, dataset.Labels(o.Labels))
	if err != nil {
		return nil, err
	}
	pw := oscnetEval(m, env, n)
	pw.Methods = []bench.Method{bench.MethodPairwise}
	rw, err := pw.Evaluate(ctx, nl, src)
	if err != nil {
		return nil, err
	}
	run := rp.Runs[0]
	res.Add("software", 100*sc.Accuracy(), Paper(86.55), "%")
	res.Add("perclass/spins", 100*run.ReadoutAccuracy[bench.ReadSpins], NoPaper, "%")
	res.Add("perclass/supply", 100*run.ReadoutAccuracy[bench.ReadSupply], NoPaper, "%")
	res.Add("pairwise/24", 100*rw.Runs[0].Accuracy, NoPaper, "%")
	res.Notes = append(res.Notes,
		fmt.Sprintf("first %d MNIST test images; default noise (20 kHz linewidth) and mismatch (0.5%% frequency, 5%% coupler); software = eq (11) on the same images (paper: Table 2, TopABS k = 56)", n),
		fmt.Sprintf("per-class: %d-bit couplers, mapping %s; both read-outs from the same runs; supply: %d-bit current-sense ADC, %s per conversion; image as loaded %.2f%%, ideal detector %.2f%%; spins read ≠ image %.3f%%",
			OscnetChipBits, rp.Mapping, rp.ADC.Bits, netlist.FormatSI(run.Result.ADCEnergy/float64(m.Classes), "J"),
			100*run.ReadoutAccuracy[bench.ReadInput], 100*run.ReadoutAccuracy[bench.ReadIdeal], 100*run.Flips),
		adcLine(run),
		fmt.Sprintf("per-class: %s, %s per inference; pairwise (24%% kept, 4-bit chip): %s, %s per inference",
			netlist.FormatSI(run.Power, "W"), netlist.FormatSI(run.Energy, "J"), netlist.FormatSI(rw.Runs[0].Power, "W"), netlist.FormatSI(rw.Runs[0].Energy, "J")))
	return res, nil
}

// adcLine lists the supply read-out's accuracy by ADC resolution.
func adcLine(run bench.OscNetRun) string {
	line := "supply read-out by current-sense ADC bits (same runs; 0 = ideal):"
	for _, b := range bench.SupplyADCSweep {
		line += fmt.Sprintf(" %d: %.2f%%", b, 100*run.SupplyByADCBits[b])
	}
	return line
}

// fig8Point is one share of connections on one chip setting.
type fig8Point struct {
	share           int
	correct, images int
	acc             float64 // %
	sites           int
	area, powr      float64 // die mm², power mW of a chip built with the fabric
}

func runOscnetFig8(ctx context.Context, env Env) (*Result, error) {
	m, nl, src, err := oscnetChipSetup(ctx, env)
	if err != nil {
		return nil, err
	}
	// The area and power estimate is for a chip built with only the
	// coupler sites the pair networks use, pumped as the pairwise method
	// runs it (MethodDefaults: a fraction of the description's K_s); the
	// pump is most of a fully pumped chip's power.
	base := *nl
	base.Couplings.Topology = netlist.Explicit
	pw := bench.OscNet{Method: bench.MethodPairwise}
	pw.MethodDefaults(nl)
	if nl.SHIL != nil {
		s := *nl.SHIL
		s.Ks, s.Current = s.Ks*pw.KsScale, s.Current*pw.KsScale
		base.SHIL = &s
	}
	settings := []bool{false, true} // noise and mismatch on, off
	if env.Quick {
		settings = settings[:1]
	}
	first := oscnetFig8Images
	if env.Quick {
		first = oscnetFig8QuickImages
	}
	// eval classifies images [from, to) at one share and setting. Every
	// image keeps its own noise streams (bench.OscNet.Offset), so a
	// range's count adds to another's exactly as in one longer run.
	eval := func(share, from, to int, off bool) (bench.OscNetRun, error) {
		e := oscnetEval(m, env, to-from)
		e.Offset = from
		// The fig's power is the ledger estimate for the share's fabric
		// (below), not the runs' measured coupler power: skip that pass.
		e.Methods, e.Fraction, e.NoNoise, e.NoMismatch, e.NoPower = []bench.Method{bench.MethodPairwise}, float64(share)/100, off, off, true
		rep, err := e.Evaluate(ctx, nl, src)
		if err != nil {
			return bench.OscNetRun{}, err
		}
		return rep.Runs[0], nil
	}
	// First every share on the first images, noise and mismatch on then
	// off; then the 24% and 100% points on the rest of the 10,000.
	// A run cut short has the whole curve on the first images in its log.
	curves := map[bool][]fig8Point{}
	// The plot is redrawn after every point, so a run cut short leaves
	// the curves it completed.
	plotPath := ""
	if env.PlotDir != "" {
		plotPath = filepath.Join(env.PlotDir, "oscnet-fig8.png")
	}
	replot := func() error {
		if plotPath == "" {
			return nil
		}
		return plotFig8(plotPath, curves)
	}
	for _, off := range settings {
		for _, share := range OscnetFig8Shares {
			r, err := eval(share, 0, first, off)
			if err != nil {
				return nil, err
			}
			pt := fig8Point{share: share, correct: r.Correct, images: r.Images, sites: len(r.Result.Fabric)}
			pt.acc = 100 * float64(pt.correct) / float64(pt.images)
			// Area and power of a chip that builds only the coupler sites
			// the 45 pair networks use (ledger estimate).
			sp, err := bench.Sparsity(ctx, &base, []bench.Topology{{K: share, Edges: r.Result.Fabric}}, bench.SparsityOptions{Seed: 1})
			if err != nil {
				return nil, err
			}
			pt.area, pt.powr = sp[0].Ledger.DieArea*1e6, sp[0].Ledger.TotalPower*1e3
			curves[off] = append(curves[off], pt)
			if err := replot(); err != nil {
				return nil, err
			}
			env.Logf("oscnet-fig8: %d%% kept, noise and mismatch %s: %.2f%% (%d/%d images), %d sites, die %.2f mm², %.1f mW",
				share, onOff(!off), pt.acc, pt.correct, pt.images, pt.sites, pt.area, pt.powr)
		}
	}
	if !env.Quick {
		for _, off := range settings {
			for k, p := range curves[off] {
				if p.share != 24 && p.share != 100 {
					continue
				}
				r, err := eval(p.share, first, oscnetChipImages, off)
				if err != nil {
					return nil, err
				}
				p.correct, p.images = p.correct+r.Correct, p.images+r.Images
				p.acc = 100 * float64(p.correct) / float64(p.images)
				curves[off][k] = p
				if err := replot(); err != nil {
					return nil, err
				}
				env.Logf("oscnet-fig8: %d%% kept, noise and mismatch %s: %.2f%% (%d/%d images)", p.share, onOff(!off), p.acc, p.correct, p.images)
			}
		}
	}
	res := &Result{}
	on := curves[false]
	for _, p := range on {
		res.Add(strconv.Itoa(p.share), p.acc, NoPaper, "%")
	}
	res.Add("drop@24", on[4].acc-on[2].acc, Paper(oscnetFig8Drop), "points")
	n := fmt.Sprintf("%d images at 5, 10, 50%%, %d at 24 and 100%%", oscnetFig8Images, oscnetChipImages)
	if env.Quick {
		n = fmt.Sprintf("%d images (--quick)", oscnetFig8QuickImages)
	}
	res.Notes = append(res.Notes, "pairwise elimination on the 784-ring chip with default noise and mismatch, first MNIST test images: "+n+
		fmt.Sprintf("; %d cycles per match (bench.PairwiseCycles)", bench.PairwiseCycles)+
		"; keep the top share of W^(a,b)'s nonzero couplings by max |S2| of classes a, b [A]; the paper gives only the drop at 24% (0.1 point)",
		"die area and power: the ledger's estimate for a chip built with only the coupler sites the 45 pair networks use, pumped at the pairwise method's K_s")
	for _, off := range settings {
		line := "noise and mismatch " + onOff(!off) + ":"
		for _, p := range curves[off] {
			line += fmt.Sprintf(" %d%%: %.2f%% of %d (%d sites, die %.2f mm², %.1f mW);", p.share, p.acc, p.images, p.sites, p.area, p.powr)
		}
		res.Notes = append(res.Notes, line)
	}
	if plotPath != "" {
		res.Plots = append(res.Plots, plotPath)
	}
	return res, nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// plotFig8 draws accuracy (top) and die area and power (bottom) against
// the share of connections kept, on one x axis.
func plotFig8(path string, curves map[bool][]fig8Point) error {
	top := plot.New()
	top.Title.Text = "OscNet Fig. 8 on the chip: pairwise elimination"
	top.Y.Label.Text = "accuracy (%)"
	top.X.Label.Text = "connections kept (%)"
	top.Legend.Top, top.Legend.Left = false, false
	bot := plot.New()
	bot.X.Label.Text = "connections kept (%)"
	bot.Y.Label.Text = "die area (mm²), power (mW)"
	add := func(p *plot.Plot, name string, pts []fig8Point, y func(fig8Point) float64, c color.Color, dash bool) error {
		xy := make(plotter.XYs, len(pts))
		for k, q := range pts {
			xy[k].X, xy[k].Y = float64(q.share), y(q)
		}
		l, s, err := plotter.NewLinePoints(xy)
		if err != nil {
			return err
		}
		l.Color, s.Color = c, c
		if dash {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l, s)
		p.Legend.Add(name, l, s)
		return nil
	}
	blue, red, grey := color.RGBA{31, 119, 180, 255}, color.RGBA{214, 39, 40, 255}, color.RGBA{90, 90, 90, 255}
	if err := add(top, "noise and mismatch on", curves[false], func(q fig8Point) float64 { return q.acc }, blue, false); err != nil {
		return err
	}
	if off := curves[true]; len(off) > 0 {
		if err := add(top, "noise and mismatch off", off, func(q fig8Point) float64 { return q.acc }, red, true); err != nil {
			return err
		}
	}
	if err := add(bot, "die area (mm²)", curves[false], func(q fig8Point) float64 { return q.area }, grey, false); err != nil {
		return err
	}
	if err := add(bot, "power (mW)", curves[false], func(q fig8Point) float64 { return q.powr }, grey, true); err != nil {
		return err
	}
	bot.Legend.Top, bot.Legend.Left = true, true
	const w, h = 16 * vg.Centimeter, 16 * vg.Centimeter
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(10), PadY: vg.Points(12)}
	plots := [][]*plot.Plot{{top}, {bot}}
	canvases := plot.Align(plots, tiles, dc)
	top.Draw(canvases[0][0])
	bot.Draw(canvases[1][0])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}
