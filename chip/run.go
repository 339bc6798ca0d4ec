package chip

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"oscsim/chip/internal/engine"
	"oscsim/netlist"
	"oscsim/phasedet"
)

// Input is one input of a batch: the initial phases of the rings and an
// optional per-ring frequency offset (inputs that set natural frequencies,
// as in Vodenicarevic et al. 2017).
type Input struct {
	// Phases are the initial phases φ_i(0) in radians relative to the
	// reference; nil uses the description's oscillators.init.
	Phases []float64
	// FreqOffset adds to each ring's natural frequency (Hz); nil = none.
	FreqOffset []float64
	// Inject is a current injected at f0 into the rings (inject.go); nil =
	// none.
	Inject *Injection
}

// RunOptions override the description's run settings for one Run.
type RunOptions struct {
	Model         netlist.Model // "" = description
	StepsPerCycle float64       // 0 = description
	Duration      float64       // seconds; 0 = description
	// TraceEvery records all phases every this many steps (0 = no trace).
	TraceEvery int
	// Workers is the number of goroutines; 0 picks one from the problem
	// size and GOMAXPROCS. Results do not depend on it.
	Workers int
	// InputBase is the global index of inputs[0]: input b draws its noise
	// from the stream (seed, instance, InputBase+b).
	InputBase int
	// Indices, when not nil, gives each input's global index instead
	// (len = number of inputs), so inputs gathered from anywhere keep
	// their own noise streams in any batch.
	Indices []int
	// NoNoise switches phase noise and detector jitter off.
	NoNoise bool
	// KsScale multiplies the pump strength (0 = 1).
	KsScale float64
	// Precision is the state's precision: "float64" (the default, "") or
	// "float32" (faster; see PrecisionFloat32).
	Precision string
	// NoiseSeed selects another noise realisation (phase noise, random
	// initial phases, detector jitter) on the same chip instance; 0 keeps
	// the streams of (seed, instance, input). Mismatch does not change.
	NoiseSeed int64
	// NoPower skips the coupler-power average (Result.CouplerPower stays
	// nil, and the ledger estimates TG power without it): one sparse
	// product less per cycle, for runs that need only the read-outs.
	NoPower bool
	// OnStep, when not nil, observes the state at every step: it is called
	// with n = 0 before the first step and after step n with the phases at
	// t = n·dt, for n = 0..Steps. phi holds φ_i of input b at index i·B+b
	// (radians in the reference frame, not wrapped in float64); it is the
	// engine's own state, valid during the call only and not to be written.
	// Trainers record trajectories through it (learn/freqsync); a nil
	// OnStep costs nothing.
	OnStep func(n int, phi []float64)

	// Progress, when not nil, is called from the run loop with the steps
	// done and the total, every ProgressEvery steps and once at the end.
	// It sits with the loop's context check, outside the step kernels, so
	// a run without it costs nothing more.
	Progress func(done, total int)
	// MaxBytes bounds the memory the run may need (its estimate, see
	// RunBytes); 0 means MaxRunBytes.
	MaxBytes float64

	// noise32 runs a float64 state on the float32 noise generator (tests
	// compare the precisions on one noise realisation with it).
	noise32 bool
}

// Readout holds what one detector bank read.
type Readout struct {
	Detector string    `json:"detector"`
	Kind     string    `json:"kind"`
	Targets  []int     `json:"targets"`
	Times    []float64 `json:"times_s"`
	// Values[b][m][t] is input b's reading at sample m of target t: ±1 for
	// a sampler, duty |φ|/π for XOR, a code for a TDC, Hz for a counter.
	Values [][][]float64 `json:"values"`
}

// Lock is the lock status of one input at the end of a run, measured over
// the last 20% of the run (at least two cycles).
type Lock struct {
	// FreqOffset is each ring's mean frequency minus f_ref (Hz).
	FreqOffset []float64 `json:"freq_offset_hz"`
	// Synchronised is true when all rings share one mean frequency.
	Synchronised bool `json:"synchronised"`
	// PumpLocked counts pumped rings frequency-locked to the reference (a
	// detuned ring locks at φ = ½·asin(Δω/K_s), not exactly at 0 or π).
	PumpLocked int `json:"pump_locked"`
	// Binarised counts rings whose final phase is within 20° of 0 or π.
	Binarised int `json:"binarised"`
}

