package repro

import (
	"context"
	"fmt"
	"math"

	"oscsim/bench"
	"oscsim/chip"
	"oscsim/learn/hrecm"
	"oscsim/netlist"
)

// The paper never integrates the dynamics. These experiments do, on the
// chip's engine (docs/hrecm.md, "On the chip"): hrecm-retrieval on an
// ideal phase model, hrecm-chip on the compiled chip (quantised codes,
// mismatch, noise, the cycle model) with its ledger.
func hrecmChipExperiments() []Experiment {
	const cite = "Cheng & Lin, HRECM, arXiv 2507.14386 (not in the paper: the dynamics integrated)"
	return []Experiment{
		{Name: "hrecm-retrieval", Paper: cite,
			Summary: "ideal phase model, K_s mid-gap: spectral prediction vs dynamics, retrieval from 10/20/30% flips, HRECM vs Hebbian (N = 16)",
			Run:     runHrecmRetrieval},
		{Name: "hrecm-ring", Paper: cite,
			Summary: "stability on the ring model (coupling function with an even part, the characterised 45 nm ring's ρ) against the ideal OIM's, all states of trained N = 12 memories",
			Run:     runHrecmRing},
		{Name: "hrecm-chip", Paper: cite,
			Summary: "compiled hrecm-16 chip: 3/4/5-bit codes, mismatch, phase noise, phase and cycle models; gap kept, retrieval, area, power, energy per retrieval",
			Run:     runHrecmChip},
		{Name: "hrecm-chip48", Paper: cite,
			Summary: "compiled hrecm-48 chip (Lo et al.'s 48-ring array size): a 12-pattern memory on 3/4/5-bit codes, phase and cycle models; sampled gap kept, retrieval, area, power, energy per retrieval",
			Run:     runHrecmChip48},
		{Name: "hrecm-chip48-pump", Paper: cite,
			Summary: "the 48-ring memory on the cycle model at 1, 2 and 3 × the mid-gap pump (5-bit codes)",
			Run:     runHrecmChip48Pump},
	}
}

// hrecmRetrievalN and P: 16 rings with 8 patterns, P/N = 0.5, far above the
// Hebbian capacity (≈ 0.14 N) and inside the range HRECM opens a gap ([A]).
const hrecmRetrievalN, hrecmRetrievalP = 16, 8

// hrecmFlips are the corruption levels (percent of spins flipped).
var hrecmFlips = []int{10, 20, 30}

// hrecmRelaxCycles is the integration time in oscillation cycles ([A]):
// an unstable binary state leaves at the rate K·(λ − 2K_s/K), a few 10⁷/s
// here, so 2,000 cycles (2 µs at 1 GHz) let a start kicked by 0.05 rad
// leave even close to the threshold.
const hrecmRelaxCycles = 2000

// hrecmChipOf compiles an embedded hrecm config for instance inst,
// optionally ideal (12-bit couplers, no mismatch).
func hrecmChipOf(name string, ideal bool, bits, inst int) (*chip.Chip, error) {
	nl, err := embeddedChip(name)
	if err != nil {
		return nil, err
	}
	if ideal {
		nl = bench.WithoutMismatch(nl)
		bits = 12
	}
	if bits > 0 {
		if nl, err = bench.WithBits(nl, bits); err != nil {
			return nil, err
		}
	}
	return chip.Compile(nl, chip.Options{Instance: inst})
}

// hrecmMemory is one trained (or Hebbian) memory and its operating point.
type hrecmMemory struct {
	pats [][]int8
	net  *hrecm.Net
	gap  hrecm.Gap
	next float64 // λ of the first non-desired state above max_D λ
}

func hrecmMakeMemory(ctx context.Context, env Env, set hrecmSetup, rule hrecm.Rule, n, p, s int) (*hrecmMemory, error) {
	pats, seed := hrecmPatterns(env, n, p, s)
	cfg := set.cfg
	cfg.Seed = seed
	net, err := hrecm.Couplings(ctx, rule, pats, cfg)
	if err != nil {
		return nil, err
	}
	g, next, err := hrecm.OperatingGap(ctx, net, pats, seed)
	if err != nil {
		return nil, err
	}
	return &hrecmMemory{pats: pats, net: net, gap: g, next: next}, nil
}

