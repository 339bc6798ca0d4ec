package tech

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Card is one technology node. All fields are SI units (volts, farads, ohms,
// square metres, watts, joules, metres). A zero field means "not known for
// this card"; models that need it report an error rather than guess.
type Card struct {
	// Name is the card's name as a chip description writes it, e.g. "45nm".
	Name string
	// Node is the drawn feature size in metres.
	Node float64
	// VDD is the nominal supply voltage in volts.
	VDD float64
	// NodeCap is the default load of one ring stage's output node in
	// farads: the explicit capacitance (wire, tap, load capacitor) on top
	// of the ring's own devices, DevCap. It is the capacitor a SPICE deck
	// puts on every node and the C of q_max = C·VDD that characterised ISFs
	// are normalised to, so it means the same in every flow
	// (docs/ringmodel.md).
	NodeCap float64
	// DevCap is the ring's own device capacitance per node in farads (the
	// next stage's gate, the stage's drain junctions, Miller overlap):
	// a node's total capacitance is NodeCap + DevCap.
	DevCap float64
	// InvReff is the effective switching resistance of the ring's unit
	// inverter in ohms; the stage delay is t_d = ln2·InvReff·(C + DevCap)
	// (Rabaey, Digital Integrated Circuits, 2nd ed., eq. 5.21).
	InvReff float64
	// ShortCircuit is the short-circuit (crowbar) power as a fraction of
	// the switching power N·(C + DevCap)·VDD²·f.
	ShortCircuit float64
	// EdgeWidth is the full width of a ring node's output edge in stage
	// delays, the edge taken as a raised cosine: it sets the waveform's
	// harmonic content and with it the analytic coupling gain
	// (ringosc.FromDevices, docs/ringmodel.md).
	EdgeWidth float64
	// TapH2 is the ratio c2/c1 of the second to the first Fourier magnitude
	// of the tap's ISF. A ring whose rising and falling edges are mirror
	// images has c2 = 0 at any node; TapH2 measures the inverter's
	// pull-up/pull-down asymmetry, which is what a 2·f0 pump into the tap
	// couples through (docs/ringmodel.md).
	TapH2 float64
	// LeakInv is the static leakage power of one unit inverter in watts.
	LeakInv float64
	// TGRon is the on-resistance of one transmission-gate finger in ohms
	// (NMOS ∥ PMOS, mid-rail), the unit conductance step of a coupling code.
	TGRon float64
	// AreaInv, AreaNAND2, AreaTG, AreaDFF and AreaSRAM are cell areas in m²:
	// unit inverter, 2-input NAND, one TG finger with its share of the gate
	// driver, a D flip-flop, and one SRAM configuration bit.
	AreaInv, AreaNAND2, AreaTG, AreaDFF, AreaSRAM float64
	// EnergyDFF is the energy of one flip-flop sample (clock and data) in J.
	EnergyDFF float64
	// AVT is the Pelgrom threshold-mismatch coefficient in V·m:
	// σ(ΔV_T) = AVT/√(W·L) (Pelgrom et al., JSSC 24(5), 1989).
	AVT float64
	// Vth is the nominal threshold voltage in volts.
	Vth float64
	// WN and L are the width and length of the ring's NMOS device in metres
	// (PMOS is taken as twice as wide); they set the Pelgrom mismatch.
	WN, L float64
	// PadPitch is the pitch of one I/O pad along the die edge and PadDepth
	// the depth of the pad ring, both in metres.
	PadPitch, PadDepth float64
	// CUnit is the capacitance in farads of a light switching node: the
	// drain of a ring-sized inverter plus the diffusion of the one TG bank
	// it drives, with no wire and no gate load. It is the load of a
	// coupler's inverter-path inverter and, per pumped ring, of the SHIL
	// injection device's gate.
	CUnit float64
	// TGCap is the capacitance (F) of one coupler finger's switch, channel
	// and junctions seen from its two terminals tied together, and CInvIn
	// the input capacitance (F) of an inverter-path coupler inverter: the
	// static loads couplers put on a ring's tap (chip.Chip.TapLoads).
	TGCap, CInvIn float64
	// TG is the card's measured transmission-gate switches, from which a
	// coupler described by its geometry gets its conductance and
	// capacitance (couplings.tg_wn, tg_wp, tg_l, tg_fingers); nil when the
	// card has none.
	TG TGTable
	// EnergyBit is the energy in joules to write one configuration bit (an
	// SRAM-style cell written through its bit line: ≈ C_BL·VDD² for a
	// 64-row column, C_BL ≈ 64 cell drains + column wire).
	EnergyBit float64
}

// edgeWidth45 and tapH245 are the generic 45 nm ring's edge width (stage
// delays) and tap ISF ratio c2/c1, measured by oscsim characterize
// (ngspice-39, 64-point ISF by charge injection) on 3-, 5- and 11-stage
// rings: the edge width that gives each ring's measured ratio
// h1·N·(C+C_dev)/C is 3.0 (3 stages: the waveform is a sinusoid), 3.07
// (5) and 3.21 (11) at 10 fF; c2/c1 is 0.073–0.076 on all eight rings of
// ringosc/builtin (3, 5, 11 stages; 1, 3, 10 fF), and 0.08 keeps every
// ring's pump gain within 7% (docs/ringmodel.md). The other cards have no
// SPICE cards in the project and take the 45 nm values [U].
const (
	edgeWidth45 = 3.1
	tapH245     = 0.08
)

const (
	um  = 1e-6
	aF  = 1e-18
	um2 = 1e-12
	nm  = 1e-9
	fF  = 1e-15
	fJ  = 1e-15
	nW  = 1e-9
	mV  = 1e-3
)

// cards returns a fresh copy of the built-in cards. It is a function, not a
// package variable, so that no caller can change another caller's card.
// The cards are data, one literal a node with the same fields in the same
// order; the duplicates tool pairs them as same-shaped, deliberately.
func cards() map[string]Card {
	nangate := func(a, node float64) float64 { // scale a NanGate45 area to another node by (node/45nm)²
		s := node / (45 * nm)
		return a * s * s
	}
	return map[string]Card{
		// 180 nm: generic bulk CMOS, 1.8 V. Areas are NanGate45 cells
		// scaled by (180/45)² [D]; drive, capacitance and leakage are
		// textbook values [U] (docs/model.md §0 tags).
		"180nm": {
			Name: "180nm", Node: 180 * nm, VDD: 1.8,
			// NodeCap + DevCap = 5 fF: devices ≈ next gate (1.08 µm at
			// ≈1.5 fF/µm) + own drain (≈0.5 fF) ≈ 2.2 fF [D from U], the
			// rest wire and load.
			NodeCap: 2.8 * fF, DevCap: 2.2 * fF, InvReff: 12e3, ShortCircuit: 0.10, LeakInv: 0.05 * nW,
			EdgeWidth: edgeWidth45, TapH2: tapH245,
			TGRon:   4e3,
			AreaInv: nangate(0.532*um2, 180*nm), AreaNAND2: nangate(0.798*um2, 180*nm),
			AreaTG: nangate(0.532*um2, 180*nm), AreaDFF: nangate(4.522*um2, 180*nm),
			AreaSRAM: 4.65 * um2, EnergyDFF: 20 * fJ,
			AVT: 5 * mV * um, Vth: 0.45, WN: 0.36 * um, L: 0.18 * um,
			PadPitch: 90 * um, PadDepth: 250 * um,
			// CUnit: drain of a 0.36/0.72 µm inverter at ≈1 fF/µm plus a
			// TG finger's diffusion ≈ 2 fF [U]. EnergyBit: C_BL ≈ 64×1.2 fF
			// + 25 fF ≈ 100 fF at 1.8 V → ≈300 fJ [D from U].
			CUnit: 2 * fF, EnergyBit: 300 * fJ,
			// TGCap, CInvIn: 45 nm's measured values scaled by the
			// devices' W·L and width (≈ 4× the gate area, 4× the width) [U].
			TGCap: 1.7 * fF, CInvIn: 1.8 * fF,
		},
		// 65 nm: the node of the UMN ring-oscillator Ising chips (Lo 2023
		// "1.2 V, 65 nm", COBI "65 nm", docs/model.md §10). Areas are NanGate45
		// scaled by (65/45)² ≈ 2.09 (docs/model.md §9 [D]); TG finger
		// resistance from docs/model.md §9's first-order estimate for a minimum device
		// (2–6 kΩ) [D]; A_VT 3.5 mV·µm from docs/model.md §3 [U]. Node capacitance
		// [D from U]: next stage's gate (W_N+W_P = 0.6 µm at ≈1 fF/µm) 0.6 fF
		// + own drain (0.6 µm at ≈0.5 fF/µm) 0.3 fF + ≈5 µm of local wire at
		// ≈0.2 fF/µm 1.0 fF + coupler tap diffusion ≈0.1 fF ≈ 2 fF. (It also
		// matches Moy 2022's implied 21 fJ per node per cycle at 1.2 V over a
		// 7-stage ring, docs/model.md §10 [D]; that figure is the calibration
		// target, not the source, of this value.)
		"65nm": {
			Name: "65nm", Node: 65 * nm, VDD: 1.2,
			// The split below: devices (gate + drain) 0.9 fF = DevCap, wire
			// and tap 1.1 fF = NodeCap.
			NodeCap: 1.1 * fF, DevCap: 0.9 * fF, InvReff: 8e3, ShortCircuit: 0.08, LeakInv: 0.3 * nW,
			EdgeWidth: edgeWidth45, TapH2: tapH245,
			TGRon:   4e3,
			AreaInv: nangate(0.532*um2, 65*nm), AreaNAND2: nangate(0.798*um2, 65*nm),
			AreaTG: nangate(0.532*um2, 65*nm), AreaDFF: nangate(4.522*um2, 65*nm),
			AreaSRAM: 0.525 * um2, EnergyDFF: 5 * fJ,
			AVT: 3.5 * mV * um, Vth: 0.40, WN: 0.2 * um, L: 0.06 * um,
			PadPitch: 60 * um, PadDepth: 180 * um,
			// CUnit: drain of the 0.2/0.4 µm ring inverter (0.6 µm at
			// ≈0.5 fF/µm) 0.3 fF + two TG finger diffusions ≈0.4 fF [D from
			// U]. EnergyBit: C_BL ≈ 64×0.3 fF + 10 fF ≈ 30 fF at 1.2 V →
			// ≈40 fJ [D from U].
			CUnit: 0.7 * fF, EnergyBit: 40 * fJ,
			// TGCap, CInvIn: 45 nm's scaled by width (2.2×) [U].
			TGCap: 0.95 * fF, CInvIn: 0.95 * fF,
		},
		// 45 nm: PTM 45 nm HP class, the project's ngspice anchor
		// (docs/model.md §9 [V]): 5 stages, VDD 1.0 V, 10 fF explicit load
		// per node, Wn/Wp = 90/180 nm → 1.399 GHz and 75.2 µW. DevCap
		// 0.63 fF is the device capacitance per node measured by oscsim
		// characterize on the built-in generic 45 nm cards (f ∝ 1/(C + C_dev)
		// under a 20% load step; 0.69 fF at a 3 fF load). InvReff is fitted
		// to the anchor's frequency: t_d = 1/(2·5·1.399 GHz) = 71.5 ps =
		// ln2·R·10.63 fF → R = 9.70 kΩ. ShortCircuit = 75.2/74.4 − 1 = 0.011
		// from the same anchor, now that the switching power counts the
		// device capacitance. Areas are NanGate45 (INV_X1 0.532, NAND2_X1
		// 0.798, DFF_X1 4.522 µm², docs/model.md §9 [V]); SRAM bit
		// 0.346 µm² (45 nm 6T) [U].
		"45nm": {
			Name: "45nm", Node: 45 * nm, VDD: 1.0,
			NodeCap: 10 * fF, DevCap: 0.63 * fF, InvReff: 9.70e3, ShortCircuit: 0.011, LeakInv: 0.5 * nW,
			EdgeWidth: edgeWidth45, TapH2: tapH245,
			TGRon:   5e3,
			AreaInv: 0.532 * um2, AreaNAND2: 0.798 * um2, AreaTG: 0.532 * um2,
			AreaDFF: 4.522 * um2, AreaSRAM: 0.346 * um2, EnergyDFF: 3 * fJ,
			AVT: 2.5 * mV * um, Vth: 0.35, WN: 90 * nm, L: 45 * nm,
			PadPitch: 50 * um, PadDepth: 150 * um,
			// CUnit: drain of the 90/180 nm inverter plus two TG finger
			// diffusions ≈ 0.4 fF [U]. EnergyBit: C_BL ≈ 64×0.2 fF + 8 fF
			// ≈ 21 fF at 1.0 V → ≈20 fJ [D from U].
			CUnit: 0.4 * fF, EnergyBit: 20 * fJ,
			// TGCap, CInvIn: measured by oscsim characterize on the
			// generic 45 nm cards (switch 90/180 nm, inverter 90/180 nm,
			// L 45 nm): 0.43 fF and 0.44 fF.
			TGCap: 0.43 * fF, CInvIn: 0.44 * fF,
			TG: generic45TG(),
		},
		// 28 nm HKMG: areas NanGate45 scaled by (28/45)² [D]; A_VT
		// 1.8 mV·µm and 0.5 V overdrive from docs/model.md §3 [U].
		"28nm": {
			Name: "28nm", Node: 28 * nm, VDD: 0.9,
			// NodeCap + DevCap = 0.8 fF: devices (gate 0.3 µm at ≈1 fF/µm +
			// drain ≈0.15 fF) ≈ 0.45 fF [D from U].
			NodeCap: 0.35 * fF, DevCap: 0.45 * fF, InvReff: 9e3, ShortCircuit: 0.06, LeakInv: 1 * nW,
			EdgeWidth: edgeWidth45, TapH2: tapH245,
			TGRon:   6e3,
			AreaInv: nangate(0.532*um2, 28*nm), AreaNAND2: nangate(0.798*um2, 28*nm),
			AreaTG: nangate(0.532*um2, 28*nm), AreaDFF: nangate(4.522*um2, 28*nm),
			AreaSRAM: 0.127 * um2, EnergyDFF: 1.5 * fJ,
			AVT: 1.8 * mV * um, Vth: 0.40, WN: 0.1 * um, L: 0.03 * um,
			PadPitch: 40 * um, PadDepth: 120 * um,
			// CUnit ≈ 0.25 fF [U]. EnergyBit: C_BL ≈ 64×0.12 fF + 5 fF
			// ≈ 12.7 fF at 0.9 V → ≈10 fJ [D from U].
			CUnit: 250 * aF, EnergyBit: 10 * fJ,
			// TGCap, CInvIn: 45 nm's scaled by width (1.1×) [U].
			TGCap: 0.45 * fF, CInvIn: 0.45 * fF,
		},
	}
}

// Lookup returns a copy of the built-in card with the given name
// (e.g. "45nm"). The error lists the known names.
func Lookup(name string) (Card, error) {
	c, ok := cards()[name]
	if !ok {
		return Card{}, fmt.Errorf("tech: unknown card %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return c, nil
}

// Names returns the names of the built-in cards, largest node first.
func Names() []string {
	m := cards()
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return m[names[i]].Node > m[names[j]].Node })
	return names
}

// StageDelay returns the delay of one inverter stage driving the explicit
// load cap (F) on top of its own devices: t_d = ln2·InvReff·(cap + DevCap)
// (Rabaey eq. 5.21, 50% point of an RC step response).
func (c Card) StageDelay(cap float64) float64 { return ln2 * c.InvReff * (cap + c.DevCap) }

const ln2 = 0.6931471805599453

// TapH2FromRiseFall returns the tap ISF's c2/c1 of a ring whose nodes rise
// in r times the time they fall (10–90%, either way round): a node's ISF
// during an edge is about the inverse of its slope over the edge's
// duration (Hajimiri & Lee, JSSC 33(2), 1998, §IV), so each edge's lobe
// has an area ∝ its duration squared, and lobes of areas A_r and −A_f half
// a period apart have c2/c1 = |A_r − A_f|/(A_r + A_f):
//
//	TapH2 = |1 − r²|/(1 + r²)
//
// (docs/ringmodel.md: 0.060–0.079 against the measured 0.073–0.076 on the
// generic rings, 0.141 against 0.122 on PTM 45 nm HP).
func TapH2FromRiseFall(r float64) float64 {
	return math.Abs(1-r*r) / (1 + r*r)
}
