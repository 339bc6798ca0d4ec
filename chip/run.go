package chip

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"oscsim/netlist"
	"oscsim/phasedet"
	"oscsim/ringosc"
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
}

// RunOptions override the description's run settings for one Run.
type RunOptions struct {
	Model         string  // "cycle" or "phase"; "" = description
	StepsPerCycle float64 // 0 = description
	Duration      float64 // seconds; 0 = description
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
	// NoiseSeed selects another noise realisation (phase noise, random
	// initial phases, detector jitter) on the same chip instance; 0 keeps
	// the streams of (seed, instance, input). Mismatch does not change.
	NoiseSeed int64
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
	Model    string  `json:"model"`
	Steps    int     `json:"steps"`
	Dt       float64 `json:"dt_s"`
	Duration float64 `json:"duration_s"`
	Inputs   int     `json:"inputs"`
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
	// Ledger is the chip's area, power and energy account for this run:
	// Chip.Ledger with the run's coupler power, duration and samples. It
	// is left out of the result's JSON (which engine golden files pin);
	// `oscsim run -o` writes it beside the result.
	Ledger *Ledger       `json:"-"`
	Wall   time.Duration `json:"wall_ns"`
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
	}
	if model != "cycle" && model != "phase" {
		return nil, fmt.Errorf("chip: unknown model %q (want \"cycle\" or \"phase\")", model)
	}
	spc := opt.StepsPerCycle
	if spc == 0 {
		spc = nl.Run.StepsPerCycle
		if opt.Model != "" && opt.Model != nl.Run.Model {
			spc = map[string]float64{"cycle": 32, "phase": 4}[model]
		}
	}
	dur := opt.Duration
	if dur == 0 {
		dur = nl.Run.Duration
	}
	if !(spc > 0) || !(dur > 0) || math.IsInf(spc, 0) || math.IsInf(dur, 0) {
		return nil, fmt.Errorf("chip: %w: steps per cycle %g and duration %gs must be positive", ErrStep, spc, dur)
	}
	if err := ch.CheckStep(model, spc); err != nil {
		return nil, fmt.Errorf("chip: %s: %w", nl.File, err)
	}
	e, err := ch.newEngine(inputs, model, spc, dur, opt)
	if err != nil {
		return nil, err
	}
	res, err := e.run(ctx)
	if err != nil {
		return nil, err
	}
	res.Wall = time.Since(start)
	return res, nil
}

const (
	modelPhase = iota
	modelCycle
)

type engine struct {
	ch      *Chip
	n, b    int
	model   int
	integ   string
	dt      float64
	steps   int
	sigma   float64 // √(2D·dt)
	ksScale float64
	workers int
	chunks  [][2]int // row ranges, one per worker
	scratch [][]float64

	phi, tmp, k1, k2, k3, k4 []float64 // state and stages, len N·B, index i·B+b
	bufA, bufB, bufC         []float64 // per-evaluation derived arrays
	noise, dw                []float64
	rngs                     []*rand.Rand
	detRng                   []*rand.Rand
	opt                      RunOptions
	inputs                   []Input
	tabulated                bool
	ring                     *ringosc.Model
}

