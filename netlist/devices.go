package netlist

import "fmt"

// PumpPort is where the SHIL pump injects into a ring (shil.port). It sets
// the analytic ring's pump gain (ringosc.DeviceGains, docs/ringmodel.md);
// a characterised ring model carries the tap's measured gain.
type PumpPort string

const (
	// PortTap is a current into the tap, stage 0's output, which is where
	// the SPICE deck injects: the pump couples through the tap ISF's
	// second harmonic, which only the inverter's rise/fall asymmetry makes
	// (tech card TapH2), so the gain is small (g2 ≈ 0.14·h1 on the 45 nm
	// card).
	PortTap PumpPort = "tap"
	// PortSupply is a port where both edges of a cycle respond with the
	// same sign (a supply or tail current, a gated injection device): the
	// pump-port ISF's second harmonic equals the tap ISF's first
	// (g2 = 2·h1; Hong & Hajimiri, JSSC 54(8), 2019). [A]: not checked
	// against SPICE, whose decks inject at the tap.
	PortSupply PumpPort = "supply"
)

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *PumpPort) UnmarshalText(b []byte) error {
	switch x := PumpPort(b); x {
	case PortTap, PortSupply:
		*p = x
		return nil
	}
	return fmt.Errorf("unknown pump port %q (want %q or %q)", string(b), PortTap, PortSupply)
}

// CouplerLoads says whether the rings are trimmed for their couplers'
// static load (couplings.loads).
type CouplerLoads string

const (
	// LoadsTrimmed: every ring's load capacitance was trimmed for what its
	// couplers add (switch and inverter-input capacitance on the tap) and
	// for the inverter path's pull in its favoured state, so coupling does
	// not move a ring's natural frequency. The engine adds nothing; the
	// SPICE deck takes each tap's coupler load off its load capacitor.
	LoadsTrimmed CouplerLoads = "trimmed"
	// LoadsLoaded: the chip as drawn, no trims. Each tap carries its
	// couplers' capacitance, which slows its ring (chip.Chip.TapLoads); the
	// engine puts that pull into each ring's frequency at compile time and
	// the deck keeps the full load capacitor.
	LoadsLoaded CouplerLoads = "loaded"
)

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *CouplerLoads) UnmarshalText(b []byte) error {
	switch x := CouplerLoads(b); x {
	case LoadsTrimmed, LoadsLoaded:
		*l = x
		return nil
	}
	return fmt.Errorf("unknown coupler loads %q (want %q or %q)", string(b), LoadsTrimmed, LoadsLoaded)
}
