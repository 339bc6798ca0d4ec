package spice

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"oscsim/chip"
	"oscsim/netlist"
	"oscsim/ringosc"
	"oscsim/shil"
	"oscsim/tech"
)

//go:embed models/generic45.lib
var genericCards string

// GenericModels returns the project's own generic 45 nm-class BSIM4 cards
// (model names nmos45g and pmos45g). The file's header states their
// assumptions; they are for tests and demos, not for sign-off.
func GenericModels() string { return genericCards }

// GenericName is how decks and ring models name the generic cards.
const GenericName = "oscsim generic45 (BSIM4, built in)"

// Design is how a chip is built from transistors: the MOSFET cards and
// the device sizes of rings and couplers.
//
// A ring is Stages CMOS inverters in a loop, each output loaded by the
// chip's node capacitance; stage oscillators.tap_stage's output (default
// stage 0) is the tap the couplers use and shil.stage's (default the tap)
// the node the pump drives. A coupler finger is a transmission gate (NMOS gate at VDD,
// PMOS gate at ground) in series with a resistor that makes up the unit
// resistance; the code's |c| fingers are written as one finger with
// multiplicity c (MOSFET m = c, resistor R/c), which is electrically the
// same as c identical fingers in parallel. The in-phase path joins the two
// taps; the inverter path drives the fingers from an extra inverter whose
// input is the other ring's tap (one inverter and finger set per
// direction). A resistor in series keeps the finger close to the linear
// conductance the engine assumes and keeps the switch's capacitance off
// the receiving tap (see switchRatio and TGCap).
type Design struct {
	// Models is the path of the MOSFET cards to .include ("" = the
	// generic cards, written into the deck). Name describes them.
	Models, Name string
	// NMOS and PMOS are the model names the cards define.
	NMOS, PMOS string
	// L, WN and WP size the ring inverters (m).
	L, WN, WP float64
	// TGWN and TGWP size one finger's switch (m).
	TGWN, TGWP float64
	// CInvWN and CInvWP size the inverter of the inverter path (m).
	CInvWN, CInvWP float64
	// TGRon is the mean on-resistance (Ω) of one switch over the common
	// mode range; the finger's resistors make up the rest of its unit
	// resistance.
	TGRon float64
	// DevCap is the ring's own device capacitance per node (F); with it
	// the deck scales a ring's load to set its mismatched frequency,
	// f ∝ 1/(C_load + DevCap).
	DevCap float64
	// CouplerCin is the load (F) an inverter-path inverter puts on the tap
	// that drives it; the deck takes it off that tap's load capacitor so
	// every ring keeps its frequency.
	CouplerCin float64
	// TGCap is one switch's capacitance (F). A finger's switch sits at
	// the finger's driving end (ring I's tap on the in-phase path, the
	// inverter's output on the inverter path), so on the in-phase path it
	// is a fixed load of ring I's tap, which the deck takes off that tap's
	// load capacitor; the receiving tap sees only the finger's resistor.
	TGCap float64
	// InverterPull is the inverter path's frequency pull in its favoured
	// state (ringosc.Measured.InverterPull): a ring receiving G through
	// inverter-path couplers runs at Δω = InverterPull·G/C off its natural
	// frequency. The deck trims each ring's load by the opposite amount, so
	// that in the state its couplers favour every ring runs at its natural
	// frequency, as a designer trims a coupled array and as the engine
	// assumes (its inverter path is the exact complement, which carries
	// no current at anti-phase lock). Zero disables the trim.
	InverterPull float64
	// StepsPerCycle limits ngspice's time step to 1/(f·StepsPerCycle).
	StepsPerCycle float64
	// Options, when not "", is written as an ngspice .options line (e.g.
	// "reltol=1e-4 trtol=1", to check that a result does not depend on
	// the simulator's accuracy).
	Options string
}

// optionsLine is the deck line of d.Options ("" without).
func (d Design) optionsLine() string {
	if d.Options == "" {
		return ""
	}
	return ".options " + d.Options + "\n"
}