// Trace is a recorded trajectory: Phases[b][k][i] at Times[k].
type Trace struct {
	Times  []float64     `json:"times_s"`
	Phases [][][]float64 `json:"phases"`
}

// Result is the outcome of one Run over a batch of inputs.
type Result struct {
	Model    netlist.Model `json:"model"`
	Steps    int           `json:"steps"`
	Dt       float64       `json:"dt_s"`
	Duration float64       `json:"duration_s"`
	Inputs   int           `json:"inputs"`
	// Initial and Final are the phases (rad, wrapped to (−π, π]) of every
	// input at the start and the end.
	Initial [][]float64 `json:"initial_phases"`
	Final   [][]float64 `json:"final_phases"`
	// Unwrapped are the final phases without wrapping (rad).
	Unwrapped [][]float64 `json:"-"`
	Readouts  []Readout   `json:"readouts"`
	Locks     []Lock      `json:"lock"`
	Trace     *Trace      `json:"trace,omitempty"`
	// CouplerPower is the average power dissipated in the coupling TGs
	// over the run for each input (W), from the phase differences they
	// carried (coupling.Power).
	CouplerPower []float64 `json:"coupler_power_w"`
	// InjectPower is each input's power in its injection drivers at f0
	// (W; inject.go), nil when no input injects.
	InjectPower []float64 `json:"inject_power_w,omitempty"`
	// Ledger is the chip's area, power and energy account for this run:
	// Chip.Ledger with the run's coupler power, duration and samples. It
	// is left out of the result's JSON (which engine golden files pin);
	// `oscsim run -o` writes it beside the result.
	Ledger *Ledger       `json:"-"`
	Wall   time.Duration `json:"wall_ns"`
	// KsScale is the pump scale the run used (RunOptions.KsScale; 1 by
	// default): the ledger's pump current is the description's times it.
	KsScale float64 `json:"-"`
}

// Spins returns sign(cos φ) of the final phases of input b.
func (r *Result) Spins(b int) []int {
	s := make([]int, len(r.Final[b]))
	for i, p := range r.Final[b] {
		s[i] = 1
		if math.Cos(p) < 0 {
			s[i] = -1
		}
	}
	return s
}

// ErrNaN is wrapped by the error of a run whose state became NaN or Inf.
var ErrNaN = errors.New("state is not finite")

// Run advances a batch of inputs on the compiled chip and returns what the
// detectors read. An empty batch runs one input with the description's
// initial phases.
func (ch *Chip) Run(ctx context.Context, inputs []Input, opt RunOptions) (*Result, error) {
	start := time.Now()
	nl := ch.nl
	if len(inputs) == 0 {
		inputs = []Input{{}}
	}
	model := opt.Model
	if model == "" {
		model = nl.Run.Model
	} else if err := model.Check(); err != nil {
		return nil, fmt.Errorf("chip: %w", err)
	}
	spc := opt.StepsPerCycle
	if spc == 0 {
		spc = nl.Run.StepsPerCycle
		if model != nl.Run.Model {
			spc = model.DefaultStepsPerCycle()
		}
	}
	dur := opt.Duration
	if dur == 0 {
		dur = nl.Run.Duration
	}
	if !(spc > 0) || !(dur > 0) || math.IsInf(spc, 0) || math.IsInf(dur, 0) {
		return nil, fmt.Errorf("chip: %w: steps per cycle %g and duration %gs must be positive", ErrStep, spc, dur)
	}
	if err := ch.CheckStepScaled(model, spc, opt.KsScale); err != nil {
		return nil, fmt.Errorf("chip: %s: %w", nl.File, err)
	}
	steps := dur * ch.f0 * spc
	if need, limit := ch.RunBytes(len(inputs), steps, spc, opt.TraceEvery), cmp.Or(opt.MaxBytes, MaxRunBytes); need > limit {
		return nil, fmt.Errorf("chip: %s: a run of %d inputs × %d rings over %.3g steps needs about %s of memory, more than the %s allowed (RunOptions.MaxBytes); run fewer inputs at a time, sample or trace less often",
			nl.File, len(inputs), ch.n, steps, netlist.FormatSI(need, "B"), netlist.FormatSI(limit, "B"))
	}
	e, err := ch.newEngine(inputs, model, spc, dur, opt)
	if err != nil {
		return nil, err
	}
	defer e.close()
	res, err := e.run(ctx)
	if err != nil {
		return nil, err
	}
	res.Wall = time.Since(start)
	return res, nil
}

