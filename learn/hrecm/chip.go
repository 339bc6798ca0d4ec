package hrecm

import (
	"context"
	"fmt"
	"math"
	"slices"

	"oscsim/chip"
	"oscsim/coupling"
	"oscsim/netlist"
)

// Program writes net's couplings onto the chip: one edge per pair with
// J_ij ≠ 0, the largest |J_ij| on the largest code (the chip's
// quantize = "scale" rule, or its full_scale when the description sets
// one). The chip's mismatch instance is kept.
func Program(ch *chip.Chip, net *Net) (coupling.Report, error) {
	if ch.N() != net.N {
		return coupling.Report{}, fmt.Errorf("hrecm: chip %s has %d oscillators, the network %d spins", ch.Netlist().Name, ch.N(), net.N)
	}
	var edges []netlist.Edge
	for i := 0; i < net.N; i++ {
		for j := i + 1; j < net.N; j++ {
			if w := net.At(i, j); w != 0 {
				edges = append(edges, netlist.Edge{I: i, J: j, W: w})
			}
		}
	}
	return ch.Program(edges)
}

// Realised is what a programmed chip's phase model implements, in the
// terms of eq (1): J (weight units, symmetrised), K (rad/s per weight
// unit) and K_s (rad/s, the full-strength pump).
type Realised struct {
	Net *Net
	K   float64
	Ks  float64
	// Asymmetry is max_{i<j} |K_ij − K_ji| / K: the inverter path has one
	// coupler per direction, each with its own mismatch, so the chip's
	// coupling matrix is not exactly symmetric; Net is (K_ij + K_ji)/(2K).
	Asymmetry float64
	// Detuning is max_i |Δω_i| / K (frequency mismatch in weight units).
	Detuning float64
}

// ChipCouplings returns the couplings the programmed chip realises, from
// its couplers' conductances (quantised, mismatch drawn): K_ij = h·G_ij/C
// with h the ring's gain of the coupler's path (docs/hrecm.md, "On the
// chip").
func ChipCouplings(ch *chip.Chip) (*Realised, error) {
	n := ch.N()
	if n < 2 || n > MaxSpins {
		return nil, fmt.Errorf("hrecm: chip %s has %d oscillators, want 2…%d", ch.Netlist().Name, n, MaxSpins)
	}
	unitK, ks, _ := ch.Rates()
	ring := ch.Ring()
	inv := ring.InverterGain() / ring.CouplingGain()
	// Weight per code step, so that K·J_ij = K_ij.
	step := ch.CodeValue(1)
	if !(step > 0) {
		step = 1
	}
	k := unitK / step
	g0 := ch.UnitConductance()
	dir := make([]float64, n*n) // K_ij / K
	for _, c := range ch.Couplers() {
		w := c.G / g0 * step
		if c.Inverted {
			w = -w * inv
		}
		dir[c.To*n+c.From] += w
	}
	r := &Realised{Net: NewNet(n), K: k, Ks: ks}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a, b := dir[i*n+j], dir[j*n+i]
			r.Net.Set(i, j, (a+b)/2)
			r.Asymmetry = math.Max(r.Asymmetry, math.Abs(a-b))
		}
	}
	for _, d := range ch.Detuning() {
		r.Detuning = math.Max(r.Detuning, math.Abs(d)/k)
	}
	return r, nil
}

// RunSpec says how Relax integrates a batch.
type RunSpec struct {
	// Model is the chip model ("" = the description's).
	Model netlist.Model
	// Ks is the pump rate K_s (rad/s) to run at; 0 keeps the chip's.
	Ks float64
	// Duration (s); 0 keeps the description's.
	Duration float64
	// StepsPerCycle; 0 keeps the description's.
	StepsPerCycle float64
	// Jitter is the half-width (rad) of the uniform kick added to each
	// start's phases: binary states are equilibria, so an unkicked
	// noiseless start never moves.
	Jitter float64
	// NoNoise switches phase noise off.
	NoNoise bool
	// Seed draws the kicks (and selects the noise realisation).
	Seed uint64
	// Tol is how far (rad) from 0 or π a final phase may be for the state
	// to count as binary (0: 0.5). The cycle model locks about 0.1 rad
	// off the reference (its pump's phase lag), detuning and noise add to
	// it; 0.2 rad failed every cycle-model run of hrecm-chip.
	Tol float64
}

// Relaxed is the outcome of a batch: the final spins sign(cos θ_i), and
// whether every phase ended within Tol of 0 or π.
type Relaxed struct {
	Final  [][]int8
	Binary []bool
	Result *chip.Result
}

