package ringosc

import "math"

// Interaction returns the cycle-averaged interaction per unit G/C of one
// coupler from a ring at relative phase Δ = φ_j − φ_i:
//
//	H(Δ) = ⟨Γ(θ)·(s(θ + Δ) − v(θ))⟩_θ,
//
// with s = v on the in-phase path and s = InvV (the coupler inverter's
// output) on the inverter path. This is the interaction function of the
// phase reduction dφ_i/dt = ω_i + Σ_j (G_ij/C)·H(φ_j − φ_i) (Malkin's
// theorem, docs/model.md §4, with Q the ISF Γ and the
// coupling current G·VDD·(s_j − v_i) into q_max = C·VDD; Hajimiri & Lee,
// JSSC 1998, eq. 11).
func (m *Model) Interaction(inverter bool, d float64) float64 {
	const Q = 512
	s := 0.0
	for q := 0; q < Q; q++ {
		th := 2 * math.Pi * float64(q) / Q
		x := m.V(th + d)
		if inverter {
			x = m.InvV(th + d)
		}
		s += m.Gamma(th) * (x - m.V(th))
	}
	return s / Q
}

// Harmonics are the first Fourier coefficients of an interaction function
// per unit G/C: H(Δ) ≈ B0 + A1·sin Δ + B1·cos Δ + A2·sin 2Δ + B2·cos 2Δ.
type Harmonics struct {
	B0, A1, B1, A2, B2 float64
}

// CouplingHarmonics returns the Fourier coefficients of Interaction on
// either path, by the trapezoidal rule over 256 points (exact for the
// trigonometric polynomials the tables' interpolation is close to).
// A1 equals CouplingGain on the in-phase path and −InverterGain on the
// inverter path (the same quadrature). The analytic model's interaction is
// (γ1/4)·sin Δ exactly (A1 = γ1/4, the rest 0; on the inverter path, with
// the exact complement, −(γ1/4)·sin Δ), which is returned without
// quadrature.
func (m *Model) CouplingHarmonics(inverter bool) Harmonics {
	if !m.Tabulated() {
		h := Harmonics{A1: m.Gamma1 / 4}
		if inverter {
			h.A1 = -h.A1
		}
		return h
	}
	const P = 256
	var h Harmonics
	for p := 0; p < P; p++ {
		d := 2 * math.Pi * float64(p) / P
		y := m.Interaction(inverter, d)
		s1, c1 := math.Sincos(d)
		s2, c2 := math.Sincos(2 * d)
		h.B0 += y
		h.A1 += y * s1
		h.B1 += y * c1
		h.A2 += y * s2
		h.B2 += y * c2
	}
	h.B0 /= P
	h.A1 *= 2.0 / P
	h.B1 *= 2.0 / P
	h.A2 *= 2.0 / P
	h.B2 *= 2.0 / P
	return h
}
