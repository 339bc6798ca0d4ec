package spice

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"oscsim/chip"
	"oscsim/netlist"
	"oscsim/ringosc"
)

// CheckOptions select a cross-check run.
type CheckOptions struct {
	Design Design
	Sim    Simulator
	// Phases are the initial phases (rad); nil = the chip's (input 0).
	Phases []float64
	// FreqOffset detunes each ring (Hz) in all three simulations.
	FreqOffset []float64
	// Duration is the simulated time (s); 0 = the description's run.
	Duration float64
	// CycleSteps and PhaseSteps are the engine's steps per cycle (0 = the
	// description's for its own model, else 32 and 4).
	CycleSteps, PhaseSteps float64
	// LockTol is the band (rad) a phase or phase difference must stay in
	// to count as locked (default 10°).
	LockTol float64
	// Models restricts the engine models run ("cycle", "phase"; nil = both).
	Models []netlist.Model
	// Deck, when not nil, receives the deck text.
	Deck io.Writer
	// NoTrim skips the trim run (TrimLoads) that a chip with couplers gets
	// before its deck is written.
	NoTrim bool
	// ModelDetune (Hz) detunes every ring of the engine's runs, not the
	// deck's: how far a result rests on the models' ring frequencies (on
	// the 4×4 arrays, 0.1 MHz changes 0–4 of 20 states; docs/fidelity.md).
	ModelDetune float64
}

// Measure is what one simulator (ngspice or an engine model) gives for a
// chip run, measured the same way for all three.
type Measure struct {
	Model string
	// Freq is each ring's mean frequency (Hz) over the last 20% of the run.
	Freq []float64
	// Phase is each ring's phase trajectory φ(t) (rad, unwrapped) relative
	// to the reference; ngspice's is sampled at the tap's rising edges.
	Phase []Series
	// Initial and Final are each ring's phase (rad, wrapped) at the start
	// and the end.
	Initial, Final []float64
	// Pairs are the programmed couplings' final phase differences
	// φ_J − φ_I (rad, wrapped) and lock times (s, +Inf when not locked).
	PairDiff, PairLock []float64
	// PumpLocked reports for every ring whether it locked to the pump
	// (pumped rings only; frequency within 0.05 cycle of f_ref over the
	// last 20% of the run) and PumpLock its lock time (s).
	PumpLocked []bool
	PumpLock   []float64
	// Spins are sign(cos φ) of the final phases (relative to the
	// reference); State is the binarised state about the phases' own best
	// axis with ring 0 at +1 (Binarise), independent of the global phase.
	Spins []int
	State []int
	// RingPower is each ring's mean supply power (W); TotalPower adds the
	// couplers (ngspice: every supply; engine: ring model + coupler TGs).
	RingPower  []float64
	TotalPower float64
	// Wall is the simulator's wall time (for ngspice also its CPU time);
	// Cycles the simulated cycles.
	Wall, CPU time.Duration
	Cycles    float64
}

// Check is the outcome of a cross-check: the same chip run in ngspice and
// in the engine's models.
type Check struct {
	Chip   *chip.Chip
	Deck   *Deck
	Spice  *Measure
	Models []*Measure
	// Edges are the couplings compared (from the chip).
	Edges []netlist.Edge
	// Pumped lists the pumped rings.
	Pumped []int
	// Trim is the deck's trim (nil when it had none).
	Trim *Trim
}

// trimRuns is the number of trim runs before a cross-check's deck
// (TrimLoads).
const trimRuns = 2

const lockTolCycles = 0.05 // as chip.Lock: drift < 0.05 cycle over the lock window