func (ch *Chip) newEngine(inputs []Input, model string, spc, dur float64, opt RunOptions) (*engine, error) {
	N, B := ch.n, len(inputs)
	e := &engine{ch: ch, n: N, b: B, integ: ch.nl.Run.Integrator, opt: opt, inputs: inputs}
	if model == "cycle" {
		e.model = modelCycle
	}
	e.dt = 1 / (ch.f0 * spc)
	e.steps = int(math.Round(dur * ch.f0 * spc))
	if e.steps < 1 {
		e.steps = 1
	}
	if !opt.NoNoise {
		e.sigma = math.Sqrt(2 * ch.diff * e.dt)
	}
	e.ksScale = opt.KsScale
	if e.ksScale == 0 {
		e.ksScale = 1
	}
	e.ring = &ch.ring
	e.tabulated = ch.ring.Tabulated()
	size := N * B
	alloc := func() []float64 { return make([]float64, size) }
	e.phi, e.tmp, e.k1, e.bufA, e.bufB, e.bufC, e.noise, e.dw = alloc(), alloc(), alloc(), alloc(), alloc(), alloc(), alloc(), alloc()
	switch e.integ {
	case "heun":
		e.k2 = alloc()
	case "rk4":
		e.k2, e.k3, e.k4 = alloc(), alloc(), alloc()
	}
	for b, in := range inputs {
		if in.Phases != nil && len(in.Phases) != N {
			return nil, fmt.Errorf("chip: input %d has %d phases, want %d", b, len(in.Phases), N)
		}
		if in.FreqOffset != nil && len(in.FreqOffset) != N {
			return nil, fmt.Errorf("chip: input %d has %d frequency offsets, want %d", b, len(in.FreqOffset), N)
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
			ns = int64(key(uint64(ch.seed), uint64(opt.NoiseSeed)))
		}
		e.rngs = append(e.rngs, stream(ns, ch.instance, gi, tagNoise))
		e.detRng = append(e.detRng, stream(ns, ch.instance, gi, tagDet))
		var initRng *rand.Rand
		for i := 0; i < N; i++ {
			var p float64
			switch {
			case in.Phases != nil:
				p = in.Phases[i]
			case ch.nl.Oscillators.Init == "phases":
				p = ch.nl.Oscillators.InitPhases[i]
			case ch.nl.Oscillators.Init == "random":
				if initRng == nil {
					initRng = stream(ns, ch.instance, gi, tagInit)
				}
				p = (2*initRng.Float64() - 1) * math.Pi
			}
			if math.IsNaN(p) || math.IsInf(p, 0) {
				return nil, fmt.Errorf("chip: input %d: initial phase of %s is not finite", b, ch.nl.Oscillators.Names[i])
			}
			e.phi[i*B+b] = p
			w := ch.dOmega[i]
			if in.FreqOffset != nil {
				if math.IsNaN(in.FreqOffset[i]) || math.IsInf(in.FreqOffset[i], 0) {
					return nil, fmt.Errorf("chip: input %d: frequency offset of %s is not finite", b, ch.nl.Oscillators.Names[i])
				}
				w += 2 * math.Pi * in.FreqOffset[i]
			}
			e.dw[i*B+b] = w
		}
	}
	// Workers: split rows into equal-work chunks. Results do not depend on
	// the split: every (i, b) is computed by the same arithmetic.
	w := opt.Workers
	if w <= 0 {
		w = 1
		if work := (len(ch.csr.col) + N) * B; work > 1<<15 {
			w = runtime.GOMAXPROCS(0)
		}
	}
	w = max(1, min(w, N))
	e.workers = w
	nnz := len(ch.csr.col)
	total := nnz + N
	lo := 0
	for k := 0; k < w; k++ {
		target := total * (k + 1) / w
		hi := lo
		for hi < N && (int(ch.csr.rowPtr[hi])+hi) < target {
			hi++
		}
		if k == w-1 {
			hi = N
		}
		e.chunks = append(e.chunks, [2]int{lo, hi})
		e.scratch = append(e.scratch, make([]float64, 2*B))
		lo = hi
	}
	return e, nil
}

// parallel runs fn over the row chunks.
func (e *engine) parallel(fn func(k, lo, hi int)) {
	if e.workers == 1 {
		fn(0, 0, e.n)
		return
	}
	var wg sync.WaitGroup
	for k, c := range e.chunks {
		wg.Add(1)
		go func(k, lo, hi int) {
			defer wg.Done()
			fn(k, lo, hi)
		}(k, c[0], c[1])
	}
	wg.Wait()
}

