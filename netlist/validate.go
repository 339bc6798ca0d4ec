package netlist

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"oscsim/phasedet"
	"oscsim/ringosc"
	"oscsim/shil"
	"oscsim/tech"
)

type validator struct {
	file   string
	noRing bool // ParseOptions.NoRingModel
	pos    map[string]Pos
	used   map[string]bool
	read   FileReader
	errs   Errors
	// warns are legal but unusual values (limits.go).
	warns Errors

	names []string       // oscillator names, once known
	index map[string]int // name → index
}

// at returns the position of a dotted key path. Array-table keys written
// without an index ("coupling.weight") match the first unreported
// "coupling[i].weight".
func (v *validator) at(path string) Pos {
	if p, ok := v.pos[path]; ok {
		return p
	}
	head, rest, _ := strings.Cut(path, ".")
	if !strings.Contains(head, "[") {
		for i := 0; ; i++ {
			cand := fmt.Sprintf("%s[%d]", head, i)
			if _, ok := v.pos[cand]; !ok {
				break
			}
			full := cand
			if rest != "" {
				full += "." + rest
			}
			if p, ok := v.pos[full]; ok {
				if v.used == nil {
					v.used = map[string]bool{}
				}
				if !v.used[full] {
					v.used[full] = true
					return p
				}
			}
		}
	}
	// Fall back to the enclosing table.
	if i := strings.LastIndex(path, "."); i > 0 {
		return v.at(path[:i])
	}
	return Pos{}
}

func (v *validator) errAt(key, format string, args ...any) {
	v.errs = append(v.errs, &Error{File: v.file, Pos: v.at(key), Key: key, Msg: fmt.Sprintf(format, args...)})
}

// both records "give either a or b, not both" at section.b when both of
// two exclusive keys are given, and reports whether they were.
func (v *validator) both(section, a string, hasA bool, b string, hasB bool) bool {
	if hasA && hasB {
		v.errAt(section+"."+b, "give either %s or %s, not both", a, b)
	}
	return hasA && hasB
}

// notNegative records "what must not be negative (got x unit)" at key
// when x < 0.
func (v *validator) notNegative(key, what string, x float64, unit string) {
	if x < 0 {
		v.errAt(key, "%s must not be negative (got %g%s)", what, x, unit)
	}
}

// tomlErr records a decoder error, keeping its line and column.
func (v *validator) tomlErr(err error, section string) {
	key, msg, pos, ok := DecodeProblem(err)
	if !ok {
		v.errs = append(v.errs, &Error{File: v.file, Key: section, Msg: msg})
		return
	}
	if section != "" && strings.Contains(section, "[") && !strings.HasPrefix(key, section) {
		// Array-table sections: the decoder's key lacks the index.
		if _, k, ok := strings.Cut(key, "."); ok {
			key = section + "." + k
		} else if key == "" {
			key = section
		}
	}
	if p := v.at(key); pos.Col == 0 && p.Line > 0 {
		pos = p // a type mismatch names only its line: the key has the column
	}
	v.errs = append(v.errs, &Error{File: v.file, Pos: pos, Key: key, Msg: msg})
}

// DecodeProblem takes apart an error of the TOML decoder (BurntSushi/toml):
// the dotted key it is about, the message in this package's words
// ("wrong type: got string, want integer"), and its position when the
// decoder gives one (a type mismatch gives only its line). ok is false for
// an error that names no key; msg is then the whole message. Chip
// descriptions, sweep files and workload parameters all report decoder
// errors through it.
func DecodeProblem(err error) (key, msg string, pos Pos, ok bool) {
	reword := func(m string) string {
		m = strings.Replace(m, "incompatible types: TOML value has type ", "wrong type: got ", 1)
		return strings.Replace(m, "; destination has type ", ", want ", 1)
	}
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return pe.LastKey, reword(pe.Message), Pos{pe.Position.Line, pe.Position.Col}, true
	}
	// Type mismatches come as "toml: line N (last key \"k\"): message".
	if m := typeErrRe.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return m[2], reword(m[3]), Pos{Line: line}, true
	}
	return "", strings.TrimPrefix(err.Error(), "toml: "), Pos{}, false
}