// Calibration of the generic cards at the default sizes (45 nm card: L 45 nm,
// ring inverter 90/180 nm, switch 90/180 nm, coupler inverter 90/180 nm),
// measured with ngspice-39 by Characterize (testdata/generic45.ring.toml);
// TestGenericCalibration checks them against a fresh characterisation when
// ngspice is present.
const (
	genericTGRon        = 4.46e3
	genericDevCap       = 0.63e-15
	genericCouplerCin   = 0.44e-15
	genericTGCap        = 0.43e-15
	genericInverterPull = -0.034
)

// DefaultStepsPerCycle is the default ngspice time-step limit in steps per
// oscillation period. At 64 the free-running frequency of the generic ring
// is within 0.1% of its value at 512 steps; characterisation and
// cross-check decks use the same limit, so their small discretisation
// error is common to both.
const DefaultStepsPerCycle = 64

// NewDesign returns the design of a chip on card, with the device sizes of
// the card (NMOS width WN, PMOS twice as wide, length L) for rings, switches
// and coupler inverters. When ring is a characterised model its measured
// circuit (cards, sizes, calibration) is used instead, so a deck rebuilds the
// ring that was measured. models overrides the cards ("" keeps them).
func NewDesign(card tech.Card, ring *ringosc.Model, models string) Design {
	d := Design{
		Name: GenericName, NMOS: "nmos45g", PMOS: "pmos45g",
		L: card.L, WN: card.WN, WP: 2 * card.WN,
		TGWN: card.WN, TGWP: 2 * card.WN, CInvWN: card.WN, CInvWP: 2 * card.WN,
		TGRon: genericTGRon, DevCap: genericDevCap, CouplerCin: genericCouplerCin, TGCap: genericTGCap,
		InverterPull:  genericInverterPull,
		StepsPerCycle: DefaultStepsPerCycle,
	}
	if d.L == 0 {
		d.L, d.WN, d.WP = 45e-9, 90e-9, 180e-9
		d.TGWN, d.TGWP, d.CInvWN, d.CInvWP = d.WN, d.WP, d.WN, d.WP
	}
	if ring != nil && ring.Measured != nil {
		m := ring.Measured
		d.Models, d.Name, d.NMOS, d.PMOS = "", m.Models, m.NMOS, m.PMOS
		if m.Models != GenericName {
			d.Models = m.Models
		}
		d.L, d.WN, d.WP = m.L, m.WN, m.WP
		d.TGWN, d.TGWP, d.CInvWN, d.CInvWP = m.TGWN, m.TGWP, m.CouplerWN, m.CouplerWP
		d.TGRon, d.DevCap, d.CouplerCin, d.TGCap = m.TGRon, m.DevCap, m.CouplerCin, m.TGCap
		d.Options = m.SpiceOptions
		d.InverterPull = m.InverterPull
		if m.StepsPerCycle > 0 {
			d.StepsPerCycle = m.StepsPerCycle
		}
	}
	if models != "" {
		d.Models, d.Name = models, models
		if ring == nil || ring.Measured == nil || ring.Measured.Models != models {
			d.NMOS, d.PMOS = "nmos", "pmos"
		}
	}
	return d
}

// Validate checks that the design is complete.
func (d Design) Validate() error {
	for _, x := range []struct {
		name string
		v    float64
	}{{"L", d.L}, {"WN", d.WN}, {"WP", d.WP}, {"TG WN", d.TGWN}, {"TG WP", d.TGWP},
		{"coupler inverter WN", d.CInvWN}, {"coupler inverter WP", d.CInvWP},
		{"TG on-resistance", d.TGRon}, {"steps per cycle", d.StepsPerCycle}} {
		if !(x.v > 0) || math.IsInf(x.v, 0) {
			return fmt.Errorf("spice: design: %s must be positive (got %g)", x.name, x.v)
		}
	}
	if d.DevCap < 0 || d.CouplerCin < 0 || d.TGCap < 0 {
		return fmt.Errorf("spice: design: device capacitances must not be negative")
	}
	if d.NMOS == "" || d.PMOS == "" {
		return fmt.Errorf("spice: design: NMOS and PMOS model names are required")
	}
	return nil
}

