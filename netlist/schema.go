package netlist

import (
	"fmt"
	"reflect"
	"strings"

	"oscsim/phasedet"
	"oscsim/shil"
)

// The raw TOML schema. Pointer fields are optional; validation fills
// defaults and turns this into a Netlist. Field tags are the TOML keys.
// (Tagged field lists are same-shaped everywhere, here, in tuning.go and
// in every file layout of the project; the duplicates tool pairs them,
// deliberately: they are the format.)

type rawFile struct {
	Chip        rawChip        `toml:"chip"`
	Tech        rawTech        `toml:"tech"`
	Oscillators rawOscillators `toml:"oscillators"`
	Couplings   rawCouplings   `toml:"couplings"`
	Coupling    []rawCoupling  `toml:"coupling"`
	SHIL        *rawSHIL       `toml:"shil"`
	Injection   *rawInjection  `toml:"injection"`
	Tuning      *rawTuning     `toml:"tuning"`
	Detector    []rawDetector  `toml:"detector"`
	Run         rawRun         `toml:"run"`
}

type rawChip struct {
	Name        string `toml:"name"`
	Description string `toml:"description"`
	Tech        string `toml:"tech"`
	Pads        *int   `toml:"pads"`
}

// rawTech overrides fields of the chosen technology card.
type rawTech struct {
	VDD          *Voltage     `toml:"vdd"`
	NodeCap      *Capacitance `toml:"node_cap"`
	TGCap        *Capacitance `toml:"tg_cap"`
	CInvIn       *Capacitance `toml:"cinv_in"`
	DevCap       *Capacitance `toml:"dev_cap"`
	EdgeWidth    *float64     `toml:"edge_width"`
	TapH2        *float64     `toml:"tap_h2"`
	RiseFall     *float64     `toml:"rise_fall"`
	InvReff      *Resistance  `toml:"inv_reff"`
	ShortCircuit *Ratio       `toml:"short_circuit"`
	LeakInv      *Power       `toml:"leak_inv"`
	TGRon        *Resistance  `toml:"tg_ron"`
	AreaInv      *Area        `toml:"area_inv"`
	AreaNAND2    *Area        `toml:"area_nand2"`
	AreaTG       *Area        `toml:"area_tg"`
	AreaDFF      *Area        `toml:"area_dff"`
	AreaSRAM     *Area        `toml:"area_sram"`
	EnergyDFF    *Energy      `toml:"energy_dff"`
	AVT          *float64     `toml:"avt_mv_um"`
	Vth          *Voltage     `toml:"vth"`
	WN           *Length      `toml:"wn"`
	L            *Length      `toml:"l"`
	PadPitch     *Length      `toml:"pad_pitch"`
	PadDepth     *Length      `toml:"pad_depth"`
	CUnit        *Capacitance `toml:"c_unit"`
	EnergyBit    *Energy      `toml:"energy_bit"`
}

type rawOscillators struct {
	Count      *int        `toml:"count"`
	Names      []string    `toml:"names"`
	Stages     *int        `toml:"stages"`
	Frequency  *Frequency  `toml:"frequency"`
	Layout     Layout      `toml:"layout"`
	Rows       *int        `toml:"rows"`
	Cols       *int        `toml:"cols"`
	FreqSigma  *FreqSigma  `toml:"freq_sigma"`
	Linewidth  *Frequency  `toml:"linewidth"`
	PhaseNoise *PhaseNoise `toml:"phase_noise"`
	Init       Init        `toml:"init"`
	InitPhases []float64   `toml:"init_phases"`
	RingModel  string      `toml:"ring_model"`
	// Per-ring frequency offsets and tap loads (docs/ringmodel.md).
	FreqOffsets []Frequency   `toml:"freq_offsets"`
	TapLoads    []Capacitance `toml:"tap_loads"`
	// The stage whose output is the tap (couplers, detectors, tap loads).
	TapStage *int `toml:"tap_stage"`
}

type rawCouplings struct {
	Bits           *int          `toml:"bits"`
	MaxCode        *int          `toml:"max_code"`
	Quantize       Quantize      `toml:"quantize"`
	FullScale      *float64      `toml:"full_scale"`
	UnitResistance *Resistance   `toml:"unit_resistance"`
	UnitK          *Ratio        `toml:"unit_k"`
	Sigma          *Ratio        `toml:"sigma"`
	Weights        string        `toml:"weights"`
	WeightsKey     string        `toml:"weights_key"`
	Topology       Topology      `toml:"topology"`
	Sites          string        `toml:"sites"`
	Layers         []int         `toml:"layers"`
	Programmable   *bool         `toml:"programmable"`
	RandomLevels   []float64     `toml:"random_levels"`
	RandomSeed     *int64        `toml:"random_seed"`
	Loads          *CouplerLoads `toml:"loads"`
	// A coupler finger by its transmission gate's geometry.
	TGWN      *Length `toml:"tg_wn"`
	TGWP      *Length `toml:"tg_wp"`
	TGL       *Length `toml:"tg_l"`
	TGFingers *int    `toml:"tg_fingers"`
}

