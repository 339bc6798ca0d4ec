package eqprop

import (
	"context"
	"fmt"
	"math"
)

// Sample is one training example: the initial phases the free phase starts
// from (an input), the target phases of the output units (NaN: not an
// output; targets are relative, Align fixes the frame), and the clamps that
// hold input units in both phases (nil for an associative memory, whose
// input is the initial state alone).
type Sample struct {
	Init   []float64
	Target []float64
	Clamps []Nudge
	// Absolute takes Target as the target phases themselves, in the
	// reference's frame (a network whose inputs or biases fix the frame:
	// the layered classifier), instead of aligning them (Align).
	Absolute bool
}

// targets returns the sample's target phases for equilibrium phi.
func (s Sample) targets(phi []float64) []float64 {
	if s.Absolute {
		return s.Target
	}
	return Align(phi, s.Target)
}

// Grad is a gradient estimate of the mean cost over a batch with respect
// to every edge weight, and the mean cost at the free equilibria.
type Grad struct {
	G    []float64
	Cost float64
	// ClampRe and ClampIm (BPTT only) are the gradient with respect to
	// the real and imaginary parts of each unit's clamp phasor
	// Σ_k β_k·e^{jψ_k} (the clamps as one injection per unit): how the
	// cost moves with an input's drive or a bias.
	ClampRe, ClampIm []float64
}

// EP estimates the gradient of the mean cost at the free equilibrium by
// equilibrium propagation (docs/ep.md eq. 5): a free relaxation from each
// sample's initial phases, then nudged relaxations from the free
// equilibrium with an injection of strength β (units of κ) at the aligned
// target phases. Symmetric: nudges +β and −β (one chip run of 2·B inputs),
//
//	∂L/∂W_e ≈ −(1/2β)·[cos(φ_i^{+β} − φ_j^{+β}) − cos(φ_i^{−β} − φ_j^{−β})],
//
// else +β against the free phase, −(1/β)·[cos Δ^{+β} − cos Δ^0]. The
// phases are those the machine reads (exact, or a TDC's codes).
func (m *Machine) EP(ctx context.Context, batch []Sample, beta float64, symmetric bool) (*Grad, error) {
	if !(beta > 0) {
		return nil, fmt.Errorf("eqprop: β must be positive (got %g)", beta)
	}
	B := len(batch)
	free, err := m.relaxFree(ctx, batch, false)
	if err != nil {
		return nil, err
	}
	g := &Grad{G: make([]float64, len(m.Net.Edges))}
	start := make([][]float64, 0, 2*B)
	nudges := make([][]Nudge, 0, 2*B)
	signs := []float64{1}
	if symmetric {
		signs = []float64{1, -1}
	}
	for _, sg := range signs {
		for b, s := range batch {
			psi := s.targets(free.Read[b])
			if sg > 0 {
				g.Cost += Cost(free.Read[b], psi) / float64(B)
			}
			ns := append([]Nudge(nil), s.Clamps...)
			for i, p := range psi {
				if !math.IsNaN(p) {
					ns = append(ns, Nudge{Unit: i, Beta: sg * beta, Phase: p})
				}
			}
			start = append(start, m.kick(free.Final[b]))
			nudges = append(nudges, ns)
		}
	}
	if m.Cfg.Track {
		m.drift = append(free.Drift, free.Drift...)[:len(start)]
	}
	nud, err := m.Relax(ctx, start, nudges, false)
	m.drift = nil
	if err != nil {
		return nil, err
	}
	for b := 0; b < B; b++ {
		hi := nud.Read[b]
		lo, scale := free.Read[b], 1/beta
		if symmetric {
			lo, scale = nud.Read[B+b], 1/(2*beta)
		}
		for e, p := range m.Net.Edges {
			i, j := p[0], p[1]
			g.G[e] -= scale * (math.Cos(hi[i]-hi[j]) - math.Cos(lo[i]-lo[j])) / float64(B)
		}
	}
	return g, nil
}

// relaxFree relaxes the batch's samples from their initial phases with
// only their clamps (the free phase), recording the trajectory if trace.
func (m *Machine) relaxFree(ctx context.Context, batch []Sample, trace bool) (*Relaxation, error) {
	init := make([][]float64, len(batch))
	clamps := make([][]Nudge, len(batch))
	for b, s := range batch {
		init[b], clamps[b] = s.Init, s.Clamps
	}
	return m.Relax(ctx, init, clamps, trace)
}