// modelsText returns the deck lines that bring in the MOSFET cards.
func (d Design) modelsText() (string, error) {
	if d.Models == "" {
		return genericCards, nil
	}
	abs, err := filepath.Abs(d.Models)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("spice: model cards: %w", err)
	}
	return fmt.Sprintf("* MOSFET cards: %s\n.include \"%s\"\n", d.Models, abs), nil
}

// RingProbe names a ring's saved vectors in a deck.
type RingProbe struct {
	Name   string // oscillator name in the description
	Node   string // SPICE name prefix of the ring
	Tap    string // tap voltage vector, e.g. "v(left_n0)"
	Supply string // supply current vector, e.g. "i(vdd_left)"
	// Uncoupled is the frequency (Hz) the deck sizes the ring for with its
	// couplers attached but carrying no current: its natural frequency
	// less the inverter path's pull in the favoured state (deck trims).
	Uncoupled float64
}

// Deck is a written transistor-level deck of one chip run.
type Deck struct {
	Text  string
	Tstop float64 // transient length (s)
	Tmax  float64 // time-step limit (s)
	FRef  float64 // reference frequency (Hz)
	VDD   float64
	Rings []RingProbe
	// CouplerSupply is the supply current vector of the coupler inverters
	// ("" when there are none).
	CouplerSupply string
	// Phases are the initial phases (rad) the deck starts from.
	Phases []float64
	// Warnings are problems of the realisation that do not stop the deck
	// (a tap whose couplers load it more than its load can be trimmed).
	Warnings []string
}

// minTapShare is the smallest share of its load capacitor a tap keeps
// when it gives up load to its couplers.
const minTapShare = 0.2

// DeckOptions select what a deck simulates.
type DeckOptions struct {
	// Phases are the initial phases (rad, relative to the reference); nil
	// uses the chip's own initial phases for input 0 (InitialPhases).
	Phases []float64
	// FreqOffset adds to each ring's natural frequency (Hz), as
	// chip.Input.FreqOffset does; nil = none. The deck scales the ring's
	// loads to move it.
	FreqOffset []float64
	// Duration is the transient length (s); 0 = the description's run.
	Duration float64
	// Title is a comment line for the deck's header.
	Title string
	// LoadTrim multiplies each ring's node loads, device capacitance
	// included (f ∝ 1/(C + DevCap)), on top of what the deck computes;
	// nil = none. TrimLoads measures it.
	LoadTrim []float64
	// Open writes the trim run's deck: the couplers' devices all in place
	// but their resistors open, and no pump, so that each ring runs at the
	// frequency its loads give it (RingProbe.Uncoupled when trimmed).
	Open bool
}

// InitialPhases returns the initial phases (rad) the engine uses for
// input 0 of a chip: the description's init_phases, zeros, or the random
// draw of (seed, instance, input 0). It runs the engine for one step and
// reads the state before the step.
func InitialPhases(ch *chip.Chip) ([]float64, error) {
	res, err := ch.Run(context.Background(), nil, chip.RunOptions{Model: "phase", Duration: 1 / ch.Netlist().Oscillators.Frequency, StepsPerCycle: 64, NoNoise: true})
	if err != nil {
		return nil, err
	}
	return res.Initial[0], nil
}