// CrossCheck writes the chip's deck, runs it in ngspice, runs the same chip
// (same instance, initial phases and detuning, no noise, as ngspice has
// none) in the engine's models, and measures all of them the same way.
func CrossCheck(ctx context.Context, ch *chip.Chip, opt CheckOptions) (*Check, error) {
	nl := ch.Netlist()
	N := ch.N()
	phases := opt.Phases
	if phases == nil {
		var err error
		if phases, err = InitialPhases(ch); err != nil {
			return nil, err
		}
	}
	dur := opt.Duration
	if dur == 0 {
		dur = nl.Run.Duration
	}
	tol := opt.LockTol
	if tol == 0 {
		tol = 10 * math.Pi / 180
	}
	dopt := DeckOptions{Phases: phases, FreqOffset: opt.FreqOffset, Duration: dur}
	var trim *Trim
	// An untrimmed chip (couplings.loads = "loaded") is simulated as drawn.
	if !opt.NoTrim && len(ch.Couplers()) > 0 && ch.Netlist().Couplings.Loads != netlist.LoadsLoaded && ch.Netlist().Couplings.TG == nil {
		var err error
		if trim, err = TrimLoads(ctx, opt.Sim, ch, opt.Design, opt.FreqOffset, trimRuns); err != nil {
			return nil, err
		}
		dopt.LoadTrim = trim.Factors
	}
	deck, err := Write(ch, opt.Design, dopt)
	if err != nil {
		return nil, err
	}
	if opt.Deck != nil {
		if _, err := io.WriteString(opt.Deck, deck.Text); err != nil {
			return nil, err
		}
	}
	out := &Check{Chip: ch, Deck: deck, Edges: ch.Edges(), Trim: trim}
	if s := nl.SHIL; s != nil && ch.PumpCurrent() > 0 {
		out.Pumped = append(out.Pumped, s.Targets...)
	}
	fref := nl.Oscillators.Frequency
	so, err := opt.Sim.Run(ctx, sanitizeFile(nl.Name), deck.Text, dur)
	if err != nil {
		return nil, err
	}
	sm := &Measure{Model: "ngspice", Wall: so.Wall, CPU: so.CPU, Cycles: dur * fref}
	t := so.Time()
	lo := dur * 0.8
	sm.Freq = make([]float64, N)
	sm.RingPower = make([]float64, N)
	for i, r := range deck.Rings {
		v, err := so.Vec(r.Tap)
		if err != nil {
			return nil, err
		}
		e := RisingEdges(t, v, deck.VDD/2)
		if sm.Freq[i], err = MeanFrequency(e, lo, dur); err != nil {
			return nil, fmt.Errorf("spice: ring %s: %w", r.Name, err)
		}
		sm.Phase = append(sm.Phase, Series{T: e, Y: EdgePhases(e, fref)})
		isup, err := so.Vec(r.Supply)
		if err != nil {
			return nil, err
		}
		sm.RingPower[i] = -deck.VDD * MeanOver(t, isup, dur/2, dur)
		sm.TotalPower += sm.RingPower[i]
	}
	if deck.CouplerSupply != "" {
		ic, err := so.Vec(deck.CouplerSupply)
		if err != nil {
			return nil, err
		}
		sm.TotalPower += -deck.VDD * MeanOver(t, ic, dur/2, dur)
	}
	// The deck's phases at t = 0 come from the first edges (extrapolated
	// back at the ring's frequency), at the end from the last ones.
	sm.Initial = make([]float64, N)
	sm.Final = make([]float64, N)
	for i, s := range sm.Phase {
		if len(s.T) < 2 {
			return nil, fmt.Errorf("spice: ring %s has fewer than 2 edges", deck.Rings[i].Name)
		}
		sm.Initial[i] = wrap(s.Y[0])
		sm.Final[i] = wrap(s.At(dur))
	}
	out.Spice = sm
	finish(sm, out, fref, dur, tol)

	models := opt.Models
	if models == nil {
		models = []netlist.Model{netlist.ModelCycle, netlist.ModelPhase}
	}
	for _, model := range models {
		spc := opt.CycleSteps
		if model == netlist.ModelPhase {
			spc = opt.PhaseSteps
		}
		fo := opt.FreqOffset
		if opt.ModelDetune != 0 {
			fo = make([]float64, N)
			for i := range fo {
				fo[i] = opt.ModelDetune
				if opt.FreqOffset != nil {
					fo[i] += opt.FreqOffset[i]
				}
			}
		}
		res, err := ch.Run(ctx, []chip.Input{{Phases: phases, FreqOffset: fo}}, chip.RunOptions{
			Model: model, StepsPerCycle: spc, Duration: dur, NoNoise: true, TraceEvery: 1})
		if err != nil {
			return nil, fmt.Errorf("spice: %s model: %w", model, err)
		}
		m := &Measure{Model: string(model), Wall: res.Wall, Cycles: res.Duration * fref}
		m.Freq = make([]float64, N)
		m.RingPower = make([]float64, N)
		ring := ch.Ring()
		for i := 0; i < N; i++ {
			m.Freq[i] = fref + res.Locks[0].FreqOffset[i]
			var ys []float64
			for k := range res.Trace.Times {
				ys = append(ys, res.Trace.Phases[0][k][i])
			}
			m.Phase = append(m.Phase, Series{T: res.Trace.Times, Y: ys})
			m.RingPower[i] = ringPower(ch, &ring, m.Freq[i])
			m.TotalPower += m.RingPower[i]
		}
		m.TotalPower += res.CouplerPower[0]
		m.Initial = res.Initial[0]
		m.Final = res.Final[0]
		finish(m, out, fref, res.Duration, tol)
		out.Models = append(out.Models, m)
	}
	return out, nil
}

