package hrecm

import (
	"context"
	"fmt"
	"math"
	"slices"

	"oscsim/chip"
)

// Analysis is the stability of a programmed chip's binary states at its
// pump strength (docs/hrecm.md, "oscsim stability").
type Analysis struct {
	Chip string `json:"chip"`
	N    int    `json:"n"`
	// K (rad/s per weight unit) and Ks (rad/s) of the realised couplings
	// and pump; Threshold = 2K_s/K: σ is stable iff λ(σ) < Threshold.
	K         float64 `json:"k_rad_s"`
	Ks        float64 `json:"ks_rad_s"`
	Threshold float64 `json:"threshold"`
	// Asymmetry and Detuning of the realised couplings (Realised).
	Asymmetry float64 `json:"asymmetry"`
	Detuning  float64 `json:"detuning"`
	// Exact is true when every state pair was solved (N ≤ MaxEnumerate);
	// otherwise States are the distinct pairs among Gibbs samples.
	Exact  bool   `json:"exact"`
	States uint64 `json:"states"`
	Stable uint64 `json:"stable"`
	// With patterns: their gap, and the K_s window (rad/s, pump current in
	// A, and as the description's shil.ks, a fraction of ω_ref) that makes
	// exactly them stable, when Window is true.
	Patterns int     `json:"patterns"`
	Gap      *Gap    `json:"gap,omitempty"`
	Window   bool    `json:"window"`
	KsLo     float64 `json:"ks_lo_rad_s,omitempty"`
	KsHi     float64 `json:"ks_hi_rad_s,omitempty"`
	PumpLo   float64 `json:"pump_lo_a,omitempty"`
	PumpHi   float64 `json:"pump_hi_a,omitempty"`
	KsFracLo float64 `json:"shil_ks_lo,omitempty"`
	KsFracHi float64 `json:"shil_ks_hi,omitempty"`
	// Desired are the patterns' state indices.
	Desired []uint64 `json:"desired_states,omitempty"`
	// Ring is the even part of the chip's ring model's coupling function
	// (zero for the analytic ring). When it is not zero, RingStable counts
	// the Stable states that the ring model also holds (an equilibrium
	// within 0.5 rad, all Jacobian eigenvalues with negative real part),
	// RingPatterns the patterns it holds, and RingShift the largest shift
	// of their equilibria (rad).
	Ring         RingCoupling `json:"ring_rho"`
	RingStable   uint64       `json:"ring_stable,omitempty"`
	RingPatterns int          `json:"ring_patterns_stable,omitempty"`
	RingShift    float64      `json:"ring_shift_rad,omitempty"`
	// Spectrum (exact) or the sampled states' indices, H and λ.
	Spectrum *Spectrum `json:"-"`
	Sampled  []uint64  `json:"-"`
}

// AnalyzeOptions steer Analyze.
type AnalyzeOptions struct {
	Options
	// Samples is the number of Gibbs samples beyond MaxEnumerate (0: 10⁴).
	Samples int
	// Seed draws the samples.
	Seed uint64
}

