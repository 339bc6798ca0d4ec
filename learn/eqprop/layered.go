package eqprop

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"oscsim/internal/npy"
)

// LayeredFormat identifies the .npz layout of a layered classifier's
// weights (the "meta" array's JSON).
const (
	LayeredFormat        = "oscsim.eqprop.layered"
	LayeredFormatVersion = 1
)

// Optimisers of the layered trainer (LayeredSettings.Optimizer).
const (
	OptAdam = "adam"
	OptSGD  = "sgd"
)

// ErrLayered is wrapped by every error about a malformed layered weights
// file.
var ErrLayered = errors.New("invalid layered weights file")

// LayeredWeights holds a layered oscillator classifier (docs/ep.md, "Layered
// classifier on MNIST"): layer 0 is the input (rings held at the pixels'
// phases), the last layer the output, and couplers join only consecutive
// layers.
//
// Units: a weight w is dimensionless; on a chip it is the coupling rate
// w·κ (κ = Settings.Kappa·ω0, a coupler of code c has rate c·unit_k·ω0),
// positive on the in-phase path, negative on the inverter path. A bias h
// is an injection at f0 at the reference's phase 0 whose locking rate is
// h·κ (chip.Injection; negative h: an injection at phase π); it adds
// −h·cos φ_i to the energy. A SHIL strength s is a pump at 2·f0 of rate
// s·κ into that unit.
type LayeredWeights struct {
	// Sizes are the units per layer, input first (784, 256, 10).
	Sizes []int
	// W[l] couples layer l to layer l+1: Sizes[l]×Sizes[l+1], row-major,
	// W[l][a·Sizes[l+1]+b] between unit a of layer l and unit b of l+1.
	W [][]float64
	// Bias[l] is layer l's per-unit bias, len Sizes[l]; Bias[0] (the
	// held input layer) is empty.
	Bias [][]float64
	// SHIL[l] is layer l's per-unit SHIL strength, len Sizes[l], or nil
	// for all layers (no pump). SHIL[0] is empty.
	SHIL [][]float64
	// Settings records how the weights were trained.
	Settings LayeredSettings
	// Opt is the optimiser's state (per parameter in Params' order: SGD's
	// velocity, or Adam's first then second moments), kept in checkpoints so that a resumed run continues
	// exactly; nil in final weights.
	Opt []float64
}