// ringPower is the engine side's power of one ring at frequency f: the
// characterised ring's measured power scaled with frequency (P ∝ C·V²·f),
// else the tech card's N·C·V²·f model (ringosc.RingPower).
func ringPower(ch *chip.Chip, m *ringosc.Model, f float64) float64 {
	nl := ch.Netlist()
	if m.Power > 0 && m.F0 > 0 {
		return m.Power * f / m.F0
	}
	return ringosc.RingPower(nl.Tech, nl.Oscillators.Stages, nl.Tech.NodeCap, f).Total()
}

// finish derives pair, pump and spin measures from the phase trajectories.
func finish(m *Measure, c *Check, fref, dur, tol float64) {
	N := len(m.Phase)
	m.Spins = make([]int, N)
	for i, p := range m.Final {
		m.Spins[i] = 1
		if math.Cos(p) < 0 {
			m.Spins[i] = -1
		}
	}
	m.State = Binarise(m.Final)
	for _, e := range c.Edges {
		d := diffSeries(m.Phase[e.I], m.Phase[e.J], fref, dur)
		fin := wrap(m.Final[e.J] - m.Final[e.I])
		m.PairDiff = append(m.PairDiff, fin)
		if math.Abs(m.Freq[e.J]-m.Freq[e.I])*dur*0.2 >= lockTolCycles {
			m.PairLock = append(m.PairLock, math.Inf(1))
			continue
		}
		m.PairLock = append(m.PairLock, SettleTime(d, fin, tol))
	}
	m.PumpLocked = make([]bool, N)
	m.PumpLock = make([]float64, N)
	for _, i := range c.Pumped {
		locked := math.Abs(m.Freq[i]-fref)*dur*0.2 < lockTolCycles
		m.PumpLocked[i] = locked
		m.PumpLock[i] = math.Inf(1)
		if locked {
			s := resample(m.Phase[i], fref, dur)
			m.PumpLock[i] = SettleTime(s, m.Final[i], tol)
		}
	}
}

// resample samples a phase series once per reference cycle.
func resample(s Series, fref, dur float64) Series {
	var out Series
	for k := 0; float64(k)/fref <= dur+1e-15; k++ {
		t := float64(k) / fref
		out.T = append(out.T, t)
		out.Y = append(out.Y, s.At(t))
	}
	return out
}

// diffSeries returns b − a sampled once per reference cycle.
func diffSeries(a, b Series, fref, dur float64) Series {
	ra, rb := resample(a, fref, dur), resample(b, fref, dur)
	for k := range ra.Y {
		ra.Y[k] = rb.Y[k] - ra.Y[k]
	}
	return ra
}

func sanitizeFile(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "chip"
	}
	return b.String()
}

