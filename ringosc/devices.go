package ringosc

import (
	"math"

	"oscsim/tech"
)

// FromDevices returns the analytic ring model of an N-stage ring on card
// whose nodes carry the explicit load nodeCap (F) on top of the card's
// device capacitance: a sinusoidal waveform and ISF whose coupling gain h1
// and pump gain g2 are DeviceGains', so that the phase model's rates
// K = h1·G/C and K_s = g2·I/(C·VDD) follow from the devices. The
// derivation is in docs/ringmodel.md. The model has no F0: a chip runs
// its rings at oscillators.frequency, which the description derives from
// the card when it does not give one (Frequency).
func FromDevices(card tech.Card, stages int, nodeCap float64) Model {
	h1, g2 := DeviceGains(card, stages, nodeCap)
	if !(h1 > 0) {
		return Analytic(stages)
	}
	return Model{Name: "analytic", Gamma1: 4 * h1, C2: 2 * g2}
}

// DeviceGains returns the coupling gain h1 (per G/C, C = nodeCap) and the
// pump gain g2 at the tap (per I/q_max, q_max = nodeCap·VDD) of an N-stage
// ring on card:
//
//	h1 = C/(N·(C + C_dev)) · s(w),   s(w) = a1²/(2·⟨v'²⟩) = (16w/π³)·F1(w)²,
//	g2 = TapH2·h1/a1,                a1 = (2/π)·F1(w),  F1(w) = cos(w/2)/(1 − (w/π)²),
//
// with w = min(π, EdgeWidth·π/N) the width (rad) of a node's output edge,
// taken as a raised cosine. The first factor of h1 is exact for any ring:
// the phase response Γ of a node and its waveform v satisfy
// ⟨Γ·v'⟩_θ = C/(N·C_tot) (the periodic adjoint's normalisation p·ẋ = 1,
// Demir, Mehrotra & Roychowdhury, TCAS-I 47(5), 2000, eq. 27, shared
// equally by the N identical nodes; C_tot = C + C_dev converts charge to
// voltage, C normalises to q_max), and that is H'(0), the slope at lock of
// H(Δ) = ⟨Γ(θ)·(v(θ+Δ) − v(θ))⟩. With Γ ∝ v' (Hajimiri & Lee, JSSC 33(2),
// 1998, §IV: a node's ISF follows its slew) the first harmonic of H is
// H'(0)·a1²/(2⟨v'²⟩), which the raised-cosine edge gives in closed form.
// g2 = c2/2 with c2 = TapH2·c1 and c1 = 2·h1/a1 (h1 = c1·a1/2 for Γ and v
// in phase). An edge as wide as half a period (w = π, N ≤ 3 on the 45 nm
// card) is a sinusoid: s = 1, a1 = 1/2.
func DeviceGains(card tech.Card, stages int, nodeCap float64) (h1, g2 float64) {
	n := float64(stages)
	if !(card.EdgeWidth > 0) || !(nodeCap > 0) || stages < 1 {
		return 0, 0
	}
	w := math.Min(math.Pi, card.EdgeWidth*math.Pi/n)
	f1 := raisedCosineH1(w)
	s := 16 * w / (math.Pi * math.Pi * math.Pi) * f1 * f1
	a1 := 2 / math.Pi * f1
	h1 = nodeCap / (n * (nodeCap + card.DevCap)) * s
	return h1, card.TapH2 * h1 / a1
}

// DeviceInverterGain returns the inverter path's coupling gain h1_inv
// (the phase model's rate of an inverter-path coupler is −h1_inv·G/C) of
// an N-stage ring on card, against DeviceGains' h1 for the exact
// complement 1 − v. The coupler's inverter drives only its finger, a load
// far below the ring node's, so its output switches much faster than the
// node it follows: to first order it is a step at the node's mid-rail
// crossing. A step's first harmonic is 2/π against the raised-cosine
// node's (2/π)·F1(w), and H's first harmonic is proportional to the
// signal's (h1 = c1·a1/2), so
//
//	h1_inv = h1 / F1(w),   w = min(π, EdgeWidth·π/N)
//
// (4/π·h1 at w = π, where the node is a sinusoid and the inverter makes it
// a square wave). docs/ringmodel.md, "The inverter path", has the checks;
// the engine's analytic inverter path is still the exact complement.
func DeviceInverterGain(card tech.Card, stages int, nodeCap float64) float64 {
	h1, _ := DeviceGains(card, stages, nodeCap)
	if !(h1 > 0) {
		return 0
	}
	return h1 / raisedCosineH1(math.Min(math.Pi, card.EdgeWidth*math.Pi/float64(stages)))
}

// raisedCosineH1 is the first Fourier harmonic, relative to an ideal step's,
// of a raised-cosine edge of width w (rad): cos(w/2)/(1 − (w/π)²), π/4 at
// w = π.
func raisedCosineH1(w float64) float64 {
	d := 1 - (w/math.Pi)*(w/math.Pi)
	if math.Abs(d) < 1e-9 {
		return math.Pi / 4
	}
	return math.Cos(w/2) / d
}
