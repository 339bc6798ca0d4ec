package repro

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"oscsim/internal/progress"
	"oscsim/learn/hrecm"
)

// HRECM (Cheng & Lin, "Training oscillator Ising machines to assign the
// dynamic stability of their equilibrium points", arXiv 2507.14386):
// Experiments 1–3 and a comparison with the classical storage rules
// (docs/hrecm.md). The paper's figures carry no recoverable numbers, so
// Paper is nil except for the claims it states in words.
func hrecmExperiments() []Experiment {
	const cite = "Cheng & Lin, HRECM, arXiv 2507.14386"
	return append([]Experiment{
		{Name: "hrecm-exp1", Paper: cite + ", Exp. 1 / Fig. 2",
			Summary: "the (H, λ) plane of all 2^(N−1) states at four training stages (N = 10, P = 5)",
			Run:     runHrecmExp1},
		{Name: "hrecm-exp2", Paper: cite + ", Exp. 2 / Fig. 3",
			Summary: "exact spurious rate r with and without the regulariser, N = 10…16, P = 5…2N",
			Run:     runHrecmExp2},
		{Name: "hrecm-exp3", Paper: cite + ", Exp. 3 / Fig. 4",
			Summary: "sampled spurious rate r' (10⁴ Gibbs samples), N = 20…50, P = 5…50, regularised",
			Run:     runHrecmExp3},
		{Name: "hrecm-baselines", Paper: cite + " (comparison not in the paper)",
			Summary: "exact spurious rate r of Hebbian, pseudo-inverse, Storkey and HRECM couplings, N = 10…16",
			Run:     runHrecmBaselines},
	}, hrecmChipExperiments()...)
}

// hrecmSetup holds the settings an experiment shares across its cells.
type hrecmSetup struct {
	cfg   hrecm.Config
	seeds int
}

// hrecmSettings returns the [A] defaults (docs/hrecm.md), reduced under
// --quick: 1 seed, 40 iterations of 50 samples.
func hrecmSettings(env Env) hrecmSetup {
	s := hrecmSetup{cfg: hrecm.DefaultConfig(), seeds: 5}
	if env.Quick {
		s.seeds, s.cfg.Iters, s.cfg.Samples = 1, 40, 50
	}
	return s
}

// hrecmPatterns draws the P desired patterns of cell (N, P, seed index);
// every rule and γ of a cell sees the same patterns.
func hrecmPatterns(env Env, n, p, s int) ([][]int8, uint64) {
	seed := uint64(env.Seed)*1_000_003 + uint64(n)*10_007 + uint64(p)*101 + uint64(s)
	return hrecm.RandomPatterns(hrecm.NewRand(seed, 0x5eed), n, p), seed
}

// hrecmJob is one trained (or baseline) network of a cell.
type hrecmJob struct {
	n, p, seed int
	rule       hrecm.Rule
	gamma      float64
}

// hrecmOutcome is what a job measured.
type hrecmOutcome struct {
	gap      hrecm.Gap
	sampled  float64 // r' (Exp. 3)
	distinct int     // n_d (Exp. 3)
}

// hrecmRun trains or sets J for every job (in parallel, one job per
// goroutine, results independent of their number) and measures it:
// the exact gap (N ≤ 24) or, with samples > 0, the sampled rate r'.
func hrecmRun(ctx context.Context, env Env, set hrecmSetup, jobs []hrecmJob, samples int, what string) ([]hrecmOutcome, error) {
	out := make([]hrecmOutcome, len(jobs))
	meter := progress.New(env.Log, what, int64(len(jobs)), "networks")
	defer meter.Done()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
		errs []error
	)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				k := next
				next++
				stop := len(errs) > 0
				mu.Unlock()
				if k >= len(jobs) || stop {
					return
				}
				o, err := hrecmMeasure(ctx, env, set, jobs[k], samples)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				out[k] = o
				mu.Unlock()
				meter.Add(1)
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return out, nil
}

