package chip

import (
	"math"

	"oscsim/ringosc"
)

// Coupling paths of a characterised ring model beyond the first sine
// harmonic.
//
// Phase reduction (Malkin's theorem; /work/shared/spec/algorithms.md §4.2)
// gives dφ_i/dt = ω_i + Σ_j (|G_ij|/C)·H_p(φ_j − φ_i), with H_p the
// interaction function of coupler path p (ringosc.Model.Interaction). The
// analytic ring has H = h1·sin Δ (in-phase) and −h1·sin Δ (inverter path);
// a characterised ring's H also has an even part (generic 45 nm ring, per
// unit G/C: in-phase 0.026 − 0.023·cos Δ + 0.159·sin Δ, inverter path
// 0.026 + 0.036·cos Δ − 0.174·sin Δ; docs/fidelity.md). The even part does
// not move the favoured state of a pair, but it pulls the frequency of a
// ring whose couplers are held away from their favoured state — the
// situation of a frustrated array — and these pulls decide which way a
// frustrated ring binarises.
//
// Phase model. With a characterised (tabulated) ring, coupler ij of path p
// contributes
//
//	K_ij·[sin Δ + ρ_p·(cos Δ − cos Δ*_p)],  ρ_p = (H_p(0) − H_p(π))/(2·A1_p),
//
// with K_ij = A1_p·|G_ij|/C as before (signed: A1 < 0 on the inverter
// path) and Δ*_p the path's favoured difference (0 in-phase, π inverter
// path). ρ_p carries H's even part as one cosine that is exact at Δ = 0 and
// π, where the rings of a SHIL-binarised array sit: H(0) − H(π) =
// 2·(B1 + B3 + B5 + …), the sine terms vanishing there. (The Fourier
// projection B1/A1 leaves out B3, B5, …, which on the generic ring's
// inverter path add 60% to B1 at those points: ρ −0.209 instead of −0.335,
// in-phase −0.143 instead of −0.162. It cost the phase model a pull of
// 0.044·G/C per inverter coupler held in its unfavoured state, 0.18 MHz at
// 4 MΩ, and 9, 9 and 16 rather than 14, 16 and 17 of 20 4×4 states;
// between 0 and π the two differ by about 1.5·|B3| at most, and against
// the cycle model's drift over all phase pairs of a coupled pair the rms
// error is the same in-phase and 13% smaller on the inverter path:
// docs/fidelity.md.) The constant
// makes each coupler neutral in its favoured state: exactly true of the
// in-phase path (H(0) = 0, no current flows between equal waveforms) and
// what the deck's trim makes of the inverter path (spice.Design.InverterPull);
// the Fourier mean B0 would leave a pull of B0 + B1 ≈ 0.003·G/C at lock
// (the higher even harmonics), which neither ngspice nor the cycle model
// has. The second harmonic of H is below 10⁻³ of A1 for the generic ring
// and is not carried; the third (7–13% of A1) would need sin 3φ_i of the
// receiving ring in the kernels and is not carried either.
//
// The sum keeps the engine's factorisation: sin Δ + ρ·cos Δ with
// Δ = φ_j − φ_i is cos φ_i·(sin φ_j + ρ·cos φ_j) − sin φ_i·(cos φ_j − ρ·sin φ_j),
// so each path's couplers read a rotated copy (s + ρc, c − ρs) of the
// sending ring's sin ‖ cos row, and the sparse products and the kernels are
// unchanged; the constants go into the rings' frequencies (pathOffset).
//
// Cycle model. The inverter path's signal is the coupler inverter's output
// u(θ_j) (ringosc.Model.InvV, the measured Inv table) instead of the exact
// complement 1 − v(θ_j) when the ring model has that table: the coupler's
// current is |G|·VDD·(u(θ_j) − v(θ_i)), written as G·(1 − u_j) + |G| − |G|·v_i
// with the signed G < 0, so the inverter-path couplers read a row of
// 1 − u(θ_j) in place of v(θ_j). A real inverter's output carries current
// even at anti-phase lock (its frequency pull, H_inv(π)·|G|/C); the deck
// trims each ring for it, and the engine trims by its own model's pull,
// −H_inv(π)·Σ_inv|G_ij|/C, so that in both the favoured state runs at the
// rings' natural frequencies.
//
// Pump, phase model. The first-order average of the pump is −K_s·sin 2φ.
// A pump port whose ISF has a weak second harmonic against its first (the
// generic ring's tap: c2/c1 = 0.075) needs so strong a current for a useful
// K_s that the second-order term of the averaging expansion,
// (x²/ω_ref)·Q(φ) with x = I/q_max and Q = A0 + A4·sin 4φ + B4·cos 4φ
// (ringosc.Model.PumpLaw2), is not small against the first: for the generic
// ring at 10 µA it pulls the rings by about −0.08·K_s and adds a ±0.32·K_s
// fourth harmonic that weakens the binary states and slows rings leaving
// φ = ±π/2.
// The cycle model has it (it resolves the pump within the cycle); with a
// characterised ring the phase model adds it, scaled by the pump's
// schedule squared: x = 2K_s·f(t)/(2·g2). A ring whose pump law was
// measured in SPICE by phase slip (ringosc.PumpLaw) gives the phase model
// the measured first order K_s·(S2·sin 2φ + C2·cos 2φ) and second order
// instead of the ISF's: for the generic ring at 10 µA it differs from
// the ISF's by −8% in gain, −3° in the lock axis (C2 = −0.053) and
// +0.125·K_s in mean pull, enough to decide the frustrated rings of the
// 4×4 array (docs/fidelity.md).
//
// Pump, cycle model. The cycle model resolves the pump within the cycle
// through the tap's ISF table, so its averaged law is the ISF's: −K_s·sin 2φ
// to first order (AlignPump) and PumpLaw2 to second (within 0.06·K_s of
// the cycle model's own slip-measured law, TestPhasePumpLaw). With a
// measured law it adds the difference, measured minus ISF, as an averaged
// drift K_s·f·((S2 + 1)·sin 2φ + C2·cos 2φ) + (x·f)²/ω_ref·(ΔQ0 + ΔQ4S·sin 4φ
// + ΔQ4C·cos 4φ), evaluated once a cycle from the ring's phase and held as
// a frequency offset over the cycle (the drift is a cycle average and
// changes on the pump's time scale, 1/K_s ≈ 65 cycles at 10 µA, so a
// per-cycle update costs one sincos per ring and cycle). For the generic
// ring at 10 µA its law in the 4×4 deck comes within 0.02·K_s of ngspice's
// mean pull and 0.4% of its gain (spice.TestFidelityPumpLaw), and its SHIL
// locked phases within 1.6° (spice.TestFidelitySHIL; up to 7.6° without
// the correction). The
// design choice: the ISF's within-cycle pump response stays (it carries the
// pump's ripple into the couplers), and only its average is corrected to
// the circuit's.
type pathModel struct {
	// rho are ρ_p of the in-phase and the inverter path (phase model; 0
	// for the analytic ring): H's even part at Δ = 0 and π per A1.
	rho [2]float64
	// invTable: the cycle model reads the Inv table on the inverter path;
	// invPi is then H_inv(π) per unit G/C.
	invTable bool
	invPi    float64
	// pump2 are A0, A4, B4 of the pump's second-order drift Q(φ) per unit
	// (I/q_max)²/ω_ref (ringosc.Model.PumpLaw2; phase model, characterised
	// rings only).
	pump2 [3]float64
	// pump1, for a ring whose pump law was measured in SPICE
	// (ringosc.PumpLaw, with pump2 then the measured second order), are
	// S2 + 1 and C2/2: what the phase model adds to its first-order
	// −K_s·sin 2φ, K_s·((S2 + 1)·sin 2φ + C2·cos 2φ), as kp·(pump1[0]·sin φ·cos φ
	// + pump1[1]·(cos²φ − sin²φ)) with kp = 2K_s·f(t). Zero otherwise.
	pump1 [2]float64
	// cycleLaw, for a ring with a measured pump law, is the cycle model's
	// averaged correction in pump2Term's terms: S2 + 1, C2/2 (first
	// order, per kp = 2K_s·f) and Q0, Q4S, Q4C less PumpLaw2's (second,
	// per (x·f)²/ω_ref); cycleLawSet says it is present.
	cycleLaw    [5]float64
	cycleLawSet bool
}

