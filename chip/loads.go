package chip

import (
	"fmt"
	"math"

	"oscsim/netlist"
)

// couplerCaps returns the capacitance (F) of one coupler finger's switch
// and of one inverter-path inverter's input: the ring model's measured
// values when it has them (the SPICE deck builds the same devices), else
// the tech card's.
func (ch *Chip) couplerCaps() (tg, cin float64) {
	if ms := ch.ring.Measured; ms != nil && ms.TGCap > 0 {
		return ms.TGCap, ms.CouplerCin
	}
	return ch.nl.Tech.TGCap, ch.nl.Tech.CInvIn
}

// devCap returns the ring's device capacitance per node (F): measured, or
// the card's.
func (ch *Chip) devCap() float64 {
	if ms := ch.ring.Measured; ms != nil && ms.DevCap > 0 {
		return ms.DevCap
	}
	return ch.nl.Tech.DevCap
}

// TapLoads returns the static capacitance (F) the programmed couplers put
// on each ring's tap: on the in-phase path the |code| finger switches sit
// at ring I's tap (the edge's first ring; the finger's resistance is on
// ring J's side), on the inverter path each direction's inverter input
// sits on the tap that drives it. A coupler given by its TG geometry
// (couplings.tg_*) has no resistor: half of each finger's capacitance is
// on each of its ends. This is the load a designer trims away
// (couplings.loads = "trimmed") or leaves (loaded), and the load the SPICE
// deck puts on the taps.
func (ch *Chip) TapLoads() []float64 {
	return ch.tapLoads(ch.edges, ch.codes)
}

// tapLoads is TapLoads for a program's edges and codes (Program calls it
// before it stores them).
func (ch *Chip) tapLoads(edges []netlist.Edge, codes []int) []float64 {
	tg, cin := ch.couplerCaps()
	out := make([]float64, ch.n)
	if g := ch.nl.Couplings.TG; g != nil {
		// Real TGs by geometry: each finger's capacitance splits between
		// its two ends (on the inverter path the far end is the
		// inverter's output, not a tap).
		for k, e := range edges {
			switch c := codes[k]; {
			case c > 0:
				out[e.I] += 0.5 * float64(c) * g.C
				out[e.J] += 0.5 * float64(c) * g.C
			case c < 0:
				out[e.I] += cin - 0.5*float64(c)*g.C
				out[e.J] += cin - 0.5*float64(c)*g.C
			}
		}
		return out
	}
	for k, e := range edges {
		switch c := codes[k]; {
		case c > 0:
			out[e.I] += float64(c) * tg
		case c < 0:
			out[e.I] += cin
			out[e.J] += cin
		}
	}
	return out
}

// loadPulls returns each ring's frequency pull (rad/s) from its taps'
// coupler load: one node of N carries L more, so the period, ∝ the sum of
// the N nodes' capacitances, grows by L/(N·C_tot) and
// Δω_i = −ω_i·L_i/(N·C_tot + L_i), with ω_i the ring's natural frequency
// and C_tot = C + C_dev (docs/ringmodel.md).
func (ch *Chip) loadPulls(edges []netlist.Edge, codes []int) []float64 {
	L := ch.tapLoads(edges, codes)
	ctot := float64(ch.nl.Oscillators.Stages) * (ch.c + ch.devCap())
	out := make([]float64, ch.n)
	for i, l := range L {
		w := ch.wref + ch.dOmega[i]
		out[i] = -w * l / (ctot + l)
	}
	return out
}

// loadOffsets replaces the coupling paths' trims with the coupler loads'
// pulls when the chip is not trimmed (couplings.loads = "loaded"): the
// path trims (pathOffsets) make the favoured state neutral, as a trimmed
// chip is; an untrimmed one keeps the paths' own pull and its loads'.
func (ch *Chip) loadOffsets(m *csr, edges []netlist.Edge, codes []int) {
	if ch.nl.Couplings.Loads != netlist.LoadsLoaded {
		return
	}
	p := ch.loadPulls(edges, codes)
	m.offPhase = append([]float64(nil), p...)
	m.offCycle = append([]float64(nil), p...)
}

// ringExtras adds the description's per-ring frequency offsets
// (oscillators.freq_offsets) and tap loads (oscillators.tap_loads) to the
// rings' detuning: an offset moves ω_i by 2π·Δf_i; a load L_i drawn on the
// tap slows the ring by Δω_i = −ω_i·L_i/(N·C_tot + L_i), as the couplers'
// loads do (loadPulls). The SPICE deck realises both through each ring's
// frequency (it scales the ring's loads), not as a capacitor on the tap.
func (ch *Chip) ringExtras() {
	o := ch.nl.Oscillators
	for i := range ch.dOmega {
		if o.FreqOffsets != nil {
			ch.dOmega[i] += 2 * math.Pi * o.FreqOffsets[i]
		}
		if o.TapLoads != nil {
			ctot := float64(o.Stages) * (ch.c + ch.devCap())
			w := ch.wref + ch.dOmega[i]
			ch.dOmega[i] -= w * o.TapLoads[i] / (ctot + o.TapLoads[i])
		}
	}
}

// tapLoadLine is the ledger's line for the switching power of the extra
// loads on the taps: each tap charges and discharges its extra load L_i
// once a cycle, Σ L_i·VDD²·f0 (the rings' own load is in "rings:
// switching"). It counts the couplers' loads on an untrimmed chip
// (couplings.loads = "loaded"; a trimmed chip's taps gave that capacitance
// up) and the description's oscillators.tap_loads; there is no line when
// both are absent.
func (ch *Chip) tapLoadLine(f0 float64) (Line, bool) {
	loaded := ch.nl.Couplings.Loads == netlist.LoadsLoaded
	if !loaded && ch.nl.Oscillators.TapLoads == nil {
		return Line{}, false
	}
	var sum float64
	if loaded {
		for _, l := range ch.TapLoads() {
			sum += l
		}
	}
	for _, l := range ch.nl.Oscillators.TapLoads {
		sum += l
	}
	v := sum * ch.vdd * ch.vdd * f0
	return Line{"couplers: tap loads", v, fmt.Sprintf("Σ tap loads·VDD²·f0 = %s·(%s)²·%s", netlist.FormatSI(sum, "F"), netlist.FormatSI(ch.vdd, "V"), netlist.FormatSI(f0, "Hz"))}, true
}
