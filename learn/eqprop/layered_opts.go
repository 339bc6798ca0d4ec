package eqprop

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// The layered trainer's vocabularies (docs/ep.md §6.1, §6.5): where a free
// relaxation starts, how the gradient is estimated, and how the learning
// rate evolves. Each is stored in LayeredSettings by its text form; the
// empty text is "unset" (WithDefaults fills it; LoadLayered reads it as the
// value files written before the setting existed had).

// FreeStart is where a layered classifier's free relaxation starts.
type FreeStart string

const (
	// StartZero: every simulated ring at phase 0 (the reference's).
	StartZero FreeStart = "zero"
	// StartForward: each layer at the phase of the phasor its previous
	// layer and its bias inject, layer by layer (hidden ring i at
	// arg P_i, eq. 10; output ring k at arg(h_k + Σ_i W_ik·e^{jφ_i})):
	// the equilibrium without the later layers' feedback, from which
	// the relaxation only has to add that feedback. From phase 0 a
	// hidden ring whose P_i points near π starts next to an unstable
	// equilibrium (the torque ∝ sin(0 − arg P_i) ≈ 0) and needs many of
	// its own time constants to leave it (measured in §6.5).
	StartForward FreeStart = "forward"
)

// Estimator is how the layered trainer estimates the cost's gradient.
type Estimator string

const (
	// EstimatorEP: equilibrium propagation, the symmetric ±β estimate
	// (eqs. 5 and 11) from two nudged relaxations.
	EstimatorEP Estimator = "ep"
	// EstimatorBPTT: backpropagation through the free relaxation's Euler
	// steps (eq. 6 with the held inputs' and biases' phasor gradients):
	// the exact gradient of the cost after the relaxation the network
	// is evaluated with. A software reference (a chip cannot run it);
	// it needs the analytic ring (an odd coupling function).
	EstimatorBPTT Estimator = "bptt"
)

// Schedule is how the learning rates evolve over the updates.
type Schedule string

const (
	// ScheduleConstant: LR throughout.
	ScheduleConstant Schedule = "constant"
	// ScheduleCosine: LR·(1 + cos(π·t/T))/2 at update t of T =
	// Epochs·⌈Train/Batch⌉ (Loshchilov & Hutter, "SGDR", ICLR 2017,
	// eq. 5 with one period and η_min = 0).
	ScheduleCosine Schedule = "cosine"
)

var (
	starts     = []FreeStart{StartZero, StartForward}
	estimators = []Estimator{EstimatorEP, EstimatorBPTT}
	schedules  = []Schedule{ScheduleConstant, ScheduleCosine}
)

// unmarshalWord sets *v to the word of words spelled b ("" stays unset).
func unmarshalWord[T ~string](v *T, b []byte, what string, words []T) error {
	w := T(b)
	if w == "" || slices.Contains(words, w) {
		*v = w
		return nil
	}
	names := make([]string, len(words))
	for k, x := range words {
		names[k] = string(x)
	}
	return fmt.Errorf("unknown %s %q (want %s)", what, string(b), strings.Join(names, ", "))
}

// UnmarshalText parses a start ("zero" or "forward").
func (s *FreeStart) UnmarshalText(b []byte) error { return unmarshalWord(s, b, "start", starts) }

// UnmarshalText parses an estimator ("ep" or "bptt").
func (e *Estimator) UnmarshalText(b []byte) error {
	return unmarshalWord(e, b, "estimator", estimators)
}

// UnmarshalText parses a schedule ("constant" or "cosine").
func (s *Schedule) UnmarshalText(b []byte) error {
	return unmarshalWord(s, b, "schedule", schedules)
}

var (
	_ encoding.TextUnmarshaler = (*FreeStart)(nil)
	_ encoding.TextUnmarshaler = (*Estimator)(nil)
	_ encoding.TextUnmarshaler = (*Schedule)(nil)
)

// rateFactor returns the schedule's factor on the learning rates at
// update t (0-based) of a run of total updates (0: unknown, factor 1).
func (s Schedule) rateFactor(t, total int) float64 {
	if s != ScheduleCosine || total <= 0 {
		return 1
	}
	x := math.Min(float64(t)/float64(total), 1)
	return (1 + math.Cos(math.Pi*x)) / 2
}

