package chip

import (
	"fmt"
	"math/rand/v2"
	"runtime"
)

// Precisions of the engine's state (RunOptions.Precision).
const (
	// PrecisionFloat64 is the reference precision (the default).
	PrecisionFloat64 = "float64"
	// PrecisionFloat32 halves the memory traffic and doubles the vector
	// width. Phases are kept wrapped to [−π, π] with a whole-turn counter,
	// sin/cos come from a single-precision polynomial (|error| ≤ 1.2e-7),
	// read-outs agree with float64 within the tolerances of
	// TestFloat32MatchesFloat64, and phase noise comes from a vectorised
	// generator (xoshiro128++ and Box–Muller, engine_noise32.go): the same
	// statistics as float64's, not the same realisation.
	PrecisionFloat32 = "float32"
)

// EngineKernels names the engine's inner loops in this process: "avx512"
// or "avx2" (the amd64 vector kernels, chosen by the CPU's features) or
// "go" (plain Go); the environment variable OSCSIM_KERNELS=go|avx2|avx512
// forces a lower level. Results are the same bits at every level.
func EngineKernels() string { return engineLevel.String() }

const (
	modelPhase = iota
	modelCycle
)

// engine advances one batch on one chip: the run settings, the random
// streams and the observers' view of the state, around a precision-specific
// core (engine_core.go) and a persistent worker pool (engine_pool.go).
type engine struct {
	ch        *Chip
	n, b      int
	model     int
	integ     string
	dt        float64
	steps     int
	sigma     float64 // √(2D·dt)
	ksScale   float64
	opt       RunOptions
	inputs    []Input
	tabulated bool

	// phi is the state as observers read it, index i·B+b: the state itself
	// in float64; in float32 a copy refreshed by sync, which is valid until
	// the next step or coupler-power pass (run syncs before each read). dw
	// is Δω per (ring, input) until setup hands it to the core.
	phi, dw []float64
	keys64  []uint64 // float64 noise: each input's stream key (noise64.go)
	keys32  []uint64 // float32 noise: each input's stream key (engine_noise32.go)
	detRng  []*rand.Rand

	workers int
	rows    [][2]int // rows of each worker (equal shares of rings)
	order   []int32  // the stage passes' visiting order (rowOrder)
	srows   [][2]int // positions in order of each worker (equal coupling work)
	lanes   [][2]int // inputs of each worker
	byLanes bool     // split steps by inputs, not rows
	pool    *pool
	core    stepper
	stale   bool    // phi lags a float32 state
	bad     int     // first non-finite state index after the last step, or −1
	gPow    float64 // Σ|G| over the coupling TGs (S)
}

// stepper is the precision-specific part of the engine.
type stepper interface {
	work(k int)
	step(n int)
	sync()
	power() []float64
	bytes() int64
}

// setup splits the work, builds the core and starts the workers; newEngine
// calls it once phi, dw and the streams are filled in.
func (e *engine) setup() error {
	ch, N, B := e.ch, e.n, e.b
	nnz := len(ch.csr.col)
	w := e.opt.Workers
	if w <= 0 {
		// Parallel when a pass is long enough (≳ 50 µs) to hide the
		// barriers between passes.
		w = 1
		if work := (nnz + N) * B; work >= 1<<17 {
			w = runtime.GOMAXPROCS(0)
		}
	}
	w = max(1, min(w, N))
	e.workers = w
	// Rows for the trig, power and sync passes: equal shares of rings.
	for k := 0; k < w; k++ {
		e.rows = append(e.rows, [2]int{N * k / w, N * (k + 1) / w})
	}
	// Stage passes: the rings in a cache-friendly order, cut into equal
	// shares of couplers + rings.
	e.order = ch.order // rowOrder, made when the chip was programmed
	total := nnz + N
	lo, done := 0, 0
	for k := 0; k < w; k++ {
		target := total * (k + 1) / w
		hi := lo
		for hi < N && done < target {
			i := e.order[hi]
			done += int(ch.csr.rowPtr[i+1]-ch.csr.rowPtr[i]) + 1
			hi++
		}
		if k == w-1 {
			hi = N
		}
		e.srows = append(e.srows, [2]int{lo, hi})
		lo = hi
	}
	// Inputs: equal shares, in whole vectors of 16 when there are enough.
	per := (B + w - 1) / w
	if B >= 16*w {
		per = (per + 15) / 16 * 16
	}
	for k := 0; k < w; k++ {
		a, b := min(k*per, B), min((k+1)*per, B)
		if k == w-1 {
			b = B
		}
		e.lanes = append(e.lanes, [2]int{a, b})
	}
	e.gPow = ch.gPow
	// With at least four whole vectors of inputs per worker, each worker
	// advances its own inputs through the whole step: no barrier within a
	// step, and each core reads only its inputs' share of the state. (With
	// fewer, splitting rows measured faster: B = 64 on two workers.)
	vec := 8
	if e.opt.Precision == PrecisionFloat32 {
		vec = 16
	}
	e.byLanes = w > 1 && B >= 4*vec*w
	switch e.opt.Precision {
	case "", PrecisionFloat64:
		e.core = newCore[float64](e)
	case PrecisionFloat32:
		e.core = newCore[float32](e)
	default:
		return fmt.Errorf("chip: unknown precision %q (want %q or %q)", e.opt.Precision, PrecisionFloat64, PrecisionFloat32)
	}
	e.pool = newPool(w, e.core.work)
	return nil
}

// close stops the workers.
func (e *engine) close() {
	e.pool.close()
}

// step advances the state by one step from t = n·dt.
func (e *engine) step(n int) {
	e.core.step(n)
	e.stale = true
}

// sync brings e.phi up to date with the state.
func (e *engine) sync() {
	if e.stale {
		e.core.sync()
		e.stale = false
	}
}

// checkFinite returns the first non-finite state entry after the last
// step, or -1.
func (e *engine) checkFinite() int {
	if e.bad >= 0 {
		e.sync()
	}
	return e.bad
}

// accumulatePower adds the power dissipated in the coupling TGs at the
// current state to acc[b] (W): Σ over TGs of |G|·VDD²·(1 − s·cos Δ)/4
// (coupling.Power), computed as VDD²/4·(Σ|G| − Σ_i Σ_j G_ij·cos(φ_j − φ_i))
// with cos(φ_j − φ_i) = cos φ_j·cos φ_i + sin φ_j·sin φ_i, so it costs one
// sparse product instead of a cosine per coupler and input.
func (e *engine) accumulatePower(acc []float64) {
	lane := e.core.power()
	e.stale = true // float32: the pass used the space e.phi lives in
	q := e.ch.vdd * e.ch.vdd / 4
	for b := range acc {
		acc[b] += q * (e.gPow - lane[b]) // the core sums in siemens
	}
}

// bytes returns the memory the engine's state takes (for the memory
// benchmarks); in float32 the observers' float64 phases share a buffer.
func (e *engine) bytes() int64 {
	return e.core.bytes()
}