// LayeredSettings are every setting of a layered classifier's training,
// stored with its weights. Zero fields take DefaultLayeredSettings' values
// where a default exists.
type LayeredSettings struct {
	// Data is the data set ("mnist", "fashion-mnist", or a test's name).
	Data string `json:"data"`
	// Train is the number of training images used per epoch (0: all).
	Train int `json:"train"`
	// Epochs is the number of epochs asked for; Epoch the number done.
	Epochs int `json:"epochs"`
	Epoch  int `json:"epoch"`
	// Batch is the minibatch size: a batch of chip inputs per relaxation.
	Batch int `json:"batch"`
	// Beta is EP's nudge strength (units of κ, symmetric ±β estimator).
	Beta float64 `json:"beta"`
	// LR are the learning rates per layer pair (weights) and per layer
	// (biases, LR[l-1] for layer l); one value applies to all.
	LR []float64 `json:"lr"`
	// Optimizer is OptAdam or OptSGD; Momentum is SGD's momentum or
	// Adam's β1 (0: 0.9); Steps counts the updates made (Adam's bias
	// correction).
	Optimizer string  `json:"optimizer"`
	Momentum  float64 `json:"momentum"`
	Steps     int     `json:"steps"`
	// Seed seeds initialisation, shuffling, kicks, noise and mismatch.
	Seed uint64 `json:"seed"`
	// Init is the half-width of the uniform initial weights in units of
	// 1/√(fan-in).
	Init float64 `json:"init"`
	// Bits are the coupler codes' bits (0: float weights); quantisation-
	// aware training programs the shadow weights onto B-bit codes on full
	// scale WMax before every relaxation (straight-through update).
	Bits int `json:"bits"`
	// WMax is the couplers' full scale (weights clipped to ±WMax).
	WMax float64 `json:"wmax"`
	// Kappa is the rate of unit weight as a fraction of ω0.
	Kappa float64 `json:"kappa"`
	// Time is each relaxation's length in network time constants
	// (Config.Time); Rate fixes the rate scale (Config.Rate, 0: from the
	// weights).
	Time float64 `json:"time"`
	Rate float64 `json:"rate"`
	// Linewidth is the rings' phase-noise linewidth (Hz, 0: none) and
	// FreqSigma their relative frequency mismatch (0: none), both in the
	// training loop when set (noise-aware training).
	Linewidth float64 `json:"linewidth_hz"`
	FreqSigma float64 `json:"freq_sigma"`
	// Aware are the noise-aware trainer's remedies and read-out
	// (layered_noise.go, docs/ep.md §6.3).
	Aware NoiseAware `json:"aware,omitzero"`
	// PixelPhase is how a pixel x ∈ [0, 1] becomes an input phase
	// (PixelMap's text form).
	PixelPhase string `json:"pixel_phase"`
	// Readout is how a class is read from the output phases.
	Readout string `json:"readout"`
	// Start is where every free relaxation starts, Estimator how the
	// gradient is estimated, Schedule how the learning rates evolve
	// (docs/ep.md §6.5). Files written before these settings existed
	// load as StartZero, EstimatorEP and ScheduleConstant.
	Start     FreeStart `json:"start"`
	Estimator Estimator `json:"estimator"`
	Schedule  Schedule  `json:"schedule"`
	// Cost is the output cost EP's nudge is the gradient force of
	// (docs/ep.md §6.6): CostCos (files written before it existed) or
	// CostXent, a softmax cross-entropy on the logits Gain·cos φ_k. The
	// class read is argmax_k cos φ_k either way.
	Cost OutputCost `json:"cost,omitempty"`
	Gain float64    `json:"readout_gain,omitempty"`
	// SHIL is every simulated ring's initial SHIL strength (units of κ)
	// and SHILTrain whether EP trains them; a network has a pump when
	// its weights carry SHIL strengths (LayeredWeights.SHIL).
	SHIL      float64 `json:"shil,omitempty"`
	SHILTrain bool    `json:"shil_train,omitempty"`
	// LRBias and LRSHIL are the biases' and SHIL strengths' learning
	// rates (0: their layer pair's LR).
	LRBias float64 `json:"lr_bias,omitempty"`
	LRSHIL float64 `json:"lr_shil,omitempty"`
	// DecayEpochs is the schedule's horizon in epochs (0: Epochs); set it
	// when a run is trained in parts (a checkpoint resumed to more
	// epochs) so that every part follows the whole run's schedule.
	DecayEpochs int `json:"decay_epochs,omitempty"`
	// Elapsed is the wall time spent training so far (s).
	Elapsed float64 `json:"elapsed_s"`
	// History holds per-epoch records (cost, accuracies).
	History []EpochRecord `json:"history,omitempty"`
}

// EpochRecord is one epoch's outcome.
type EpochRecord struct {
	Epoch    int     `json:"epoch"`
	Cost     float64 `json:"cost"`
	TrainAcc float64 `json:"train_acc"`
	TestAcc  float64 `json:"test_acc"`
	Seconds  float64 `json:"seconds"`
}

// NewLayered returns a layered network of the given sizes with zero
// weights, biases and no SHIL.
func NewLayered(sizes ...int) (*LayeredWeights, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("eqprop: a layered network needs at least 2 layers (got %v)", sizes)
	}
	for l, s := range sizes {
		if s < 1 {
			return nil, fmt.Errorf("eqprop: layer %d has %d units", l, s)
		}
	}
	L := &LayeredWeights{Sizes: slices.Clone(sizes)}
	L.W = make([][]float64, len(sizes)-1)
	L.Bias = make([][]float64, len(sizes))
	L.Bias[0] = []float64{}
	for l := range L.W {
		L.W[l] = make([]float64, sizes[l]*sizes[l+1])
		L.Bias[l+1] = make([]float64, sizes[l+1])
	}
	return L, nil
}

