package netlist

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"oscsim/phasedet"
	"oscsim/ringosc"
	"oscsim/shil"
	"oscsim/tech"
)

// Netlist is a validated chip description: every value in SI units, every
// default filled in, every oscillator reference resolved to an index. It is
// immutable once returned by Load or Parse.
type Netlist struct {
	// File is the path the description was read from ("" for in-memory).
	File        string
	Name        string
	Description string
	// Tech is the technology card with the description's overrides applied.
	Tech        tech.Card
	Oscillators Oscillators
	Couplings   Couplings
	// SHIL is nil when the chip has no pump.
	SHIL *SHIL
	// Injection describes the chip's injection drivers at f0; nil when the
	// description has no [injection] table (runs may then inject any
	// current: an ideal source outside the ledger, layered.go).
	Injection *Injection
	// Tuning describes per-ring frequency tuning (tuning.go); nil when the
	// description has no [tuning] table.
	Tuning    *Tuning
	Detectors []Detector
	Run       Run
	// Pads is the number of I/O and supply bond pads on the die edge, or 0
	// to let the area ledger assume its default.
	Pads int
	// Warnings are legal but unusual values (a very long ring, a very
	// high frequency), each at its position; commands print them.
	Warnings Errors
}

// Oscillators describes the ring-oscillator array.
type Oscillators struct {
	Names  []string
	Stages int
	// Frequency is the nominal natural frequency f0 in Hz, which is also the
	// reference frequency (the pump runs at 2·f0, detectors sample at f0).
	Frequency float64
	// FrequencyDerived is true when Frequency came from the tech card.
	FrequencyDerived bool
	// Layout is Line or GridPlane; Rows×Cols is the grid (1×N for a line).
	Layout     Layout
	Rows, Cols int
	// FreqSigma is the relative 1σ frequency mismatch between rings.
	FreqSigma float64
	// FreqSigmaPelgrom is true when FreqSigma was derived from the card's
	// device size (freq_sigma = "pelgrom", ringosc.PelgromSigma).
	FreqSigmaPelgrom bool
	// Linewidth is the FWHM of a free ring's Lorentzian line in Hz; the
	// phase then diffuses with variance 2π·Linewidth·t.
	Linewidth float64
	// Init is InitRandom (uniform phases), InitZero or InitPhases.
	Init       Init
	InitPhases []float64 // radians, len N when Init == "phases"
	// FreqOffsets (Hz, len N or nil) move each ring's natural frequency
	// deterministically: a designer's offset or trim, on top of the drawn
	// mismatch (oscillators.freq_offsets).
	FreqOffsets []float64
	// TapLoads (F, len N or nil) are extra explicit capacitances on each
	// ring's tap, drawn on the chip (oscillators.tap_loads): each slows
	// its ring (chip.Chip.TapLoads, docs/ringmodel.md).
	TapLoads []float64
	// TapStage is the stage whose output is the tap (0…Stages−1,
	// oscillators.tap_stage, default 0): the node the couplers attach to,
	// the detectors read and the tap loads sit on. θ = 0 is that node's
	// maximum. In a ring of identical stages every node is the same
	// waveform shifted in phase, so the ring model does not change with it
	// (docs/ringmodel.md, "The tap node").
	TapStage int
	// RingModel is the path of a characterised ring model file, or "".
	RingModel string
	// Ring is that model, read and checked against the chip's ring (its
	// stages, supply and node load) by Parse; nil without one, or when
	// parsed with ParseOptions.NoRingModel. Read-only.
	Ring *ringosc.Model
}

// N returns the number of oscillators.
func (o Oscillators) N() int { return len(o.Names) }

// RingFile returns the ring-model file the description reads: RingModel,
// or "" for none and for the characterisation built into the binary
// (ring_model = "builtin").
func (o Oscillators) RingFile() string {
	if o.RingModel == ringosc.BuiltinName {
		return ""
	}
	return o.RingModel
}

