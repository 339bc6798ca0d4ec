package ringosc

import (
	"fmt"
	"math"

	"oscsim/phasedet"
)

// Harmonic returns the n-th Fourier coefficients of a table sampled
// uniformly over one cycle: tab(θ) ≈ a0 + Σ_n (a_n·cos nθ + b_n·sin nθ),
// so the magnitude of harmonic n is √(a_n² + b_n²). For n = 0 it returns
// the mean in a and 0 in b.
func Harmonic(tab []float64, n int) (a, b float64) {
	M := len(tab)
	if M == 0 {
		return 0, 0
	}
	for k, x := range tab {
		s, c := math.Sincos(2 * math.Pi * float64(n*k) / float64(M))
		a += x * c
		b += x * s
	}
	if n == 0 {
		return a / float64(M), 0
	}
	return 2 * a / float64(M), 2 * b / float64(M)
}

// AlignPump returns the pump phase ψ and the phase-aligned pump table for
// a pump port whose ISF is gp (sampled over one cycle).
//
// A pump I·cos(2·ω_ref·t + ψ) into a port with ISF Γp(θ), θ = ω_ref·t + φ,
// averages over a cycle to (I/q_max)·½(a2·cos α + b2·sin α), α = 2φ − ψ,
// where a2, b2 are the second-harmonic coefficients of Γp (only they
// survive a 2·f0 injection; Hong & Hajimiri, JSSC 54(8), 2019). Writing
// (a2, b2) = −r·(sin β, cos β), the average is −(r/2)·(I/q_max)·sin(2φ − ψ + β),
// so the pump phase ψ = β makes the ring lock at φ = 0 or π with the SHIL
// rate K_s = (r/2)·I/q_max, the phase model's −K_s·sin 2φ.
//
// The engine drives its pump as I·cos(2·ω_ref·t) (ψ = 0). The returned
// table Γp(θ − β/2) has the second harmonic −r·sin 2θ, so that pump sees on
// average exactly what the phase-aligned hardware pump sees; its other
// harmonics average out against a 2·f0 pump. PumpGain of the aligned table
// is r/2.
func AlignPump(gp []float64) (psi float64, aligned []float64) {
	a2, b2 := Harmonic(gp, 2)
	beta := math.Atan2(-a2, -b2)
	M := len(gp)
	aligned = make([]float64, M)
	for k := range aligned {
		th := 2*math.Pi*float64(k)/float64(M) - beta/2
		aligned[k] = lookup(gp, th)
	}
	return beta, aligned
}

// NodeV returns the normalised voltage of stage node s at phase θ. Without
// node tables it uses the analytic waveform: node s lags node s−1 by one
// stage delay (π/N) and inverts it, v_s(θ) = 1 − v_{s−1}(θ − π/N), so
// v_s(θ) = (1 + cos(θ − s·π·(N+1)/N))/2 for v_0 = (1 + cos θ)/2.
func (m *Model) NodeV(s, stages int, theta float64) float64 {
	if len(m.Nodes) > s {
		return lookup(m.Nodes[s], theta)
	}
	if s == 0 {
		return m.V(theta)
	}
	N := float64(stages)
	return 0.5 * (1 + math.Cos(theta-float64(s)*math.Pi*(N+1)/N))
}

// InvV returns the normalised output of the inverter path's inverter when
// the ring that drives it is at phase θ: the Inv table, or 1 − v(θ).
func (m *Model) InvV(theta float64) float64 {
	if m.Inv == nil {
		return 1 - m.V(theta)
	}
	return lookup(m.Inv, theta)
}

// InverterGain returns h1 of the inverter path: the phase model's coupling
// rate of an inverter-path coupler of conductance G is −InverterGain·G/C.
// It is the first sine harmonic of the cycle-averaged interaction
// H_inv(Δ) = ⟨Γ(θ)·(u(θ+Δ) − v(θ))⟩ ≈ −h1_inv·sin Δ with u the inverter's
// output (InvV), as CouplingGain is of the in-phase path; with the exact
// complement u = 1 − v it equals CouplingGain.
func (m *Model) InverterGain() float64 {
	if m.Inv == nil {
		return m.CouplingGain()
	}
	const P, Q = 256, 512
	h := 0.0
	for p := 0; p < P; p++ {
		d := 2 * math.Pi * float64(p) / P
		s := 0.0
		for q := 0; q < Q; q++ {
			th := 2 * math.Pi * float64(q) / Q
			s += m.Gamma(th) * (m.InvV(th+d) - m.V(th))
		}
		h += s / Q * math.Sin(d)
	}
	return -2 * h / P
}