type rawCoupling struct {
	From   Ref      `toml:"from"`
	To     Ref      `toml:"to"`
	Weight *float64 `toml:"weight"`
}

type rawSHIL struct {
	Current  *Current  `toml:"current"`
	Ks       *Ratio    `toml:"ks"`
	Schedule shil.Kind `toml:"schedule"`
	Ramp     *Duration `toml:"ramp"`
	Start    *Duration `toml:"start"`
	Targets  Targets   `toml:"targets"`
	Port     *PumpPort `toml:"port"`
	// The stage whose output the pump drives (port = "tap").
	Stage *int `toml:"stage"`
}

// rawInjection describes the injection drivers at f0 (layered.go).
type rawInjection struct {
	MaxCurrent *Current `toml:"max_current"`
	Bits       *int     `toml:"bits"`
	Targets    Targets  `toml:"targets"`
}

type rawDetector struct {
	Name    string         `toml:"name"`
	Kind    *phasedet.Kind `toml:"kind"`
	Targets Targets        `toml:"targets"`
	Bits    *int           `toml:"bits"`
	Every   *int           `toml:"every"`
	Window  *Duration      `toml:"window"`
	Jitter  *Duration      `toml:"jitter"`
}

type rawRun struct {
	Duration      *Duration  `toml:"duration"`
	Cycles        *float64   `toml:"cycles"`
	StepsPerCycle *float64   `toml:"steps_per_cycle"`
	Model         Model      `toml:"model"`
	Integrator    Integrator `toml:"integrator"`
	Seed          *int64     `toml:"seed"`
}

// Ref names an oscillator by name (a string) or by index (an integer).
type Ref struct {
	Name  string
	Index int
	IsIdx bool
	Set   bool
}

// UnmarshalTOML implements toml.Unmarshaler.
func (r *Ref) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		*r = Ref{Name: x, Set: true}
	case int64:
		*r = Ref{Index: int(x), IsIdx: true, Set: true}
	default:
		return fmt.Errorf("want an oscillator name or index, got %T %v", v, v)
	}
	return nil
}

func (r Ref) String() string {
	if r.IsIdx {
		return fmt.Sprint(r.Index)
	}
	return fmt.Sprintf("%q", r.Name)
}

// Targets is "all" or a list of oscillator names or indices.
type Targets struct {
	All  bool
	Refs []Ref
	Set  bool
}

// UnmarshalTOML implements toml.Unmarshaler.
func (t *Targets) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		if x != "all" {
			return fmt.Errorf("targets: want \"all\" or a list of oscillators, got %q", x)
		}
		*t = Targets{All: true, Set: true}
	case []any:
		t.Set = true
		for _, e := range x {
			var r Ref
			if err := r.UnmarshalTOML(e); err != nil {
				return fmt.Errorf("targets: %w", err)
			}
			t.Refs = append(t.Refs, r)
		}
	default:
		return fmt.Errorf("targets: want \"all\" or a list of oscillators, got %T", v)
	}
	return nil
}

// UnitText is the unit KeyUnit gives a categorical or structured value (a
// name, a file, a list, a flag).
const UnitText = "text"

// KeyUnit returns the unit of a chip-description key such as
// "oscillators.frequency" or "detector[2].jitter" (array indices are
// ignored), read from the schema's field types: the canonical symbol of
// ParseQuantity for unit-bearing fields ("Hz", "s", "A", "V", "F", "Ohm",
// "m", "m2", "W", "J", UnitRatio), "" for a plain number and UnitText for
// everything else. ok is false for a key the schema does not have. Sweeps
// label their value columns with it, so a new key needs no second table.
func KeyUnit(key string) (unit string, ok bool) {
	t := reflect.TypeOf(rawFile{})
	for _, part := range strings.Split(StripIndex(key), ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return "", false
		}
		found := false
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.Tag.Get("toml") == part {
				t, found = f.Type, true
				break
			}
		}
		if !found {
			return "", false
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if _, symbol, ok := siUnit(t); ok {
		return symbol, true
	}
	switch t {
	case reflect.TypeFor[Ratio](), reflect.TypeFor[FreqSigma]():
		return UnitRatio, true
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "", true
	case reflect.Struct:
		if t.NumField() > 0 && t.Field(0).Tag.Get("toml") != "" {
			return "", false // a table, not a value
		}
	}
	return UnitText, true
}

// StripIndex removes array indices from a key: "detector[0].jitter" →
// "detector.jitter".
func StripIndex(key string) string {
	var b strings.Builder
	depth := 0
	for _, r := range key {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}
