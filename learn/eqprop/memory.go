package eqprop

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Pattern is a binary pattern of ±1 pixels; pixel +1 is phase 0, −1 is
// phase π.
type Pattern []float64

// Phases returns the pattern's phases (0 or π).
func (p Pattern) Phases() []float64 {
	out := make([]float64, len(p))
	for i, x := range p {
		if x < 0 {
			out[i] = math.Pi
		}
	}
	return out
}

// ParseGlyphs turns rows of '#' (+1) and '.' (−1), one glyph after another
// separated by blank lines, into patterns.
func ParseGlyphs(src string) ([]Pattern, error) {
	var out []Pattern
	var cur Pattern
	width := -1
	flush := func() {
		if cur != nil {
			out = append(out, cur)
			cur = nil
		}
	}
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			flush()
			continue
		}
		if width >= 0 && len(line) != width {
			return nil, fmt.Errorf("eqprop: glyph row %q has %d pixels, want %d", line, len(line), width)
		}
		width = len(line)
		for _, c := range line {
			switch c {
			case '#':
				cur = append(cur, 1)
			case '.':
				cur = append(cur, -1)
			default:
				return nil, fmt.Errorf("eqprop: glyph row %q: %q is neither '#' nor '.'", line, c)
			}
		}
	}
	flush()
	for k, p := range out {
		if len(p) != len(out[0]) {
			return nil, fmt.Errorf("eqprop: glyph %d has %d pixels, glyph 0 %d", k, len(p), len(out[0]))
		}
	}
	return out, nil
}

// RandomPatterns returns p patterns of n independent ±1 pixels.
func RandomPatterns(p, n int, rng *rand.Rand) []Pattern {
	out := make([]Pattern, p)
	for k := range out {
		out[k] = make(Pattern, n)
		for i := range out[k] {
			out[k][i] = 1
			if rng.IntN(2) == 0 {
				out[k][i] = -1
			}
		}
	}
	return out
}

// Corrupt returns x with exactly flips pixels (chosen without replacement)
// flipped.
func Corrupt(x Pattern, flips int, rng *rand.Rand) Pattern {
	y := append(Pattern(nil), x...)
	for _, i := range rng.Perm(len(x))[:flips] {
		y[i] = -y[i]
	}
	return y
}

// Flips returns the number of pixels a fraction frac of n flips:
// round(frac·n), at least 1.
func Flips(frac float64, n int) int {
	return max(1, int(math.Round(frac*float64(n))))
}

// Jitter is the default half-width (rad) of the uniform jitter added to a
// corrupted pattern's phases before a free relaxation: binary phases
// {0, π} are equilibria of every coupling matrix, so a run started exactly
// on them never moves (docs/ep.md).
const Jitter = 0.3

// Start returns the initial phases of a corrupted pattern: its phases plus
// uniform jitter in ±jitter.
func Start(x Pattern, jitter float64, rng *rand.Rand) []float64 {
	phi := x.Phases()
	for i := range phi {
		phi[i] += jitter * (2*rng.Float64() - 1)
	}
	return phi
}

// MemorySamples returns training samples for patterns: for each pattern
// perPattern corruptions, each flipping a fraction drawn from fracs, with
// the clean pattern as the target of every unit.
func MemorySamples(patterns []Pattern, perPattern int, fracs []float64, jitter float64, rng *rand.Rand) []Sample {
	var out []Sample
	for _, p := range patterns {
		tgt := p.Phases()
		for k := 0; k < perPattern; k++ {
			f := fracs[rng.IntN(len(fracs))]
			out = append(out, Sample{Init: Start(Corrupt(p, Flips(f, len(p)), rng), jitter, rng), Target: tgt})
		}
	}
	return out
}

// Probe is one retrieval test: a start state and the pattern it should
// end in.
type Probe struct {
	Init    []float64
	Pattern int
}

// Probes returns perPattern probes of every pattern at flip fraction frac.
func Probes(patterns []Pattern, perPattern int, frac, jitter float64, rng *rand.Rand) []Probe {
	var out []Probe
	for k, p := range patterns {
		for r := 0; r < perPattern; r++ {
			out = append(out, Probe{Init: Start(Corrupt(p, Flips(frac, len(p)), rng), jitter, rng), Pattern: k})
		}
	}
	return out
}

// Decode reads phases as a pattern relative to unit 0, the way an XOR of
// each ring with ring 0 would: x_i = sign cos(φ_i − φ_0), with x_0 = +1.
// The network has no absolute phase (and E(φ) = E(φ + π)), so a pattern
// and its negative are one memory.
func Decode(phi []float64) Pattern {
	out := make(Pattern, len(phi))
	for i, p := range phi {
		out[i] = 1
		if math.Cos(p-phi[0]) < 0 {
			out[i] = -1
		}
	}
	return out
}

// Matches reports whether decoded (relative to unit 0) is pattern p up to
// the global sign.
func Matches(decoded, p Pattern) bool {
	for i := range p {
		if decoded[i] != p[i]*p[0] {
			return false
		}
	}
	return true
}

// Retrieve runs the free relaxation of every probe (in batches of at most
// batch) and returns the fraction whose equilibrium, as the machine reads
// it, decodes exactly to its stored pattern.
func Retrieve(ctx context.Context, m *Machine, patterns []Pattern, probes []Probe, batch int) (float64, error) {
	if batch <= 0 {
		batch = len(probes)
	}
	ok := 0
	for lo := 0; lo < len(probes); lo += batch {
		part := probes[lo:min(lo+batch, len(probes))]
		init := make([][]float64, len(part))
		for b, p := range part {
			init[b] = p.Init
		}
		rel, err := m.Relax(ctx, init, nil, false)
		if err != nil {
			return 0, err
		}
		for b, p := range part {
			if Matches(Decode(rel.Read[b]), patterns[p.Pattern]) {
				ok++
			}
		}
	}
	return float64(ok) / float64(len(probes)), nil
}

// Hebbian sets net's weights to the Hebbian couplings of patterns,
// W_ij = (1/N)·Σ_μ ξ_i^μ·ξ_j^μ (docs/ep.md eq. 7).
func Hebbian(net *Net, patterns []Pattern) {
	for e, p := range net.Edges {
		var s float64
		for _, x := range patterns {
			s += x[p[0]] * x[p[1]]
		}
		net.W[e] = s / float64(net.N)
	}
}

// PseudoInverse sets net's weights to the projection rule (Personnaz,
// Guyon & Dreyfus 1985; docs/ep.md eq. 8): W = Ξᵀ·(Ξ·Ξᵀ)⁺·Ξ, the
// orthogonal projector onto the patterns' span, diagonal dropped, from
// the SVD Ξ = U·S·Vᵀ as V_r·V_rᵀ over the singular values above
// 10⁻¹⁰ of the largest. Every pattern is then an eigenvector of W with
// eigenvalue 1 however correlated the patterns are.
func PseudoInverse(net *Net, patterns []Pattern) error {
	P, N := len(patterns), net.N
	x := mat.NewDense(P, N, nil)
	for k, p := range patterns {
		x.SetRow(k, p)
	}
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDThin) {
		return fmt.Errorf("eqprop: pseudo-inverse: SVD of the %d×%d pattern matrix failed", P, N)
	}
	var v mat.Dense
	svd.VTo(&v)
	r := svd.Rank(1e-10)
	for e, p := range net.Edges {
		var w float64
		for k := 0; k < r; k++ {
			w += v.At(p[0], k) * v.At(p[1], k)
		}
		net.W[e] = w
	}
	return nil
}
