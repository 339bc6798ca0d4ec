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

	// F0 is the ring's measured free-running frequency in Hz, or 0 when the
	// model does not know it; a chip then runs its rings at
	// oscillators.frequency. When F0 > 0 the rings run at F0 and
	// oscillators.frequency is only the reference (pump at 2·f_ref,
	// detectors at f_ref).
	F0 float64
	// Power is the ring's measured average supply power in watts at F0
	// (0 = not measured).
	Power float64
	// Nodes are the normalised waveforms of every stage output over one
	// cycle, sampled like Wave: Nodes[k] is the output of stage k, the
	// stage that inverts Nodes[k−1]; Nodes[0] is the tap (equal to Wave).
	// They set SPICE initial conditions at a given phase; nil when the
	// model has no tables.
	Nodes [][]float64
	// Inv is the normalised output of the inverter path's inverter over one
	// cycle of the ring that drives it, sampled like Wave, or nil for the
	// exact complement 1 − v. A real coupler inverter switches faster than
	// the ring's node, so its output is squarer than 1 − v and couples a
	// little more strongly (InverterGain).
	Inv []float64
	// PumpPhase is the phase ψ (rad) at which the chip's pump must drive the
	// pump port, I·cos(2·ω_ref·t + ψ), for the ring to lock at φ = 0 or π.
	// Pump holds the port's ISF as that phase-aligned pump sees it (see
	// AlignPump); the engine's pump is I·cos(2·ω_ref·t). A characterised
	// model with a measured pump law has its pump phase set by the law
	// (PinPumpPhase), not by the ISF.
	PumpPhase float64
	// Measured says how a characterised model was measured (nil for the
	// analytic model).
	Measured *Measured
}

// Measured records the circuit and the measurement a characterised model
// comes from, so that a SPICE deck of a chip can rebuild the same ring.
type Measured struct {
	// Tool is the simulator ("ngspice-39"), Models the MOSFET cards used.
	Tool, Models string
	// NMOS and PMOS are the model names in the cards.
	NMOS, PMOS string
	// Stages, VDD (V) and NodeCap (F, the explicit load of each node) of
	// the measured ring.
	Stages  int
	VDD     float64
	NodeCap float64
	// L, WN and WP are the ring inverter's channel length and widths (m).
	L, WN, WP float64
	// DevCap is the ring's own device capacitance per node (F), from the
	// frequency's sensitivity to the load: f ∝ 1/(NodeCap + DevCap).
	DevCap float64
	// CouplerCin is the load one coupler inverter (widths CouplerWN and
	// CouplerWP) puts on the node it is driven from (F, equivalent
	// capacitance from the frequency shift).
	CouplerCin           float64
	CouplerWN, CouplerWP float64
	// InverterPull is the frequency pull of the inverter path in its
	// favoured (anti-phase) state: a ring that receives conductance G
	// through inverter-path couplers runs faster by Δω = InverterPull·G/C
	// (rad/s; negative = slower). It is zero for an ideal inverter, whose
	// output is the exact complement 1 − v; a real one switches faster and
	// a little later than the ring's node, so the coupler carries current
	// even at anti-phase lock.
	InverterPull float64
	// TGRon is the mean on-resistance (Ω) of one transmission-gate switch
	// of widths TGWN/TGWP over the common-mode range 0…VDD.
	TGRon      float64
	TGWN, TGWP float64
	// TGCap is the capacitance (F) of one switch's channel and junctions,
	// seen from its two terminals tied together.
	TGCap float64
	// ISFPoints is the number of charge injections, Charge their size as
	// a fraction of q_max = NodeCap·VDD.
	ISFPoints int
	Charge    float64
	// C1 and C2 are the magnitudes of the first and second Fourier
	// coefficients of the tap's ISF, Γ(θ) ≈ c0 + Σ_n c_n·cos(nθ + ψ_n).
	C1, C2 float64
	// StepsPerCycle is the SPICE time-step limit used (steps per period).
	StepsPerCycle float64
	// SpiceOptions are the simulator options the measurement used (an
	// ngspice .options line, "" = the simulator's defaults); decks that
	// rebuild the ring use them too, so the ring runs at the frequency
	// measured (the generic ring runs 0.12% faster at reltol = 1e-4 and
	// T/256 than at the defaults and T/64: docs/fidelity.md).
	SpiceOptions string
	// PumpLaw is the pump's averaged drift measured by phase slip, or nil
	// if it was not measured (the phase model then uses the ISF's law).
	PumpLaw *PumpLaw
	// ISFPumpPhase is the pump phase the ISF gave (AlignPump) before
	// PinPumpPhase moved PumpPhase to the slip-measured lock axis; 0 when
	// it was not moved.
	ISFPumpPhase float64
}