var typeErrRe = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]*)"\): (.*)$`)

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (v *validator) build(r *rawFile) *Netlist {
	n := &Netlist{File: v.file, Name: r.Chip.Name, Description: r.Chip.Description}
	if n.Name == "" {
		n.Name = strings.TrimSuffix(filepath.Base(v.file), filepath.Ext(v.file))
	}
	v.buildTech(n, r)
	if r.Chip.Pads != nil {
		n.Pads = *r.Chip.Pads
		if n.Pads < 1 {
			v.errAt("chip.pads", "a die needs at least one pad (got %d)", n.Pads)
		}
	}
	v.buildOscillators(n, &r.Oscillators)
	v.buildRun(n, &r.Run)
	v.buildCouplings(n, r)
	v.buildSHIL(n, r.SHIL)
	v.buildInjection(n, r.Injection)
	v.buildTuning(n, r.Tuning)
	v.buildDetectors(n, r.Detector)
	v.checkPlausible(n)
	return n
}

// techSpecial reports the [tech] overrides buildTech checks and sets by
// hand (another range, a derived field or a unit conversion).
func techSpecial(field string) bool {
	switch field {
	case "TapH2", "RiseFall", "ShortCircuit", "AVT":
		return true
	}
	return false
}

func (v *validator) buildTech(n *Netlist, r *rawFile) {
	name := r.Chip.Tech
	if name == "" {
		name = "45nm"
	}
	card, err := tech.Lookup(name)
	if err != nil {
		v.errAt("chip.tech", "%v", strings.TrimPrefix(err.Error(), "tech: "))
		card, _ = tech.Lookup("45nm")
	}
	t := r.Tech
	pos := func(key string, x float64) bool {
		if !(x > 0) {
			v.errAt("tech."+key, "must be positive (got %g)", x)
			return false
		}
		return true
	}
	// Every other override must be positive and sets the card's field of
	// the same name (TestTechOverrides checks that each has one).
	rt, rv, cv := reflect.TypeFor[rawTech](), reflect.ValueOf(t), reflect.ValueOf(&card).Elem()
	for i := range rt.NumField() {
		f, p := rt.Field(i), rv.Field(i)
		if p.IsNil() || techSpecial(f.Name) {
			continue
		}
		if x := p.Elem().Float(); pos(f.Tag.Get("toml"), x) {
			cv.FieldByName(f.Name).SetFloat(x)
		}
	}
	if t.TapH2 != nil {
		if x := *t.TapH2; !(x >= 0 && x < 1) {
			v.errAt("tech.tap_h2", "the tap ISF's c2/c1 must be in [0, 1) (got %g)", x)
		} else {
			card.TapH2 = x
		}
	}
	if t.RiseFall != nil {
		// The tap's asymmetry from the nodes' rise/fall time ratio
		// (tech.TapH2FromRiseFall, docs/ringmodel.md).
		switch x := *t.RiseFall; {
		case t.TapH2 != nil:
			v.errAt("tech.rise_fall", "give either tap_h2 or rise_fall (from which tap_h2 follows), not both")
		case !(x > 0.2 && x < 5):
			v.errAt("tech.rise_fall", "the ring nodes' rise/fall time ratio must be in (0.2, 5) (got %g)", x)
		default:
			card.TapH2 = tech.TapH2FromRiseFall(x)
		}
	}
	if t.ShortCircuit != nil {
		if *t.ShortCircuit < 0 {
			v.errAt("tech.short_circuit", "must not be negative (got %g)", float64(*t.ShortCircuit))
		} else {
			card.ShortCircuit = float64(*t.ShortCircuit)
		}
	}
	if t.AVT != nil && pos("avt_mv_um", *t.AVT) {
		card.AVT = *t.AVT * 1e-3 * 1e-6
	}
	if card.Vth >= card.VDD {
		v.errAt("tech.vth", "threshold %gV must be below VDD %gV", card.Vth, card.VDD)
	}
	n.Tech = card
}

