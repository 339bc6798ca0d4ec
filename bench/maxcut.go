package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"oscsim/chip"
	"oscsim/netlist"
)

// MaxCut runs the chip's programmed couplings as an Ising / max-cut
// problem: each run starts from random phases, the SHIL pump binarises the
// rings, and the samplers' spins give a cut. The reference is the best cut
// simulated annealing finds (Kirkpatrick, Gelatt & Vecchi, Science 1983),
// or the exact optimum by enumeration for up to 20 rings.
//
// Weights are Ising couplings J_ij: the energy H = −Σ_{i<j} J_ij·s_i·s_j,
// and the cut weight is Σ_{i<j, s_i≠s_j} (−J_ij), so antiferromagnetic
// (negative) couplings are the max-cut edges.
type MaxCut struct {
	// Runs is the number of anneals per evaluation (one batch).
	Runs  int
	edges []netlist.Edge
	n     int
	// Best is the reference cut weight.
	Best float64
}

// maxCutParams are the "maxcut" workload's parameters.
type maxCutParams struct {
	// Runs is the number of anneals per evaluation (default 20).
	Runs int `toml:"runs"`
}

func newMaxCut(p *params, nl *netlist.Netlist) (Workload, error) {
	cfg := maxCutParams{Runs: 20}
	if err := p.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.Runs < 1 {
		return nil, p.bad("runs", "must be ≥ 1 (got %d)", cfg.Runs)
	}
	if len(nl.Couplings.Edges) == 0 {
		return nil, fmt.Errorf("bench: maxcut: chip %s has no couplings", nl.Name)
	}
	m := &MaxCut{Runs: cfg.Runs, edges: nl.Couplings.Edges, n: nl.Oscillators.N()}
	m.Best = ReferenceCut(m.n, m.edges, 1)
	return m, nil
}

// Name implements Workload.
func (m *MaxCut) Name() string { return "maxcut" }

// CutWeight returns Σ over edges with opposite spins of −W.
func CutWeight(edges []netlist.Edge, s []int) float64 {
	c := 0.0
	for _, e := range edges {
		if s[e.I] != s[e.J] {
			c -= e.W
		}
	}
	return c
}

// Run implements Workload: Runs anneals in one batch. Metrics: best_cut,
// mean_cut, reference_cut, success_rate (fraction of runs reaching the
// reference within 1e-9), time_to_solution_s (the run time), and
// coupler_power_w (mean over runs).
func (m *MaxCut) Run(ctx context.Context, ch *chip.Chip, seed int64) (Metrics, error) {
	res, err := ch.Run(ctx, make([]chip.Input, m.Runs), chip.RunOptions{NoiseSeed: seed})
	if err != nil {
		return nil, err
	}
	best, sum, ok, pw := math.Inf(-1), 0.0, 0, 0.0
	for b := 0; b < m.Runs; b++ {
		c := CutWeight(m.edges, res.Spins(b))
		best = math.Max(best, c)
		sum += c
		if c >= m.Best-1e-9 {
			ok++
		}
		pw += res.CouplerPower[b]
	}
	return Metrics{
		"best_cut":           best,
		"mean_cut":           sum / float64(m.Runs),
		"reference_cut":      m.Best,
		"success_rate":       float64(ok) / float64(m.Runs),
		"time_to_solution_s": res.Duration,
		"coupler_power_w":    pw / float64(m.Runs),
	}, nil
}

// ReferenceCut returns the best cut weight of the Ising problem (n spins,
// edges): exact by enumeration for n ≤ 20, otherwise the best of 8
// simulated-annealing runs with a geometric temperature schedule
// (ReferenceCutSweeps with 2000 sweeps).
func ReferenceCut(n int, edges []netlist.Edge, seed uint64) float64 {
	return ReferenceCutSweeps(n, edges, seed, 2000)
}

// ReferenceCutSweeps is ReferenceCut with sweeps Metropolis sweeps per
// annealing run (Kirkpatrick, Gelatt & Vecchi, Science 220, 1983:
// single-spin moves at random sites, temperature geometric from 2·max|w|
// to 0.01·max|w|).
func ReferenceCutSweeps(n int, edges []netlist.Edge, seed uint64, sweeps int) float64 {
	if n <= 20 {
		best := math.Inf(-1)
		s := make([]int, n)
		for m := 0; m < 1<<(n-1); m++ { // spin 0 fixed: s and −s cut alike
			for i := range s {
				s[i] = 1 - 2*((m>>i)&1)
			}
			best = math.Max(best, CutWeight(edges, s))
		}
		return best
	}
	adj := make([][]struct {
		j int
		w float64
	}, n)
	wmax := 0.0
	for _, e := range edges {
		adj[e.I] = append(adj[e.I], struct {
			j int
			w float64
		}{e.J, e.W})
		adj[e.J] = append(adj[e.J], struct {
			j int
			w float64
		}{e.I, e.W})
		wmax = math.Max(wmax, math.Abs(e.W))
	}
	best := math.Inf(-1)
	for r := uint64(0); r < 8; r++ {
		rng := rand.New(rand.NewPCG(seed, r))
		s := make([]int, n)
		for i := range s {
			s[i] = 1 - 2*rng.IntN(2)
		}
		cut := CutWeight(edges, s)
		t0, t1 := 2*wmax, 0.01*wmax
		for k := 0; k < sweeps; k++ {
			T := t0 * math.Pow(t1/t0, float64(k)/float64(sweeps-1))
			for step := 0; step < n; step++ {
				// Random site order: with a sequential sweep, zero-cost
				// moves carry every domain wall along with the sweep and
				// walls never meet.
				i := rng.IntN(n)
				// Flipping s_i toggles every incident edge: an uncut
				// edge (s_i = s_j) adds −J_ij, a cut one removes it, so
				// the cut changes by −s_i·Σ_j J_ij·s_j.
				h := 0.0
				for _, a := range adj[i] {
					h += a.w * float64(s[a.j])
				}
				d := -float64(s[i]) * h
				if d >= 0 || rng.Float64() < math.Exp(d/T) {
					s[i] = -s[i]
					cut += d
				}
			}
			best = math.Max(best, cut)
		}
	}
	return best
}