// hrecmTrial is what one memory on one chip measured.
type hrecmTrial struct {
	agree, predicted, starts int // spectral prediction vs dynamics
	stored                   int // random starts that ended at a stored pattern
	nonbinary                int // random starts that ended off {0, π}^N
	retrieved                map[int][2]int
	gapReal                  float64 // min λ − max_D λ of the realised J
	energy, power, area      float64
}

// hrecmTry programs mem onto ch, sets K_s (from the memory's own gap,
// scaled by the chip's realised K) and integrates random starts, the
// stored patterns and corrupted ones as one batch.
func hrecmTry(ctx context.Context, ch *chip.Chip, mem *hrecmMemory, spec hrecm.RunSpec, randoms, perLevel int, seed uint64) (*hrecmTrial, error) {
	if _, err := hrecm.Program(ch, mem.net); err != nil {
		return nil, err
	}
	re, err := hrecm.ChipCouplings(ch)
	if err != nil {
		return nil, err
	}
	n := ch.N()
	next := mem.next
	if math.IsInf(next, 1) {
		next = mem.gap.MaxDesired + 1
	}
	// The designer's pump: the middle of the gap the trained J has.
	// spec.Ks, when set, is a multiple of that point (hrecm-chip48-pump).
	mult := spec.Ks
	if mult == 0 {
		mult = 1
	}
	spec.Ks = mult * hrecm.OperatingPoint(re.K, mem.gap.MaxDesired, next)
	spec.Seed = seed
	thr := 2 * spec.Ks / re.K
	tr := &hrecmTrial{retrieved: map[int][2]int{}}
	// Exact up to N = 24, else over the distinct states of 10⁴ Gibbs
	// samples of the realised couplings.
	g, _, err := hrecm.OperatingGap(ctx, re.Net, mem.pats, seed)
	if err != nil {
		return nil, err
	}
	tr.gapReal = g.MinSpurious - g.MaxDesired
	rng := hrecm.NewRand(seed, 0xf11b)
	var starts [][]int8
	starts = append(starts, mem.pats...)
	for k := 0; k < randoms; k++ {
		starts = append(starts, hrecm.RandomState(rng, n))
	}
	type corr struct{ level, pat int }
	var corrs []corr
	for _, lv := range hrecmFlips {
		k := int(math.Round(float64(lv) * float64(n) / 100))
		for c := 0; c < perLevel; c++ {
			pi := c % len(mem.pats)
			starts = append(starts, hrecm.Flip(rng, mem.pats[pi], k))
			corrs = append(corrs, corr{lv, pi})
		}
	}
	out, err := hrecm.Relax(ctx, ch, starts, spec)
	if err != nil {
		return nil, err
	}
	ws := hrecm.NewWorkspace(re.Net)
	desired := hrecm.Distinct(mem.pats)
	for b := 0; b < len(mem.pats)+randoms; b++ {
		s := starts[b]
		pred := ws.Lambda(s) < thr
		stayed := out.Binary[b] && hrecm.Same(out.Final[b], s)
		tr.starts++
		if pred {
			tr.predicted++
		}
		if pred == stayed {
			tr.agree++
		}
		if b >= len(mem.pats) {
			switch {
			case !out.Binary[b]:
				tr.nonbinary++
			case hrecmContains(desired, out.Final[b]):
				tr.stored++
			}
		}
	}
	base := len(mem.pats) + randoms
	for c, cr := range corrs {
		b := base + c
		r := tr.retrieved[cr.level]
		r[1]++
		if out.Binary[b] && hrecm.Same(out.Final[b], mem.pats[cr.pat]) {
			r[0]++
		}
		tr.retrieved[cr.level] = r
	}
	L := ch.Ledger(out.Result)
	tr.energy, tr.power, tr.area = L.EnergyPerRun, L.TotalPower, L.DieArea
	return tr, nil
}