func (v *validator) buildOscillators(n *Netlist, r *rawOscillators) {
	o := &n.Oscillators
	switch {
	case v.both("oscillators", "count", r.Count != nil, "names", r.Names != nil):
	case r.Names != nil && len(r.Names) == 0:
		v.errAt("oscillators.names", "empty list: a chip needs at least one oscillator")
	case len(r.Names) > MaxOscillators:
		v.errAt("oscillators.names", "at most %d oscillators (got %d names)", MaxOscillators, len(r.Names))
	case r.Names != nil:
		seen := map[string]bool{}
		for _, name := range r.Names {
			if name == "" {
				v.errAt("oscillators.names", "empty oscillator name")
			} else if seen[name] {
				v.errAt("oscillators.names", "duplicate oscillator name %q", name)
			}
			seen[name] = true
		}
		o.Names = append([]string(nil), r.Names...)
	case r.Count != nil:
		if *r.Count < 1 {
			v.errAt("oscillators.count", "a chip needs at least one oscillator (got %d)", *r.Count)
		} else if *r.Count > MaxOscillators {
			v.errAt("oscillators.count", "at most %d oscillators (got %d)", MaxOscillators, *r.Count)
		} else {
			o.Names = make([]string, *r.Count)
			for i := range o.Names {
				o.Names[i] = fmt.Sprintf("osc%d", i)
			}
		}
	default:
		v.errAt("oscillators", "empty chip: give oscillators.count or oscillators.names")
	}
	N := len(o.Names)
	o.Stages = 5
	if r.Stages != nil {
		o.Stages = *r.Stages
		if o.Stages < 3 || o.Stages%2 == 0 {
			v.errAt("oscillators.stages", "a single-ended ring needs an odd number of stages ≥ 3 (got %d)", o.Stages)
		}
	}
	if r.Frequency != nil {
		o.Frequency = float64(*r.Frequency)
		if !(o.Frequency > 0) {
			v.errAt("oscillators.frequency", "frequency must be positive (got %g Hz)", o.Frequency)
		}
	} else if o.Stages >= 3 {
		// f0 = 1/(2·N·t_d) for an N-stage single-ended ring (Rabaey §5.4).
		o.Frequency = 1 / (2 * float64(o.Stages) * n.Tech.StageDelay(n.Tech.NodeCap))
		o.FrequencyDerived = true
	}
	o.Layout = r.Layout
	if o.Layout == "" {
		o.Layout = Line
		if r.Rows != nil || r.Cols != nil {
			o.Layout = GridPlane
		}
	}
	switch o.Layout {
	case Line:
		o.Rows, o.Cols = 1, N
	case GridPlane:
		if r.Rows == nil || r.Cols == nil {
			v.errAt("oscillators.layout", "a grid layout needs rows and cols")
		} else {
			o.Rows, o.Cols = *r.Rows, *r.Cols
			if !v.checkGrid(o.Rows, o.Cols) {
				o.Rows, o.Cols = 0, 0
			} else if o.Rows*o.Cols != N {
				v.errAt("oscillators.rows", "rows×cols = %d×%d = %d does not match %d oscillators", o.Rows, o.Cols, o.Rows*o.Cols, N)
			}
		}
	}
	if r.FreqSigma != nil {
		o.FreqSigma = r.FreqSigma.Value
		v.resolveFreqSigma(n, r.FreqSigma)
		if o.FreqSigma < 0 || o.FreqSigma > 0.5 {
			v.errAt("oscillators.freq_sigma", "frequency mismatch sigma must be in [0, 50%%] (got %g%%)", 100*o.FreqSigma)
		}
	}
	switch {
	case v.both("oscillators", "linewidth", r.Linewidth != nil, "phase_noise", r.PhaseNoise != nil):
	case r.Linewidth != nil:
		o.Linewidth = float64(*r.Linewidth)
		v.notNegative("oscillators.linewidth", "linewidth", o.Linewidth, " Hz")
	case r.PhaseNoise != nil:
		o.Linewidth = r.PhaseNoise.Linewidth()
		if o.Frequency > 0 && r.PhaseNoise.Offset >= o.Frequency/2 {
			v.errAt("oscillators.phase_noise", "offset %s must be well below f0 (the 1/f² region)", FormatSI(r.PhaseNoise.Offset, "Hz"))
		}
	}
	v.buildRingExtras(o, r, N)
	o.Init = r.Init
	if o.Init == "" {
		o.Init = InitRandom
		if r.InitPhases != nil {
			o.Init = InitPhases
		}
	}
	switch o.Init {
	case InitRandom, InitZero:
		if r.InitPhases != nil {
			v.errAt("oscillators.init_phases", "init_phases needs init = \"phases\" (got %q)", o.Init)
		}
	case InitPhases:
		if len(r.InitPhases) != N {
			v.errAt("oscillators.init_phases", "want %d phases in degrees, one per oscillator (got %d)", N, len(r.InitPhases))
		}
		o.InitPhases = make([]float64, len(r.InitPhases))
		for i, d := range r.InitPhases {
			if !finite(d) {
				v.errAt("oscillators.init_phases", "phase %d is not finite (got %g)", i, d)
			}
			o.InitPhases[i] = d * math.Pi / 180
		}
	}
	switch {
	case r.RingModel == ringosc.BuiltinName:
		// The built-in characterisation of this ring (docs/ringmodel.md).
		o.RingModel = r.RingModel
		if !v.noRing {
			m, err := ringosc.Builtin(o.Stages, n.Tech.VDD, n.Tech.NodeCap, n.Tech.L, n.Tech.WN)
			if err != nil {
				v.errAt("oscillators.ring_model", "%v", err)
			} else {
				o.Ring = &m
			}
		}
	case r.RingModel != "":
		o.RingModel = v.resolve(r.RingModel)
		if !v.noRing {
			o.Ring = v.readRing(o.RingModel, o.Stages, n.Tech.VDD, n.Tech.NodeCap)
		}
	}
	if r.Frequency == nil && o.Ring != nil && o.Ring.F0 > 0 {
		// A characterised ring's measured frequency is the reference
		// when the description gives none (not the card's RC estimate).
		o.Frequency, o.FrequencyDerived = o.Ring.F0, false
	}
}