// Analyze computes the stability of every binary state of the chip's
// programmed couplings at its pump (exact for N ≤ MaxEnumerate, Gibbs-
// sampled beyond), and, given patterns, the K_s window of eq (6).
func Analyze(ctx context.Context, ch *chip.Chip, patterns [][]int8, opt AnalyzeOptions) (*Analysis, error) {
	re, err := ChipCouplings(ch)
	if err != nil {
		return nil, err
	}
	n := ch.N()
	for k, p := range patterns {
		if len(p) != n {
			return nil, fmt.Errorf("hrecm: pattern %d has %d spins, the chip %d oscillators", k, len(p), n)
		}
	}
	a := &Analysis{Chip: ch.Netlist().Name, N: n, K: re.K, Ks: re.Ks, Threshold: 2 * re.Ks / re.K,
		Asymmetry: re.Asymmetry, Detuning: re.Detuning, Patterns: len(patterns)}
	var lam func(k uint64) float64
	if n <= MaxEnumerate {
		sp, err := Enumerate(ctx, re.Net, opt.Options)
		if err != nil {
			return nil, err
		}
		a.Exact, a.Spectrum, a.States = true, sp, uint64(len(sp.Lambda))
		for _, l := range sp.Lambda {
			if l < a.Threshold {
				a.Stable++
			}
		}
		lam = func(k uint64) float64 { return sp.Lambda[k] }
	} else {
		m := opt.Samples
		if m == 0 {
			m = 10000
		}
		g := Gibbs{Net: re.Net, T: 1, Sweeps: 10}
		rng := NewRand(opt.Seed, 0xa7a1)
		seen := map[uint64]bool{}
		for _, s := range g.Sample(rng, m) {
			seen[Index(s)] = true
		}
		for _, p := range patterns {
			seen[Index(p)] = true
		}
		for k := range seen {
			a.Sampled = append(a.Sampled, k)
		}
		slices.Sort(a.Sampled)
		sp := &Spectrum{N: n, H: make([]float64, len(a.Sampled)), Lambda: make([]float64, len(a.Sampled))}
		ws := NewWorkspace(re.Net)
		s := make([]int8, n)
		for i, k := range a.Sampled {
			State(k, s)
			sp.H[i], sp.Lambda[i] = re.Net.Hamiltonian(s), ws.Lambda(s)
			if sp.Lambda[i] < a.Threshold {
				a.Stable++
			}
		}
		a.Spectrum, a.States = sp, uint64(len(a.Sampled))
		lam = func(k uint64) float64 {
			i, _ := slices.BinarySearch(a.Sampled, k)
			return sp.Lambda[i]
		}
	}
	ring := ch.Ring()
	a.Ring = RingCouplingOf(&ring)
	if a.Ring != (RingCoupling{}) {
		s := make([]int8, n)
		for i, l := range a.Spectrum.Lambda {
			if l < a.Threshold && a.Ring.hold(re, State(a.StateAt(i), s), nil) {
				a.RingStable++
			}
		}
		for _, k := range Distinct(patterns) {
			if a.Ring.hold(re, State(k, s), &a.RingShift) {
				a.RingPatterns++
			}
		}
	}
	if len(patterns) == 0 {
		return a, nil
	}
	d := Distinct(patterns)
	a.Desired = d
	g := Gap{MaxDesired: math.Inf(-1), MinSpurious: math.Inf(1)}
	for _, k := range d {
		g.MaxDesired = math.Max(g.MaxDesired, lam(k))
	}
	thr := g.MaxDesired + Tolerance*(math.Abs(g.MaxDesired)+1)
	visit := func(k uint64, l float64) {
		if slices.Contains(d, k) {
			return
		}
		g.Others++
		g.MinSpurious = math.Min(g.MinSpurious, l)
		if l <= thr {
			g.Spurious++
		}
	}
	if a.Exact {
		for k, l := range a.Spectrum.Lambda {
			visit(uint64(k), l)
		}
	} else {
		for i, k := range a.Sampled {
			visit(k, a.Spectrum.Lambda[i])
		}
	}
	if math.IsInf(g.MinSpurious, 1) {
		// Every analysed state is desired: no spurious state bounds the
		// window (JSON has no infinity).
		g.MinSpurious = math.MaxFloat64
	}
	a.Gap = &g
	if g.Open() {
		a.Window = true
		a.KsLo, a.KsHi = g.KsWindow(re.K)
		_, ksChip, wref := ch.Rates()
		if ksChip > 0 {
			a.PumpLo = ch.PumpCurrent() * a.KsLo / ksChip
			a.PumpHi = ch.PumpCurrent() * a.KsHi / ksChip
		}
		a.KsFracLo, a.KsFracHi = a.KsLo/wref, a.KsHi/wref
	}
	return a, nil
}

// Index returns the spectrum position of state index k (exact: k itself).
func (a *Analysis) Index(k uint64) (int, bool) {
	if a.Exact {
		return int(k), k < uint64(len(a.Spectrum.Lambda))
	}
	return slices.BinarySearch(a.Sampled, k)
}

// StateAt returns the state index of spectrum position i.
func (a *Analysis) StateAt(i int) uint64 {
	if a.Exact {
		return uint64(i)
	}
	return a.Sampled[i]
}

// DesiredPositions returns the spectrum positions of the desired states.
func (a *Analysis) DesiredPositions() []uint64 {
	var out []uint64
	for _, k := range a.Desired {
		if i, ok := a.Index(k); ok {
			out = append(out, uint64(i))
		}
	}
	return out
}

// hold reports whether the ring model holds σ stable on the realised
// couplings, and raises *shift to the equilibrium's shift when given.
func (rc RingCoupling) hold(re *Realised, s []int8, shift *float64) bool {
	r := re.Net.RingAt(s, re.K, re.Ks, rc)
	if shift != nil && r.Found {
		*shift = math.Max(*shift, r.Shift)
	}
	return r.Stable()
}