func newPathModel(m *ringosc.Model) pathModel {
	var p pathModel
	if !m.Tabulated() {
		return p
	}
	for k, inv := range []bool{false, true} {
		h := m.CouplingHarmonics(inv)
		if h.A1 != 0 {
			p.rho[k] = (m.Interaction(inv, 0) - m.Interaction(inv, math.Pi)) / (2 * h.A1)
		}
	}
	law, measured := m.PhasePumpLaw()
	p.pump2 = [3]float64{law.Q0, law.Q4S, law.Q4C}
	if measured {
		p.pump1 = [2]float64{law.S2 + 1, law.C2 / 2}
		a0, a4, b4 := m.PumpLaw2()
		p.cycleLaw = [5]float64{law.S2 + 1, law.C2 / 2, law.Q0 - a0, law.Q4S - a4, law.Q4C - b4}
		p.cycleLawSet = true
	}
	if m.Inv != nil {
		p.invTable = true
		p.invPi = m.Interaction(true, math.Pi)
	}
	return p
}

// pathOffsets fills the rings' frequency offsets (rad/s) that the coupling
// paths add in either model (see pathModel) for the program in m.
func (ch *Chip) pathOffsets(m *csr) {
	m.offPhase, m.offCycle = nil, nil
	p := ch.paths
	if p.rho != [2]float64{} {
		m.offPhase = make([]float64, ch.n)
		for i := 0; i < ch.n; i++ {
			for x := m.rowPtr[i]; x < m.rowPtr[i+1]; x++ {
				rho := p.rho[0]
				if m.g[x] < 0 {
					rho = p.rho[1]
				}
				m.offPhase[i] -= rho * math.Abs(ch.rate(float64(m.g[x])))
			}
		}
	}
	if p.invTable {
		m.offCycle = make([]float64, ch.n)
		for i := 0; i < ch.n; i++ {
			m.offCycle[i] = -p.invPi * m.gNeg[i] / ch.c
		}
	}
}

// pathOffset returns ring i's frequency offset (rad/s) from its coupling
// paths in model (modelPhase or modelCycle), 0 without one.
func (ch *Chip) pathOffset(model, i int) float64 {
	off := ch.csr.offPhase
	if model == modelCycle {
		off = ch.csr.offCycle
	}
	if off == nil {
		return 0
	}
	return off[i]
}
