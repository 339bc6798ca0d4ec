package netlist

import "oscsim/internal/vocab"

// The vocabularies of a chip description. Each is a string type with its
// words as constants and an UnmarshalText that accepts only those words
// (internal/vocab), so the TOML decoder reports a bad value at its line and
// column. The zero value "" means "not given"; validation fills the
// default. Being string types, they compare with untyped constants
// (run.Model == "phase"). The blocks share one shape on purpose.

// Model is the fidelity level a chip runs at.
type Model string

const (
	// ModelCycle resolves every oscillation cycle (docs/model.md §5).
	ModelCycle Model = "cycle"
	// ModelPhase is its cycle average in the reference frame.
	ModelPhase Model = "phase"
)

// UnmarshalText accepts "cycle" or "phase".
func (m *Model) UnmarshalText(b []byte) error {
	return vocab.Set(m, b, "model", ModelCycle, ModelPhase)
}

// Check reports a Model that is none of the words (a caller's option).
func (m Model) Check() error { return vocab.Check(m, "model", ModelCycle, ModelPhase) }

// DefaultStepsPerCycle is the time step a description gets when it gives
// none: 32 steps a cycle resolve the cycle model's waveform and its 2·f0
// pump; the phase model's rates are a few per cent of ω0, and 4 steps a
// cycle keep Heun's error small (chip.MinStepsPerCycle checks each chip).
func (m Model) DefaultStepsPerCycle() float64 {
	if m == ModelCycle {
		return 32
	}
	return 4
}

// Integrator is the time-stepping scheme.
type Integrator string

const (
	Euler Integrator = "euler"
	Heun  Integrator = "heun"
	RK4   Integrator = "rk4"
)

// UnmarshalText accepts "euler", "heun" or "rk4".
func (i *Integrator) UnmarshalText(b []byte) error {
	return vocab.Set(i, b, "integrator", Euler, Heun, RK4)
}

// Topology is the physical coupling fabric.
type Topology string

const (
	// Explicit builds only the programmed couplings.
	Explicit Topology = "explicit"
	// AllToAll, Kings and Grid build one site per pair of their graph
	// (Kings and Grid on a grid layout).
	AllToAll Topology = "all-to-all"
	Kings    Topology = "kings"
	Grid     Topology = "grid"
	// Sites builds the pairs of a mask file (couplings.sites).
	Sites Topology = "sites"
	// Layered builds one site between every ring of a layer and every
	// ring of the next (couplings.layers; layered.go): a layered
	// classifier's fabric, with no coupler inside a layer.
	Layered Topology = "layered"
)

// UnmarshalText accepts "explicit", "all-to-all", "kings", "grid", "sites"
// or "layered".
func (t *Topology) UnmarshalText(b []byte) error {
	return vocab.Set(t, b, "topology", Explicit, AllToAll, Kings, Grid, Sites, Layered)
}

// Fabric reports whether the topology builds sites beyond the programmed
// couplings (every topology but Explicit); such fabrics are programmable
// by default.
func (t Topology) Fabric() bool { return t != Explicit }

// NeedsGrid reports whether the topology is defined on a grid layout.
func (t Topology) NeedsGrid() bool { return t == Kings || t == Grid }

// Quantize says how weights become codes.
type Quantize string

const (
	// Scale maps the full scale onto the largest code.
	Scale Quantize = "scale"
	// Exact requires every weight to be an integer code already.
	Exact Quantize = "exact"
)

// UnmarshalText accepts "scale" or "exact".
func (q *Quantize) UnmarshalText(b []byte) error { return vocab.Set(q, b, "quantize", Scale, Exact) }

// Init is how a run's phases start.
type Init string

const (
	// InitRandom draws uniform phases per input.
	InitRandom Init = "random"
	// InitZero starts every ring at phase 0.
	InitZero Init = "zero"
	// InitPhases starts from oscillators.init_phases.
	InitPhases Init = "phases"
)

// UnmarshalText accepts "random", "zero" or "phases".
func (i *Init) UnmarshalText(b []byte) error {
	return vocab.Set(i, b, "init", InitRandom, InitZero, InitPhases)
}

// Layout is the rings' arrangement.
type Layout string

const (
	Line      Layout = "line"
	GridPlane Layout = "grid"
)

// UnmarshalText accepts "line" or "grid".
func (l *Layout) UnmarshalText(b []byte) error { return vocab.Set(l, b, "layout", Line, GridPlane) }

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
	return vocab.Set(p, b, "pump port", PortTap, PortSupply)
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
	return vocab.Set(l, b, "coupler loads", LoadsTrimmed, LoadsLoaded)
}