// Layers returns the number of layers.
func (L *LayeredWeights) Layers() int { return len(L.Sizes) }

// Offset returns the index of layer l's first unit when units are
// numbered layer by layer (Layered(sizes...)'s numbering).
func (L *LayeredWeights) Offset(l int) int {
	o := 0
	for k := 0; k < l; k++ {
		o += L.Sizes[k]
	}
	return o
}

// Net returns the whole network (input layer included) as a Net with
// Layered(Sizes...)'s edges and these weights: edge order is layer pair by
// layer pair, row-major within, the same as W's. Biases and SHIL are not
// edges: see BiasNudges.
func (L *LayeredWeights) Net() *Net {
	net := Layered(L.Sizes...)
	k := 0
	for _, w := range L.W {
		k += copy(net.W[k:], w)
	}
	return net
}

// BiasNudges returns the biases as injections at f0 at phase 0 (negative
// strength: phase π), in the whole network's numbering: Nudge.Beta = h
// adds h·(1 − cos φ_i) to the energy, −h·cos φ_i up to a constant.
func (L *LayeredWeights) BiasNudges() []Nudge {
	var out []Nudge
	for l := 1; l < L.Layers(); l++ {
		off := L.Offset(l)
		for i, h := range L.Bias[l] {
			if h != 0 {
				out = append(out, Nudge{Unit: off + i, Beta: h})
			}
		}
	}
	return out
}

// Params returns every trainable value (W[0], W[1], …, Bias[1], Bias[2],
// …, then SHIL[1], SHIL[2], … when the network has a pump) as slices
// aliasing L's storage: the optimiser's order.
func (L *LayeredWeights) Params() [][]float64 {
	out := slices.Clone(L.W)
	out = append(out, L.Bias[1:]...)
	if L.SHIL != nil {
		out = append(out, L.SHIL[1:]...)
	}
	return out
}

// NParams returns the number of trainable values.
func (L *LayeredWeights) NParams() int {
	n := 0
	for _, p := range L.Params() {
		n += len(p)
	}
	return n
}

// Clone returns a deep copy.
func (L *LayeredWeights) Clone() *LayeredWeights {
	c := &LayeredWeights{Sizes: slices.Clone(L.Sizes), Settings: L.Settings, Opt: slices.Clone(L.Opt)}
	c.Settings.LR = slices.Clone(L.Settings.LR)
	c.Settings.History = slices.Clone(L.Settings.History)
	for _, w := range L.W {
		c.W = append(c.W, slices.Clone(w))
	}
	for _, b := range L.Bias {
		c.Bias = append(c.Bias, slices.Clone(b))
	}
	if L.SHIL != nil {
		for _, s := range L.SHIL {
			c.SHIL = append(c.SHIL, slices.Clone(s))
		}
	}
	return c
}

// Check verifies the shapes and that every value is finite.
func (L *LayeredWeights) Check() error {
	n := len(L.Sizes)
	if n < 2 {
		return fmt.Errorf("%d layers (want ≥ 2)", n)
	}
	for l, s := range L.Sizes {
		if s < 1 {
			return fmt.Errorf("layer %d has %d units", l, s)
		}
	}
	if len(L.W) != n-1 || len(L.Bias) != n || (L.SHIL != nil && len(L.SHIL) != n) {
		return fmt.Errorf("%d weight matrices, %d bias vectors and %d SHIL vectors for %d layers", len(L.W), len(L.Bias), len(L.SHIL), n)
	}
	check := func(what string, v []float64, want int) error {
		if len(v) != want {
			return fmt.Errorf("%s has %d values, want %d", what, len(v), want)
		}
		for k, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("%s[%d] = %v is not finite", what, k, x)
			}
		}
		return nil
	}
	for l := 0; l < n; l++ {
		if l < n-1 {
			if err := check(fmt.Sprintf("w%d", l), L.W[l], L.Sizes[l]*L.Sizes[l+1]); err != nil {
				return err
			}
		}
		want := L.Sizes[l]
		if l == 0 {
			want = 0
		}
		if err := check(fmt.Sprintf("b%d", l), L.Bias[l], want); err != nil {
			return err
		}
		if L.SHIL != nil {
			if err := check(fmt.Sprintf("shil%d", l), L.SHIL[l], want); err != nil {
				return err
			}
		}
	}
	if L.Opt != nil && len(L.Opt) != L.NParams() && len(L.Opt) != 2*L.NParams() {
		return fmt.Errorf("opt has %d values, want %d (SGD) or %d (Adam)", len(L.Opt), L.NParams(), 2*L.NParams())
	}
	if err := check("opt", L.Opt, len(L.Opt)); err != nil {
		return err
	}
	return nil
}

