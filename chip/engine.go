package chip

import (
	"fmt"
	"math/rand/v2"

	"oscsim/chip/internal/engine"
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
	// generator (xoshiro128++ and Box–Muller, internal/engine/noise32.go):
	// the same statistics as float64's, not the same realisation.
	PrecisionFloat32 = "float32"
)

// EngineKernels names the engine's inner loops in this process: "avx512"
// or "avx2" (the amd64 vector kernels, chosen by the CPU's features) or
// "go" (plain Go); the environment variable OSCSIM_KERNELS=go|avx2|avx512
// forces a lower level. Results are the same bits at every level.
func EngineKernels() string { return engine.Kernels() }

// The models as the engine numbers them (Chip.pathOffset takes them).
const (
	modelPhase = int(engine.Phase)
	modelCycle = int(engine.Cycle)
)

// runner is one Run: the engine (internal/engine) advancing the batch,
// and what the run loop and its observers need around it — the run
// settings, the inputs, the detectors' jitter streams and the phases as
// of the last sync.
type runner struct {
	ch     *Chip
	eng    *engine.Engine
	n, b   int
	model  int
	dt     float64
	steps  int
	opt    RunOptions
	inputs []Input
	detRng []*rand.Rand
	// phi are the engine's phases (engine.Engine.Phases) as of the last
	// sync: valid until the next step or coupler-power pass.
	phi []float64
}

// precision returns the engine's precision for RunOptions.Precision.
func precision(s string) (engine.Precision, error) {
	switch s {
	case "", PrecisionFloat64:
		return engine.Float64, nil
	case PrecisionFloat32:
		return engine.Float32, nil
	}
	return 0, fmt.Errorf("chip: unknown precision %q (want %q or %q)", s, PrecisionFloat64, PrecisionFloat32)
}

// close stops the engine's workers.
func (e *runner) close() { e.eng.Close() }

// step advances the state by one step from t = n·dt and returns the
// first non-finite state index (i·B+b), or −1.
func (e *runner) step(n int) int { return e.eng.Step(n) }

// sync brings e.phi up to date with the state.
func (e *runner) sync() { e.phi = e.eng.Phases() }

// accumulatePower adds the coupling TGs' power at the current state to
// acc[b] (W; engine.Engine.AccumulatePower).
func (e *runner) accumulatePower(acc []float64) { e.eng.AccumulatePower(acc) }

// bytes returns the memory the engine's state takes (for the memory
// benchmarks).
func (e *runner) bytes() int64 { return e.eng.Bytes() }
