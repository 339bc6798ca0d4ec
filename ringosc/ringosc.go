package ringosc

import (
	"fmt"
	"math"

	"oscsim/tech"
)

// Model is a ring's periodic behaviour over one cycle, sampled at M
// uniformly spaced phases θ_k = 2πk/M: the normalised output waveform
// v(θ) ∈ [0, 1] (volts/VDD) of the node the couplings tap, the ISF Γ(θ) of
// that node, and the ISF Γp(θ) of the port the SHIL pump drives. Phase θ = 0
// is the waveform's maximum, so a rising edge crosses mid-rail at θ = −π/2.
//
// A nil table means the analytic default (see Analytic).
type Model struct {
	// Name says where the model comes from ("analytic", a file name).
	Name string
	Wave []float64
	ISF  []float64
	Pump []float64
	// Gamma1 and C2 are the analytic amplitudes, used when the tables are
	// nil: v = (1+cos θ)/2, Γ = −Gamma1·sin θ, Γp = −C2·sin 2θ.
	Gamma1, C2 float64
}

// ISFRms returns Hajimiri's estimate of the rms ISF of an N-stage
// single-ended ring, Γ_rms ≈ sqrt(2π²/(3η³))·N^(−3/2) with η = 1
// (Hajimiri, Limotyrakis & Lee, JSSC 34(6), 1999; hardware.md §4.1).
func ISFRms(stages int) float64 {
	return math.Sqrt(2*math.Pi*math.Pi/3) * math.Pow(float64(stages), -1.5)
}

// Analytic returns the default ring model: a sinusoidal waveform
// v = (1+cos θ)/2 and ISF Γ = −γ1·sin θ with γ1 = √2·Γ_rms (a sinusoid with
// the ring's rms ISF), and a pump-port ISF Γp = −γ1·sin 2θ. The pump-port
// amplitude equal to γ1 is an [A] choice: real rings driven at the supply or
// tail see both edges with the same sign, which puts the ISF's energy in its
// even harmonics (Hong & Hajimiri, JSSC 54(8), 2019); characterise the ring
// (oscsim characterize) to replace it.
func Analytic(stages int) Model {
	g := math.Sqrt2 * ISFRms(stages)
	return Model{Name: "analytic", Gamma1: g, C2: g}
}

// Tabulated reports whether the model uses sampled tables.
func (m *Model) Tabulated() bool { return m.Wave != nil }

// Validate checks that tables, if present, are consistent and finite.
func (m *Model) Validate() error {
	if !m.Tabulated() {
		if !(m.Gamma1 > 0) || m.C2 < 0 {
			return fmt.Errorf("ringosc: analytic model needs Gamma1 > 0 and C2 ≥ 0 (got %g, %g)", m.Gamma1, m.C2)
		}
		return nil
	}
	M := len(m.Wave)
	if M < 16 || len(m.ISF) != M || len(m.Pump) != M {
		return fmt.Errorf("ringosc: model %q: wave, isf and pump tables need the same length ≥ 16 (got %d, %d, %d)", m.Name, M, len(m.ISF), len(m.Pump))
	}
	for k := 0; k < M; k++ {
		for _, x := range []float64{m.Wave[k], m.ISF[k], m.Pump[k]} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("ringosc: model %q: table entry %d is not finite", m.Name, k)
			}
		}
	}
	return nil
}

// lookup interpolates a table sampled uniformly over [0, 2π) at θ.
func lookup(tab []float64, theta float64) float64 {
	M := len(tab)
	x := theta / (2 * math.Pi) * float64(M)
	x -= math.Floor(x/float64(M)) * float64(M)
	k := int(x)
	if k >= M {
		k = M - 1
	}
	f := x - float64(k)
	return tab[k]*(1-f) + tab[(k+1)%M]*f
}

// V returns the normalised node voltage v(θ) ∈ [0, 1].
func (m *Model) V(theta float64) float64 {
	if m.Wave == nil {
		return 0.5 * (1 + math.Cos(theta))
	}
	return lookup(m.Wave, theta)
}

// Gamma returns the coupling-node ISF Γ(θ).
func (m *Model) Gamma(theta float64) float64 {
	if m.ISF == nil {
		return -m.Gamma1 * math.Sin(theta)
	}
	return lookup(m.ISF, theta)
}

// GammaPump returns the pump-port ISF Γp(θ).
func (m *Model) GammaPump(theta float64) float64 {
	if m.Pump == nil {
		return -m.C2 * math.Sin(2*theta)
	}
	return lookup(m.Pump, theta)
}