// Couplings describes the transmission-gate coupling fabric and the
// couplings programmed into it.
type Couplings struct {
	// Bits is the number of code bits per coupling (parallel TG fingers);
	// MaxCode ≤ 2^Bits−1 is the largest magnitude code accepted.
	Bits, MaxCode int
	// Quantize is Scale (real weights scaled so FullScale maps to MaxCode)
	// or Exact (weights must be integer codes in [−MaxCode, MaxCode]).
	Quantize  Quantize
	FullScale float64
	// UnitResistance is the on-resistance of one TG finger in ohms (one
	// code step), or 0 when UnitK is given instead.
	UnitResistance float64
	// UnitK is the phase-model coupling rate of one code step as a fraction
	// of ω0, or 0 when UnitResistance is given.
	UnitK float64
	// Sigma is the relative 1σ conductance mismatch of one TG finger.
	Sigma float64
	// Topology is the physical coupling fabric: Explicit (only the
	// programmed sites are built), AllToAll, Kings, Grid or Sites (the
	// pairs of a mask file, see sites.go).
	Topology Topology
	// Sites are the coupler sites of a "sites" fabric in increasing (I, J)
	// order, read from SitesFile; nil for the other topologies.
	Sites     []Pair
	SitesFile string
	// Layers are the layer sizes of a "layered" fabric (rings numbered
	// layer by layer, summing to the ring count); nil otherwise.
	Layers []int
	// Programmable is true when every coupler site is built with both
	// paths, MaxCode fingers per path and its configuration bits; false for
	// a hard-wired chip whose sites hold only the fingers their code needs.
	// Default: true for the fabric topologies, false for "explicit".
	Programmable bool
	// Loads says whether the rings are trimmed for their couplers' load
	// (default LoadsTrimmed).
	Loads CouplerLoads
	// TG is the coupler finger described by its transmission gate's
	// geometry (couplings.tg_*), or nil; UnitResistance is then 1/TG.G.
	TG *TGGeometry
	// Random, when not nil, is the random instance the edges were drawn
	// from (couplings.random_levels): one edge per fabric site.
	Random *RandomWeights
	// Edges are the programmed couplings, one per unordered pair (I < J).
	Edges []Edge
	// WeightsFile is the weights file the edges were read from, or "".
	WeightsFile string
}

// Edge is one symmetric coupling between oscillators I < J with weight W.
// Pos is where it was written (zero for couplings from a weights file).
type Edge struct {
	I, J int
	W    float64
	Pos  Pos
}

// SHIL describes the sub-harmonic injection-locking pump at 2·f0.
type SHIL struct {
	// Current is the pump current amplitude in amperes, or 0 when Ks is given.
	Current float64
	// Ks is the SHIL rate K_s as a fraction of ω0, or 0 when Current is given.
	Ks float64
	// Schedule is shil.Constant, shil.Ramp (0 → full over the run after
	// Start) or shil.RampHold (0 → full over Ramp after Start, then held).
	Schedule shil.Kind
	Ramp     float64 // seconds
	Start    float64 // seconds
	Targets  []int
	// Port is where the pump injects (default PortTap).
	Port PumpPort
	// Stage is the stage whose output the pump drives when Port is
	// PortTap (shil.stage, default Oscillators.TapStage). A pump Stage −
	// TapStage stages down the ring sees the tap's ISF delayed by that
	// node's phase, so the chip drives it that much later
	// (ringosc.Model.PumpAtNode, docs/ringmodel.md).
	Stage int
}

// Detector is one bank of phase detectors.
type Detector struct {
	Name    string
	Kind    phasedet.Kind
	Targets []int
	Bits    int     // TDC resolution
	Every   int     // sample every this many reference cycles; 0 = at the end only
	Window  float64 // counter window in seconds
	Jitter  float64 // aperture jitter (1σ) in seconds
}

// Run holds the run settings.
type Run struct {
	Duration      float64 // seconds
	Cycles        float64 // Duration·f0
	StepsPerCycle float64
	Model         Model
	Integrator    Integrator
	Seed          int64
}

// Dt returns the time step in seconds.
func (n *Netlist) Dt() float64 { return 1 / (n.Oscillators.Frequency * n.Run.StepsPerCycle) }

// Steps returns the number of time steps of the run.
func (n *Netlist) Steps() int {
	s := n.Run.Cycles * n.Run.StepsPerCycle
	return int(s + 0.5)
}

// Summary is a one-line description of a valid chip.
func (n *Netlist) Summary() string {
	shil := "no SHIL"
	if n.SHIL != nil {
		shil = "SHIL " + string(n.SHIL.Schedule)
	}
	return fmt.Sprintf("%s: %d rings (%d stages, %s, %s) on %s, %d couplings (%d-bit, max code %d), %s, %d detector bank(s), %s model, %g cycles × %g steps",
		n.Name, n.Oscillators.N(), n.Oscillators.Stages, FormatSI(n.Oscillators.Frequency, "Hz"), n.Oscillators.Layout,
		n.Tech.Name, len(n.Couplings.Edges), n.Couplings.Bits, n.Couplings.MaxCode, shil, len(n.Detectors),
		n.Run.Model, n.Run.Cycles, n.Run.StepsPerCycle)
}

// Error is one problem in a chip description, at a position.
type Error struct {
	File string
	Pos  Pos
	Key  string
	Msg  string
	// Err, when set, is the kind of problem (ErrUnknownKey), for errors.Is.
	Err error
}

// ErrUnknownKey is the kind of an Error about a key the schema does not
// have (a chip key, a sweep key, a workload parameter).
var ErrUnknownKey = errors.New("unknown key")

