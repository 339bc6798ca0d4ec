package hrecm

import (
	"math"
	"math/rand/v2"
	"slices"
)

// NewRand returns the package's generator for a (seed, stream) pair: PCG
// seeded explicitly, so every random stream is reproducible.
func NewRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))
}

// RandomPatterns draws p patterns of n uniform ±1 spins.
func RandomPatterns(rng *rand.Rand, n, p int) [][]int8 {
	out := make([][]int8, p)
	for k := range out {
		out[k] = RandomState(rng, n)
	}
	return out
}

// RandomState draws n uniform ±1 spins.
func RandomState(rng *rand.Rand, n int) []int8 {
	s := make([]int8, n)
	for i := range s {
		s[i] = int8(1 - 2*rng.IntN(2))
	}
	return s
}

// Gibbs draws Hamiltonian Gibbs samples (docs/hrecm.md eq 4–5): chains
// of sequential heat-bath sweeps at temperature T under H(σ), each spin
// flipped with probability 1/(1 + exp(2σ_i h_i / T)), h = Jσ.
type Gibbs struct {
	Net *Net
	// T is the temperature ([A] 1: the paper's P ∝ exp(−H)).
	T float64
	// Sweeps is the number of full sequential sweeps per chain ([A] 10).
	Sweeps int
}

// Chain runs one chain from s in place for g.Sweeps sweeps, with the
// fields h = Jσ kept up to date (h may be nil).
func (g Gibbs) Chain(rng *rand.Rand, s []int8, h []float64) {
	n := g.Net.N
	h = g.Net.Fields(s, h)
	beta := 2 / g.T
	for sw := 0; sw < g.Sweeps; sw++ {
		for i := 0; i < n; i++ {
			// ΔH of flipping i is 2σ_i h_i (eq 5).
			p := 1 / (1 + math.Exp(beta*float64(s[i])*h[i]))
			if rng.Float64() < p {
				s[i] = -s[i]
				d := 2 * float64(s[i])
				row := g.Net.J[i*n : (i+1)*n]
				for j := range h {
					h[j] += d * row[j]
				}
			}
		}
	}
}

// Sample draws m independent samples: fresh chains from uniform random
// states ([A] no burn-in beyond the sweeps, no persistent chains).
func (g Gibbs) Sample(rng *rand.Rand, m int) [][]int8 {
	out := make([][]int8, m)
	h := make([]float64, g.Net.N)
	for k := range out {
		s := RandomState(rng, g.Net.N)
		g.Chain(rng, s, h)
		out[k] = s
	}
	return out
}

// SampledRate is Exp. 3's sampled spurious rate r' = n_s'/n_d
// (docs/hrecm.md): draw samples fresh Gibbs samples of net, let n_d be
// the number of distinct state pairs among them (desired ones included)
// and n_s' the number of those not in patterns with λ ≤ max_D λ.
func SampledRate(net *Net, patterns [][]int8, g Gibbs, rng *rand.Rand, samples int) (r float64, distinct int) {
	ws := NewWorkspace(net)
	d := Distinct(patterns)
	thr := math.Inf(-1)
	for _, p := range patterns {
		thr = math.Max(thr, ws.Lambda(p))
	}
	thr += Tolerance * (math.Abs(thr) + 1)
	seen := map[uint64]bool{}
	spurious := 0
	sq := net.sumSq()
	h := make([]float64, net.N)
	s := make([]int8, net.N)
	for k := 0; k < samples; k++ {
		for i := range s {
			s[i] = int8(1 - 2*rng.IntN(2))
		}
		g.Chain(rng, s, h)
		idx := Index(s)
		if seen[idx] {
			continue
		}
		seen[idx] = true
		if slices.Contains(d, idx) {
			continue
		}
		// h = Jσ from the chain; Theorem 1's bounds spare most solves.
		if le, _ := ws.atMostFields(s, h, thr, sq); le {
			spurious++
		}
	}
	if len(seen) == 0 {
		return 0, 0
	}
	return float64(spurious) / float64(len(seen)), len(seen)
}