func hrecmMeasure(ctx context.Context, env Env, set hrecmSetup, j hrecmJob, samples int) (hrecmOutcome, error) {
	pats, seed := hrecmPatterns(env, j.n, j.p, j.seed)
	cfg := set.cfg
	cfg.Gamma, cfg.Seed = j.gamma, seed
	net, err := hrecm.Couplings(ctx, j.rule, pats, cfg)
	if err != nil {
		return hrecmOutcome{}, err
	}
	if samples > 0 {
		r, nd := hrecm.SampledRate(net, pats, hrecm.Gibbs{Net: net, T: cfg.T, Sweeps: cfg.Sweeps}, hrecm.NewRand(seed, 0x5a3), samples)
		return hrecmOutcome{sampled: r, distinct: nd}, nil
	}
	sp, err := hrecm.Enumerate(ctx, net, hrecm.Options{Workers: 1})
	if err != nil {
		return hrecmOutcome{}, err
	}
	return hrecmOutcome{gap: hrecm.ExactGap(sp, pats)}, nil
}

// hrecmExp2Sizes are Exp. 2's four sizes ([A], docs/hrecm.md).
var hrecmExp2Sizes = []int{10, 12, 14, 16}

// hrecmLoads returns P = 5, 10, … up to the first multiple of 5 ≥ 2N.
func hrecmLoads(n int) []int {
	var ps []int
	for p := 5; ; p += 5 {
		ps = append(ps, p)
		if p >= 2*n {
			return ps
		}
	}
}

// addMean adds a row with the mean over seeds and its spread.
func (r *Result) addMean(key string, xs []float64, paper *float64, unit string) float64 {
	m, s := meanStd(xs)
	row := r.Add(key, m, paper, unit)
	if len(xs) > 1 {
		row.Spread = &s
	}
	return m
}

// hrecmCheckEvery is the interval of the exact spurious count by which
// Exp. 2 and the baselines keep HRECM's best iterate ([A], docs/hrecm.md,
// "Convergence": the sampled ascent reaches its least r early and then
// drifts while J keeps growing; 100 keeps the checks' cost, an exact
// count of all 2^(N−1) states each, below the training's).
const hrecmCheckEvery = 100

// hrecmSelecting returns set with HRECM returning its best checked
// iterate (hrecm.SelectExact every hrecmCheckEvery iterations).
func hrecmSelecting(set hrecmSetup) hrecmSetup {
	set.cfg.Select, set.cfg.CheckEvery = hrecm.SelectExact, min(hrecmCheckEvery, set.cfg.Iters)
	return set
}

// hrecmCellRates runs rules × γ over the sizes and loads and returns the
// spurious rates in percent per (rule label, N, P), one per seed.
func hrecmCellRates(ctx context.Context, env Env, set hrecmSetup, variants []hrecmJob, what string) (map[string][]float64, error) {
	var jobs []hrecmJob
	for _, n := range hrecmExp2Sizes {
		for _, p := range hrecmLoads(n) {
			for s := 0; s < set.seeds; s++ {
				for _, v := range variants {
					jobs = append(jobs, hrecmJob{n: n, p: p, seed: s, rule: v.rule, gamma: v.gamma})
				}
			}
		}
	}
	out, err := hrecmRun(ctx, env, set, jobs, 0, what)
	if err != nil {
		return nil, err
	}
	rates := map[string][]float64{}
	for k, j := range jobs {
		key := fmt.Sprintf("%s/%d/%d", hrecmLabel(j), j.n, j.p)
		rates[key] = append(rates[key], 100*out[k].gap.Rate())
	}
	return rates, nil
}

func hrecmLabel(j hrecmJob) string {
	if j.rule != hrecm.RuleHRECM {
		return string(j.rule)
	}
	if j.gamma > 0 {
		return "reg"
	}
	return "unreg"
}