// Unwrap returns the problem's kind, if any.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", e.Pos.Line, e.Pos.Col)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrInvalid is wrapped by every error Load and Parse return for a bad
// description, so callers can tell bad input from I/O failures. Sweep files
// and workload settings, which report their problems as Errors too, wrap
// it as well.
var ErrInvalid = errors.New("invalid description")

// Errors is the list of problems found in one description (a chip, a sweep
// file, a workload's settings), each with its file and position.
type Errors []*Error

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap lets errors.Is(err, ErrInvalid) hold.
func (es Errors) Unwrap() error { return ErrInvalid }

// Load reads and validates the chip description at path. Relative paths
// inside it (weights, ring model) are resolved against its directory.
func Load(path string) (*Netlist, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("netlist: %w", err)
	}
	return Parse(path, src, nil)
}

// FileReader reads a file referenced by a description (the weights file).
// Parse uses os.ReadFile when it is nil; embedded configs pass their own.
type FileReader func(name string) ([]byte, error)

// ParseOptions adjust ParseWith.
type ParseOptions struct {
	// Read reads the files a description references (os.ReadFile when nil).
	Read FileReader
	// NoRingModel leaves oscillators.ring_model unread (Oscillators.Ring
	// nil), for the tool that writes that file (oscsim characterize).
	NoRingModel bool
}

// Parse validates the chip description src; name is used in messages and
// to resolve relative file references. Every problem is reported at once as
// an Errors value.
func Parse(name string, src []byte, read FileReader) (*Netlist, error) {
	return ParseWith(name, src, ParseOptions{Read: read})
}

// ParseWith is Parse with options.
func ParseWith(name string, src []byte, opt ParseOptions) (*Netlist, error) {
	v := &validator{file: name, pos: KeyPositions(string(src)), read: opt.Read, noRing: opt.NoRingModel}
	var prim struct {
		Chip        toml.Primitive   `toml:"chip"`
		Tech        toml.Primitive   `toml:"tech"`
		Oscillators toml.Primitive   `toml:"oscillators"`
		Couplings   toml.Primitive   `toml:"couplings"`
		Coupling    []toml.Primitive `toml:"coupling"`
		SHIL        *toml.Primitive  `toml:"shil"`
		Injection   *toml.Primitive  `toml:"injection"`
		Tuning      *toml.Primitive  `toml:"tuning"`
		Detector    []toml.Primitive `toml:"detector"`
		Run         toml.Primitive   `toml:"run"`
	}
	md, err := toml.Decode(string(src), &prim)
	if err != nil {
		v.tomlErr(err, "")
		return nil, v.errs
	}
	var raw rawFile
	failed := map[string]bool{}
	dec := func(section string, p toml.Primitive, dst any) {
		if err := md.PrimitiveDecode(p, dst); err != nil {
			v.tomlErr(err, section)
			failed[section] = true
		}
	}
	dec("chip", prim.Chip, &raw.Chip)
	dec("tech", prim.Tech, &raw.Tech)
	dec("oscillators", prim.Oscillators, &raw.Oscillators)
	dec("couplings", prim.Couplings, &raw.Couplings)
	raw.Coupling = make([]rawCoupling, len(prim.Coupling))
	for i, p := range prim.Coupling {
		dec(fmt.Sprintf("coupling[%d]", i), p, &raw.Coupling[i])
	}
	if prim.SHIL != nil {
		raw.SHIL = new(rawSHIL)
		dec("shil", *prim.SHIL, raw.SHIL)
	}
	if prim.Injection != nil {
		raw.Injection = new(rawInjection)
		dec("injection", *prim.Injection, raw.Injection)
	}
	if prim.Tuning != nil {
		raw.Tuning = new(rawTuning)
		dec("tuning", *prim.Tuning, raw.Tuning)
	}
	raw.Detector = make([]rawDetector, len(prim.Detector))
	for i, p := range prim.Detector {
		dec(fmt.Sprintf("detector[%d]", i), p, &raw.Detector[i])
	}
	dec("run", prim.Run, &raw.Run)

	// Strict: every key must be known. Keys of sections that failed to
	// decode are left out, since the decoder stopped inside them.
	unknown := md.Undecoded()
	sort.Slice(unknown, func(i, j int) bool { return v.at(keyPath(unknown[i])).Line < v.at(keyPath(unknown[j])).Line })
	// A table written twice in different case ([OSCILLATORS] and
	// [oscillators]) decodes one of them; the other's keys are reported
	// once, as the differently-cased table below, not key by key.
	shadowed := map[string]bool{}
	for _, k := range md.Keys() {
		if caseVariant(k[0], knownKeys[""]) {
			shadowed[strings.ToLower(k[0])] = true
		}
	}
	reported := map[string]bool{}
	for _, k := range unknown {
		path := keyPath(k)
		sec := strings.SplitN(path, ".", 2)[0]
		if failed[sec] {
			continue
		}
		if shadowed[sec] {
			// Which of the two spellings the decoder took depends on its
			// map order; a wrongly cased key of the correctly spelled table
			// is reported either way.
			if len(k) == 2 && slices.Contains(knownKeys[""], sec) && !slices.Contains(knownKeys[sec], k[1]) && !reported[path] {
				reported[path] = true
				v.errs = append(v.errs, &Error{File: v.file, Pos: v.at(path), Key: path, Msg: "unknown key" + suggest(k), Err: ErrUnknownKey})
			}
			continue
		}
		if caseVariant(sec, knownKeys[""]) {
			path, k = sec, k[:1] // a differently-cased table: report it once
		} else if isParentOfUndecoded(k, unknown) {
			continue
		}
		if !reported[path] {
			reported[path] = true
			v.errs = append(v.errs, &Error{File: v.file, Pos: v.at(path), Key: path, Msg: "unknown key" + suggest(k), Err: ErrUnknownKey})
		}
	}
	// TOML keys are case-sensitive but the decoder matches struct fields
	// without regard to case, so a key decoded under another spelling
	// ("COUNT" into count) is unknown too.
	undecoded := map[string]bool{}
	for _, k := range unknown {
		undecoded[keyPath(k)] = true
	}
	for _, k := range md.Keys() {
		if sec := k[0]; failed[sec] || undecoded[keyPath(k)] || reported[keyPath(k)] || reported[sec] {
			continue
		}
		parent := ""
		if len(k) > 1 {
			parent = k[len(k)-2]
		}
		known, ok := knownKeys[parent]
		if len(k) == 2 && !slices.Contains(knownKeys[""], k[0]) {
			continue // reported once, as its table
		}
		if !ok || len(k) > 2 || slices.Contains(known, k[len(k)-1]) {
			continue
		}
		v.errs = append(v.errs, &Error{File: v.file, Pos: v.at(keyPath(k)), Key: keyPath(k), Msg: "unknown key" + suggest(k), Err: ErrUnknownKey})
	}
	// Semantic checks run only on fully decoded input: a section the
	// decoder stopped in holds partial values.
	var n *Netlist
	if len(failed) == 0 {
		n = v.build(&raw)
	}
	if len(v.errs) > 0 {
		sort.SliceStable(v.errs, func(i, j int) bool {
			a, b := v.errs[i].Pos, v.errs[j].Pos
			return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
		})
		return nil, v.errs
	}
	n.Warnings = v.warns
	return n, nil
}