// layeredMeta is the JSON document of the "meta" array.
type layeredMeta struct {
	Format   string          `json:"format"`
	Version  int             `json:"version"`
	Sizes    []int           `json:"sizes"`
	SHIL     bool            `json:"shil"`
	Opt      bool            `json:"opt"`
	Settings LayeredSettings `json:"settings"`
}

// Save writes L to path as .npz, atomically (a crash never leaves half a
// file): "meta" (JSON bytes: format, version, sizes, every training
// setting), "w0" … (Sizes[l]×Sizes[l+1], float64), "b1" … (Sizes[l]),
// optionally "shil1" … and "opt" (the optimiser's state, checkpoints).
func (L *LayeredWeights) Save(path string) error {
	if err := L.Check(); err != nil {
		return fmt.Errorf("eqprop: save %s: %w", path, err)
	}
	md := layeredMeta{Format: LayeredFormat, Version: LayeredFormatVersion, Sizes: L.Sizes,
		SHIL: L.SHIL != nil, Opt: L.Opt != nil, Settings: L.Settings}
	if err := npy.SaveArchive(path, md, L.arrays()); err != nil {
		return fmt.Errorf("eqprop: save: %w", err)
	}
	return nil
}

// arrays returns L's arrays after "meta", in the file's order.
func (L *LayeredWeights) arrays() []npy.Out {
	var arrays []npy.Out
	for l, m := range L.W {
		arrays = append(arrays, npy.Out{Name: fmt.Sprintf("w%d", l), Shape: []int{L.Sizes[l], L.Sizes[l+1]}, Data: m})
	}
	for l := 1; l < L.Layers(); l++ {
		arrays = append(arrays, npy.Out{Name: fmt.Sprintf("b%d", l), Shape: []int{L.Sizes[l]}, Data: L.Bias[l]})
	}
	if L.SHIL != nil {
		for l := 1; l < L.Layers(); l++ {
			arrays = append(arrays, npy.Out{Name: fmt.Sprintf("shil%d", l), Shape: []int{L.Sizes[l]}, Data: L.SHIL[l]})
		}
	}
	if L.Opt != nil {
		arrays = append(arrays, npy.Out{Name: "opt", Shape: []int{len(L.Opt)}, Data: L.Opt})
	}
	return arrays
}