func hrecmContains(d []uint64, s []int8) bool {
	k := hrecm.Index(s)
	for _, x := range d {
		if x == k {
			return true
		}
	}
	return false
}

func runHrecmRetrieval(ctx context.Context, env Env) (*Result, error) {
	set := hrecmSettings(env)
	n, p := hrecmRetrievalN, hrecmRetrievalP
	randoms, perLevel := 1000, 40
	if env.Quick {
		randoms, perLevel = 100, 16
	}
	res := &Result{}
	rules := []hrecm.Rule{hrecm.RuleHRECM, hrecm.RuleHebbian}
	type acc struct {
		agree, open                  []float64
		stored, nonbinary, predicted []float64
		retr                         map[int][]float64
	}
	accs := map[hrecm.Rule]*acc{}
	for _, r := range rules {
		accs[r] = &acc{retr: map[int][]float64{}}
	}
	for s := 0; s < set.seeds; s++ {
		for _, rule := range rules {
			mem, err := hrecmMakeMemory(ctx, env, set, rule, n, p, s)
			if err != nil {
				return nil, err
			}
			ch, err := hrecmChipOf("hrecm-16.toml", true, 0, s)
			if err != nil {
				return nil, err
			}
			spec := hrecm.RunSpec{Model: netlist.ModelPhase, Duration: hrecmRelaxCycles / ch.Netlist().Oscillators.Frequency, Jitter: 0.05, NoNoise: true}
			tr, err := hrecmTry(ctx, ch, mem, spec, randoms, perLevel, uint64(env.Seed)*7919+uint64(s))
			if err != nil {
				return nil, err
			}
			a := accs[rule]
			a.agree = append(a.agree, 100*float64(tr.agree)/float64(tr.starts))
			a.predicted = append(a.predicted, float64(tr.predicted))
			a.stored = append(a.stored, 100*float64(tr.stored)/float64(randoms))
			a.nonbinary = append(a.nonbinary, 100*float64(tr.nonbinary)/float64(randoms))
			open := 0.0
			if mem.gap.Open() {
				open = 100
			}
			a.open = append(a.open, open)
			for lv, r := range tr.retrieved {
				a.retr[lv] = append(a.retr[lv], 100*float64(r[0])/float64(r[1]))
			}
			env.Logf("hrecm-retrieval: seed %d %s: gap %.3f…%.3f, agreement %d/%d, retrieved %v", s, rule, mem.gap.MaxDesired, mem.next, tr.agree, tr.starts, tr.retrieved)
		}
	}
	for _, rule := range rules {
		a := accs[rule]
		res.addMean("agree/"+string(rule), a.agree, Paper(99), "% of starts")
		res.addMean("open/"+string(rule), a.open, NoPaper, "% of seeds with a K_s window")
		res.addMean("stable-predicted/"+string(rule), a.predicted, NoPaper, "states")
		res.addMean("random-to-stored/"+string(rule), a.stored, NoPaper, "% of random starts")
		res.addMean("random-nonbinary/"+string(rule), a.nonbinary, NoPaper, "% of random starts")
		for _, lv := range hrecmFlips {
			res.addMean(fmt.Sprintf("retrieve/%d/%s", lv, rule), a.retr[lv], NoPaper, "%")
		}
	}
	res.Notes = append(res.Notes, hrecmNote(set),
		fmt.Sprintf("N = %d, P = %d random patterns; chip hrecm-16 made ideal (12-bit couplers, no mismatch, no phase noise), phase model, %d cycles; starts kicked by ±0.05 rad uniform", n, p, hrecmRelaxCycles),
		"K_s: 2K_s/K at the midpoint between max_D λ and the next state's λ (the trained gap's middle when it is open; for Hebbian, whose gap is usually closed, the same rule stabilises every desired pattern and the fewest others)",
		fmt.Sprintf("agree: the spectral prediction (λ(σ) < 2K_s/K) matches whether the dynamics stay at σ, over the %d stored patterns and %d random binary starts (goal ≥ 99%%)", p, randoms),
		fmt.Sprintf("retrieve/F: %d corrupted starts per level, F%% of the spins flipped; success = ending exactly at ±the pattern", perLevel))
	return res, nil
}