// newEngine validates the inputs, builds the engine's plan and starts
// the engine.
func (ch *Chip) newEngine(inputs []Input, model netlist.Model, spc, dur float64, opt RunOptions) (*runner, error) {
	prec, err := precision(opt.Precision)
	if err != nil {
		return nil, err
	}
	N, B := ch.n, len(inputs)
	e := &runner{ch: ch, n: N, b: B, opt: opt, inputs: inputs}
	if model == netlist.ModelCycle {
		e.model = modelCycle
	}
	e.dt = 1 / (ch.f0 * spc)
	e.steps = int(math.Round(dur * ch.f0 * spc))
	if e.steps < 1 {
		e.steps = 1
	}
	if spc < 1 {
		// Steps of several cycles (the phase model): rounding the count
		// would miss the duration by up to half a step, so take the
		// fewest steps no longer than asked and end exactly at dur.
		e.steps = max(1, int(math.Ceil(dur*ch.f0*spc*(1-1e-12))))
		e.dt = dur / float64(e.steps)
	}
	p := ch.plan(e.model, prec, e.dt, opt)
	p.B = B
	p.Phi = make([]float64, N*B)
	offsets := false
	for _, in := range inputs {
		offsets = offsets || in.FreqOffset != nil
	}
	p.DwRing = make([]float64, N)
	for i := range p.DwRing {
		p.DwRing[i] = ch.dOmega[i] + ch.pathOffset(e.model, i) // paths.go
	}
	if offsets {
		p.DwInput = make([]float64, N*B)
	}
	p.Keys64, p.Keys32 = make([]uint64, 0, B), make([]uint64, 0, B)
	if !opt.NoNoise { // detector jitter (runner.sample) draws only with noise on
		e.detRng = make([]*rand.Rand, 0, B)
	}
	for b, in := range inputs {
		if in.Phases != nil && len(in.Phases) != N {
			return nil, fmt.Errorf("chip: input %d has %d phases, want %d", b, len(in.Phases), N)
		}
		if in.FreqOffset != nil && len(in.FreqOffset) != N {
			return nil, fmt.Errorf("chip: input %d has %d frequency offsets, want %d", b, len(in.FreqOffset), N)
		}
		if err := checkInject(b, in, N); err != nil {
			return nil, err
		}
		if in.Inject != nil && ch.nl.Injection != nil {
			// The drivers' rounding (drivers.go), on a copy of the batch.
			j, err := ch.quantInjection(b, in.Inject)
			if err != nil {
				return nil, err
			}
			if &e.inputs[0] == &inputs[0] {
				e.inputs = append([]Input(nil), inputs...)
			}
			e.inputs[b].Inject = j
		}
		gi := opt.InputBase + b
		if opt.Indices != nil {
			if len(opt.Indices) != B {
				return nil, fmt.Errorf("chip: %d input indices for %d inputs", len(opt.Indices), B)
			}
			gi = opt.Indices[b]
		}
		ns := ch.seed
		if opt.NoiseSeed != 0 {
			ns = int64(engine.Key(uint64(ch.seed), uint64(opt.NoiseSeed)))
		}
		p.Keys64 = append(p.Keys64, engine.Key(uint64(ns), uint64(ch.instance), uint64(gi), tagNoise))
		p.Keys32 = append(p.Keys32, engine.Key(uint64(ns), uint64(ch.instance), uint64(gi), tagNoise32))
		if !opt.NoNoise {
			e.detRng = append(e.detRng, stream(ns, ch.instance, gi, tagDet))
		}
		var initRng *rand.Rand
		for i := 0; i < N; i++ {
			var ph float64
			switch {
			case in.Phases != nil:
				ph = in.Phases[i]
			case ch.nl.Oscillators.Init == "phases":
				ph = ch.nl.Oscillators.InitPhases[i]
			case ch.nl.Oscillators.Init == "random":
				if initRng == nil {
					initRng = stream(ns, ch.instance, gi, tagInit)
				}
				ph = (2*initRng.Float64() - 1) * math.Pi
			}
			if math.IsNaN(ph) || math.IsInf(ph, 0) {
				return nil, fmt.Errorf("chip: input %d: initial phase of %s is not finite", b, ch.nl.Oscillators.Names[i])
			}
			p.Phi[i*B+b] = ph
			if !offsets {
				continue
			}
			w := p.DwRing[i]
			if in.FreqOffset != nil {
				if math.IsNaN(in.FreqOffset[i]) || math.IsInf(in.FreqOffset[i], 0) {
					return nil, fmt.Errorf("chip: input %d: frequency offset of %s is not finite", b, ch.nl.Oscillators.Names[i])
				}
				w += 2 * math.Pi * in.FreqOffset[i]
			}
			p.DwInput[i*B+b] = w
		}
	}
	p.InjA, p.InjB = ch.injectPlan(e.inputs, e.model) // inject.go; e.inputs has the drivers' rounding
	if e.eng, err = engine.New(p); err != nil {
		return nil, fmt.Errorf("chip: %w", err)
	}
	return e, nil
}