// totalUpdates returns the number of updates the schedule spans
// (DecayEpochs, or Epochs, times ⌈Train/Batch⌉; 0 when Train is not known).
func (s LayeredSettings) totalUpdates() int {
	if s.Train <= 0 || s.Batch <= 0 {
		return 0
	}
	ep := s.DecayEpochs
	if ep <= 0 {
		ep = s.Epochs
	}
	return ep * ((s.Train + s.Batch - 1) / s.Batch)
}

// ForwardPhases returns the forward start (StartForward) of one image for
// the rings of layers 1 … L−1, numbered layer by layer from layer 1's first
// ring: x are the pixels in [0, 1] (held at PixelPhase(x)), the weights
// and biases L's floats. A chip that starts its hidden and output rings
// there relaxes as the trainer's software did.
func (L *LayeredWeights) ForwardPhases(x []float64) ([]float64, error) {
	if len(x) != L.Sizes[0] {
		return nil, fmt.Errorf("eqprop: %d pixels for an input layer of %d", len(x), L.Sizes[0])
	}
	prev := make([]float64, len(x))
	for j, v := range x {
		prev[j] = PixelPhase(v)
	}
	var out []float64
	for l := 1; l < L.Layers(); l++ {
		next := make([]float64, L.Sizes[l])
		forwardLayer(next, L.Bias[l], L.W[l-1], prev)
		out = append(out, next...)
		prev = next
	}
	return out, nil
}

// forwardLayer sets out[k] = arg(bias_k + Σ_a w[a·n+k]·e^{j·prev_a}), the
// forward start of a layer of n = len(out) rings behind a layer at phases
// prev (w row-major, one row of n per ring of the layer before). The
// trainer and ForwardPhases share it, so a chip that starts from
// ForwardPhases starts where training did.
func forwardLayer(out, bias, w, prev []float64) {
	n := len(out)
	re, im := slices.Clone(bias), make([]float64, n)
	for a, p := range prev {
		s, c := math.Sincos(p)
		for k, v := range w[a*n : (a+1)*n] {
			re[k] += v * c
			im[k] += v * s
		}
	}
	for k := range out {
		out[k] = math.Atan2(im[k], re[k])
	}
}

// MarshalJSON writes an epoch record with a test accuracy that was not
// measured (NaN) as null, which JSON can hold.
func (r EpochRecord) MarshalJSON() ([]byte, error) {
	type plain EpochRecord
	var acc *float64
	if !math.IsNaN(r.TestAcc) {
		acc = &r.TestAcc
	}
	return json.Marshal(struct {
		plain
		TestAcc *float64 `json:"test_acc"`
	}{plain(r), acc})
}

// UnmarshalJSON reads a record written by MarshalJSON (null: NaN).
func (r *EpochRecord) UnmarshalJSON(b []byte) error {
	type plain EpochRecord
	var v struct {
		plain
		TestAcc *float64 `json:"test_acc"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = EpochRecord(v.plain)
	r.TestAcc = math.NaN()
	if v.TestAcc != nil {
		r.TestAcc = *v.TestAcc
	}
	return nil
}

// OutputCost is the cost on the output rings whose gradient force EP's
// nudge applies (docs/ep.md §6.6).
type OutputCost string

const (
	// CostCos: Σ_k (1 − cos(φ_k − ψ_k)) with targets ψ = 0 for the class
	// and OffTarget for the others; the nudge is an injection of
	// strength β at ψ_k on every output.
	CostCos OutputCost = "cos"
	// CostXent: the softmax cross-entropy −log p_c with
	// p = softmax(Gain·cos φ_k) over the outputs (the logits are the
	// outputs' phases against the reference, read as the chip reads
	// them). Its force on output k, −β·∂C/∂φ_k = −β·Gain·(y_k − p_k)·
	// sin φ_k, is an injection at phase 0 of strength β·Gain·(y_k − p_k)
	// (negative: phase π) with p taken at the free equilibrium and held
	// through the nudged relaxations: the same gradient as the cost's
	// to first order in β (EP's estimate depends on the cost only
	// through ∂C/∂φ at the free equilibrium). The class read is
	// argmax_k cos φ_k = argmax_k p_k, as with CostCos.
	CostXent OutputCost = "xent"
)

var costs = []OutputCost{CostCos, CostXent}

// UnmarshalText parses a cost ("cos" or "xent").
func (c *OutputCost) UnmarshalText(b []byte) error { return unmarshalWord(c, b, "cost", costs) }

var _ encoding.TextUnmarshaler = (*OutputCost)(nil)
