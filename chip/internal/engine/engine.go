package engine

import (
	"fmt"
	"runtime"

	"oscsim/ringosc"
)

// Model is the engine's model of a ring (docs/model.md §5).
type Model int

const (
	// Phase is the cycle-averaged model in the reference frame.
	Phase Model = iota
	// Cycle resolves every oscillation cycle.
	Cycle
)

// Integrator is the engine's time-stepping scheme.
type Integrator int

const (
	// Euler is Euler–Maruyama: one evaluation a step.
	Euler Integrator = iota
	// Heun is stochastic Heun (Euler–Heun with additive noise): two.
	Heun
	// RK4 is the classical Runge–Kutta scheme: four.
	RK4
)

// Precision is the precision of the engine's state.
type Precision int

const (
	// Float64 is the reference precision.
	Float64 Precision = iota
	// Float32 halves the memory traffic and doubles the vector width.
	// Phases are kept wrapped to [−π, π] with a whole-turn counter,
	// sin/cos come from a single-precision polynomial (trig.go), and phase
	// noise from a vectorised generator (noise32.go).
	Float32
)

// Schedule is the pump's strength over time, a factor of its full
// strength (shil.Schedule).
type Schedule interface {
	Factor(t float64) float64
}

// Paths are what a characterised ring model adds to the coupling and
// the pump beyond their first harmonics (chip's pathModel and paths.go
// here); all zero for the analytic ring.
type Paths struct {
	// Rho are ρ of the in-phase and the inverter path (phase model).
	Rho [2]float64
	// InvTable: the cycle model's inverter-path couplers read 1 − u(θ)
	// from the ring's inverter table instead of v(θ).
	InvTable bool
	// Pump2 are A0, A4, B4 of the pump's second-order drift (phase
	// model) per unit (I/q_max)²/ω_ref.
	Pump2 [3]float64
	// Pump1 are a measured pump law's first-order terms (phase model).
	Pump1 [2]float64
	// CycleLaw is the cycle model's averaged correction of a measured
	// pump law, present when CycleLawSet.
	CycleLaw    [5]float64
	CycleLawSet bool
}

// Plan is everything one engine needs, as plain data: what chip.Compile,
// chip.Program and chip.Run decided, with no meaning attached. Slices
// the plan shares with the chip (the couplings, the pump mask) are only
// read. Index i·B + b is ring i of input b.
type Plan struct {
	N, B       int // rings, inputs
	Model      Model
	Integrator Integrator
	Precision  Precision
	// Workers is the number of goroutines; 0 picks one from the problem
	// size and GOMAXPROCS. A batch is split among them by its inputs
	// (shards.go), so a batch of one runs on one. Results do not depend
	// on it.
	Workers int
	Dt      float64 // step (s)
	// Sigma is √(2D·dt), the standard deviation of a step's phase noise
	// (rad); 0 switches noise off.
	Sigma float64

	// The couplings in CSR, both directions of every coupler: row i
	// lists the rings that inject into ring i.
	RowPtr, Col []int32
	G           []float32 // signed conductance (S): + in-phase, − inverter path
	GNeg, GTot  []float64 // per ring: Σ over inverter-path couplers of |G|, Σ |G|
	Order       []int32   // the stage passes' visiting order (RowOrder)
	GPow        float64   // Σ|G| over the coupling TGs (S)

	// The rings and devices.
	C, VDD, Wref float64         // node capacitance (F), supply (V), ω_ref (rad/s)
	H1, H1Inv    float64         // coupling gains of the in-phase and inverter paths
	G2           float64         // pump gain
	Gamma1, C2   float64         // the analytic ring's ISF terms (cycle model)
	Packed       *ringosc.Packed // the tabulated ring's tables; nil: analytic
	Paths        Paths           // a characterised ring's additions
	PumpMask     []float64       // per ring: 1 pumped, 0 not
	Ks           float64         // full-strength SHIL rate (rad/s)
	PumpI        float64         // pump current amplitude (A)
	KsScale      float64         // the run's factor on the pump's strength
	Schedule     Schedule        // the pump's strength over time

	// The inputs.
	//
	// Phi are the initial phases (rad). In Float64 the slice becomes the
	// engine's state: the engine writes it and Phases returns it.
	Phi []float64
	// DwRing are the rings' frequencies ω_i − ω_ref (rad/s, N) when no
	// input offsets them; DwInput (N·B) otherwise, and DwRing is unused.
	// DwInput becomes the engine's: the cycle model's measured pump law
	// rewrites it.
	DwRing, DwInput []float64
	// Keys64 and Keys32 are each input's noise stream keys: the float64
	// generator's (noise64.go) and the float32 generator's (noise32.go).
	Keys64, Keys32 []uint64
	// Noise32 runs a Float64 state on the float32 noise generator (tests
	// compare the precisions on one noise realisation with it).
	Noise32 bool
	// InjA and InjB are the injection at f0 per ring and input (N·B;
	// inject.go), nil when no input injects.
	InjA, InjB []float64
}