// LoadLayered reads weights written by Save. Every error names the file
// and, where it is about one, the array; shapes are checked against the
// sizes in "meta", values must be finite.
func LoadLayered(path string) (*LayeredWeights, error) {
	f, err := npy.Open(path)
	if err != nil {
		if errors.Is(err, npy.ErrFormat) {
			return nil, fmt.Errorf("%w: %w", ErrLayered, err)
		}
		return nil, err
	}
	if !f.IsArchive() {
		return nil, fmt.Errorf("%w: %s: a single .npy array, want the .npz written by oscsim train ep", ErrLayered, path)
	}
	get := func(name string, shape ...int) ([]float64, error) {
		if !f.Has(name) {
			have := f.Names()
			slices.Sort(have)
			return nil, fmt.Errorf("%w: %s: no array %q (arrays: %s)", ErrLayered, path, name, strings.Join(have, ", "))
		}
		a, err := f.Array(name)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrLayered, err)
		}
		if shape != nil && !slices.Equal(a.Shape, shape) {
			return nil, fmt.Errorf("%w: %s: array %q has shape %s, want %s", ErrLayered, path, name, npy.ShapeString(a.Shape), npy.ShapeString(shape))
		}
		if err := a.CheckValues(math.MaxFloat64); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrLayered, err)
		}
		return a.Data, nil
	}
	var md layeredMeta
	if err := f.Meta(&md); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLayered, err)
	}
	if md.Format != LayeredFormat || md.Version != LayeredFormatVersion {
		return nil, fmt.Errorf("%w: %s: array \"meta\": format %q version %d, want %q version %d", ErrLayered, path, md.Format, md.Version, LayeredFormat, LayeredFormatVersion)
	}
	L, err := NewLayered(md.Sizes...)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: array \"meta\": %w", ErrLayered, path, err)
	}
	L.Settings = md.Settings
	// Settings that older files lack: what the trainer did then.
	if L.Settings.Start == "" {
		L.Settings.Start = StartZero
	}
	if L.Settings.Estimator == "" {
		L.Settings.Estimator = EstimatorEP
	}
	if L.Settings.Schedule == "" {
		L.Settings.Schedule = ScheduleConstant
	}
	if L.Settings.Cost == "" {
		L.Settings.Cost = CostCos
	}
	for l := range L.W {
		if L.W[l], err = get(fmt.Sprintf("w%d", l), L.Sizes[l], L.Sizes[l+1]); err != nil {
			return nil, err
		}
	}
	for l := 1; l < L.Layers(); l++ {
		if L.Bias[l], err = get(fmt.Sprintf("b%d", l), L.Sizes[l]); err != nil {
			return nil, err
		}
	}
	if md.SHIL {
		L.SHIL = make([][]float64, L.Layers())
		L.SHIL[0] = []float64{}
		for l := 1; l < L.Layers(); l++ {
			if L.SHIL[l], err = get(fmt.Sprintf("shil%d", l), L.Sizes[l]); err != nil {
				return nil, err
			}
		}
	}
	if md.Opt {
		if L.Opt, err = get("opt"); err != nil {
			return nil, err
		}
	}
	if err := L.Check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrLayered, path, err)
	}
	return L, nil
}

// Pixel-to-phase mapping and read-out of the layered classifier (docs/ep.md,
// "Layered classifier on MNIST"; recorded in LayeredSettings as
// PixelPhaseLinear and ReadoutCos).
const (
	// PixelPhaseLinear: a pixel x ∈ [0, 1] is held at phase (π/2)·x
	// (background 0 → phase 0, ink 1 → π/2), in the reference's frame.
	// Not π·x: binary pixels would then sit at 0 and π, every input
	// phasor e^{j·x} would be real, the hidden rings would settle at 0 or
	// π (a sign function) and the gradient through them would vanish
	// (docs/ep.md §2, "binary equilibria are rigid"); measured, EP then
	// stays at chance on MNIST.
	PixelPhaseLinear = "pi/2*x"
	// ReadoutCos: the class is argmax_k cos(φ_k − φ_ref) over the output
	// units, φ_ref the reference's phase (0: the frame the inputs and
	// the biases are injected in); the target is φ_ref for the right
	// class and φ_ref + OffTarget for the others.
	ReadoutCos = "argmax cos(phi_k - phi_ref), phi_ref = 0; targets 0 and pi/2"
)

// OffTarget is the target phase of the outputs of the other classes (the
// right class's is 0): π/2, not π, so that no output starts at its
// target's antipode, where the nudge's torque −β·sin(φ − ψ) vanishes
// (measured: with π the outputs all settle near π and EP stalls there).
const OffTarget = math.Pi / 2

// PixelPhase returns the phase an input ring is held at for pixel x ∈ [0, 1]
// (PixelPhaseLinear: (π/2)·x).
func PixelPhase(x float64) float64 { return math.Pi / 2 * x }

// Classify returns the class read from output phases out (ReadoutCos with
// reference phase ref): argmax_k cos(out[k] − ref).
func Classify(out []float64, ref float64) int {
	best, arg := math.Inf(-1), 0
	for k, p := range out {
		if c := math.Cos(p - ref); c > best {
			best, arg = c, k
		}
	}
	return arg
}