// readRing reads the characterised ring model at path and checks that it
// was measured on this chip's ring (ringosc.Model.MeasuredOn).
func (v *validator) readRing(path string, stages int, vdd, nodeCap float64) *ringosc.Model {
	read := v.read
	if read == nil {
		read = os.ReadFile
	}
	src, err := read(path)
	if err != nil {
		v.errAt("oscillators.ring_model", "%v", err)
		return nil
	}
	m, err := ringosc.Decode(bytes.NewReader(src), path)
	if err != nil {
		v.errAt("oscillators.ring_model", "%v", err)
		return nil
	}
	if err := m.MeasuredOn(stages, vdd, nodeCap); err != nil {
		v.errAt("oscillators.ring_model", "%s: %v (run 'oscsim characterize %s' again)", path, err, v.file)
		return nil
	}
	return &m
}

func (v *validator) resolve(p string) string {
	if filepath.IsAbs(p) || v.file == "" {
		return p
	}
	return filepath.Join(filepath.Dir(v.file), p)
}

func (v *validator) buildRun(n *Netlist, r *rawRun) {
	run := &n.Run
	f0 := n.Oscillators.Frequency
	switch {
	case v.both("run", "duration", r.Duration != nil, "cycles", r.Cycles != nil):
	case r.Duration != nil:
		run.Duration = float64(*r.Duration)
		if !(run.Duration > 0) {
			v.errAt("run.duration", "duration must be positive (got %gs)", run.Duration)
		}
		run.Cycles = run.Duration * f0
	case r.Cycles != nil:
		run.Cycles = *r.Cycles
		if !(run.Cycles > 0) || !finite(run.Cycles) {
			v.errAt("run.cycles", "cycles must be positive (got %g)", run.Cycles)
		}
		if f0 > 0 {
			run.Duration = run.Cycles / f0
		}
	default:
		run.Cycles = 50
		if f0 > 0 {
			run.Duration = 50 / f0
		}
	}
	run.Model = r.Model
	if run.Model == "" {
		run.Model = ModelPhase
	}
	run.Integrator = r.Integrator
	if run.Integrator == "" {
		run.Integrator = Heun
	}
	run.StepsPerCycle = run.Model.DefaultStepsPerCycle()
	if r.StepsPerCycle != nil {
		run.StepsPerCycle = *r.StepsPerCycle
		if !(run.StepsPerCycle > 0) || !finite(run.StepsPerCycle) {
			v.errAt("run.steps_per_cycle", "steps per cycle must be positive (got %g)", run.StepsPerCycle)
		}
	}
	run.Seed = 1
	if r.Seed != nil {
		run.Seed = *r.Seed
	}
	if run.Cycles*run.StepsPerCycle > 1e9 {
		v.errAt("run.steps_per_cycle", "%g cycles × %g steps is more than 1e9 steps", run.Cycles, run.StepsPerCycle)
	}
}

