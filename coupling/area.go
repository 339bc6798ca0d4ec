package coupling

import "oscsim/tech"

// Site is the hardware of one coupler site between two rings: unit TG
// fingers, inverter-path inverters and configuration bits.
type Site struct {
	Fingers   int `json:"tg_fingers"`  // unit TG fingers (each of conductance gUnit when on)
	Inverters int `json:"inverters"`   // inverters that make the complement for the inverter path
	Bits      int `json:"config_bits"` // configuration bits (sign / path select and magnitude)
}

// ProgrammableSite returns the hardware of a site that can hold any code in
// −maxCode…+maxCode: the in-phase path is one bank of maxCode fingers
// between the two taps (shared by both directions, as the engine models
// it); the inverter path is, per direction, one inverter driving its own
// bank of maxCode fingers; the code is stored in bits magnitude bits plus
// one sign bit that selects the path. The magnitude banks are binary
// weighted (1, 2, 4, … unit fingers, the top group trimmed so the bank
// totals maxCode units), so no decoder is needed; each finger's gate
// driver is part of the card's AreaTG.
func ProgrammableSite(maxCode, bits int) Site {
	return Site{Fingers: 3 * maxCode, Inverters: 2, Bits: bits + 1}
}

// FixedSite returns the hardware of a hard-wired site at code c: |c|
// fingers between the taps for c > 0; for c < 0 two inverters, each with
// its own |c| fingers (one per direction); nothing for c = 0. It has no
// configuration bits.
func FixedSite(c int) Site {
	switch {
	case c > 0:
		return Site{Fingers: c}
	case c < 0:
		return Site{Fingers: -2 * c, Inverters: 2}
	}
	return Site{}
}

// Add returns the sum of two sites' hardware.
func (s Site) Add(o Site) Site {
	return Site{Fingers: s.Fingers + o.Fingers, Inverters: s.Inverters + o.Inverters, Bits: s.Bits + o.Bits}
}

// Scale returns n copies of s.
func (s Site) Scale(n int) Site {
	return Site{Fingers: n * s.Fingers, Inverters: n * s.Inverters, Bits: n * s.Bits}
}

// Area returns the layout area (m²) of the site's parts: fingers·AreaTG,
// inverters·AreaInv and bits·AreaSRAM (configuration kept in SRAM-style
// cells; docs/model.md §9 notes that configuration storage dominates).
func (s Site) Area(c tech.Card) (tg, inv, cfg float64) {
	return float64(s.Fingers) * c.AreaTG, float64(s.Inverters) * c.AreaInv, float64(s.Bits) * c.AreaSRAM
}

// Leakage returns the static power (W) of the site's parts, counting each
// TG finger and each inverter as one unit inverter's leakage and each
// configuration bit as two (a cross-coupled pair) [A].
func (s Site) Leakage(c tech.Card) float64 {
	return float64(s.Fingers+s.Inverters+2*s.Bits) * c.LeakInv
}

// InverterPower returns the switching power (W) of n active inverter-path
// inverters at frequency f: each charges its light output node (its drain
// and the TG bank's diffusion, the card's CUnit) once a cycle,
// n·CUnit·VDD²·f, plus the card's short-circuit fraction (the same
// first-order model as the ring, docs/model.md §9).
func InverterPower(n int, c tech.Card, f float64) float64 {
	return float64(n) * c.CUnit * c.VDD * c.VDD * f * (1 + c.ShortCircuit)
}