// hrecmChipCase is one compiled-chip retrieval study: a chip description,
// the memory's size and load, the coupler resolutions and the models.
type hrecmChipCase struct {
	config            string
	n, p, seeds       int
	bits              []int
	models            []netlist.Model
	randoms, perLevel int
	what              string
	// pumps are multiples of the mid-gap K_s to run at (nil: 1 only);
	// keys of a multiple m ≠ 1 carry "-ksm" after the model.
	pumps []float64
}

func runHrecmChip(ctx context.Context, env Env) (*Result, error) {
	c := hrecmChipCase{config: "hrecm-16.toml", n: hrecmRetrievalN, p: hrecmRetrievalP, seeds: hrecmSettings(env).seeds,
		bits: []int{3, 4, 5}, models: []netlist.Model{netlist.ModelPhase, netlist.ModelCycle}, randoms: 200, perLevel: 40, what: "hrecm-chip"}
	if env.Quick {
		c.randoms, c.perLevel, c.models = 50, 16, []netlist.Model{netlist.ModelPhase}
	}
	return runHrecmChipCase(ctx, env, c)
}

// hrecmChip48P is the load of the 48-ring memory ([A]): P/N = 0.25, above
// the Hebbian capacity (≈ 0.14 N) and below the loads where Exp. 3's r'
// rises at N ≈ 50.
const hrecmChip48P = 12

func runHrecmChip48(ctx context.Context, env Env) (*Result, error) {
	// [A] 3 seeds and 100 random starts (not 5 and 200): a 48-ring batch
	// costs 9× a 16-ring one per start, and training an N = 48 memory
	// about 30× an N = 16 one.
	c := hrecmChipCase{config: "hrecm-48.toml", n: 48, p: hrecmChip48P, seeds: 3,
		bits: []int{3, 4, 5}, models: []netlist.Model{netlist.ModelPhase, netlist.ModelCycle}, randoms: 100, perLevel: 40, what: "hrecm-chip48"}
	if env.Quick {
		c.seeds, c.randoms, c.perLevel, c.models = 1, 20, 6, []netlist.Model{netlist.ModelPhase}
	}
	return runHrecmChipCase(ctx, env, c)
}

// runHrecmChip48Pump reruns the 48-ring memory on the cycle model at 1, 2
// and 3 times the mid-gap pump: at 1× the stored patterns drift more than
// 0.5 rad off {0, π} on that model (docs/hrecm.md).
func runHrecmChip48Pump(ctx context.Context, env Env) (*Result, error) {
	c := hrecmChipCase{config: "hrecm-48.toml", n: 48, p: hrecmChip48P, seeds: 3,
		bits: []int{5}, models: []netlist.Model{netlist.ModelCycle}, pumps: []float64{1, 2, 3}, randoms: 100, perLevel: 40, what: "hrecm-chip48-pump"}
	if env.Quick {
		c.seeds, c.randoms, c.perLevel, c.pumps = 1, 20, 6, []float64{1, 3}
	}
	return runHrecmChipCase(ctx, env, c)
}