// MinStepsPerCycle is the least number of steps per oscillation cycle the
// cycle model accepts: the waveform must be sampled at least 8 times a
// cycle, which is 4 samples per period of the 2·f0 pump (twice Nyquist).
const MinStepsPerCycle = 8

func (v *validator) resolveRef(key string, r Ref) (int, bool) {
	N := len(v.names)
	if r.IsIdx {
		if r.Index < 0 || r.Index >= N {
			v.errAt(key, "no oscillator with index %d (the chip has %d)", r.Index, N)
			return 0, false
		}
		return r.Index, true
	}
	i, ok := v.index[r.Name]
	if !ok {
		v.errAt(key, "no oscillator named %q", r.Name)
	}
	return i, ok
}

func (v *validator) resolveTargets(key string, t Targets, N int) []int {
	if !t.Set || t.All {
		out := make([]int, N)
		for i := range out {
			out[i] = i
		}
		return out
	}
	seen := map[int]bool{}
	var out []int
	for _, r := range t.Refs {
		i, ok := v.resolveRef(key, r)
		if ok && !seen[i] {
			out = append(out, i)
			seen[i] = true
		}
	}
	if len(out) == 0 && len(t.Refs) == 0 {
		v.errAt(key, "empty target list (use \"all\" or name oscillators)")
	}
	return out
}