// Row is one line of the cross-check table: a quantity, its ngspice value,
// the engine models' values and their errors against ngspice.
type Row struct {
	Quantity string
	Unit     string
	Spice    float64
	Model    []float64
	Err      []string
}

func deg(x float64) float64 { return x * 180 / math.Pi }

// Rows builds the comparison table. Chips with more than maxRings rings
// get summary rows (worst errors, spin agreement) instead of per-ring rows.
func (c *Check) Rows(maxRings int) []Row {
	nl := c.Chip.Netlist()
	names := nl.Oscillators.Names
	N := len(names)
	var rows []Row
	add := func(q, unit string, sv float64, mv func(m *Measure) float64, errf func(s, m float64) string) {
		r := Row{Quantity: q, Unit: unit, Spice: sv}
		for _, m := range c.Models {
			v := mv(m)
			r.Model = append(r.Model, v)
			r.Err = append(r.Err, errf(sv, v))
		}
		rows = append(rows, r)
	}
	rel := func(s, m float64) string { return fmt.Sprintf("%+.2f%%", 100*(m-s)/s) }
	angle := func(s, m float64) string { return fmt.Sprintf("%+.1f°", deg(wrap(m-s))) }
	ratio := func(s, m float64) string {
		switch {
		case math.IsInf(s, 1) && math.IsInf(m, 1):
			return "both unlocked"
		case math.IsInf(s, 1) || math.IsInf(m, 1):
			return "lock differs"
		case s == 0:
			return "—"
		}
		return fmt.Sprintf("%+.0f%%", 100*(m-s)/s)
	}
	near := func(s, m float64) float64 { return s + deg(wrap((m-s)*math.Pi/180)) } // degrees: print m next to s
	fref := nl.Oscillators.Frequency
	if N <= maxRings {
		for i := 0; i < N; i++ {
			add("frequency "+names[i], "MHz", c.Spice.Freq[i]/1e6, func(m *Measure) float64 { return m.Freq[i] / 1e6 }, rel)
		}
		for i := 0; i < N; i++ {
			add("power "+names[i], "µW", c.Spice.RingPower[i]*1e6, func(m *Measure) float64 { return m.RingPower[i] * 1e6 }, rel)
		}
		for k, e := range c.Edges {
			q := fmt.Sprintf("Δφ %s−%s final", names[e.J], names[e.I])
			sv := deg(c.Spice.PairDiff[k])
			add(q, "°", sv, func(m *Measure) float64 { return near(sv, deg(m.PairDiff[k])) }, func(s, m float64) string { return angle(s*math.Pi/180, m*math.Pi/180) })
			add(fmt.Sprintf("lock time %s−%s", names[e.I], names[e.J]), "ns", c.Spice.PairLock[k]*1e9, func(m *Measure) float64 { return m.PairLock[k] * 1e9 }, ratio)
		}
		for _, i := range c.Pumped {
			// The pump's two states are π apart: compare modulo π.
			sv := deg(c.Spice.Final[i])
			add("SHIL phase "+names[i], "°", sv, func(m *Measure) float64 { return near(sv, deg(m.Final[i])) }, func(s, m float64) string {
				return fmt.Sprintf("%+.1f° mod 180°", deg(0.5*wrap(2*(m-s)*math.Pi/180)))
			})
			lockv := func(m *Measure) float64 {
				if m.PumpLocked[i] {
					return 1
				}
				return 0
			}
			add("SHIL locked "+names[i], "1/0", lockv(c.Spice), lockv, func(s, m float64) string {
				if s == m {
					return "same"
				}
				return "differs"
			})
			add("SHIL lock time "+names[i], "ns", c.Spice.PumpLock[i]*1e9, func(m *Measure) float64 { return m.PumpLock[i] * 1e9 }, ratio)
		}
	} else {
		maxFreqErr := func(m *Measure) float64 {
			var w float64
			for i := range m.Freq {
				w = math.Max(w, math.Abs(m.Freq[i]-c.Spice.Freq[i])/c.Spice.Freq[i])
			}
			return 100 * w
		}
		meanF := func(m *Measure) float64 {
			var s float64
			for _, f := range m.Freq {
				s += f
			}
			return s / float64(len(m.Freq)) / 1e6
		}
		add("mean frequency", "MHz", meanF(c.Spice), meanF, rel)
		add("worst ring frequency error", "%", 0, maxFreqErr, func(s, m float64) string { return "" })
		if len(c.Edges) > 0 {
			worst := func(m *Measure) float64 {
				var w float64
				for k := range c.Edges {
					w = math.Max(w, math.Abs(wrap(m.PairDiff[k]-c.Spice.PairDiff[k])))
				}
				return deg(w)
			}
			add("worst coupled-pair Δφ error", "°", 0, worst, func(s, m float64) string { return "" })
		}
		agree := func(m *Measure) float64 {
			same := 0
			for i := range m.State {
				if m.State[i] == c.Spice.State[i] {
					same++
				}
			}
			return float64(same)
		}
		add("binarised state: rings equal to ngspice", "rings", float64(N), agree, func(s, m float64) string {
			if s == m {
				return "same state"
			}
			return fmt.Sprintf("%g differ", s-m)
		})
	}
	totalPow := func(m *Measure) float64 { return m.TotalPower * 1e6 }
	add("total power", "µW", totalPow(c.Spice), totalPow, rel)
	_ = fref
	return rows
}