// rhs evaluates dφ/dt at state phi and time t into out.
func (e *engine) rhs(phi []float64, t float64, out []float64) {
	B := e.b
	ch := e.ch
	m := &ch.csr
	if e.model == modelPhase {
		sn, cs := e.bufA, e.bufB
		e.parallel(func(_, lo, hi int) {
			for x := lo * B; x < hi*B; x++ {
				sn[x], cs[x] = math.Sincos(phi[x])
			}
		})
		ks := ch.ks * e.ksScale * ch.sched.Factor(t)
		e.parallel(func(k, lo, hi int) {
			S, C := e.scratch[k][:B], e.scratch[k][B:]
			for i := lo; i < hi; i++ {
				clear(S)
				clear(C)
				for x := m.rowPtr[i]; x < m.rowPtr[i+1]; x++ {
					kk := m.k[x]
					base := int(m.col[x]) * B
					sj, cj := sn[base:base+B], cs[base:base+B]
					for b := range S {
						S[b] += kk * sj[b]
						C[b] += kk * cj[b]
					}
				}
				// Σ_j K_ij sin(φ_j − φ_i) = cos φ_i·(K·sin φ)_i − sin φ_i·(K·cos φ)_i
				// and sin 2φ_i = 2·sin φ_i·cos φ_i (eq. 12, algorithms.md §1.9).
				kp := 2 * ks * ch.pumpMask[i]
				base := i * B
				for b := 0; b < B; b++ {
					x := base + b
					out[x] = e.dw[x] + cs[x]*S[b] - sn[x]*C[b] - kp*sn[x]*cs[x]
				}
			}
		})
		return
	}
	// Cycle model. bufA = v(θ), bufB = Γ(θ), bufC = Γp(θ) at θ = ω_ref·t + φ.
	v, gam, gamp := e.bufA, e.bufB, e.bufC
	wt := ch.wref * t
	ring := e.ring
	e.parallel(func(_, lo, hi int) {
		for x := lo * B; x < hi*B; x++ {
			th := wt + phi[x]
			if e.tabulated {
				v[x], gam[x], gamp[x] = ring.V(th), ring.Gamma(th), ring.GammaPump(th)
				continue
			}
			s, c := math.Sincos(th)
			v[x] = 0.5 * (1 + c)
			gam[x] = -ring.Gamma1 * s
			gamp[x] = -ring.C2 * 2 * s * c
		}
	})
	// Pump current I_s·f(t)·cos(2·ω_ref·t), per q_max.
	pump := ch.pumpI * e.ksScale * ch.sched.Factor(t) * math.Cos(2*wt) / (ch.c * ch.vdd)
	invC := 1 / ch.c
	e.parallel(func(k, lo, hi int) {
		Y := e.scratch[k][:B]
		for i := lo; i < hi; i++ {
			clear(Y)
			for x := m.rowPtr[i]; x < m.rowPtr[i+1]; x++ {
				g := m.g[x]
				base := int(m.col[x]) * B
				vj := v[base : base+B]
				for b := range Y {
					Y[b] += g * vj[b]
				}
			}
			// Coupler current into node i per VDD:
			// Σ_j G_ij·(v'_j − v_i) = Σ_j g_ij·v_j + Σ_neg |G_ij| − v_i·Σ_j |G_ij|,
			// with v'_j = v_j (in-phase path) or 1 − v_j (inverter path).
			gn, gt, pm := m.gNeg[i], m.gTot[i], pump*ch.pumpMask[i]
			base := i * B
			for b := 0; b < B; b++ {
				x := base + b
				cur := Y[b] + gn - gt*v[x]
				out[x] = e.dw[x] + gam[x]*cur*invC + gamp[x]*pm
			}
		}
	})
}

// drawNoise fills e.noise with σ·ξ, each input from its own stream.
func (e *engine) drawNoise() {
	if e.sigma == 0 {
		return
	}
	B, N := e.b, e.n
	for b := 0; b < B; b++ {
		r := e.rngs[b]
		for i := 0; i < N; i++ {
			e.noise[i*B+b] = e.sigma * r.NormFloat64()
		}
	}
}

// step advances the state by one step from time t.
func (e *engine) step(t float64) {
	dt := e.dt
	phi := e.phi
	e.drawNoise()
	nz := e.noise
	noisy := e.sigma != 0
	switch e.integ {
	case "euler":
		e.rhs(phi, t, e.k1)
		for x := range phi {
			phi[x] += dt * e.k1[x]
		}
	case "heun":
		// Stochastic Heun (predictor–corrector with one noise increment).
		e.rhs(phi, t, e.k1)
		for x := range phi {
			e.tmp[x] = phi[x] + dt*e.k1[x]
			if noisy {
				e.tmp[x] += nz[x]
			}
		}
		e.rhs(e.tmp, t+dt, e.k2)
		for x := range phi {
			phi[x] += 0.5 * dt * (e.k1[x] + e.k2[x])
		}
	case "rk4":
		// Classic RK4 on the drift; the noise increment is added after
		// (an Euler–Maruyama treatment of the additive noise).
		e.rhs(phi, t, e.k1)
		for x := range phi {
			e.tmp[x] = phi[x] + 0.5*dt*e.k1[x]
		}
		e.rhs(e.tmp, t+0.5*dt, e.k2)
		for x := range phi {
			e.tmp[x] = phi[x] + 0.5*dt*e.k2[x]
		}
		e.rhs(e.tmp, t+0.5*dt, e.k3)
		for x := range phi {
			e.tmp[x] = phi[x] + dt*e.k3[x]
		}
		e.rhs(e.tmp, t+dt, e.k4)
		for x := range phi {
			phi[x] += dt / 6 * (e.k1[x] + 2*e.k2[x] + 2*e.k3[x] + e.k4[x])
		}
	}
	if noisy {
		for x := range phi {
			phi[x] += nz[x]
		}
	}
}

