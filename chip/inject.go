package chip

import (
	"fmt"
	"math"
)

// Injection is a current injected at the reference frequency f0 into some
// rings: ring i receives i_inj(t) = Amp[i]·cos(ω_ref·t + Phase[i]). It is
// the physical form of equilibrium propagation's nudge (docs/ep.md): an
// injection at f0 pulls a ring's phase towards Phase[i] with a strength set
// by Amp[i], as a neighbour at phase Phase[i] would through a coupler.
//
// In the cycle model the current enters the ring's node through its ISF,
// dφ_i/dt += Γ(θ_i)·i_inj(t)/q_max (q_max = C·VDD; Hajimiri & Lee 1998),
// like the couplers' and the pump's currents. In the phase model it is the
// cycle average of the same term, Adler's injection-locking law
// (Adler 1946; Razavi, JSSC 2004, eq. 7):
//
//	dφ_i/dt += −β_i·sin(φ_i − ψ_i − χ),  β_i = |Γ̂1|·Amp[i]/(2·C·VDD)
//
// where Γ̂1 = b1 + j·a1 is the first Fourier harmonic of the ISF
// (Γ(θ) ≈ a1·cos θ + b1·sin θ) and χ = atan2(a1, −b1) its phase: for the
// analytic ring b1 = −Γ1, a1 = 0, so β = Γ1·Amp/(2·C·VDD) and χ = 0. A
// single detuned ring then locks when |Δω| ≤ β, at φ = ψ + χ + asin(Δω/β)
// (TestInjectionAdler).
type Injection struct {
	// Amp is the current amplitude per ring (A), ≥ 0; len N.
	Amp []float64
	// Phase is the injection's phase per ring relative to the reference
	// (rad); len N.
	Phase []float64
}

// injHarmonic returns the ISF's first harmonic (a1, b1):
// Γ(θ) ≈ a1·cos θ + b1·sin θ, from 512 samples (exact for the analytic ring).
func (ch *Chip) injHarmonic() (a1, b1 float64) {
	if !ch.ring.Tabulated() {
		return 0, -ch.ring.Gamma1
	}
	const M = 512
	for k := 0; k < M; k++ {
		th := 2 * math.Pi * float64(k) / M
		g := ch.ring.Gamma(th)
		s, c := math.Sincos(th)
		a1 += g * c
		b1 += g * s
	}
	return 2 * a1 / M, 2 * b1 / M
}

// InjectionRate returns the phase model's locking rate β (rad/s) of an
// injected current of amplitude amp (A) at f0: |Γ̂1|·amp/(2·C·VDD).
func (ch *Chip) InjectionRate(amp float64) float64 {
	a1, b1 := ch.injHarmonic()
	return math.Hypot(a1, b1) * amp / (2 * ch.c * ch.vdd)
}

// InjectionCurrent is InjectionRate's inverse: the amplitude (A) whose
// locking rate is beta (rad/s).
func (ch *Chip) InjectionCurrent(beta float64) float64 {
	a1, b1 := ch.injHarmonic()
	return beta * 2 * ch.c * ch.vdd / math.Hypot(a1, b1)
}

// InjectionLag returns χ (rad): an injection at phase ψ locks an undetuned
// ring at ψ + χ (0 for the analytic ring).
func (ch *Chip) InjectionLag() float64 {
	a1, b1 := ch.injHarmonic()
	return math.Atan2(a1, -b1)
}

// checkInject validates input b's injection for a chip of n rings.
func checkInject(b int, in Input, n int) error {
	j := in.Inject
	if j == nil {
		return nil
	}
	if len(j.Amp) != n || len(j.Phase) != n {
		return fmt.Errorf("chip: input %d: injection has %d amplitudes and %d phases, want %d each", b, len(j.Amp), len(j.Phase), n)
	}
	for i := 0; i < n; i++ {
		if !(j.Amp[i] >= 0) || math.IsInf(j.Amp[i], 0) || math.IsNaN(j.Phase[i]) || math.IsInf(j.Phase[i], 0) {
			return fmt.Errorf("chip: input %d: injection into ring %d: amplitude %g A must be finite and ≥ 0, phase %g finite", b, i, j.Amp[i], j.Phase[i])
		}
	}
	return nil
}

// injectPlan returns the engine's injection terms (engine.Plan.InjA,
// InjB) for inputs in model, or nil, nil when no input injects (the
// engine then runs exactly as without injection). Layout i·B+b like the
// state.
//
// Phase model: f += injA·sin φ + injB·cos φ, the expansion of
// k·(b1·sin δ + a1·cos δ) with δ = φ − ψ and k = Amp/(2·C·VDD):
// injA = k·(b1·cos ψ + a1·sin ψ), injB = k·(a1·cos ψ − b1·sin ψ).
// Cycle model: f += Γ(θ)·(injA·cos ω_ref·t − injB·sin ω_ref·t), the current
// per q_max, with injA = Amp·cos ψ/(C·VDD), injB = Amp·sin ψ/(C·VDD).
func (ch *Chip) injectPlan(inputs []Input, model int) (injA, injB []float64) {
	any := false
	for _, in := range inputs {
		any = any || in.Inject != nil
	}
	if !any {
		return nil, nil
	}
	N, B := ch.n, len(inputs)
	injA, injB = make([]float64, N*B), make([]float64, N*B)
	a1, b1 := ch.injHarmonic()
	q := ch.c * ch.vdd
	for b, in := range inputs {
		j := in.Inject
		if j == nil {
			continue
		}
		for i := 0; i < N; i++ {
			if j.Amp[i] == 0 {
				continue
			}
			s, co := math.Sincos(j.Phase[i])
			if model == modelPhase {
				k := j.Amp[i] / (2 * q)
				injA[i*B+b] = k * (b1*co + a1*s)
				injB[i*B+b] = k * (a1*co - b1*s)
			} else {
				injA[i*B+b] = j.Amp[i] * co / q
				injB[i*B+b] = j.Amp[i] * s / q
			}
		}
	}
	return injA, injB
}

// injectPower returns each input's power drawn by its injection drivers
// (W), or nil when no input injects: a class-B driver sourcing
// Amp·cos(ω_ref·t) from VDD draws VDD·2·Amp/π on average, the same formula
// as the SHIL pump's injection (shil.Power).
func (e *runner) injectPower() []float64 {
	var out []float64
	for b, in := range e.inputs {
		if in.Inject == nil {
			continue
		}
		if out == nil {
			out = make([]float64, e.b)
		}
		for _, a := range in.Inject.Amp {
			out[b] += e.ch.vdd * 2 * a / math.Pi
		}
	}
	return out
}