// plan is the engine's plan for this chip's current program in model
// (modelPhase or modelCycle) with the run's precision, step and options;
// the caller adds the inputs (B, Phi, DwRing, DwInput, keys, injection).
func (ch *Chip) plan(model int, prec engine.Precision, dt float64, opt RunOptions) *engine.Plan {
	m := &ch.csr
	l := ch.paths
	p := &engine.Plan{
		N: ch.n, Model: engine.Model(model), Precision: prec, Workers: opt.Workers, Dt: dt,
		RowPtr: m.rowPtr, Col: m.col, G: m.g, GNeg: m.gNeg, GTot: m.gTot, Order: ch.order, GPow: ch.gPow,
		C: ch.c, VDD: ch.vdd, Wref: ch.wref, H1: ch.h1, H1Inv: ch.h1inv, G2: ch.g2,
		Gamma1: ch.ring.Gamma1, C2: ch.ring.C2, Packed: ch.packed,
		Paths: engine.Paths{Rho: l.rho, InvTable: l.invTable, Pump2: l.pump2, Pump1: l.pump1,
			CycleLaw: l.cycleLaw, CycleLawSet: l.cycleLawSet},
		PumpMask: ch.pumpMask, Ks: ch.ks, PumpI: ch.pumpI, KsScale: cmp.Or(opt.KsScale, 1), Schedule: ch.sched,
		Noise32: opt.noise32,
	}
	switch ch.nl.Run.Integrator {
	case netlist.Heun:
		p.Integrator = engine.Heun
	case netlist.RK4:
		p.Integrator = engine.RK4
	}
	if !opt.NoNoise {
		p.Sigma = math.Sqrt(2 * ch.diff * dt)
	}
	return p
}

type sampleSched struct {
	steps []int // step indices (after which) to sample
	next  int
}