func (v *validator) buildCouplings(n *Netlist, r *rawFile) {
	v.names = n.Oscillators.Names
	v.index = make(map[string]int, len(v.names))
	for i, s := range v.names {
		v.index[s] = i
	}
	c := &n.Couplings
	rc := &r.Couplings
	c.Bits = 4
	if rc.Bits != nil {
		c.Bits = *rc.Bits
		if c.Bits < 1 || c.Bits > 16 {
			v.errAt("couplings.bits", "bits must be in 1..16 (got %d)", c.Bits)
			c.Bits = 4
		}
	}
	c.MaxCode = 1<<c.Bits - 1
	if rc.MaxCode != nil {
		if *rc.MaxCode < 1 || *rc.MaxCode > c.MaxCode {
			v.errAt("couplings.max_code", "max_code must be in 1..%d for %d bits (got %d)", c.MaxCode, c.Bits, *rc.MaxCode)
		} else {
			c.MaxCode = *rc.MaxCode
		}
	}
	c.Quantize = rc.Quantize
	if c.Quantize == "" {
		c.Quantize = Scale
	}
	if rc.FullScale != nil {
		c.FullScale = *rc.FullScale
		if !(c.FullScale > 0) || !finite(c.FullScale) {
			v.errAt("couplings.full_scale", "full_scale must be positive and finite (got %g)", c.FullScale)
		}
	}
	tg := v.buildTG(n, rc)
	switch {
	case tg != nil && (rc.UnitResistance != nil || rc.UnitK != nil):
		v.errAt("couplings.tg_l", "give the coupler as a TG geometry (tg_l, tg_wn, tg_wp, tg_fingers) or as unit_resistance or unit_k, not both")
	case tg != nil:
		c.TG = tg
		c.UnitResistance = 1 / tg.G
	case v.both("couplings", "unit_resistance", rc.UnitResistance != nil, "unit_k", rc.UnitK != nil):
	case rc.UnitResistance != nil:
		c.UnitResistance = float64(*rc.UnitResistance)
		if !(c.UnitResistance > 0) {
			v.errAt("couplings.unit_resistance", "must be positive (got %g Ω)", c.UnitResistance)
		}
	case rc.UnitK != nil:
		c.UnitK = float64(*rc.UnitK)
		if !(c.UnitK > 0) {
			v.errAt("couplings.unit_k", "must be positive (got %g)", c.UnitK)
		}
	default:
		// [A] Default coupling strength: the largest code gives a phase-model
		// rate K = 5% of ω0, well inside the weak-coupling regime in which
		// the phase model holds (architecture.md, "Two fidelity levels").
		c.UnitK = 0.05 / float64(c.MaxCode)
	}
	if rc.Sigma != nil {
		c.Sigma = float64(*rc.Sigma)
		if c.Sigma < 0 || c.Sigma > 1 {
			v.errAt("couplings.sigma", "conductance mismatch sigma must be in [0, 100%%] (got %g%%)", 100*c.Sigma)
		}
	}
	c.Topology = rc.Topology
	if c.Topology == "" {
		c.Topology = Explicit
	}
	switch {
	case c.Topology == Sites && rc.Sites == "":
		v.errAt("couplings.topology", "topology \"sites\" needs couplings.sites, a mask file naming the coupler sites")
	case c.Topology != Sites && rc.Sites != "":
		v.errAt("couplings.sites", "a sites mask needs couplings.topology = \"sites\" (got %q)", c.Topology)
	case rc.Sites != "":
		c.SitesFile = v.resolve(rc.Sites)
		sites, err := readSites(c.SitesFile, len(v.names), v.read)
		if err != nil {
			v.errAt("couplings.sites", "%v", err)
		}
		c.Sites = sites
	}
	v.buildLayers(n, rc)
	c.Programmable = c.Topology.Fabric()
	c.Loads = LoadsTrimmed
	if rc.Loads != nil {
		c.Loads = *rc.Loads
	}
	if rc.Programmable != nil {
		c.Programmable = *rc.Programmable
	}
	if c.Topology.NeedsGrid() {
		if n.Oscillators.Layout != GridPlane {
			v.errAt("couplings.topology", "topology %q needs oscillators.layout = \"grid\"", c.Topology)
		}
	}

	fabricOK := v.checkFabric(n)
	pairs := map[[2]int]int{} // pair → index in c.Edges
	for k, e := range r.Coupling {
		base := fmt.Sprintf("coupling[%d]", k)
		if !e.From.Set {
			v.errAt(base, "missing key from")
		}
		if !e.To.Set {
			v.errAt(base, "missing key to")
		}
		if e.Weight == nil {
			v.errAt(base, "missing key weight")
		}
		if !e.From.Set || !e.To.Set || e.Weight == nil {
			continue
		}
		i, ok1 := v.resolveRef(base+".from", e.From)
		j, ok2 := v.resolveRef(base+".to", e.To)
		w := *e.Weight
		if !v.checkWeight(base+".weight", w) {
			continue
		}
		if !ok1 || !ok2 {
			continue
		}
		if i == j {
			v.errAt(base+".to", "a ring cannot be coupled to itself (%s)", v.names[i])
			continue
		}
		key := [2]int{min(i, j), max(i, j)}
		if prev, dup := pairs[key]; dup {
			p := c.Edges[prev].Pos
			v.errAt(base, "duplicate coupling %s–%s (first given at line %d)", v.names[i], v.names[j], p.Line)
			continue
		}
		if c.Quantize == Exact && !v.checkCode(base+".weight", w, c.MaxCode) {
			continue
		}
		pairs[key] = len(c.Edges)
		c.Edges = append(c.Edges, Edge{I: key[0], J: key[1], W: w, Pos: v.at(base)})
	}
	if rc.Weights != "" {
		c.WeightsFile = v.resolve(rc.Weights)
		edges, err := readWeights(c.WeightsFile, rc.WeightsKey, len(v.names), v.read)
		if err != nil {
			v.errAt("couplings.weights", "%v", err)
		}
		for _, e := range edges {
			key := [2]int{e.I, e.J}
			if prev, dup := pairs[key]; dup {
				v.errAt("couplings.weights", "%s: coupling %s–%s is also given at line %d", rc.Weights, v.names[e.I], v.names[e.J], c.Edges[prev].Pos.Line)
				continue
			}
			if c.Quantize == Exact && !v.checkCode("couplings.weights", e.W, c.MaxCode) {
				continue
			}
			pairs[key] = len(c.Edges)
			c.Edges = append(c.Edges, e)
		}
	}
	if fabricOK {
		v.buildRandom(n, rc, len(r.Coupling))
	}
	if c.Topology.NeedsGrid() || (c.Topology == Sites && c.Sites != nil) || (c.Topology == Layered && c.Layers != nil) {
		for _, e := range c.Edges {
			if n.HasSite(e.I, e.J) {
				continue
			}
			msg := fmt.Sprintf("coupling %s–%s is not a %s-graph neighbour pair", v.names[e.I], v.names[e.J], c.Topology)
			if c.Topology == Layered {
				msg = fmt.Sprintf("coupling %s–%s joins rings of layers %d and %d: a layered fabric couples adjacent layers only", v.names[e.I], v.names[e.J], c.LayerOf(e.I), c.LayerOf(e.J))
			}
			if c.Topology == Sites {
				msg = fmt.Sprintf("coupling %s–%s has no coupler site in the mask %s", v.names[e.I], v.names[e.J], filepath.Base(c.SitesFile))
			}
			v.errs = append(v.errs, &Error{File: v.file, Pos: e.Pos, Key: "couplings.topology", Msg: msg})
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func (v *validator) checkCode(key string, w float64, maxCode int) bool {
	if w != math.Trunc(w) {
		v.errAt(key, "quantize = \"exact\" needs integer weight codes (got %g)", w)
		return false
	}
	if math.Abs(w) > float64(maxCode) {
		v.errAt(key, "weight code %g is out of range: the coupler has codes −%d…+%d", w, maxCode, maxCode)
		return false
	}
	return true
}

func (v *validator) buildSHIL(n *Netlist, r *rawSHIL) {
	if r == nil {
		return
	}
	s := &SHIL{}
	switch {
	case v.both("shil", "current", r.Current != nil, "ks", r.Ks != nil):
	case r.Current != nil:
		s.Current = float64(*r.Current)
		v.notNegative("shil.current", "pump current", s.Current, "A")
	case r.Ks != nil:
		s.Ks = float64(*r.Ks)
		v.notNegative("shil.ks", "ks", s.Ks, "")
	default:
		v.errAt("shil", "the pump needs a strength: current (e.g. \"20uA\") or ks (a fraction of ω0, e.g. 0.02)")
	}
	s.Port = PortTap
	if r.Port != nil {
		s.Port = *r.Port
	}
	v.buildPumpStage(s, n.Oscillators, r)
	s.Schedule = r.Schedule
	if s.Schedule == "" {
		s.Schedule = shil.Constant
	}
	if r.Start != nil {
		s.Start = float64(*r.Start)
		if s.Start < 0 || s.Start >= n.Run.Duration {
			v.errAt("shil.start", "start must be in [0, run duration %s) (got %s)", FormatSI(n.Run.Duration, "s"), FormatSI(s.Start, "s"))
		}
	}
	if r.Ramp != nil {
		s.Ramp = float64(*r.Ramp)
		if !(s.Ramp > 0) {
			v.errAt("shil.ramp", "ramp time must be positive (got %gs)", s.Ramp)
		}
		if s.Schedule != shil.RampHold {
			v.errAt("shil.ramp", "ramp is used only by schedule = \"ramp-hold\" (got %q)", s.Schedule)
		}
	} else if s.Schedule == shil.RampHold {
		v.errAt("shil.schedule", "schedule \"ramp-hold\" needs a ramp time (e.g. ramp = \"20ns\")")
	}
	s.Targets = v.resolveTargets("shil.targets", r.Targets, len(n.Oscillators.Names))
	if n.Run.Model == ModelCycle && n.Run.StepsPerCycle < MinStepsPerCycle {
		v.errAt("run.steps_per_cycle", "the cycle model needs at least %d steps per cycle to resolve the 2·f0 pump (got %g)", MinStepsPerCycle, n.Run.StepsPerCycle)
	}
	n.SHIL = s
}

func (v *validator) buildDetectors(n *Netlist, rs []rawDetector) {
	N := len(n.Oscillators.Names)
	if n.Run.Model == ModelCycle && n.SHIL == nil && n.Run.StepsPerCycle < MinStepsPerCycle {
		v.errAt("run.steps_per_cycle", "the cycle model needs at least %d steps per cycle to resolve the waveform (got %g)", MinStepsPerCycle, n.Run.StepsPerCycle)
	}
	if len(rs) == 0 {
		n.Detectors = []Detector{{Name: "sampler", Kind: phasedet.Sampler, Targets: v.resolveTargets("", Targets{}, N)}}
		return
	}
	names := map[string]bool{}
	for k, r := range rs {
		base := fmt.Sprintf("detector[%d]", k)
		if r.Kind == nil {
			v.errAt(base, "missing key kind (\"sampler\", \"xor\", \"tdc\" or \"counter\")")
			continue
		}
		d := Detector{Name: r.Name, Kind: *r.Kind}
		if d.Name == "" {
			d.Name = fmt.Sprintf("%s%d", d.Kind, k)
		}
		if names[d.Name] {
			v.errAt(base+".name", "duplicate detector name %q", d.Name)
		}
		names[d.Name] = true
		d.Targets = v.resolveTargets(base+".targets", r.Targets, N)
		if r.Bits != nil {
			if d.Kind != phasedet.TDC {
				v.errAt(base+".bits", "bits applies to kind = \"tdc\" only")
			}
			d.Bits = *r.Bits
		}
		if d.Kind == phasedet.TDC {
			if r.Bits == nil {
				d.Bits = 6
			}
			if d.Bits < 1 || d.Bits > 16 {
				v.errAt(base+".bits", "TDC bits must be in 1..16 (got %d)", d.Bits)
			}
		}
		if r.Every != nil {
			d.Every = *r.Every
			if d.Every < 0 {
				v.errAt(base+".every", "every must be ≥ 0 reference cycles (0 = at the end only; got %d)", d.Every)
			}
		}
		if r.Window != nil {
			if d.Kind != phasedet.Counter {
				v.errAt(base+".window", "window applies to kind = \"counter\" only")
			}
			d.Window = float64(*r.Window)
		}
		if d.Kind == phasedet.Counter {
			if r.Window == nil {
				d.Window = n.Run.Duration / 2
			}
			if !(d.Window > 0) || d.Window > n.Run.Duration*(1+1e-9) {
				v.errAt(base+".window", "counter window must be in (0, run duration %s] (got %s)", FormatSI(n.Run.Duration, "s"), FormatSI(d.Window, "s"))
			}
		}
		if r.Jitter != nil {
			d.Jitter = float64(*r.Jitter)
			v.notNegative(base+".jitter", "jitter", d.Jitter, "s")
		}
		n.Detectors = append(n.Detectors, d)
	}
}