// tabulated reports whether the ring is characterised (tables).
func (p *Plan) tabulated() bool { return p.Packed != nil }

// Engine advances one batch on one chip: a precision-specific core
// (core.go) on one worker, or on several the batch cut into shards, each
// its own one-worker engine, run by a persistent worker pool (shards.go,
// pool.go).
//
// Aliasing. The engine's buffers share memory to keep a run within its
// memory budget (docs/performance.md, "Memory"); what callers see of
// that is one rule: the slice Phases returns is valid until the next
// Step or AccumulatePower and must not be written. (In Float64 it is
// the state itself, Plan.Phi; in Float32 a float64 copy kept in a trig
// buffer that is free between steps, refreshed by Phases.) Within the
// package the shared buffers are the invariants listed in doc.go.
type Engine struct {
	p *Plan

	workers int
	core    stepper   // one worker, or a batch of one's rows split among workers (rows1.go)
	pool    *pool     // the workers of a batch of one's rows, or nil
	sh      *shards   // or the batch split among workers (then core is nil)
	phi     []float64 // the observers' float64 phases (see Engine)
	stale   bool      // phi lags a float32 state
	bad     int       // first non-finite state index after the last step, or −1
}

// stepper is the precision-specific part of the engine.
type stepper interface {
	step(n int)
	sync()
	power() []float64
	bytes() int64
}

// New builds an engine for plan p and starts its workers; Close stops
// them. The engine keeps p and its slices.
func New(p *Plan) (*Engine, error) {
	if err := kernelsErr; err != nil {
		return nil, err
	}
	N, B := p.N, p.B
	switch {
	case N < 1 || B < 1:
		return nil, fmt.Errorf("engine: %d rings × %d inputs", N, B)
	case len(p.RowPtr) != N+1 || len(p.Order) != N || len(p.Phi) != N*B || len(p.Keys64) != B || len(p.Keys32) != B:
		return nil, fmt.Errorf("engine: plan sizes do not match %d rings × %d inputs", N, B)
	case p.DwInput == nil && len(p.DwRing) != N, p.DwInput != nil && len(p.DwInput) != N*B:
		return nil, fmt.Errorf("engine: plan has %d ring and %d input frequencies for %d rings × %d inputs", len(p.DwRing), len(p.DwInput), N, B)
	}
	switch p.Precision {
	case Float64, Float32:
	default:
		return nil, fmt.Errorf("engine: unknown precision %d", p.Precision)
	}
	e := &Engine{p: p, bad: -1, workers: 1}
	w := workers(p)
	if w > 1 && B > 1 {
		from := shareInputs(B, w, p.vector())
		e.workers = len(from) - 1
		var err error
		if e.sh, err = newShards(e, from); err != nil {
			return nil, err
		}
		return e, nil
	}
	if B == 1 { // its rows split in whole blocks of 16 (rows1.go)
		e.workers = max(1, min(w, (N+sellHeight-1)/sellHeight))
	}
	switch p.Precision {
	case Float64:
		e.core = newCore[float64](e)
	case Float32:
		e.core = newCore[float32](e)
	}
	return e, nil
}

// vector is the inputs a shard takes in whole groups of (shareInputs):
// 16 with the float32 noise generator, which draws 16 inputs at once,
// else 8 (a vector of float64).
func (p *Plan) vector() int {
	if p.Precision == Float32 || p.Noise32 {
		return 16
	}
	return 8
}