func (e *runner) run(ctx context.Context) (*Result, error) {
	ch, B, N := e.ch, e.b, e.n
	spc := 1 / (e.dt * ch.f0)
	res := &Result{Steps: e.steps, Dt: e.dt, Duration: float64(e.steps) * e.dt, Inputs: B, Model: netlist.ModelPhase, KsScale: cmp.Or(e.opt.KsScale, 1)}
	if e.model == modelCycle {
		res.Model = netlist.ModelCycle
	}
	e.sync()
	res.Initial = e.snapshot(true)

	// Detector schedules.
	scheds := make([]sampleSched, len(ch.detectors))
	counterStart := make([]int, len(ch.detectors))
	counterPhi := make([][]float64, len(ch.detectors))
	for d, det := range ch.detectors {
		ro := Readout{Detector: det.Name, Kind: det.Kind.String(), Targets: det.Targets, Values: make([][][]float64, B)}
		res.Readouts = append(res.Readouts, ro)
		if det.kind == phasedet.Counter {
			w := int(math.Round(det.Window * ch.f0 * spc))
			counterStart[d] = max(0, e.steps-max(1, w))
			continue
		}
		var st []int
		if det.Every > 0 {
			last := -1
			for m := 1; ; m++ {
				s := int(math.Round(float64(m*det.Every) * spc))
				if s > e.steps {
					break
				}
				if s != last && s > 0 {
					st = append(st, s)
					last = s
				}
			}
		}
		if len(st) == 0 || st[len(st)-1] != e.steps {
			st = append(st, e.steps)
		}
		scheds[d] = sampleSched{steps: st}
	}
	lockStart := e.steps - max(int(math.Round(0.2*float64(e.steps))), int(math.Round(2*spc)))
	lockStart = max(0, lockStart)
	var lockPhi []float64

	if e.opt.TraceEvery > 0 {
		res.Trace = &Trace{Phases: make([][][]float64, B)}
		e.record(res.Trace, 0)
	}
	powAcc := make([]float64, B)
	powN := 0
	powEvery := max(1, int(math.Round(spc)))
	if e.opt.OnStep != nil {
		e.sync()
		e.opt.OnStep(0, e.phi)
	}

	// ahead is how many steps from n the loop may leave to the engine
	// before it must look at the state again (the checks below at n, the
	// observers after the last step), at most up to the next 256-step
	// context check: a batch split among workers then runs them with one
	// barrier (engine.Engine.StepMany). The steps are the same either way.
	ahead := func(n int) int {
		if e.opt.OnStep != nil {
			return 1
		}
		k := min(e.steps-n, 256-n&255)
		next := func(at int) { // the loop looks at step at (before it)
			if at > n {
				k = min(k, at-n)
			}
		}
		next(lockStart)
		for d := range ch.detectors {
			if ch.detectors[d].kind == phasedet.Counter {
				next(counterStart[d])
			}
		}
		for d := range scheds { // samples after step s, so before step s
			if s := &scheds[d]; s.next < len(s.steps) {
				next(s.steps[s.next])
			}
		}
		if !e.opt.NoPower {
			k = min(k, powEvery-n%powEvery)
		}
		if e.opt.TraceEvery > 0 {
			k = min(k, e.opt.TraceEvery-n%e.opt.TraceEvery)
		}
		return k
	}
	for n := 0; n < e.steps; {
		if n&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if e.opt.Progress != nil && n%ProgressEvery == 0 && n > 0 {
				e.opt.Progress(n, e.steps)
			}
		}
		if n == lockStart {
			e.sync()
			lockPhi = append([]float64(nil), e.phi...)
		}
		for d := range ch.detectors {
			if ch.detectors[d].kind == phasedet.Counter && n == counterStart[d] {
				e.sync()
				counterPhi[d] = append([]float64(nil), e.phi...)
			}
		}
		ran, x := e.eng.StepMany(n, ahead(n))
		n += ran
		if x >= 0 {
			e.sync()
			return nil, fmt.Errorf("chip: %w at step %d (t = %s): oscillator %s, input %d (phase %g); try more steps per cycle",
				ErrNaN, n, netlist.FormatSI(float64(n)*e.dt, "s"), ch.nl.Oscillators.Names[x/B], x%B, e.phi[x])
		}
		done := n
		if e.opt.OnStep != nil {
			e.sync()
			e.opt.OnStep(done, e.phi)
		}
		for d := range scheds {
			s := &scheds[d]
			if s.next < len(s.steps) && s.steps[s.next] == done {
				e.sync()
				e.sample(&res.Readouts[d], ch.detectors[d], float64(done)*e.dt)
				s.next++
			}
		}
		if !e.opt.NoPower && done%powEvery == 0 {
			e.accumulatePower(powAcc)
			powN++
		}
		if e.opt.TraceEvery > 0 && done%e.opt.TraceEvery == 0 {
			e.sync()
			e.record(res.Trace, float64(done)*e.dt)
		}
	}
	if e.opt.Progress != nil {
		e.opt.Progress(e.steps, e.steps)
	}
	e.sync()
	if lockPhi == nil {
		lockPhi = append([]float64(nil), e.phi...)
	}
	T := res.Duration
	for d, det := range ch.detectors {
		if det.kind != phasedet.Counter {
			continue
		}
		ro := &res.Readouts[d]
		t0 := float64(counterStart[d]) * e.dt
		win := T - t0
		ro.Times = []float64{T}
		for b := 0; b < B; b++ {
			row := make([]float64, len(det.Targets))
			for k, i := range det.Targets {
				th0 := ch.wref*t0 + counterPhi[d][i*B+b]
				th1 := ch.wref*T + e.phi[i*B+b]
				row[k] = phasedet.Count(th0, th1) / win
			}
			ro.Values[b] = [][]float64{row}
		}
	}
	res.Final = e.snapshot(true)
	res.Unwrapped = e.snapshot(false)
	tl := T - float64(lockStart)*e.dt
	for b := 0; b < B; b++ {
		var lk Lock
		lk.FreqOffset = make([]float64, N)
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < N; i++ {
			f := (e.phi[i*B+b] - lockPhi[i*B+b]) / (2 * math.Pi * tl)
			lk.FreqOffset[i] = f
			lo, hi = math.Min(lo, f), math.Max(hi, f)
			p := math.Abs(phasedet.Wrap(e.phi[i*B+b]))
			bin := p < math.Pi/9 || p > math.Pi-math.Pi/9
			if bin {
				lk.Binarised++
			}
			if ch.pumpMask[i] != 0 && ch.ks > 0 && math.Abs(f)*tl < lockTolCycles {
				lk.PumpLocked++
			}
		}
		lk.Synchronised = (hi-lo)*tl < lockTolCycles
		res.Locks = append(res.Locks, lk)
	}
	if !e.opt.NoPower {
		res.CouplerPower = make([]float64, B)
	}
	if powN > 0 {
		for b := range powAcc {
			res.CouplerPower[b] = powAcc[b] / float64(powN)
		}
	}
	res.InjectPower = e.injectPower()
	res.Ledger = ch.Ledger(res)
	return res, nil
}