// caseVariant reports whether name is one of known spelled in another case.
func caseVariant(name string, known []string) bool {
	for _, k := range known {
		if name != k && strings.EqualFold(name, k) {
			return true
		}
	}
	return false
}

// keyPath renders a toml.Key; array-table indices are not in toml.Key, so
// positions for them are looked up without the index first.
func keyPath(k toml.Key) string { return strings.Join(k, ".") }

// isParentOfUndecoded reports whether k is a table whose own keys are also
// listed, so that an unknown table is reported once per key, not also as a
// table.
func isParentOfUndecoded(k toml.Key, all []toml.Key) bool {
	p := keyPath(k) + "."
	for _, o := range all {
		if strings.HasPrefix(keyPath(o), p) {
			return true
		}
	}
	return false
}

// knownKeys lists the keys of each table of the chip description ("" for
// the top level), derived from rawFile's toml tags so that it cannot drift
// from the schema.
var knownKeys = schemaKeys(reflect.TypeOf(rawFile{}))

// schemaKeys returns the toml keys of struct type t and, under each key
// whose field is a struct (or a pointer to or slice of one), that
// struct's keys.
func schemaKeys(t reflect.Type) map[string][]string {
	keys := map[string][]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("toml"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		keys[""] = append(keys[""], name)
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.Struct {
			continue
		}
		keys[name] = append(keys[name], schemaKeys(ft)[""]...)
	}
	return keys
}

// suggest returns " (did you mean ...?)" for a near-miss key.
func suggest(k toml.Key) string {
	parent := ""
	if len(k) > 1 {
		parent = k[len(k)-2]
	}
	known, ok := knownKeys[parent]
	if !ok {
		return ""
	}
	return Suggest(k[len(k)-1], known)
}

// Suggest returns " (did you mean "x"?)" for the known key nearest to k
// (edit distance below 3), or " (known keys here: …)" when none is near;
// for error messages about unknown keys.
func Suggest(k string, known []string) string {
	for _, c := range known {
		if strings.EqualFold(k, c) {
			return fmt.Sprintf(" (did you mean %q? keys are case-sensitive)", c)
		}
	}
	best, bestD := "", 3
	for _, c := range known {
		if d := editDistance(k, c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return fmt.Sprintf(" (known keys here: %s)", strings.Join(known, ", "))
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
