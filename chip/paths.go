package chip

import (
	"math"

	"oscsim/ringosc"
)

// pathModel holds what a characterised ring model adds to either engine
// model beyond the first sine harmonic of the coupling and the first-order
// pump (docs/model.md §6; the measurements behind each term are in
// docs/fidelity.md, "What the engine takes from a characterised ring"). The
// analytic ring leaves it zero, so its runs are unchanged bit for bit.
//
// Phase model, coupling: coupler ij of path p contributes
//
//	K_ij·[sin Δ + ρ_p·(cos Δ − cos Δ*_p)],  ρ_p = (H_p(0) − H_p(π))/(2·A1_p),
//
// with K_ij = A1_p·|G_ij|/C (A1 < 0 on the inverter path) and Δ*_p the
// path's favoured difference (0 in-phase, π inverter path). ρ_p is exact at
// Δ = 0 and π, where a SHIL-binarised array sits, so it keeps the even part
// of H that decides which way a frustrated ring binarises; the constant
// makes a coupler neutral in its favoured state. Since
// sin Δ + ρ·cos Δ = cos φ_i·(sin φ_j + ρ·cos φ_j) − sin φ_i·(cos φ_j − ρ·sin φ_j),
// the couplers read a rotated copy of the sender's sin ‖ cos row and the
// kernels are unchanged; the constants become per-ring frequency offsets
// (pathOffsets).
//
// Cycle model, inverter path: the coupler reads the measured inverter
// output u(θ_j) (ringosc.Model.InvV) instead of 1 − v(θ_j); its current
// |G|·VDD·(u(θ_j) − v(θ_i)) is written as G·(1 − u_j) + |G| − |G|·v_i with
// the signed G < 0, so those couplers read a row of 1 − u(θ_j). Each ring is
// trimmed by −H_inv(π)·Σ_inv|G_ij|/C, as the SPICE deck trims its rings
// (spice.Design.InverterPull), so the favoured state runs at the natural
// frequencies in both.
//
// Pump: the phase model adds the second-order average (x²/ω_ref)·Q(φ),
// Q = A0 + A4·sin 4φ + B4·cos 4φ, x = I/q_max (ringosc.Model.PumpLaw2),
// scaled by the schedule squared; with a law measured by phase slip
// (ringosc.PumpLaw) it uses that law's first and second order instead. The
// cycle model resolves the pump through the tap's ISF and, with a measured
// law, adds the measured-minus-ISF difference as an averaged drift
// evaluated once a cycle and held over it (the drift changes on the pump's
// time scale, 1/K_s, tens of cycles).
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