// workers is the number of workers for plan p: Plan.Workers, or with 0
// one chosen from the problem size and GOMAXPROCS. A batch is split by its
// inputs (shards.go), a batch of one by its rows (rows1.go).
//
// Automatic: as many workers as CPUs when every shard gets at least two
// whole vectors of inputs (32 float32 or 16 float64 inputs) and a step
// has at least 2²⁰ coupling terms ((couplers + rings) × inputs, about
// 100 µs of float32 work): a shard of 32 float32 inputs costs about
// 1.0–1.2× per input what one engine of 64 does, two shards on two cores
// spend 1.1–1.3× one worker's CPU time, and a barrier is a few µs
// (docs/performance.md, "Batch shards"; measured on a loaded machine).
// Smaller batches and chips stay on one worker. A batch of one takes as
// many workers as CPUs from 2²⁵ coupling terms a step (the rule before the
// shards; its row split gained 1.25–1.77× on random16k's 6.7·10⁵ terms
// under load, lost on oscnet784's 4.5·10⁴: docs/performance.md).
func workers(p *Plan) int {
	w := p.Workers
	if w <= 0 {
		w = 1
		switch terms := (len(p.Col) + p.N) * p.B; {
		case p.B == 1 && terms >= 1<<25:
			w = runtime.GOMAXPROCS(0)
		case p.B > 1 && terms >= 1<<20:
			w = max(1, min(runtime.GOMAXPROCS(0), p.B/(2*p.vector())))
		}
	}
	return max(1, w)
}

// Close stops the workers; the engine must not be used afterwards.
func (e *Engine) Close() {
	if e.sh != nil {
		e.sh.close()
	}
	e.pool.close()
}

// Workers returns the number of goroutines the engine runs on.
func (e *Engine) Workers() int { return e.workers }

// Step advances the state by one step from t = n·dt and returns the
// first state index (i·B + b) that is not finite afterwards, or −1.
func (e *Engine) Step(n int) int {
	if e.sh != nil {
		e.stale = true
		return e.sh.step(n)
	}
	e.core.step(n)
	e.stale = true
	return e.bad
}

// StepMany advances the state by up to count steps from t = n·dt (steps
// n, n+1, …) and returns the number of steps done and the first state
// index (i·B + b) that is not finite afterwards, or −1. It stops after
// the first step that leaves a non-finite state; a batch split among
// workers (shards.go) then reports the earliest such step of any shard,
// and the other shards may have run further. Between steps nothing
// observes the state, so each shard runs its steps without waiting for
// the others: one barrier for count steps.
func (e *Engine) StepMany(n, count int) (done, bad int) {
	if e.sh != nil {
		e.stale = true
		return e.sh.stepMany(n, count)
	}
	for done < count {
		bad = e.Step(n + done)
		done++
		if bad >= 0 {
			return done, bad
		}
	}
	return done, -1
}

// Phases returns the state as float64 phases φ_i of input b at index
// i·B + b (rad in the reference frame; float32 states are unwrapped by
// their turn counters). The slice is valid until the next Step or
// AccumulatePower and must not be written.
func (e *Engine) Phases() []float64 {
	if e.stale && e.sh != nil {
		e.sh.sync()
		e.stale = false
	}
	if e.stale {
		e.core.sync()
		e.stale = false
	}
	return e.phi
}

// AccumulatePower adds the power dissipated in the coupling TGs at the
// current state to acc[b] (W): Σ over TGs of |G|·VDD²·(1 − s·cos Δ)/4
// (coupling.Power), computed as VDD²/4·(Σ|G| − Σ_i Σ_j G_ij·cos(φ_j − φ_i))
// with cos(φ_j − φ_i) = cos φ_j·cos φ_i + sin φ_j·sin φ_i, so it costs one
// sparse product instead of a cosine per coupler and input.
func (e *Engine) AccumulatePower(acc []float64) {
	if e.sh != nil {
		e.sh.power(acc) // each shard as below, its inputs' slice of acc; e.phi stays
		return
	}
	lane := e.core.power()
	e.stale = true // float32: the pass used the space e.phi lives in
	q := e.p.VDD * e.p.VDD / 4
	for b := range acc {
		acc[b] += q * (e.p.GPow - lane[b]) // the core sums in siemens
	}
}

// Bytes returns the memory the engine's state and per-run arrays take
// (arrays shared with the plan's couplings are not counted); in Float32
// the observers' float64 phases share a buffer.
func (e *Engine) Bytes() int64 {
	if e.sh != nil {
		return e.sh.bytes()
	}
	return e.core.bytes()
}
