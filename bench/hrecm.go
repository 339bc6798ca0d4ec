package bench

import (
	"context"
	"fmt"
	"math"
	"path/filepath"

	"oscsim/chip"
	"oscsim/learn/hrecm"
	"oscsim/netlist"
)

// HRECM is the associative-memory workload (docs/hrecm.md): a coupling
// matrix trained by HRECM (Cheng & Lin, arXiv 2507.14386) to make exactly
// P patterns stable binary states, programmed onto the chip, the pump set
// in the middle of the trained eigen-gap, and corrupted patterns relaxed
// on the chip's engine. Metrics: accuracy (corrupted starts that end
// exactly at ±their pattern), stored_kept (stored patterns that stay),
// gap (the realised couplings' min λ − max_D λ, exact for N ≤ 24, else
// NaN), time_to_solution_s and the ledger's figures (RunLedger).
type HRECM struct {
	net   *hrecm.Net
	pats  [][]int8
	maxD  float64
	next  float64
	flips int
	per   int
	model netlist.Model
	dur   float64
	file  string
}

// hrecmParams are the "hrecm" workload's parameters; newHRECM gives their
// defaults.
type hrecmParams struct {
	Weights     string        `toml:"weights"`
	Patterns    int           `toml:"patterns"`
	PatternSeed int           `toml:"pattern_seed"`
	Iters       int           `toml:"iters"`
	Gamma       float64       `toml:"gamma"`
	Flips       float64       `toml:"flips"`
	Starts      int           `toml:"starts"`
	Model       netlist.Model `toml:"model"`
	Cycles      float64       `toml:"cycles"`
}

func newHRECM(spec Spec, p *params, nl *netlist.Netlist) (Workload, error) {
	n := nl.Oscillators.N()
	w := &HRECM{}
	cfgp := hrecmParams{Patterns: 8, PatternSeed: 1, Iters: 1000, Gamma: 0.1, Flips: 0.2, Starts: 10, Cycles: 2000}
	if err := p.Decode(&cfgp); err != nil {
		return nil, err
	}
	weights, np, pseed, iters, gamma, flips, cycles := cfgp.Weights, cfgp.Patterns, cfgp.PatternSeed, cfgp.Iters, cfgp.Gamma, cfgp.Flips, cfgp.Cycles
	w.per, w.model = cfgp.Starts, cfgp.Model
	switch {
	case !(flips >= 0 && flips < 1):
		return nil, p.bad("flips", "must be in [0, 1) (got %v)", flips)
	case w.per < 1:
		return nil, p.bad("starts", "must be ≥ 1 (got %d)", w.per)
	case !(cycles > 0):
		return nil, p.bad("cycles", "must be > 0 (got %v)", cycles)
	case np < 1:
		return nil, p.bad("patterns", "must be ≥ 1 (got %d)", np)
	}
	var err error
	w.flips = int(math.Round(flips * float64(n)))
	w.dur = cycles / nl.Oscillators.Frequency
	if weights != "" {
		if !filepath.IsAbs(weights) && spec.Dir != "" {
			weights = filepath.Join(spec.Dir, weights)
		}
		w.file = weights
		if w.net, w.pats, err = hrecm.Load(weights); err != nil {
			return nil, fmt.Errorf("bench: hrecm.weights: %w", err)
		}
		if len(w.pats) == 0 {
			return nil, fmt.Errorf("bench: hrecm.weights %s holds no \"patterns\"", weights)
		}
	} else {
		w.pats = hrecm.RandomPatterns(hrecm.NewRand(uint64(pseed), 0x5eed), n, np)
		cfg := hrecm.DefaultConfig()
		cfg.Iters, cfg.Gamma, cfg.Seed = iters, gamma, uint64(pseed)
		if w.net, err = hrecm.Train(context.Background(), w.pats, cfg, nil); err != nil {
			return nil, fmt.Errorf("bench: hrecm: %w", err)
		}
	}
	if w.net.N != n {
		return nil, fmt.Errorf("bench: hrecm: the network has %d spins, chip %s %d rings", w.net.N, nl.Name, n)
	}
	// The pump's window: exact up to N = 24, else over 10⁴ Gibbs samples.
	g, next, err := hrecm.OperatingGap(context.Background(), w.net, w.pats, 1)
	w.maxD, w.next = g.MaxDesired, next
	return w, err
}

// Name implements Workload.
func (w *HRECM) Name() string { return "hrecm" }

// Files implements FileUser.
func (w *HRECM) Files() []string {
	if w.file == "" {
		return nil
	}
	return []string{w.file}
}

// Run implements Workload.
func (w *HRECM) Run(ctx context.Context, ch *chip.Chip, seed int64) (Metrics, error) {
	m, _, err := w.RunLedger(ctx, ch, seed)
	return m, err
}

// RunLedger implements LedgerWorkload: one batch holds the stored patterns
// and `starts` corrupted copies of each; the ledger is that of one run.
func (w *HRECM) RunLedger(ctx context.Context, ch *chip.Chip, seed int64) (Metrics, *chip.Ledger, error) {
	if _, err := hrecm.Program(ch, w.net); err != nil {
		return nil, nil, err
	}
	re, err := hrecm.ChipCouplings(ch)
	if err != nil {
		return nil, nil, err
	}
	next := w.next
	if math.IsInf(next, 1) {
		next = w.maxD + 1
	}
	rng := hrecm.NewRand(uint64(seed), 0xc0aa)
	starts := append([][]int8(nil), w.pats...)
	for k := 0; k < w.per; k++ {
		for _, p := range w.pats {
			starts = append(starts, hrecm.Flip(rng, p, w.flips))
		}
	}
	out, err := hrecm.Relax(ctx, ch, starts, hrecm.RunSpec{Model: w.model, Duration: w.dur,
		Ks: hrecm.OperatingPoint(re.K, w.maxD, next), Jitter: 0.05, Seed: uint64(seed)})
	if err != nil {
		return nil, nil, err
	}
	P := len(w.pats)
	kept, ok := 0, 0
	for b := range starts {
		hit := out.Binary[b] && hrecm.Same(out.Final[b], w.pats[b%P])
		if b < P {
			if hit {
				kept++
			}
		} else if hit {
			ok++
		}
	}
	gap := math.NaN()
	if re.Net.N <= hrecm.MaxEnumerate {
		sp, err := hrecm.Enumerate(ctx, re.Net, hrecm.Options{Workers: 1})
		if err != nil {
			return nil, nil, err
		}
		g := hrecm.ExactGap(sp, w.pats)
		gap = g.MinSpurious - g.MaxDesired
	}
	pw := 0.0
	for _, v := range out.Result.CouplerPower {
		pw += v
	}
	L := ch.Ledger(out.Result)
	return Metrics{
		"accuracy":           float64(ok) / float64(len(starts)-P),
		"stored_kept":        float64(kept) / float64(P),
		"gap":                gap,
		"time_to_solution_s": out.Result.Duration,
		"coupler_power_w":    pw / float64(len(starts)),
	}, L, nil
}