func runHrecmExp2(ctx context.Context, env Env) (*Result, error) {
	set := hrecmSelecting(hrecmSettings(env))
	gamma := set.cfg.Gamma
	rates, err := hrecmCellRates(ctx, env, set, []hrecmJob{{rule: hrecm.RuleHRECM, gamma: gamma}, {rule: hrecm.RuleHRECM}}, "hrecm-exp2")
	if err != nil {
		return nil, err
	}
	res := &Result{}
	var cells, holds, above int
	var ratios []float64
	var sumReg, sumUnreg float64
	for _, n := range hrecmExp2Sizes {
		for _, p := range hrecmLoads(n) {
			reg := res.addMean(fmt.Sprintf("%d/%d/reg", n, p), rates[fmt.Sprintf("reg/%d/%d", n, p)], NoPaper, "%")
			unreg := res.addMean(fmt.Sprintf("%d/%d/unreg", n, p), rates[fmt.Sprintf("unreg/%d/%d", n, p)], NoPaper, "%")
			cells++
			if reg <= unreg {
				holds++
			}
			if p > n {
				above++
				sumReg += reg
				sumUnreg += unreg
				if unreg > 0 {
					ratios = append(ratios, reg/unreg)
				}
			}
		}
	}
	res.Add("claim/reg<=unreg", 100*float64(holds)/float64(cells), Paper(100), "% of cells")
	if sumUnreg > 0 {
		res.Add("claim/reg/unreg@P>N", sumReg/sumUnreg, NoPaper, "ratio of mean r")
	}
	if len(ratios) > 0 {
		res.Add("claim/median-ratio@P>N", median(ratios), NoPaper, "reg/unreg")
	}
	res.Notes = append(res.Notes,
		hrecmNote(set),
		fmt.Sprintf("r = n_s/(2^(N−1) − |D|) by exact enumeration; n_s counts non-desired state pairs with λ ≤ max_D λ (relative tolerance %g); reg: γ = %g, unreg: γ = 0, same patterns and Gibbs seed", hrecm.Tolerance, gamma),
		"the paper's claim: reg ≤ unreg in every cell, about equal for P ≤ N, much smaller for P > N (no numbers recoverable); claim/reg<=unreg is the share of (N, P) cells where the mean over seeds holds it")
	return res, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func hrecmNote(set hrecmSetup) string {
	c := set.cfg
	sel := "J after T_iter"
	if c.Select == hrecm.SelectExact {
		sel = fmt.Sprintf("the iterate with the fewest spurious states among J_0 and every %d-th (exact count)", c.CheckEvery)
	}
	return fmt.Sprintf("Algorithm 1: η = %g, m = %d Gibbs samples of %d sweeps at T = %g, T_iter = %d, J_0 = %s, %d seed(s) per cell (mean ± std over seeds); returned: %s",
		c.Eta, c.Samples, c.Sweeps, c.T, c.Iters, c.Init, set.seeds, sel)
}

func runHrecmBaselines(ctx context.Context, env Env) (*Result, error) {
	set := hrecmSelecting(hrecmSettings(env))
	variants := []hrecmJob{{rule: hrecm.RuleHebbian}, {rule: hrecm.RulePinv}, {rule: hrecm.RuleStorkey}, {rule: hrecm.RuleHRECM, gamma: set.cfg.Gamma}}
	rates, err := hrecmCellRates(ctx, env, set, variants, "hrecm-baselines")
	if err != nil {
		return nil, err
	}
	res := &Result{}
	var factors []float64
	inf := 0
	for _, n := range hrecmExp2Sizes {
		for _, p := range hrecmLoads(n) {
			best := math.Inf(1)
			for _, v := range variants {
				label := hrecmLabel(v)
				key := label
				if v.rule == hrecm.RuleHRECM {
					key = "hrecm"
				}
				m := res.addMean(fmt.Sprintf("%s/%d/%d", key, n, p), rates[fmt.Sprintf("%s/%d/%d", label, n, p)], NoPaper, "%")
				if v.rule != hrecm.RuleHRECM {
					best = math.Min(best, m)
				} else if p >= n && p <= 2*n {
					if m == 0 {
						inf++
					} else {
						factors = append(factors, best/m)
					}
				}
			}
		}
	}
	if len(factors) > 0 {
		gm := 0.0
		for _, f := range factors {
			gm += math.Log(f)
		}
		res.Add("factor/geomean@N<=P<=2N", math.Exp(gm/float64(len(factors))), Paper(10), "best baseline r / HRECM r")
		res.Add("factor/min@N<=P<=2N", slices.Min(factors), Paper(10), "best baseline r / HRECM r")
	}
	res.Add("factor/cells-hrecm-zero", float64(inf), NoPaper, "cells with HRECM r = 0")
	res.Notes = append(res.Notes, hrecmNote(set),
		"the goal (issue 19): HRECM's r at least 10× below the best baseline for N ≤ P ≤ 2N; factor rows are over the cells with HRECM r > 0 (cells where it is 0 are counted apart)",
		"pinv is the projection rule J = X X⁺ with zero diagonal: once P ≥ N the patterns span R^N and J = 0, so every state has λ = 0 and r = 100%")
	return res, nil
}

// hrecmExp3Sizes and loads ([A], docs/hrecm.md): N = 20…50, P = 5…50.
func hrecmExp3Grid(quick bool) (ns, ps []int) {
	if quick {
		return []int{20, 30}, []int{5, 15}
	}
	for n := 20; n <= 50; n += 5 {
		ns = append(ns, n)
	}
	for p := 5; p <= 50; p += 5 {
		ps = append(ps, p)
	}
	return ns, ps
}

func runHrecmExp3(ctx context.Context, env Env) (*Result, error) {
	set := hrecmSettings(env)
	samples := 10000
	if env.Quick {
		samples = 1000
	} else {
		// [A] Exp. 3 is the costliest (70 cells, N up to 50, an eigen-
		// solve of A(σ) per sample and iteration): 2 seeds, 150
		// iterations (docs/hrecm.md).
		set.seeds, set.cfg.Iters = 2, 150
	}
	ns, ps := hrecmExp3Grid(env.Quick)
	var jobs []hrecmJob
	for _, n := range ns {
		for _, p := range ps {
			for s := 0; s < set.seeds; s++ {
				jobs = append(jobs, hrecmJob{n: n, p: p, seed: s, rule: hrecm.RuleHRECM, gamma: set.cfg.Gamma})
			}
		}
	}
	out, err := hrecmRun(ctx, env, set, jobs, samples, "hrecm-exp3")
	if err != nil {
		return nil, err
	}
	rates := map[[2]int][]float64{}
	for k, j := range jobs {
		rates[[2]int{j.n, j.p}] = append(rates[[2]int{j.n, j.p}], 100*out[k].sampled)
	}
	res := &Result{}
	mean := map[[2]int]float64{}
	for _, n := range ns {
		for _, p := range ps {
			mean[[2]int{n, p}] = res.addMean(fmt.Sprintf("%d/%d", n, p), rates[[2]int{n, p}], NoPaper, "%")
		}
	}
	// The claims: r' rises with P at fixed N, falls with N at fixed P.
	var upP, pairsP, downN, pairsN int
	for i, n := range ns {
		for k, p := range ps {
			if k > 0 {
				pairsP++
				if mean[[2]int{n, p}] >= mean[[2]int{n, ps[k-1]}] {
					upP++
				}
			}
			if i > 0 {
				pairsN++
				if mean[[2]int{n, p}] <= mean[[2]int{ns[i-1], p}] {
					downN++
				}
			}
		}
	}
	res.Add("claim/rises-with-P", 100*float64(upP)/float64(pairsP), Paper(100), "% of neighbour pairs")
	res.Add("claim/falls-with-N", 100*float64(downN)/float64(pairsN), Paper(100), "% of neighbour pairs")
	res.Notes = append(res.Notes, hrecmNote(set),
		fmt.Sprintf("r' = n_s'/n_d over %d fresh Gibbs samples of the trained J: n_d distinct sampled state pairs (desired ones included), n_s' the non-desired ones with λ ≤ max_D λ", samples))
	return res, nil
}

// hrecmExp1Stages are the four snapshots of Fig. 2 ([A]).
var hrecmExp1Stages = []int{0, 10, 100, 1000}

func runHrecmExp1(ctx context.Context, env Env) (*Result, error) {
	set := hrecmSettings(env)
	const n, p = 10, 5
	stages := hrecmExp1Stages
	cfg := set.cfg
	if env.Quick {
		stages = []int{0, 5, 20, 40}
	}
	cfg.Iters = stages[len(stages)-1]
	// [A] From small random couplings N(0, 0.01): from Hebbian couplings
	// five patterns of ten spins already have an open gap, and the figure
	// would show no training.
	cfg.Init = hrecm.InitGaussian
	pats, seed := hrecmPatterns(env, n, p, 0)
	cfg.Seed = seed
	res := &Result{}
	var panels []HrecmPanel
	_, err := hrecm.Train(ctx, pats, cfg, func(it int, net *hrecm.Net) error {
		if !slices.Contains(stages, it) {
			return nil
		}
		sp, err := hrecm.Enumerate(ctx, net, hrecm.Options{Workers: 1})
		if err != nil {
			return err
		}
		g := hrecm.ExactGap(sp, pats)
		res.Add(fmt.Sprintf("%d/spurious", it), 100*g.Rate(), NoPaper, "%")
		res.Add(fmt.Sprintf("%d/gap", it), g.MinSpurious-g.MaxDesired, NoPaper, "λ")
		panels = append(panels, HrecmPanel{Title: fmt.Sprintf("iteration %d", it), Spectrum: sp, Desired: hrecm.Distinct(pats), Ks2: math.NaN()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Notes = append(res.Notes, hrecmNote(hrecmSetup{cfg: cfg, seeds: 1}),
		"gap = min_{S\\D} λ − max_D λ: a K_s window (eq 6) exists iff it is > 0; the paper's Fig. 2 shows it opening (no numbers recoverable)")
	if err := res.Plot(env, "hrecm-exp1.png", func(path string) error { return SaveHrecmScatter(path, panels) }); err != nil {
		return nil, err
	}
	return res, nil
}

// HrecmPanel is one (H, λ) scatter: every state pair of a spectrum, the
// desired ones marked, and the line λ = 2K_s/K when Ks2 is not NaN.
type HrecmPanel struct {
	Title    string
	Spectrum *hrecm.Spectrum
	Desired  []uint64
	Ks2      float64
}

// SaveHrecmScatter draws panels side by side into one PNG (or SVG/PDF by
// the extension), written atomically.
func SaveHrecmScatter(path string, panels []HrecmPanel) error {
	if len(panels) == 0 {
		return fmt.Errorf("hrecm plot: no panels")
	}
	plots := make([]*plot.Plot, len(panels))
	for k, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		p.X.Label.Text = "H(σ)"
		p.Y.Label.Text = "λ(σ) = λ_max A(σ)"
		sp := pn.Spectrum
		var others, want plotter.XYs
		for i := range sp.Lambda {
			pt := plotter.XY{X: sp.H[i], Y: sp.Lambda[i]}
			if slices.Contains(pn.Desired, uint64(i)) {
				want = append(want, pt)
			} else {
				others = append(others, pt)
			}
		}
		so, err := plotter.NewScatter(others)
		if err != nil {
			return err
		}
		so.GlyphStyle.Radius = vg.Points(1)
		so.GlyphStyle.Color = color.RGBA{R: 120, G: 120, B: 120, A: 255}
		sd, err := plotter.NewScatter(want)
		if err != nil {
			return err
		}
		sd.GlyphStyle.Radius = vg.Points(3)
		sd.GlyphStyle.Shape = draw.CrossGlyph{}
		sd.GlyphStyle.Color = color.RGBA{R: 220, A: 255}
		p.Add(so, sd)
		p.Legend.Add("other states", so)
		p.Legend.Add("desired", sd)
		p.Legend.Top, p.Legend.Left = true, true
		if !math.IsNaN(pn.Ks2) {
			ln := plotter.NewFunction(func(float64) float64 { return pn.Ks2 })
			ln.Color = color.RGBA{B: 200, A: 255}
			ln.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			p.Add(ln)
			p.Legend.Add("2K_s/K", ln)
		}
		plots[k] = p
	}
	return writeTiles(path, len(panels), 4*vg.Inch, 3.5*vg.Inch, plots)
}