// lockTolCycles is the largest phase drift (in cycles) over the lock window
// for rings to count as locked: 0.05 cycle = 18°.
const lockTolCycles = 0.05

func (e *runner) snapshot(wrap bool) [][]float64 {
	out := make([][]float64, e.b)
	for b := range out {
		out[b] = make([]float64, e.n)
		for i := range out[b] {
			p := e.phi[i*e.b+b]
			if wrap {
				p = phasedet.Wrap(p)
			}
			out[b][i] = p
		}
	}
	return out
}

func (e *runner) record(tr *Trace, t float64) {
	tr.Times = append(tr.Times, t)
	for b := 0; b < e.b; b++ {
		row := make([]float64, e.n)
		for i := range row {
			row[i] = e.phi[i*e.b+b]
		}
		tr.Phases[b] = append(tr.Phases[b], row)
	}
}

// sample reads one detector bank at time t for every input.
func (e *runner) sample(ro *Readout, det detector, t float64) {
	ro.Times = append(ro.Times, t)
	jit := 0.0
	if !e.opt.NoNoise {
		jit = det.Jitter * e.ch.wref
	}
	for b := 0; b < e.b; b++ {
		row := make([]float64, len(det.Targets))
		for k, i := range det.Targets {
			p := e.phi[i*e.b+b]
			if jit > 0 {
				p += jit * e.detRng[b].NormFloat64()
			}
			row[k] = phasedet.Read(det.kind, det.Bits, p)
		}
		ro.Values[b] = append(ro.Values[b], row)
	}
}

// ProgressEvery is how many steps pass between calls of
// RunOptions.Progress (a multiple of the loop's 256-step context check).
const ProgressEvery = 1 << 16

// MaxRunBytes is the default bound on the memory one Run may need
// (RunOptions.MaxBytes): 16 GiB. Design choice [A]: large enough for the
// largest chips one machine runs (4,194,304 rings × 16 inputs), small
// enough that a mistyped batch, trace or sampling rate is an error with
// the size instead of an out-of-memory crash.
const MaxRunBytes = 16 << 30

// runStateBytes is the engine's state per ring and input, an upper
// estimate: phase and detuning, four integrator stages, a trial state, the
// noise draws and float32 mirrors, and the lock and counter snapshots (16
// float64s).
const runStateBytes = 16 * 8

// RunBytes estimates the memory a Run of inputs inputs over steps steps
// (spc per cycle) needs: the engine's state, the detectors' samples and
// the trace (every traceEvery steps; 0 = none). Slice headers are counted
// per stored row.
func (ch *Chip) RunBytes(inputs int, steps, spc float64, traceEvery int) float64 {
	B, N := float64(max(1, inputs)), float64(ch.n)
	need := N * B * runStateBytes
	cycles := steps / spc
	for _, d := range ch.detectors {
		samples := 1.0
		if d.Every > 0 {
			samples += cycles / float64(d.Every)
		}
		need += B * samples * (8*float64(len(d.Targets)) + 24)
	}
	if traceEvery > 0 {
		need += B * (steps/float64(traceEvery) + 1) * (8*N + 24)
	}
	return need
}