func runHrecmChipCase(ctx context.Context, env Env, c hrecmChipCase) (*Result, error) {
	set := hrecmSettings(env)
	set.seeds = c.seeds
	n, p := c.n, c.p
	randoms, perLevel := c.randoms, c.perLevel
	res := &Result{}
	type acc struct{ gap, keep, agree, energy, power, area, spur []float64 }
	// One trained memory per seed, shared by every model and resolution.
	mems := make([]*hrecmMemory, set.seeds)
	for s := range mems {
		var err error
		if mems[s], err = hrecmMakeMemory(ctx, env, set, hrecm.RuleHRECM, n, p, s); err != nil {
			return nil, err
		}
		g := mems[s].gap
		env.Logf("%s: seed %d trained: max_D λ %.3f, next %.3f, spurious %d of %d", c.what, s, g.MaxDesired, mems[s].next, g.Spurious, g.Others)
	}
	pumps := c.pumps
	if pumps == nil {
		pumps = []float64{1}
	}
	for _, model := range c.models {
		for _, pump := range pumps {
			for _, bits := range c.bits {
				a := acc{}
				retr := map[int][]float64{}
				for s := 0; s < set.seeds; s++ {
					mem := mems[s]
					ch, err := hrecmChipOf(c.config, false, bits, s)
					if err != nil {
						return nil, err
					}
					spec := hrecm.RunSpec{Model: model, Duration: hrecmRelaxCycles / ch.Netlist().Oscillators.Frequency, Jitter: 0.05, Ks: pump}
					if model == netlist.ModelCycle {
						// [A] the cycle model at 32 steps a cycle costs 8× the
						// phase model's; 1,000 cycles still let starts leave.
						spec.Duration /= 2
					}
					tr, err := hrecmTry(ctx, ch, mem, spec, randoms, perLevel, uint64(env.Seed)*104729+uint64(s))
					if err != nil {
						return nil, err
					}
					ideal := mem.gap.MinSpurious - mem.gap.MaxDesired
					a.gap = append(a.gap, tr.gapReal)
					if ideal > 0 {
						a.keep = append(a.keep, 100*tr.gapReal/ideal)
					}
					a.spur = append(a.spur, 100*mem.gap.Rate())
					a.agree = append(a.agree, 100*float64(tr.agree)/float64(tr.starts))
					a.energy = append(a.energy, tr.energy)
					a.power = append(a.power, tr.power)
					a.area = append(a.area, tr.area)
					for lv, r := range tr.retrieved {
						retr[lv] = append(retr[lv], 100*float64(r[0])/float64(r[1]))
					}
					env.Logf("%s: %s ×%g pump %d-bit seed %d: gap %.3f (ideal %.3f), agreement %d/%d, retrieved %v, %.3g J/retrieval, %.3g W, %.3g m²", c.what, model, pump, bits, s, tr.gapReal, ideal, tr.agree, tr.starts, tr.retrieved, tr.energy, tr.power, tr.area)
				}
				pre := fmt.Sprintf("%s/%dbit/", model, bits)
				if pump != 1 {
					pre = fmt.Sprintf("%s-ks%g/%dbit/", model, pump, bits)
				}
				res.addMean(pre+"gap", a.gap, NoPaper, "λ units")
				if len(a.keep) > 0 {
					res.addMean(pre+"gap-kept", a.keep, NoPaper, "% of the trained gap")
				}
				if n > hrecm.MaxEnumerate {
					res.addMean(pre+"trained-r'", a.spur, NoPaper, "% of distinct sampled states")
				}
				res.addMean(pre+"agree", a.agree, NoPaper, "% of starts")
				for _, lv := range hrecmFlips {
					res.addMean(fmt.Sprintf("%sretrieve/%d", pre, lv), retr[lv], NoPaper, "%")
				}
				res.addMean(pre+"energy", scale(a.energy, 1e9), NoPaper, "nJ per retrieval")
				res.addMean(pre+"power", scale(a.power, 1e3), NoPaper, "mW")
				res.addMean(pre+"area", scale(a.area, 1e6), NoPaper, "mm²")
			}
		}
	}
	gapHow := fmt.Sprintf("exact over all 2^%d states", n-1)
	if n > hrecm.MaxEnumerate {
		gapHow = fmt.Sprintf("over the distinct states of %d Gibbs samples (a sampled gap: min over the sample)", hrecm.GapSamples)
	}
	res.Notes = append(res.Notes, hrecmNote(set),
		fmt.Sprintf("chip %s (its frequency and coupler mismatch and phase noise), one chip instance per seed; N = %d, P = %d; K_s from the trained (unquantised) gap's middle scaled by the chip's realised K; %d random starts, %d corrupted starts per flip level", c.config, n, p, randoms, perLevel),
		"gap: min λ − max_D λ of the chip's realised J (quantised, mismatched, symmetrised), "+gapHow+"; gap-kept: that over the trained J's gap; energy, power, area: the chip's ledger for one run of the retrieval time")
	return res, nil
}

