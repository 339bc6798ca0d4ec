package ringosc

import (
	"fmt"
	"math"
)

// PumpLaw2 returns the second-order averaged drift of a ring pumped at
// twice its frequency, per unit x²/ω with x = I/q_max:
//
//	Q(φ) = ⟨∂_φ f(τ, φ)·u(τ, φ)⟩_τ ≈ A0 + A4·sin 4φ + B4·cos 4φ,
//
// for dφ/dt = x·f(ωt, φ), f(τ, φ) = Γp(τ + φ)·cos 2τ (the engine's pump
// I·cos(2·ω·t) into the port of ISF Γp), with u the zero-mean
// antiderivative in τ of f − ⟨f⟩_τ. This is the second term of the
// averaging expansion dφ/dt = x·⟨f⟩ + (x²/ω)·Q(φ) + O(x³/ω²) (Sanders,
// Verhulst & Murdock, Averaging Methods in Nonlinear Dynamical Systems,
// 2nd ed., §2.9); the first term is the phase model's −K_s·sin 2φ
// (PumpGain). Writing Γp = Σ_n g_n·e^{inθ}, each product in Q pairs two
// harmonics n, m with pump sidebands s, s' = ±2 such that the time
// dependence cancels, (n + s) + (m + s') = 0, leaving e^{i(n+m)φ} with
// n + m ∈ {0, ±4}: a constant (a frequency pull) and a fourth harmonic, and
// nothing at 2φ. The coefficients are the Fourier projections of Q over φ.
//
// Q matters when a port's ISF has a weak second harmonic against its
// first: the first-order SHIL rate is ∝ x·|g_2| while Q is ∝ x²·|g_1|²/ω,
// so their ratio grows with the pump. For the generic ring's tap
// (c2/c1 = 0.075) Q's fourth harmonic is a third of the SHIL rate at
// x/ω ≈ 0.12 (10 µA into 10 fF at 1.37 GHz) and would equal it near 30 µA.
func (m *Model) PumpLaw2() (a0, a4, b4 float64) {
	const T, P = 1024, 64
	f := make([]float64, T)
	df := make([]float64, T)
	u := make([]float64, T)
	const h = 1e-4
	for p := 0; p < P; p++ {
		phi := math.Pi / 2 * float64(p) / P // Q has period π/2
		mean := 0.0
		for k := 0; k < T; k++ {
			tau := 2 * math.Pi * float64(k) / T
			c := math.Cos(2 * tau)
			f[k] = m.GammaPump(tau+phi) * c
			df[k] = (m.GammaPump(tau+phi+h) - m.GammaPump(tau+phi-h)) / (2 * h) * c
			mean += f[k]
		}
		mean /= T
		// Antiderivative of f − mean by the trapezoidal rule, then its
		// mean removed.
		dt := 2 * math.Pi / T
		u[0] = 0
		for k := 1; k < T; k++ {
			u[k] = u[k-1] + 0.5*dt*((f[k-1]-mean)+(f[k]-mean))
		}
		um := 0.0
		for _, x := range u {
			um += x
		}
		um /= T
		q := 0.0
		for k := 0; k < T; k++ {
			q += df[k] * (u[k] - um)
		}
		q /= T
		s4, c4 := math.Sincos(4 * phi)
		a0 += q / P
		a4 += 2 * q * s4 / P
		b4 += 2 * q * c4 / P
	}
	return a0, a4, b4
}

// PumpLaw is a ring's averaged drift under a pump I·cos(2·ω_ref·t + ψ) at
// its PumpPhase, measured in SPICE by phase slip (spice.Characterize: rings
// detuned beyond the lock range slip through every phase, and the drift
// dφ/dt − Δω against φ is fitted at two pump currents). With x = I/q_max
// and the model's first-order rate K_s = g2·x (PumpGain, shil.Rate),
//
//	dφ/dt = Δω + K_s·(S2·sin 2φ + C2·cos 2φ) + (x²/ω_ref)·(Q0 + Q4S·sin 4φ + Q4C·cos 4φ),
//
// the form of the averaging expansion to second order (PumpLaw2: the first
// order is −K_s·sin 2φ, i.e. S2 = −1 and C2 = 0 for the ISF's own g2; the
// second has only a constant and the fourth harmonic). The measured
// coefficients replace the ISF's where the ISF is not accurate enough: for
// the generic 45 nm ring at 10 µA the slip gives a first-order gain 7–8%
// below g2's, a lock axis 1.6° (default ngspice accuracy) to 5.3°
// (converged) off the ISF's pump phase (the ISF's second harmonic at the
// tap, from which g2 and the pump phase come, is a small difference of
// large numbers; the slip-measured effective pump phase is the same at
// both accuracies to 0.3°) and a mean pull of the opposite sign to
// PumpLaw2's (docs/fidelity.md, "Why the cycle model misses three initial
// conditions").
type PumpLaw struct {
	// Current is the larger of the two pump amplitudes measured (A); the
	// law is an expansion about small x and holds up to about this current.
	Current float64
	// S2 and C2 are the first-order terms per K_s.
	S2, C2 float64
	// Q0, Q4S and Q4C are the second-order terms per x²/ω_ref (the units
	// of PumpLaw2).
	Q0, Q4S, Q4C float64
	// RMS is the fit's rms residual per K_s at Current.
	RMS float64
}