// Relax runs the starts (±1 states: σ_i = +1 at phase 0, −1 at π, each
// kicked by Jitter) as one batch of chip inputs and reads where they end.
func Relax(ctx context.Context, ch *chip.Chip, starts [][]int8, spec RunSpec) (*Relaxed, error) {
	n := ch.N()
	rng := NewRand(spec.Seed, 0x7e1a)
	in := make([]chip.Input, len(starts))
	for b, s := range starts {
		if len(s) != n {
			return nil, fmt.Errorf("hrecm: start %d has %d spins, the chip %d oscillators", b, len(s), n)
		}
		ph := make([]float64, n)
		for i, v := range s {
			if v < 0 {
				ph[i] = math.Pi
			}
			ph[i] += spec.Jitter * (2*rng.Float64() - 1)
		}
		in[b] = chip.Input{Phases: ph}
	}
	opt := chip.RunOptions{Model: spec.Model, Duration: spec.Duration, StepsPerCycle: spec.StepsPerCycle,
		NoNoise: spec.NoNoise, NoiseSeed: int64(spec.Seed)}
	if spec.Ks > 0 {
		_, ks, _ := ch.Rates()
		if !(ks > 0) {
			return nil, fmt.Errorf("hrecm: chip %s has no pump ([shil]) to scale to K_s", ch.Netlist().Name)
		}
		opt.KsScale = spec.Ks / ks
	}
	if opt.StepsPerCycle == 0 {
		// The description's step may be too coarse for the programmed
		// couplings and the scaled pump: take at least the fewest steps
		// the engine accepts.
		model := opt.Model
		if model == "" {
			model = ch.Netlist().Run.Model
		}
		opt.StepsPerCycle = ch.Netlist().Run.StepsPerCycle
		if model != ch.Netlist().Run.Model {
			opt.StepsPerCycle = 0
		}
		opt.StepsPerCycle = math.Max(opt.StepsPerCycle, ch.MinStepsPerCycle(model, opt.KsScale))
	}
	res, err := ch.Run(ctx, in, opt)
	if err != nil {
		return nil, err
	}
	tol := spec.Tol
	if tol == 0 {
		tol = 0.5
	}
	out := &Relaxed{Final: make([][]int8, len(starts)), Binary: make([]bool, len(starts)), Result: res}
	for b := range starts {
		s := make([]int8, n)
		bin := true
		for i, p := range res.Final[b] {
			s[i] = 1
			if math.Cos(p) < 0 {
				s[i] = -1
			}
			if math.Abs(math.Sin(p)) > math.Sin(tol) {
				bin = false
			}
		}
		out.Final[b], out.Binary[b] = s, bin
	}
	return out, nil
}

// Same reports whether a and b are the same state pair (a = ±b).
func Same(a, b []int8) bool { return Index(a) == Index(b) }

// Flip returns a copy of s with k distinct random spins flipped.
func Flip(rng interface{ Perm(int) []int }, s []int8, k int) []int8 {
	out := append([]int8(nil), s...)
	for _, i := range rng.Perm(len(s))[:k] {
		out[i] = -out[i]
	}
	return out
}

// OperatingPoint returns the K_s (rad/s) for a network whose desired
// patterns have largest λ maxD and whose next state above has λ next:
// 2K_s/K at their midpoint (docs/hrecm.md: "K_s in the middle of the gap").
func OperatingPoint(k, maxD, next float64) float64 { return k * (maxD + next) / 4 }

// NextAbove returns the smallest λ in sp strictly above thr (by the
// package Tolerance), or +Inf.
func NextAbove(sp *Spectrum, thr float64) float64 {
	cut := thr + Tolerance*(math.Abs(thr)+1)
	best := math.Inf(1)
	for _, l := range sp.Lambda {
		if l > cut && l < best {
			best = l
		}
	}
	return best
}

// GapSamples is how many Gibbs samples OperatingGap draws beyond exact
// enumeration ([A] 10⁴, as Exp. 3's r').
const GapSamples = 10000

// OperatingGap returns a network's gap for its patterns and the λ of the
// first other state above max_D λ (NextAbove), from which OperatingPoint
// sets the pump: exact over all states for N ≤ MaxEnumerate, beyond that
// over the distinct states of GapSamples fresh Gibbs samples at T = 1,
// 10 sweeps (seeded by seed); Gap.Others then counts the distinct
// non-desired sampled states and Gap.Spurious those at or below max_D λ
// (Exp. 3's r').
func OperatingGap(ctx context.Context, net *Net, patterns [][]int8, seed uint64) (Gap, float64, error) {
	if net.N <= MaxEnumerate {
		sp, err := Enumerate(ctx, net, Options{Workers: 1})
		if err != nil {
			return Gap{}, 0, err
		}
		g := ExactGap(sp, patterns)
		return g, NextAbove(sp, g.MaxDesired), nil
	}
	ws := NewWorkspace(net)
	d := Distinct(patterns)
	g := Gap{MaxDesired: math.Inf(-1), MinSpurious: math.Inf(1)}
	for _, p := range patterns {
		g.MaxDesired = math.Max(g.MaxDesired, ws.Lambda(p))
	}
	cut := g.MaxDesired + Tolerance*(math.Abs(g.MaxDesired)+1)
	next := math.Inf(1)
	seen := map[uint64]bool{}
	for _, s := range (Gibbs{Net: net, T: 1, Sweeps: 10}).Sample(NewRand(seed, 0x9a9), GapSamples) {
		k := Index(s)
		if seen[k] || slices.Contains(d, k) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return g, next, err
		}
		seen[k] = true
		l := ws.Lambda(s)
		g.Others++
		g.MinSpurious = math.Min(g.MinSpurious, l)
		if l <= cut {
			g.Spurious++
		} else if l < next {
			next = l
		}
	}
	return g, next, nil
}