// CouplingGain returns h1, the first sine harmonic of the cycle-averaged
// interaction through a conductance G from a ring at relative phase Δ:
//
//	H(Δ) = ⟨Γ(θ)·(v(θ+Δ) − v(θ))⟩_θ ≈ h1·sin Δ,
//
// so the phase model's coupling rate is K = h1·G/C_node (rad/s), from
// dφ/dt = Γ(θ)·i(t)/q_max with i = G·VDD·(v_j − v_i) and q_max = C·VDD
// (Hajimiri & Lee 1998, eq. 11). For the analytic model h1 = γ1/4 exactly.
func (m *Model) CouplingGain() float64 {
	if !m.Tabulated() {
		return m.Gamma1 / 4
	}
	const P = 256
	h1 := 0.0
	for p := 0; p < P; p++ {
		d := 2 * math.Pi * float64(p) / P
		h1 += m.interaction(d) * math.Sin(d)
	}
	return 2 * h1 / P
}

func (m *Model) interaction(d float64) float64 {
	const Q = 512
	s := 0.0
	for q := 0; q < Q; q++ {
		th := 2 * math.Pi * float64(q) / Q
		s += m.Gamma(th) * (m.V(th+d) - m.V(th))
	}
	return s / Q
}

// PumpGain returns g2 such that a pump current I·cos(2·ω_ref·t) gives the
// phase model's SHIL term −K_s·sin 2φ with K_s = g2·I/q_max: the cycle
// average ⟨Γp(θ)·cos(2θ − 2φ)⟩_θ = −g2·sin 2φ (Hong & Hajimiri 2019; only the
// ISF's second harmonic survives a 2·f0 injection). Analytic: g2 = C2/2.
func (m *Model) PumpGain() float64 {
	if !m.Tabulated() {
		return m.C2 / 2
	}
	const P, Q = 128, 512
	g := 0.0
	for p := 0; p < P; p++ {
		phi := math.Pi * float64(p) / P
		s := 0.0
		for q := 0; q < Q; q++ {
			th := 2 * math.Pi * float64(q) / Q
			s += m.GammaPump(th) * math.Cos(2*th-2*phi)
		}
		g += -(s / Q) * math.Sin(2*phi)
	}
	return 2 * g / P
}

// Frequency returns the natural frequency of an N-stage single-ended ring
// with stage delay t_d: f0 = 1/(2·N·t_d) (Rabaey, Digital Integrated
// Circuits, §5.4). The stage delay comes from the card and the node load.
func Frequency(card tech.Card, stages int, nodeCap float64) float64 {
	return 1 / (2 * float64(stages) * card.StageDelay(nodeCap))
}

// Diffusion returns the phase-diffusion constant D (rad²/s) of a ring with
// Lorentzian linewidth Δf (FWHM, Hz): the phase obeys dφ = √(2D)·dW, so
// Var[φ(t)] = 2Dt = 2π·Δf·t, i.e. D = π·Δf (Demir, Mehrotra & Roychowdhury,
// TCAS-I 47(5), 2000; hardware.md §4.2).
func Diffusion(linewidth float64) float64 { return math.Pi * linewidth }

// PelgromSigma estimates the relative 1σ frequency mismatch of an N-stage
// ring from device size: σ(V_T) = A_VT/√(W·L) (Pelgrom 1989), per-stage
// delay spread α·σ(V_T)/(VDD − V_T) with α = 1.3, averaged over the 2N
// transitions of a cycle: σ_f/f ≈ that/√(2N) (hardware.md §4.3 [D]).
func PelgromSigma(card tech.Card, stages int) float64 {
	if card.WN <= 0 || card.L <= 0 || card.VDD <= card.Vth {
		return 0
	}
	const alpha = 1.3
	svt := card.AVT / math.Sqrt(card.WN*card.L)
	return alpha * svt / (card.VDD - card.Vth) / math.Sqrt(2*float64(stages))
}

// Power is a ring's average power split by mechanism, in watts.
type Power struct {
	Dynamic, ShortCircuit, Leakage float64
}

// Total returns the sum of the parts.
func (p Power) Total() float64 { return p.Dynamic + p.ShortCircuit + p.Leakage }

// RingPower returns the power of one N-stage ring running at f with node
// capacitance C: each node charges and discharges once a period, so
// P_dyn = N·C·VDD²·f; short-circuit power is the card's fraction of it and
// leakage N·LeakInv (hardware.md §4.4 [U]; calibrated on the 45 nm ngspice
// anchor: 5 stages, 10 fF, 1.0 V, 1.399 GHz → 75.2 µW).
func RingPower(card tech.Card, stages int, nodeCap, f float64) Power {
	dyn := float64(stages) * nodeCap * card.VDD * card.VDD * f
	return Power{Dynamic: dyn, ShortCircuit: card.ShortCircuit * dyn, Leakage: float64(stages) * card.LeakInv}
}

// Area returns the layout area of one N-stage ring in m²: N unit inverters
// (the ring's enable gate is counted as one of them).
func Area(card tech.Card, stages int) float64 { return float64(stages) * card.AreaInv }