// WriteTable prints the cross-check table and the wall times.
func (c *Check) WriteTable(w io.Writer, maxRings int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "quantity\tunit\tngspice")
	for _, m := range c.Models {
		fmt.Fprintf(tw, "\t%s\terror", m.Model)
	}
	fmt.Fprintln(tw)
	num := func(x float64) string {
		switch {
		case math.IsInf(x, 1):
			return "not locked"
		case math.IsNaN(x):
			return "—"
		}
		return strconv4(x)
	}
	for _, r := range c.Rows(maxRings) {
		fmt.Fprintf(tw, "%s\t%s\t%s", r.Quantity, r.Unit, num(r.Spice))
		for k := range r.Model {
			fmt.Fprintf(tw, "\t%s\t%s", num(r.Model[k]), r.Err[k])
		}
		fmt.Fprintln(tw)
	}
	N := float64(c.Chip.N())
	fmt.Fprintf(tw, "wall time\t\t%s", c.Spice.Wall.Round(time.Millisecond))
	for _, m := range c.Models {
		fmt.Fprintf(tw, "\t%s\t%.3gx faster", m.Wall.Round(time.Microsecond), c.Spice.Wall.Seconds()/m.Wall.Seconds())
	}
	fmt.Fprintln(tw)
	if c.Spice.CPU > 0 {
		fmt.Fprintf(tw, "ngspice CPU time\t\t%s", c.Spice.CPU.Round(time.Millisecond))
		for _, m := range c.Models {
			fmt.Fprintf(tw, "\t\t%.3gx", c.Spice.CPU.Seconds()/m.Wall.Seconds())
		}
		fmt.Fprintln(tw)
	}
	per := func(m *Measure) string { return netlist.FormatSI(m.Wall.Seconds()/(N*m.Cycles), "s") }
	fmt.Fprintf(tw, "per ring-cycle\t\t%s", per(c.Spice))
	for _, m := range c.Models {
		fmt.Fprintf(tw, "\t%s\t", per(m))
	}
	fmt.Fprintln(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	if t := c.Trim; t != nil {
		_, err := fmt.Fprintf(w, "deck trim: rings' loads trimmed in %d ngspice runs with the couplers open (largest frequency error %.4f%% untrimmed, %.4f%% after one trim; %s)\n",
			len(t.Error), 100*t.MaxError(0), 100*t.MaxError(len(t.Error)-1), t.Wall.Round(time.Millisecond))
		return err
	}
	return nil
}

func strconv4(x float64) string {
	if x != 0 && (math.Abs(x) >= 1e5 || math.Abs(x) < 1e-3) {
		return fmt.Sprintf("%.4g", x)
	}
	return fmt.Sprintf("%.4g", x)
}