// checkFinite returns the first non-finite state entry, or -1.
func (e *engine) checkFinite() int {
	for x, p := range e.phi {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return x
		}
	}
	return -1
}

type sampleSched struct {
	steps []int // step indices (after which) to sample
	next  int
}

func (e *engine) run(ctx context.Context) (*Result, error) {
	ch, B, N := e.ch, e.b, e.n
	spc := 1 / (e.dt * ch.f0)
	res := &Result{Steps: e.steps, Dt: e.dt, Duration: float64(e.steps) * e.dt, Inputs: B, Model: map[int]string{modelPhase: "phase", modelCycle: "cycle"}[e.model]}
	res.Initial = e.snapshot(true)

	// Detector schedules.
	scheds := make([]sampleSched, len(ch.detectors))
	counterStart := make([]int, len(ch.detectors))
	counterPhi := make([][]float64, len(ch.detectors))
	for d, det := range ch.detectors {
		ro := Readout{Detector: det.Name, Kind: det.Kind, Targets: det.Targets, Values: make([][][]float64, B)}
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
	accumulatePower := func() {
		// Coupler power from the phase differences across each TG
		// (coupling.Power), averaged over the run at every cycle.
		m := &ch.csr
		for i := 0; i < N; i++ {
			for x := m.rowPtr[i]; x < m.rowPtr[i+1]; x++ {
				j := int(m.col[x])
				g := m.g[x]
				inv := g < 0
				if !inv && j < i {
					continue // the in-phase TG is shared by both directions
				}
				ag := math.Abs(g)
				for b := 0; b < B; b++ {
					d := e.phi[j*B+b] - e.phi[i*B+b]
					s := 1.0
					if inv {
						s = -1
					}
					powAcc[b] += ag * ch.vdd * ch.vdd * (1 - s*math.Cos(d)) / 4
				}
			}
		}
		powN++
	}
	powEvery := max(1, int(math.Round(spc)))

	for n := 0; n < e.steps; n++ {
		if n&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if n == lockStart {
			lockPhi = append([]float64(nil), e.phi...)
		}
		for d := range ch.detectors {
			if ch.detectors[d].kind == phasedet.Counter && n == counterStart[d] {
				counterPhi[d] = append([]float64(nil), e.phi...)
			}
		}
		t := float64(n) * e.dt
		e.step(t)
		if x := e.checkFinite(); x >= 0 {
			return nil, fmt.Errorf("chip: %w at step %d (t = %s): oscillator %s, input %d (phase %g); try more steps per cycle",
				ErrNaN, n+1, netlist.FormatSI(float64(n+1)*e.dt, "s"), ch.nl.Oscillators.Names[x/B], x%B, e.phi[x])
		}
		done := n + 1
		for d := range scheds {
			s := &scheds[d]
			if s.next < len(s.steps) && s.steps[s.next] == done {
				e.sample(&res.Readouts[d], ch.detectors[d], float64(done)*e.dt)
				s.next++
			}
		}
		if done%powEvery == 0 {
			accumulatePower()
		}
		if e.opt.TraceEvery > 0 && done%e.opt.TraceEvery == 0 {
			e.record(res.Trace, float64(done)*e.dt)
		}
	}
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
			if ch.pumpMask[i] > 0 && ch.ks > 0 && math.Abs(f)*tl < lockTolCycles {
				lk.PumpLocked++
			}
		}
		lk.Synchronised = (hi-lo)*tl < lockTolCycles
		res.Locks = append(res.Locks, lk)
	}
	res.CouplerPower = make([]float64, B)
	if powN > 0 {
		for b := range powAcc {
			res.CouplerPower[b] = powAcc[b] / float64(powN)
		}
	}
	res.Ledger = ch.Ledger(res)
	return res, nil
}

// lockTolCycles is the largest phase drift (in cycles) over the lock window
// for rings to count as locked: 0.05 cycle = 18°.
const lockTolCycles = 0.05

func (e *engine) snapshot(wrap bool) [][]float64 {
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

func (e *engine) record(tr *Trace, t float64) {
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
func (e *engine) sample(ro *Readout, det detector, t float64) {
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