func scale(xs []float64, f float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * f
	}
	return out
}

// hrecmGeneric45 is ρ of the generic 45 nm ring characterised in ngspice
// (spice/testdata/generic45.ring.toml, hrecm.RingCouplingOf): the even part
// of its coupling function at Δ = 0 and π per first sine harmonic.
var hrecmGeneric45 = hrecm.RingCoupling{In: -0.1616, Inv: -0.3346}

func runHrecmRing(ctx context.Context, env Env) (*Result, error) {
	set := hrecmSettings(env)
	const n, p = 12, 5
	scales := []float64{0, 0.25, 0.5, 1}
	res := &Result{}
	type acc struct{ agree, kept, shift, lost, gained []float64 }
	accs := make([]acc, len(scales))
	for s := 0; s < set.seeds; s++ {
		mem, err := hrecmMakeMemory(ctx, env, set, hrecm.RuleHRECM, n, p, s)
		if err != nil {
			return nil, err
		}
		next := mem.next
		if math.IsInf(next, 1) {
			next = mem.gap.MaxDesired + 1
		}
		const k = 1.0
		ks := hrecm.OperatingPoint(k, mem.gap.MaxDesired, next)
		thr := 2 * ks / k
		ws := hrecm.NewWorkspace(mem.net)
		desired := hrecm.Distinct(mem.pats)
		st := make([]int8, n)
		for si, sc := range scales {
			rc := hrecm.RingCoupling{In: sc * hrecmGeneric45.In, Inv: sc * hrecmGeneric45.Inv}
			var agree, total, kept, lost, gained int
			shift := 0.0
			for idx := uint64(0); idx < 1<<(n-1); idx++ {
				hrecm.State(idx, st)
				ideal := ws.Lambda(st) < thr
				r := mem.net.RingAt(st, k, ks, rc)
				ring := r.Stable()
				total++
				if ideal == ring {
					agree++
				} else if ideal {
					lost++
				} else {
					gained++
				}
				if hrecmContains(desired, st) {
					if ring {
						kept++
					}
					if r.Found {
						shift = math.Max(shift, r.Shift)
					}
				}
			}
			a := &accs[si]
			a.agree = append(a.agree, 100*float64(agree)/float64(total))
			a.kept = append(a.kept, 100*float64(kept)/float64(len(desired)))
			a.shift = append(a.shift, shift)
			a.lost = append(a.lost, float64(lost))
			a.gained = append(a.gained, float64(gained))
		}
	}
	for si, sc := range scales {
		a := accs[si]
		pre := fmt.Sprintf("rho%.2g/", sc)
		res.addMean(pre+"agree", a.agree, NoPaper, "% of states")
		res.addMean(pre+"stored-stable", a.kept, NoPaper, "% of stored patterns")
		res.addMean(pre+"lost", a.lost, NoPaper, "states stable ideally, not on the ring model")
		res.addMean(pre+"gained", a.gained, NoPaper, "states stable on the ring model only")
		res.addMean(pre+"shift", a.shift, NoPaper, "rad (largest, stored patterns)")
	}
	res.Notes = append(res.Notes, hrecmNote(set),
		fmt.Sprintf("N = %d, P = %d; K = 1, 2K_s/K at the trained gap's middle; the ring model's coupling K·J_ij·[sin Δ + ρ_p (cos Δ − cos Δ*_p)] with ρ = scale × the characterised 45 nm ring's (in-phase %.4f, inverter %.4f); a state is stable on it when Newton's method from its phases finds an equilibrium within 0.5 rad whose Jacobian has all eigenvalues in the left half-plane", n, p, hrecmGeneric45.In, hrecmGeneric45.Inv),
		"rhoS/agree: share of all 2^(N−1) states where ring-model and ideal stability agree; the pump's own second-order terms of a characterised ring are not included")
	return res, nil
}