// MeasuredOn reports whether a characterised model was measured on a ring
// of the given stage count, supply (V) and explicit node load (F): nil when
// it was, or when the model records no measurement; else an error saying
// what differs. A chip may use a ring model only if it was.
func (m *Model) MeasuredOn(stages int, vdd, nodeCap float64) error {
	ms := m.Measured
	if ms == nil {
		return nil
	}
	differs := func(a, b float64) bool { return math.Abs(a-b) > 1e-6*math.Max(math.Abs(a), math.Abs(b)) }
	switch {
	case ms.Stages != stages:
		return fmt.Errorf("it was measured on a %d-stage ring, the chip has %d stages", ms.Stages, stages)
	case differs(ms.VDD, vdd):
		return fmt.Errorf("it was measured at VDD %g V, the chip runs at %g V", ms.VDD, vdd)
	case differs(ms.NodeCap, nodeCap):
		return fmt.Errorf("it was measured with %g fF per node, the chip has %g fF", ms.NodeCap*1e15, nodeCap*1e15)
	}
	return nil
}

// NodePhase returns α_s, the phase (rad) by which stage s's output lags
// the tap (stage 0) in an N-stage ring: v_s(θ) = v_0(θ − α_s). From the
// node tables it is the difference of the first harmonics' phases (every
// stage has the same devices, so every node has the tap's shape, shifted);
// without tables it is the analytic s·π·(N+1)/N (one stage delay π/N and
// an inversion per stage, NodeV). The result is in [0, 2π).
func (m *Model) NodePhase(s, stages int) float64 {
	var a float64
	if len(m.Nodes) > s && len(m.Nodes) > 0 {
		a0, b0 := Harmonic(m.Nodes[0], 1)
		as, bs := Harmonic(m.Nodes[s], 1)
		a = math.Atan2(bs, as) - math.Atan2(b0, a0)
	} else {
		n := float64(stages)
		a = float64(s) * math.Pi * (n + 1) / n
	}
	a = math.Mod(a, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a
}

// PumpAtNode returns the model of the same ring with its pump driving the
// output of the stage d stages after the tap (shil.stage, docs/ringmodel.md,
// "The tap node"). That node's ISF is the tap's delayed by its phase α_d
// (NodePhase): Γ_d(θ) = Γ_0(θ − α_d), so its second harmonic, the only one
// a 2·f0 pump sees, is the tap's turned by −2α_d. The chip drives the pump
// that much later, ψ_d = ψ_0 − 2α_d, and the phase-aligned pump table
// (AlignPump) is then the same table: the engine's pump, gain and second-
// order law are unchanged; only the pump's phase (PumpPhase, and the ISF's
// ISFPumpPhase of a measured law) moves. d = 0 returns m unchanged.
func (m Model) PumpAtNode(d, stages int) Model {
	if d == 0 {
		return m
	}
	shift := -2 * m.NodePhase(d, stages)
	m.PumpPhase = phasedet.Wrap(m.PumpPhase + shift)
	if m.Measured != nil && m.Measured.ISFPumpPhase != 0 {
		ms := *m.Measured
		ms.ISFPumpPhase = phasedet.Wrap(ms.ISFPumpPhase + shift)
		m.Measured = &ms
	}
	return m
}

// RiseFall returns the ratio of the tap's 10–90% rise time to its 90–10%
// fall time, read from the waveform table (linear interpolation between
// samples), or 1 without a table (the analytic waveform is symmetric).
// tech.TapH2FromRiseFall turns it into the tap ISF's c2/c1
// (docs/ringmodel.md, "Checks").
func (m *Model) RiseFall() float64 {
	if m.Wave == nil {
		return 1
	}
	// cross returns the first phase (rad) at which the table passes x
	// upwards (up) or downwards.
	M := len(m.Wave)
	cross := func(x float64, up bool) float64 {
		for k := 0; k < M; k++ {
			a, b := m.Wave[k], m.Wave[(k+1)%M]
			if (up && a < x && b >= x) || (!up && a > x && b <= x) {
				return 2 * math.Pi * (float64(k) + (x-a)/(b-a)) / float64(M)
			}
		}
		return math.NaN()
	}
	span := func(a, b float64) float64 { return math.Mod(b-a+4*math.Pi, 2*math.Pi) }
	return span(cross(0.1, true), cross(0.9, true)) / span(cross(0.9, false), cross(0.1, false))
}