// BPTT returns the exact gradient of the mean cost after the free
// relaxation's last Euler step, by backpropagation through the engine's
// steps (docs/ep.md eq. 6): the engine's trace is the forward pass, and the
// adjoint a_n = a_{n+1} + h·J(φ_n)ᵀ·a_{n+1} runs back from
// a_T = ∂Cost/∂φ_T = sin(φ_T − ψ), accumulating ∂L/∂W_e += h·(∂f/∂W_e)ᵀ·a_{n+1}
// with h = κ·dt. ψ = Align(φ_T, y) is held fixed: its derivative vanishes
// (Align). The chip's weights are the programmed codes (Held), and the
// machine should read exact phases (Software): this is the reference
// EP is measured against.
func (m *Machine) BPTT(ctx context.Context, batch []Sample) (*Grad, error) {
	B, N := len(batch), m.Net.N
	rel, err := m.relaxFree(ctx, batch, true)
	if err != nil {
		return nil, err
	}
	g := &Grad{G: make([]float64, len(m.Net.Edges)), ClampRe: make([]float64, N), ClampIm: make([]float64, N)}
	h := m.kappa * rel.Dt
	W := m.held
	a := make([]float64, N)
	ja := make([]float64, N)
	cb := make([]float64, N) // clamp: β_i·cos(φ_i − ψ_i) per unit
	sn, cs := make([]float64, N), make([]float64, N)
	for b, s := range batch {
		states := rel.Trace.Phases[b]
		T := len(states) - 1
		last := states[T]
		psi := s.targets(last)
		g.Cost += Cost(last, psi) / float64(B)
		for i := range a {
			a[i] = 0
			if !math.IsNaN(psi[i]) {
				a[i] = math.Sin(last[i]-psi[i]) / float64(B)
			}
		}
		for n := T - 1; n >= 0; n-- {
			phi := states[n]
			for i := range ja {
				ja[i], cb[i] = 0, 0
				sn[i], cs[i] = math.Sincos(phi[i])
			}
			for e, p := range m.Net.Edges {
				i, j := p[0], p[1]
				// sin(φ_j − φ_i) and cos(φ_j − φ_i) from each unit's own.
				sd := sn[j]*cs[i] - cs[j]*sn[i]
				cd := cs[j]*cs[i] + sn[j]*sn[i]
				ai, aj := a[i], a[j]
				w, path, s0 := W[e], 0, 1.0
				if w < 0 {
					path, s0 = 1, -1
				}
				rho := m.rho[path]
				w *= m.gain[path]
				// f_i += w·[sin Δ + ρ·(cos Δ − s0)], f_j += w·[−sin Δ + ρ·(cos Δ − s0)]
				// with Δ = φ_j − φ_i (ρ = 0: the odd, gradient case).
				even := rho * (cd - s0)
				g.G[e] += h * m.gain[path] * (ai*(sd+even) + aj*(even-sd))
				ja[i] += w * ((cd+rho*sd)*aj - (cd-rho*sd)*ai)
				ja[j] += w * ((cd-rho*sd)*ai - (cd+rho*sd)*aj)
			}
			for _, c := range s.Clamps {
				cb[c.Unit] += c.Beta * math.Cos(phi[c.Unit]-c.Phase)
			}
			// A clamp phasor P = Re + j·Im adds −Re·sin φ + Im·cos φ to f.
			for i := range a {
				g.ClampRe[i] -= h * sn[i] * a[i]
				g.ClampIm[i] += h * cs[i] * a[i]
			}
			for i := range a {
				a[i] += h * (ja[i] - cb[i]*a[i])
			}
		}
	}
	return g, nil
}

// kick returns phi plus the machine's kick: uniform in ±Cfg.Kick from the
// machine's seeded stream (nil Cfg.Kick: phi itself).
func (m *Machine) kick(phi []float64) []float64 {
	if m.Cfg.Kick == 0 {
		return phi
	}
	out := make([]float64, len(phi))
	for i, p := range phi {
		out[i] = p + m.Cfg.Kick*(2*m.rng.Float64()-1)
	}
	return out
}

// GradFunc estimates a batch's gradient on a machine.
type GradFunc func(ctx context.Context, m *Machine, batch []Sample) (*Grad, error)

// EPGrad returns the GradFunc of EP with nudge beta.
func EPGrad(beta float64, symmetric bool) GradFunc {
	return func(ctx context.Context, m *Machine, batch []Sample) (*Grad, error) {
		return m.EP(ctx, batch, beta, symmetric)
	}
}

// BPTTGrad is the GradFunc of backpropagation through the dynamics.
func BPTTGrad(ctx context.Context, m *Machine, batch []Sample) (*Grad, error) {
	return m.BPTT(ctx, batch)
}

// Cosine returns the cosine similarity of two gradients.
func Cosine(a, b []float64) float64 {
	var ab, aa, bb float64
	for k := range a {
		ab += a[k] * b[k]
		aa += a[k] * a[k]
		bb += b[k] * b[k]
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}