// PhasePumpLaw returns the pump law the phase model uses: the measured one
// (Measured.PumpLaw) if there is one, else the ISF's, −sin 2φ per K_s and
// PumpLaw2's second order. measured says which.
func (m *Model) PhasePumpLaw() (l PumpLaw, measured bool) {
	if m.Measured != nil && m.Measured.PumpLaw != nil {
		return *m.Measured.PumpLaw, true
	}
	l.S2 = -1
	l.Q0, l.Q4S, l.Q4C = m.PumpLaw2()
	return l, false
}

// Axis returns β0 = atan2(C2, −S2): the first order K_s·(S2·sin 2φ +
// C2·cos 2φ) is −R·sin(2φ − β0) with R = √(S2² + C2²), so the ring locks
// at φ = β0/2 (mod π) rather than at 0.
func (l PumpLaw) Axis() float64 { return math.Atan2(l.C2, -l.S2) }

// Rotated returns the law seen by a pump whose phase ψ is less by b, i.e.
// P'(φ) = P(φ + b/2): the drift depends on the pump only through 2φ − ψ
// (first order) and 4φ − 2ψ (second), so moving ψ rotates the law
// exactly. Rotated(l.Axis()) has C2 = 0 and S2 = −R.
func (l PumpLaw) Rotated(b float64) PumpLaw {
	s2, c2 := math.Sincos(b)
	l.S2, l.C2 = l.S2*c2-l.C2*s2, l.S2*s2+l.C2*c2
	s4, c4 := math.Sincos(2 * b)
	l.Q4S, l.Q4C = l.Q4S*c4-l.Q4C*s4, l.Q4S*s4+l.Q4C*c4
	return l
}

// PinPumpPhase moves the model's pump phase to the lock axis its measured
// pump law shows: ψ := ψ − β0 (PumpLaw.Axis) and the law rotated to match,
// so that a deck driving the pump at PumpPhase locks the ring at φ = 0 or
// π, as the engine's models do. It does nothing without a measured law or
// if the phase was pinned already (β0 = 0 then).
//
// Why: the ISF's pump phase (AlignPump) comes from the ISF's second
// harmonic at the tap, a small difference of large numbers, and moves with
// the simulator's accuracy (generic 45 nm ring: −89.2° at ngspice's
// defaults and T/64, −96.2° at reltol = 1e-4 and T/256), while the
// slip-measured lock axis moves 0.3°. Decks at the two accuracies driven at
// the ISF's phase gave the same 4×4 state in 13 of 20 initial conditions,
// at the slip-measured one in 19 of 20 (docs/fidelity.md). The Pump table
// is not rotated: the cycle model's pump, the ISF's in its own frame, locks
// at φ = 0 to first order by construction (AlignPump), which is where the
// pinned pump now puts the circuit's ring. That is a calibration choice:
// the table keeps the ISF's shape and strength, only its axis is taken
// from the slip measurement.
func (m *Model) PinPumpPhase() {
	if m.Measured == nil || m.Measured.PumpLaw == nil {
		return
	}
	l := *m.Measured.PumpLaw
	b := l.Axis()
	if b == 0 {
		return
	}
	if m.Measured.ISFPumpPhase == 0 {
		m.Measured.ISFPumpPhase = m.PumpPhase
	}
	m.PumpPhase = math.Remainder(m.PumpPhase-b, 2*math.Pi)
	l = l.Rotated(b)
	l.C2 = 0 // exactly: rounding leaves ~1e-17
	m.Measured.PumpLaw = &l
}

func (l *PumpLaw) validate() error {
	for _, x := range []float64{l.Current, l.S2, l.C2, l.Q0, l.Q4S, l.Q4C, l.RMS} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("ringosc: measured pump law has a value that is not finite")
		}
	}
	if !(l.Current > 0) || !(l.S2 < 0) {
		return fmt.Errorf("ringosc: measured pump law needs a current > 0 and a locking first order (S2 < 0), got %g A, S2 = %g", l.Current, l.S2)
	}
	return nil
}