// ISFRms returns Hajimiri's estimate of the rms ISF of an N-stage
// single-ended ring, Γ_rms ≈ sqrt(2π²/(3η³))·N^(−3/2) with η = 1
// (Hajimiri, Limotyrakis & Lee, JSSC 34(6), 1999; docs/model.md §1).
func ISFRms(stages int) float64 {
	return math.Sqrt(2*math.Pi*math.Pi/3) * math.Pow(float64(stages), -1.5)
}

// Analytic returns the card-free sinusoidal ring model: waveform
// v = (1+cos θ)/2 and ISF Γ = −γ1·sin θ with γ1 = √2·Γ_rms (a sinusoid with
// the ring's rms ISF), and a pump-port ISF Γp = −γ1·sin 2θ (a port where
// both edges respond with the same sign, Hong & Hajimiri, JSSC 54(8), 2019)
// [A]. Chips no longer run it: their analytic ring is FromDevices, whose
// gains follow from the card (Analytic's h1 is 2× too weak at 5 stages:
// the rms counts all of a peaked ISF's harmonics, docs/ringmodel.md); it
// remains a waveform for initial conditions and the fallback of a card
// without EdgeWidth.
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
	if m.Inv != nil && len(m.Inv) != M {
		return fmt.Errorf("ringosc: model %q: inv table has %d entries, want %d", m.Name, len(m.Inv), M)
	}
	for s, n := range m.Nodes {
		if len(n) != M {
			return fmt.Errorf("ringosc: model %q: node table %d has %d entries, want %d", m.Name, s, len(n), M)
		}
	}
	if m.Measured != nil && m.Measured.PumpLaw != nil {
		if err := m.Measured.PumpLaw.validate(); err != nil {
			return fmt.Errorf("model %q: %w", m.Name, err)
		}
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
	k, f := newTableIx(len(tab)).at(theta)
	k1 := k + 1
	if k1 == len(tab) {
		k1 = 0
	}
	return tab[k]*(1-f) + tab[k1]*f
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
// Circuits, §5.4). The stage delay comes from the card and the node's
// explicit load nodeCap on top of the card's device capacitance.
func Frequency(card tech.Card, stages int, nodeCap float64) float64 {
	return 1 / (2 * float64(stages) * card.StageDelay(nodeCap))
}

// Diffusion returns the phase-diffusion constant D (rad²/s) of a ring with
// Lorentzian linewidth Δf (FWHM, Hz): the phase obeys dφ = √(2D)·dW, so
// Var[φ(t)] = 2Dt = 2π·Δf·t, i.e. D = π·Δf (Demir, Mehrotra & Roychowdhury,
// TCAS-I 47(5), 2000; docs/model.md §2).
func Diffusion(linewidth float64) float64 { return math.Pi * linewidth }

// PelgromSigma estimates the relative 1σ frequency mismatch of an N-stage
// ring from device size: σ(V_T) = A_VT/√(W·L) (Pelgrom 1989), per-stage
// delay spread α·σ(V_T)/(VDD − V_T) with α = 1.3, averaged over the 2N
// transitions of a cycle: σ_f/f ≈ that/√(2N) (docs/model.md §3 [D]).
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

// RingPower returns the power of one N-stage ring running at f with the
// explicit node load C on top of the card's device capacitance: each node
// charges and discharges once a period, so P_dyn = N·(C + DevCap)·VDD²·f;
// short-circuit power is the card's fraction of it and leakage N·LeakInv
// (docs/model.md §9 [U]; calibrated on the 45 nm ngspice anchor: 5 stages,
// 10 fF, 1.0 V, 1.399 GHz → 75.2 µW).
func RingPower(card tech.Card, stages int, nodeCap, f float64) Power {
	dyn := float64(stages) * (nodeCap + card.DevCap) * card.VDD * card.VDD * f
	return Power{Dynamic: dyn, ShortCircuit: card.ShortCircuit * dyn, Leakage: float64(stages) * card.LeakInv}
}

// Area returns the layout area of one N-stage ring in m²: N unit inverters
// (the ring's enable gate is counted as one of them).
func Area(card tech.Card, stages int) float64 { return float64(stages) * card.AreaInv }