// spiceNames maps oscillator names onto unique SPICE-safe prefixes.
func spiceNames(names []string) []string {
	out := make([]string, len(names))
	used := map[string]bool{}
	for i, n := range names {
		var b strings.Builder
		for _, r := range strings.ToLower(n) {
			if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
		s := b.String()
		if s == "" || s[0] < 'a' || s[0] > 'z' {
			s = "r" + s
		}
		base := s
		for k := 2; used[s]; k++ {
			s = base + "_" + strconv.Itoa(k)
		}
		used[s] = true
		out[i] = s
	}
	return out
}

// eng formats x for a deck with 6 significant digits.
func eng(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

// switchRatio is the largest share of a finger's resistance the switch may
// take: a TG's on-resistance varies by about ±50% over the common-mode
// range, so at 1/8 the finger's conductance varies by less than ±6% and the
// coupler stays close to the linear conductance the engine assumes. Above
// it the switch is widened (multiplicity).
const switchRatio = 1.0 / 8

// Write writes the transistor-level deck of a compiled chip: rings, couplers
// (codes and mismatch of this instance), pump, initial conditions at the
// given phases and a transient over the run. ring is the chip's ring model
// (ch.Ring()); its node tables set the initial conditions.
func Write(ch *chip.Chip, d Design, opt DeckOptions) (*Deck, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	nl := ch.Netlist()
	o := nl.Oscillators
	N, S := ch.N(), o.Stages
	ring := ch.Ring()
	vdd, cload := nl.Tech.VDD, nl.Tech.NodeCap
	fref := o.Frequency
	// The tap and the pump's node (oscillators.tap_stage, shil.stage).
	tapNode := func(p string) string { return fmt.Sprintf("%s_n%d", p, o.TapStage) }
	phases := opt.Phases
	if phases == nil {
		var err error
		if phases, err = InitialPhases(ch); err != nil {
			return nil, err
		}
	}
	if len(phases) != N {
		return nil, fmt.Errorf("spice: %d initial phases for %d rings", len(phases), N)
	}
	if opt.FreqOffset != nil && len(opt.FreqOffset) != N {
		return nil, fmt.Errorf("spice: %d frequency offsets for %d rings", len(opt.FreqOffset), N)
	}
	if opt.LoadTrim != nil {
		if len(opt.LoadTrim) != N {
			return nil, fmt.Errorf("spice: %d load trims for %d rings", len(opt.LoadTrim), N)
		}
		for i, x := range opt.LoadTrim {
			if !(x > 0.5 && x < 2) {
				return nil, fmt.Errorf("spice: load trim of ring %d is %g, want within (0.5, 2)", i, x)
			}
		}
	}
	dur := opt.Duration
	if dur == 0 {
		dur = nl.Run.Duration
	}
	fnom := fref
	if ring.F0 > 0 {
		fnom = ring.F0
	}
	tmax := 1 / (fnom * d.StepsPerCycle)
	cards, err := d.modelsText()
	if err != nil {
		return nil, err
	}
	names := spiceNames(o.Names)
	deck := &Deck{Tstop: dur, Tmax: tmax, FRef: fref, VDD: vdd, Phases: append([]float64(nil), phases...)}
	var b strings.Builder
	title := opt.Title
	if title == "" {
		title = fmt.Sprintf("oscsim deck of %s", nl.Name)
	}
	fmt.Fprintf(&b, "* %s\n", title)
	fmt.Fprintf(&b, "* chip %q from %s; seed %d, instance %d; written by oscsim spice.\n", nl.Name, nl.File, ch.Seed(), ch.Instance())
	fmt.Fprintf(&b, "* %d rings x %d stages, VDD %s, node load %s, reference %s; ring model %q.\n",
		N, S, netlist.FormatSI(vdd, "V"), netlist.FormatSI(cload, "F"), netlist.FormatSI(fref, "Hz"), ring.Name)
	fmt.Fprintf(&b, "* Phase convention: theta = 2*pi*f_ref*t + phi; a ring's tap (node <ring>_n%d) rises\n", o.TapStage)
	fmt.Fprintf(&b, "* through VDD/2 at theta = -pi/2. Devices: %s, ring inverter L %s WN %s WP %s.\n",
		d.Name, netlist.FormatSI(d.L, "m"), netlist.FormatSI(d.WN, "m"), netlist.FormatSI(d.WP, "m"))
	b.WriteString(cards)
	if !strings.HasSuffix(cards, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString(".temp 27\n")

	// Couplers as finger lumps: c fingers of resistance R_f = c/G each,
	// written as one finger of multiplicity c: switches m = c·w, resistor
	// (R_f − R_sw/w)/c.
	type lump struct {
		c          chip.Coupler
		label      string
		from, to   string // node names of the two ends
		code       int
		mult, rser float64
	}
	edges, codes := ch.Edges(), ch.Codes()
	var lumps []lump
	seen := map[int]bool{}
	// With couplings.loads = "loaded" the chip is as drawn: a tap keeps its
	// couplers' load (chip.Chip.TapLoads) and no ring is trimmed for the
	// inverter path's pull; only the deck's own widening of a switch
	// (multiplicity above the code's fingers) is given back.
	loaded := nl.Couplings.Loads == netlist.LoadsLoaded
	tg := nl.Couplings.TG         // nil: fingers are a switch and a resistor
	tapLoad := make([]float64, N) // capacitance the taps give up (F)
	gInv := make([]float64, N)    // inverter-path conductance into each ring (S)
	hasInv := false
	for _, c := range ch.Couplers() {
		if !c.Inverted {
			if seen[c.Edge] {
				continue
			}
			seen[c.Edge] = true
		}
		code := codes[c.Edge]
		fingers := math.Abs(float64(code))
		rf := fingers / c.G
		w := math.Max(1, math.Ceil(d.TGRon/(switchRatio*rf)))
		l := lump{c: c, code: code, mult: w * fingers, rser: (rf - d.TGRon/w) / fingers}
		if tg != nil {
			// A real TG of the description's geometry, no resistor: its
			// size carries the coupler's conductance, mismatch included.
			l.mult, l.rser = c.G/tg.G*float64(tg.Fingers), 0
		}
		e := edges[c.Edge]
		if c.Inverted {
			// The switch sits at the inverter's output, which drives it;
			// the receiving tap sees only the resistor.
			hasInv = true
			l.label = fmt.Sprintf("ci_%s_%s", names[c.From], names[c.To])
			l.from, l.to = l.label, tapNode(names[c.To])
			if !loaded {
				tapLoad[c.From] += d.CouplerCin
				if tg != nil {
					tapLoad[c.To] += 0.5 * fingers * tg.C
				}
			}
			gInv[c.To] += c.G
		} else {
			// The switch sits at ring I's tap and follows it (its
			// resistance is ≤ 1/8 of the finger's), so it is a fixed load
			// of that tap; ring J sees only the resistor.
			l.label = fmt.Sprintf("c_%s_%s", names[e.I], names[e.J])
			l.from, l.to = tapNode(names[e.I]), tapNode(names[e.J])
			switch {
			case tg != nil && !loaded:
				// A real TG's channel and junctions split between its ends.
				tapLoad[e.I] += 0.5 * fingers * tg.C
				tapLoad[e.J] += 0.5 * fingers * tg.C
			case tg != nil:
			case loaded:
				tapLoad[e.I] += (l.mult - fingers) * d.TGCap
			default:
				tapLoad[e.I] += l.mult * d.TGCap
			}
		}
		lumps = append(lumps, l)
	}

	// Rings. Mismatch and detuning scale the whole node load,
	// f ∝ 1/(C + DevCap); the tap also gives up the load the couplers put
	// on it, so coupling does not move a ring's frequency.
	det := ch.Detuning()
	var ics []string
	ic := func(node string, v float64) { ics = append(ics, fmt.Sprintf("v(%s)=%s", node, eng(v))) }
	for i := 0; i < N; i++ {
		p := names[i]
		fi := fref + det[i]/(2*math.Pi)
		if opt.FreqOffset != nil {
			fi += opt.FreqOffset[i]
		}
		// Trim for the inverter path's pull in the favoured state.
		fdesign := fi
		if !loaded {
			fdesign -= d.InverterPull * gInv[i] / cload / (2 * math.Pi)
		}
		scale := fnom / fdesign
		if opt.LoadTrim != nil {
			scale *= opt.LoadTrim[i]
		}
		c := (cload+d.DevCap)*scale - d.DevCap
		ctap := c - tapLoad[i]
		if ctap < minTapShare*c {
			// The fingers' switches load the tap more than its capacitor
			// can give up: keep a fifth of it and say how slow the ring is.
			slow := (minTapShare*c - ctap) / (float64(S) * (cload + d.DevCap))
			deck.Warnings = append(deck.Warnings, fmt.Sprintf("ring %s: its couplers load the tap by %s, more than its %s load capacitor can give up; it runs about %.1f%% slow",
				o.Names[i], netlist.FormatSI(tapLoad[i], "F"), netlist.FormatSI(c, "F"), 100*slow))
			ctap = minTapShare * c
		}
		fmt.Fprintf(&b, "\n* ring %q (oscillator %d): natural frequency %s, initial phase %.2f deg; tap load %s after %s of coupler load\n",
			o.Names[i], i, netlist.FormatSI(fi, "Hz"), phases[i]*180/math.Pi, netlist.FormatSI(ctap, "F"), netlist.FormatSI(tapLoad[i], "F"))
		fmt.Fprintf(&b, "Vdd_%s vdd_%s 0 %s\n", p, p, eng(vdd))
		for s := 0; s < S; s++ {
			in := fmt.Sprintf("%s_n%d", p, (s+S-1)%S)
			out := fmt.Sprintf("%s_n%d", p, s)
			fmt.Fprintf(&b, "M%s_p%d %s %s vdd_%s vdd_%s %s W=%s L=%s\n", p, s, out, in, p, p, d.PMOS, eng(d.WP), eng(d.L))
			fmt.Fprintf(&b, "M%s_n%d %s %s 0 0 %s W=%s L=%s\n", p, s, out, in, d.NMOS, eng(d.WN), eng(d.L))
			cs := c
			if s == o.TapStage {
				cs = ctap
			}
			fmt.Fprintf(&b, "C%s_%d %s 0 %s\n", p, s, out, eng(cs))
			// The ring model's node k is k stages after the tap.
			ic(out, vdd*ring.NodeV((s-o.TapStage+S)%S, S, phases[i]))
		}
		deck.Rings = append(deck.Rings, RingProbe{Name: o.Names[i], Node: p, Tap: "v(" + tapNode(p) + ")", Supply: fmt.Sprintf("i(vdd_%s)", p), Uncoupled: fdesign})
	}

	for _, l := range lumps {
		c := l.c
		e := edges[c.Edge]
		label := l.label
		// The switch's far terminal starts at its near end's voltage.
		va := vdd * (1 - ring.NodeV(0, S, phases[c.From]))
		if c.Inverted {
			fmt.Fprintf(&b, "\n* coupling %q-%q weight %g code %d: inverter path %q -> %q, %d finger(s), G %s\n",
				o.Names[e.I], o.Names[e.J], e.W, l.code, o.Names[c.From], o.Names[c.To], absInt(l.code), netlist.FormatSI(c.G, "S"))
			fmt.Fprintf(&b, "M%s_p %s %s vddc vddc %s W=%s L=%s\n", label, label, tapNode(names[c.From]), d.PMOS, eng(d.CInvWP), eng(d.L))
			fmt.Fprintf(&b, "M%s_n %s %s 0 0 %s W=%s L=%s\n", label, label, tapNode(names[c.From]), d.NMOS, eng(d.CInvWN), eng(d.L))
			ic(label, va)
		} else {
			va = vdd * ring.NodeV(0, S, phases[e.I])
			fmt.Fprintf(&b, "\n* coupling %q-%q weight %g code %d: in-phase path, %d finger(s), G %s\n",
				o.Names[e.I], o.Names[e.J], e.W, l.code, absInt(l.code), netlist.FormatSI(c.G, "S"))
		}
		mult := eng(l.mult)
		if tg != nil {
			fmt.Fprintf(&b, "M%s_tn %s vddc %s 0 %s W=%s L=%s m=%s\n", label, l.from, l.to, d.NMOS, eng(tg.WN), eng(tg.L), mult)
			fmt.Fprintf(&b, "M%s_tp %s 0 %s vddc %s W=%s L=%s m=%s\n", label, l.from, l.to, d.PMOS, eng(tg.WP), eng(tg.L), mult)
			if opt.Open {
				return nil, fmt.Errorf("spice: a chip whose couplers are TGs by geometry has no resistor to open for a trim run; use couplings.loads = \"loaded\" or --no-trim")
			}
			continue
		}
		fmt.Fprintf(&b, "M%s_tn %s vddc %s_a 0 %s W=%s L=%s m=%s\n", label, l.from, label, d.NMOS, eng(d.TGWN), eng(d.L), mult)
		fmt.Fprintf(&b, "M%s_tp %s 0 %s_a vddc %s W=%s L=%s m=%s\n", label, l.from, label, d.PMOS, eng(d.TGWP), eng(d.L), mult)
		if opt.Open {
			fmt.Fprintf(&b, "* R%s open for the trim run\n", label)
		} else {
			fmt.Fprintf(&b, "R%s %s_a %s %s\n", label, label, l.to, eng(l.rser))
		}
		ic(label+"_a", va)
	}
	if len(lumps) > 0 {
		fmt.Fprintf(&b, "\n* coupler supply (switch gates, inverter-path inverters)\nVddc vddc 0 %s\n", eng(vdd))
		if hasInv {
			deck.CouplerSupply = "i(vddc)"
		}
	}

	// Pump: I·cos(2·ω_ref·t + ψ)·schedule into each target's pump node
	// (shil.stage; ψ is the ring model's for that node, PumpAtNode).
	if s := nl.SHIL; s != nil && ch.PumpCurrent() > 0 && !opt.Open {
		sched := "1"
		switch s.Schedule {
		case shil.Constant:
			if s.Start > 0 {
				sched = fmt.Sprintf("u(time-%s)", eng(s.Start))
			}
		case shil.Ramp:
			sched = fmt.Sprintf("min(1,max(0,(time-%s)/%s))", eng(s.Start), eng(math.Max(dur-s.Start, 1e-15)))
		case shil.RampHold:
			sched = fmt.Sprintf("min(1,max(0,(time-%s)/%s))", eng(s.Start), eng(s.Ramp))
		}
		fmt.Fprintf(&b, "\n* SHIL pump at 2*f_ref = %s, amplitude %s, phase %.4f rad, schedule %s, into stage %d's output\n",
			netlist.FormatSI(2*fref, "Hz"), netlist.FormatSI(ch.PumpCurrent(), "A"), ring.PumpPhase, s.Schedule, s.Stage)
		for _, i := range s.Targets {
			fmt.Fprintf(&b, "Bpump_%s 0 %s_n%d I = %s*cos(%s*time%+.6g)*%s\n", names[i], names[i], s.Stage,
				eng(ch.PumpCurrent()), strconv.FormatFloat(4*math.Pi*fref, 'g', 12, 64), ring.PumpPhase, sched)
		}
	}

	b.WriteString("\n* initial conditions: every node on the ring's steady-state waveform at its phase\n")
	for k := 0; k < len(ics); k += 6 {
		b.WriteString(".ic " + strings.Join(ics[k:min(k+6, len(ics))], " ") + "\n")
	}
	var saves []string
	for _, r := range deck.Rings {
		saves = append(saves, r.Tap, r.Supply)
	}
	if deck.CouplerSupply != "" {
		saves = append(saves, deck.CouplerSupply)
	}
	b.WriteString("\n* vectors for phases (taps) and power (supplies)\n")
	for k := 0; k < len(saves); k += 8 {
		b.WriteString(".save " + strings.Join(saves[k:min(k+8, len(saves))], " ") + "\n")
	}
	b.WriteString(d.optionsLine())
	fmt.Fprintf(&b, ".tran %s %s 0 %s\n.end\n", eng(tmax), eng(dur), eng(tmax))
	deck.Text = b.String()
	return deck, nil
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
