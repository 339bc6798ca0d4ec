package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"oscsim/chip"
	"oscsim/coupling"
	"oscsim/dataset"
	"oscsim/internal/progress"
	"oscsim/learn/eqprop"
	"oscsim/netlist"
	"oscsim/phasedet"
	"oscsim/shil"
)

// EPEval evaluates a layered classifier trained by equilibrium
// propagation (eqprop.LayeredWeights) on a compiled layered chip
// (couplings.topology = "layered"; docs/ep.md, "The layered chip"), as
// `oscsim eval ep` and repro's ep-mnist run it. Every decision comes from
// the output layer's TDCs after a relaxation of the chip (chip.Run, a
// batch of images per run): the weights on B-bit coupler codes with the
// description's conductance mismatch, the input rings held at the image's
// phases and the biases applied by the injection drivers at f0, ring
// frequency mismatch and phase noise as described.
type EPEval struct {
	// Weights is the weights file's path (for the report); Net the
	// weights.
	Weights string
	Net     *eqprop.LayeredWeights
	// Dataset and Data locate the test images (Data "" = the user cache);
	// Images are classified from test image Offset on. Pixels and Labels,
	// when set, are the images instead (pixels in [0, 1]).
	Dataset, Data  string
	Images, Offset int
	Pixels         [][]float64 `json:"-"`
	Labels         []int       `json:"-"`
	// Model is the chip model ("" = the description's).
	Model netlist.Model
	// Bits overrides the coupler code bits (0 = the description's;
	// WithBits keeps the strongest coupling rate). DetBits overrides the
	// output TDCs' bits (0 = the description's).
	Bits, DetBits int
	// NoNoise switches phase noise and detector jitter off; NoMismatch
	// frequency and coupler mismatch.
	NoNoise, NoMismatch bool
	// FullScale is the weight that maps to the largest coupler code (0 =
	// automatic, see fullScale).
	FullScale float64
	// Clamp is the input clamps' strength as a multiple of the largest
	// pull the couplers of one input ring can exert, κ·max_j Σ_i |W0_ji|
	// (0 = EPDefaultClamp).
	Clamp float64
	// Time is the relaxation's length in network time constants (0 = the
	// weights' training setting, else eqprop.DefaultConfig's).
	Time float64
	// Seed sets the chip's seed when SetSeed; Instance is the chip
	// instance; NoiseSeed the runs' noise realisation.
	Seed      int64
	SetSeed   bool
	Instance  int
	NoiseSeed int64
	// Calibrate is the number of training images (the first ones of the
	// data set's training split) on which the read-out's reference phase
	// is trimmed once per chip instance (calibrate; 0 = none, φ_ref = 0).
	// CalPixels and CalLabels, when set, are those images instead.
	Calibrate int
	CalPixels [][]float64 `json:"-"`
	CalLabels []int       `json:"-"`
	// Batch is the number of images per chip run (0 = 64). Results do
	// not depend on it: each image draws its noise from its own index.
	Batch int
	// Precision is the engine state's precision (chip.PrecisionFloat64,
	// the default "", or chip.PrecisionFloat32).
	Precision string
	// StepRate bounds the step: dt·λ ≤ StepRate for the Gershgorin bound
	// λ of the whole chip (0 = eqprop.DefaultConfig's).
	StepRate float64
	// NoTrim leaves the rings' frequency trims for the couplers' loading
	// out (cycle model; see CouplerTrim).
	NoTrim bool
	// Software also classifies the same images in software
	// (eqprop.EvaluateLayered: the trainer's phase model through the
	// engine, no noise or mismatch), into EPReport.Software.
	Software bool
	// Progress receives a progress meter (nil: silent).
	Progress io.Writer `json:"-"`
}

// EPDefaultClamp is the input clamps' default strength, 4 times the
// largest pull of one input ring's couplers: design choice [A] (docs/ep.md,
// "The layered chip"). The trainer holds the input rings exactly at their
// pixels' phases; on the chip a clamp of locking rate β holds ring j
// against its couplers' torque κ·Σ_i W0_ji·sin(φ_i − φ_j), whose magnitude
// is at most κ·Σ_i |W0_ji|, so the ring stays within asin(1/4) = 0.25 rad
// of its pixel in the worst case (all its hidden rings pulling one way)
// and much closer in practice.
const EPDefaultClamp = 4

// EPDefaultCalibration is the number of training images the read-out's
// reference phase is trimmed on by default: design choice [A]
// (docs/ep.md, "Read-out"). The cycle model lags the phase model by a
// common rotation that grows with the coupling rate (0.38 rad at
// κ = 0.32% of ω0 on the MNIST chip), and argmax cos φ_k against a fixed
// reference is not invariant under it; one offset per chip instance,
// trimmed like a TDC's offset, removes it.
const EPDefaultCalibration = 32

// EPDefaultStepRate is the phase model's default step bound dt·λ ≤ 2 for
// the Gershgorin bound λ of the whole chip: design choice [A] (docs/ep.md,
// "Size and speed"). Heun is stable to dt·λ_max = 2 on a decaying mode, and
// the bound λ is at least the Jacobian's largest rate; measured on the
// 5-epoch MNIST weights (256 test images, no noise), the outputs of the
// chip at bound 2 and at the trainer's bound 1 differ by at most one
// 6-bit TDC step (rms 0.002 rad) and no decision changes, in half the steps.
const EPDefaultStepRate = 2

// DefaultEPEval returns the evaluation's defaults: the first 1,000 MNIST
// test images, noise seed 1, 64 images per run, a float32 state
// (chip.PrecisionFloat32: 2.4× faster than float64, the same decisions on
// the 5-epoch MNIST weights without noise), the step at EPDefaultStepRate.
func DefaultEPEval() EPEval {
	return EPEval{Dataset: "mnist", Images: 1000, NoiseSeed: 1, Batch: 64, Calibrate: EPDefaultCalibration,
		Precision: chip.PrecisionFloat32, StepRate: EPDefaultStepRate}
}

// EPReport is the outcome of an EPEval.
type EPReport struct {
	Chip    string        `json:"chip"`
	Weights string        `json:"weights"`
	Dataset string        `json:"dataset"`
	Model   netlist.Model `json:"model"`
	Sizes   []int         `json:"sizes"`
	// Bits are the coupler code bits, DetectorBits the output TDCs'.
	Bits         int  `json:"bits"`
	DetectorBits int  `json:"detector_bits"`
	NoNoise      bool `json:"no_noise"`
	NoMismatch   bool `json:"no_mismatch"`
	// Images classified, Correct among them, Accuracy in per cent and
	// its binomial standard error √(p(1−p)/n) (AccuracyErr, points).
	Images      int     `json:"images"`
	Correct     int     `json:"correct"`
	Accuracy    float64 `json:"accuracy_pct"`
	AccuracyErr float64 `json:"accuracy_err_pct"`
	// Software is the software accuracy on the same images (per cent;
	// EPEval.Software), nil when not asked.
	Software *float64 `json:"software_pct,omitempty"`
	// Confusion[true][predicted].
	Confusion [][]int `json:"confusion"`
	// Couplers are the coupler pairs programmed to a nonzero code, Sites
	// those the fabric builds; Quant the quantisation report.
	Couplers int             `json:"couplers"`
	Sites    int             `json:"coupler_sites"`
	Quant    coupling.Report `json:"quantization"`
	// FullScale is the weight that maps to the largest code; Kappa the
	// rate of unit weight as a fraction of ω0; Clamp the input clamps'
	// strength (a multiple of an input ring's largest coupler pull) and
	// ClampRate their locking rate in units of κ; RateScale the
	// relaxation's rate scale r (units of κ).
	FullScale float64 `json:"full_scale"`
	Kappa     float64 `json:"kappa"`
	Clamp     float64 `json:"clamp"`
	ClampRate float64 `json:"clamp_rate"`
	// ClampLimited is true when the clamp asked for exceeded the drivers'
	// full scale (injection.max_current), which then set ClampRate.
	ClampLimited bool    `json:"clamp_limited"`
	RateScale    float64 `json:"rate_scale"`
	// Pumped are the rings with a SHIL pump (per-ring strengths from the
	// weights) and PumpKs the pump's full-strength rate, a fraction of ω0.
	Pumped int     `json:"pumped_rings,omitempty"`
	PumpKs float64 `json:"pump_ks,omitempty"`
	// TrimMax is the largest ring trim for the couplers' loading as a
	// fraction of f0 (cycle model; 0 without trims, EPEval.NoTrim).
	TrimMax float64 `json:"trim_max"`
	// TimeS is the chip time of one inference (one relaxation, s) and
	// Steps its engine steps.
	TimeS float64 `json:"time_per_inference_s"`
	Steps int     `json:"steps"`
	// PowerW is the mean power during an inference; AreaMM2 the die.
	PowerW  float64 `json:"power_w"`
	AreaMM2 float64 `json:"area_mm2"`
	// EnergyNJ is one inference's energy: the run (PowerW·TimeS) plus
	// writing the input drivers' codes (InputNJ). ProgramNJ is one
	// programming of every coupler and bias, paid once per deployment,
	// not per inference.
	EnergyNJ  float64 `json:"energy_nj"`
	RunNJ     float64 `json:"run_energy_nj"`
	InputNJ   float64 `json:"input_energy_nj"`
	ProgramNJ float64 `json:"program_energy_nj"`
	// ReadoutRef is the read-out's reference phase φ_ref (rad): the class
	// is argmax_k cos(φ_k − φ_ref). 0 unless calibrated on Calibration
	// training images (EPEval.Calibrate).
	ReadoutRef  float64 `json:"readout_ref_rad"`
	Calibration int     `json:"calibration_images"`
	// Outputs are the output rings' phases as the TDCs read them (rad),
	// per image.
	Outputs [][]float64 `json:"-"`
	// Ledger is the mean ledger of one inference.
	Ledger *chip.Ledger `json:"ledger"`
	// Wall is the evaluation's wall time (s).
	Wall float64 `json:"wall_s"`
}

// ErrEPChip is wrapped by errors about a chip description that cannot run
// the weights (not layered, other layer sizes, no output TDC).
var ErrEPChip = errors.New("chip cannot run these weights")

// Evaluate compiles the chip of description nl, programs the weights and
// classifies the images.
func (e *EPEval) Evaluate(ctx context.Context, nl *netlist.Netlist) (*EPReport, error) {
	start := time.Now()
	w := e.Net
	if w == nil {
		return nil, fmt.Errorf("bench: ep: no weights")
	}
	if err := w.Check(); err != nil {
		return nil, fmt.Errorf("bench: ep: %s: %w", e.Weights, err)
	}
	nl, tdc, err := e.chipFor(nl)
	if err != nil {
		return nil, err
	}
	if err := e.loadImages(ctx); err != nil {
		return nil, err
	}
	ch, err := chip.Compile(nl, chip.Options{Seed: e.Seed, SetSeed: e.SetSeed, Instance: e.Instance})
	if err != nil {
		return nil, err
	}
	run, err := newEPRun(e, ch, tdc)
	if err != nil {
		return nil, err
	}
	rep := &EPReport{Chip: nl.Name, Weights: e.Weights, Dataset: e.Dataset, Model: run.model, Sizes: w.Sizes,
		Bits: nl.Couplings.Bits, DetectorBits: nl.Detectors[tdc].Bits, NoNoise: e.NoNoise, NoMismatch: e.NoMismatch,
		Images: len(e.Pixels), Sites: nl.FabricSites(), Quant: ch.Quantization(), FullScale: run.fs,
		Kappa: run.kappa / run.wref, Clamp: run.ratio, ClampRate: run.clamp, ClampLimited: run.limited, RateScale: run.r, TimeS: run.dur}
	for _, c := range ch.Codes() {
		if c != 0 {
			rep.Couplers++
		}
	}
	if nl.SHIL != nil {
		_, ks, wref := ch.Rates()
		rep.Pumped, rep.PumpKs = len(nl.SHIL.Targets), ks/wref
	}
	for _, f := range run.trim {
		rep.TrimMax = math.Max(rep.TrimMax, f/nl.Oscillators.Frequency)
	}
	if rep.ReadoutRef, err = run.calibrate(ctx); err != nil {
		return nil, err
	}
	rep.Calibration = len(e.CalPixels)
	classes := w.Sizes[len(w.Sizes)-1]
	rep.Confusion = make([][]int, classes)
	for k := range rep.Confusion {
		rep.Confusion[k] = make([]int, classes)
	}
	B := e.Batch
	if B <= 0 {
		B = 64
	}
	meter := progress.New(e.Progress, fmt.Sprintf("eval ep (%s)", run.model), int64(len(e.Pixels)), "images")
	defer meter.Done()
	var mean chip.LedgerMean
	for lo := 0; lo < len(e.Pixels); lo += B {
		hi := min(lo+B, len(e.Pixels))
		outs, res, err := run.classify(ctx, e.Pixels[lo:hi], e.Offset+lo, lo == 0)
		if err != nil {
			return nil, err
		}
		rep.Outputs = append(rep.Outputs, outs...)
		pred := make([]int, len(outs))
		for b, out := range outs {
			pred[b] = eqprop.Classify(out, rep.ReadoutRef)
		}
		rep.Steps = res.Steps
		if lo == 0 {
			mean.Add(res.Ledger, res.Duration*float64(hi-lo))
		}
		for b, p := range pred {
			y := e.Labels[lo+b]
			if y < 0 || y >= classes {
				return nil, fmt.Errorf("bench: ep: image %d has label %d, the network %d classes", e.Offset+lo+b, y, classes)
			}
			rep.Confusion[y][p]++
			if p == y {
				rep.Correct++
			}
		}
		meter.Add(int64(hi - lo))
	}
	rep.Accuracy = 100 * float64(rep.Correct) / float64(max(1, rep.Images))
	rep.AccuracyErr = BinomialErr(rep.Correct, rep.Images)
	if e.Software {
		acc, err := e.software(ctx)
		if err != nil {
			return nil, err
		}
		rep.Software = &acc
	}
	// One inference: its run, no reprogramming (the weights stay).
	L := mean.Ledger(0, run.dur)
	card := nl.Tech
	input := float64(w.Sizes[0]*2*(nl.Injection.Bits+1)) * card.EnergyBit
	L.Energy = append(L.Energy, chip.Line{Name: "input drivers' codes", Value: input,
		Formula: fmt.Sprintf("%d input drivers·2·(%d+1) bits·EnergyBit per image", w.Sizes[0], nl.Injection.Bits)})
	L.EnergyPerRun += input
	L.Assumptions = append(L.Assumptions, "energy per inference: one relaxation and one write of the input drivers' codes; the couplers and biases are programmed once per deployment (program_energy_nj)")
	rep.Ledger = L
	rep.PowerW = L.TotalPower
	rep.AreaMM2 = L.DieArea * 1e6
	rep.RunNJ = L.TotalPower * run.dur * 1e9
	rep.InputNJ = input * 1e9
	rep.EnergyNJ = L.EnergyPerRun * 1e9
	rep.ProgramNJ = (L.ProgramEnergy + float64(L.DriverBits-w.Sizes[0]*2*(nl.Injection.Bits+1))*card.EnergyBit) * 1e9
	rep.Wall = time.Since(start).Seconds()
	return rep, nil
}

// BinomialErr is the standard error of an accuracy of correct out of n,
// in points: 100·√(p(1−p)/n) (0 for n = 0).
func BinomialErr(correct, n int) float64 {
	if n <= 0 {
		return 0
	}
	p := float64(correct) / float64(n)
	return 100 * math.Sqrt(p*(1-p)/float64(n))
}

// software returns the software accuracy (per cent) on the evaluation's
// images: eqprop.EvaluateLayered on the pixels as the data set stores
// them (bytes, x·255).
func (e *EPEval) software(ctx context.Context) (float64, error) {
	w := e.Net
	d := eqprop.Examples{N: len(e.Pixels), P: w.Sizes[0], Pix: make([]uint8, 0, len(e.Pixels)*w.Sizes[0]), Labels: make([]uint8, len(e.Pixels))}
	for k, x := range e.Pixels {
		for _, v := range x {
			d.Pix = append(d.Pix, uint8(math.Round(255*math.Min(1, math.Max(0, v)))))
		}
		d.Labels[k] = uint8(e.Labels[k])
	}
	meter := progress.New(e.Progress, "eval ep (software)", int64(d.N), "images")
	defer meter.Done()
	acc, err := eqprop.EvaluateLayered(ctx, w, d, 0, meter)
	if err != nil {
		return 0, fmt.Errorf("bench: ep: software: %w", err)
	}
	return 100 * acc, nil
}

// fullScale returns the weight that maps to the largest code: FullScale
// when set; the trainer's WMax when it trained on coupler codes
// (quantisation-aware training programmed its codes on ±WMax); else the
// description's couplings.full_scale; else the largest |weight|, so that
// no coupler clips (design choice [A], docs/ep.md).
func (e *EPEval) fullScale(nl *netlist.Netlist) float64 {
	w := e.Net
	switch {
	case e.FullScale > 0:
		return e.FullScale
	case w.Settings.Bits > 0 && w.Settings.WMax > 0:
		return w.Settings.WMax
	case nl.Couplings.FullScale > 0:
		return nl.Couplings.FullScale
	}
	fs := 0.0
	for _, m := range w.W {
		for _, x := range m {
			fs = math.Max(fs, math.Abs(x))
		}
	}
	if fs == 0 {
		fs = 1
	}
	return fs
}

// chipFor checks that description nl can run the weights and returns the
// copy to compile (bits, detector bits and mismatch as asked) and the
// index of the TDC bank that reads the output layer.
func (e *EPEval) chipFor(nl *netlist.Netlist) (*netlist.Netlist, int, error) {
	w := e.Net
	c := nl.Couplings
	if c.Topology != netlist.Layered || !slices.Equal(c.Layers, w.Sizes) {
		return nil, 0, fmt.Errorf("bench: ep: %s: %w: the weights are a %v network, the chip has topology %q with layers %v (want couplings.topology = \"layered\", layers = %v)",
			nl.File, ErrEPChip, w.Sizes, c.Topology, c.Layers, w.Sizes)
	}
	if nl.Injection == nil {
		return nil, 0, fmt.Errorf("bench: ep: %s: %w: no [injection] table: the input clamps and the biases need injection drivers", nl.File, ErrEPChip)
	}
	var err error
	if e.Bits > 0 {
		if nl, err = WithBits(nl, e.Bits); err != nil {
			return nil, 0, err
		}
	}
	if e.NoMismatch {
		nl = WithoutMismatch(nl)
	}
	if nl, err = e.withPump(nl); err != nil {
		return nil, 0, err
	}
	out := c.LayerStart(len(w.Sizes) - 1)
	tdc := -1
	for d, det := range nl.Detectors {
		if det.Kind != phasedet.TDC {
			continue
		}
		all := true
		for i := out; i < nl.Oscillators.N(); i++ {
			all = all && slices.Contains(det.Targets, i)
		}
		if all {
			tdc = d
			break
		}
	}
	if tdc < 0 {
		return nil, 0, fmt.Errorf("bench: ep: %s: %w: no TDC detector bank reads every output ring (%d…%d)", nl.File, ErrEPChip, out, nl.Oscillators.N()-1)
	}
	if e.DetBits > 0 {
		if e.DetBits > 16 {
			return nil, 0, fmt.Errorf("bench: ep: detector bits must be in 1..16 (got %d)", e.DetBits)
		}
		cp := *nl
		cp.Detectors = slices.Clone(nl.Detectors)
		cp.Detectors[tdc].Bits = e.DetBits
		nl = &cp
	}
	return nl, tdc, nil
}

// loadImages reads the test images unless Pixels are set, and the
// calibration images (the first Calibrate training images) unless
// CalPixels are set or Calibrate is 0.
func (e *EPEval) loadImages(ctx context.Context) error {
	if e.Pixels != nil && len(e.Labels) != len(e.Pixels) {
		return fmt.Errorf("bench: ep: %d images and %d labels", len(e.Pixels), len(e.Labels))
	}
	if e.CalPixels != nil && len(e.CalLabels) != len(e.CalPixels) {
		return fmt.Errorf("bench: ep: %d calibration images and %d labels", len(e.CalPixels), len(e.CalLabels))
	}
	var err error
	if e.Pixels == nil {
		if e.Pixels, e.Labels, err = e.readSplit(ctx, "test", e.Offset, e.Images); err != nil {
			return err
		}
	}
	if e.CalPixels == nil && e.Calibrate > 0 {
		if e.CalPixels, e.CalLabels, err = e.readSplit(ctx, "train", 0, e.Calibrate); err != nil {
			return err
		}
	}
	return nil
}

// readSplit reads images [offset, offset+n) of a split as pixels in [0, 1].
func (e *EPEval) readSplit(ctx context.Context, split string, offset, n int) ([][]float64, []int, error) {
	dir, err := dataset.Locate(ctx, e.Dataset, e.Data)
	if err != nil {
		return nil, nil, err
	}
	im, lab, err := dataset.LoadSplit(dir, split)
	if err != nil {
		return nil, nil, err
	}
	if offset < 0 || n < 1 || offset+n > im.N {
		return nil, nil, fmt.Errorf("bench: ep: images [%d, %d) outside the %d %s images", offset, offset+n, im.N, split)
	}
	if im.Pixels() != e.Net.Sizes[0] {
		return nil, nil, fmt.Errorf("bench: ep: %s images have %d pixels, the network's input layer %d rings", e.Dataset, im.Pixels(), e.Net.Sizes[0])
	}
	pix, labels := make([][]float64, n), make([]int, n)
	for k := range pix {
		img := im.Image(offset + k)
		x := make([]float64, len(img))
		for i, v := range img {
			x[i] = float64(v) / 255
		}
		pix[k], labels[k] = x, int(lab[offset+k])
	}
	return pix, labels, nil
}

// calibrate sets the read-out's reference phase from the calibration
// images: the offset φ_ref (a grid of 1024 over the circle) that
// classifies most of them right, ties broken by their mean margin
// cos(φ_y − φ_ref) − max_{k≠y} cos(φ_k − φ_ref). It returns φ_ref (0
// without images).
func (run *epRun) calibrate(ctx context.Context) (float64, error) {
	e := run.e
	if len(e.CalPixels) == 0 {
		return 0, nil
	}
	B := e.Batch
	if B <= 0 {
		B = 64
	}
	var outs [][]float64
	for lo := 0; lo < len(e.CalPixels); lo += B {
		hi := min(lo+B, len(e.CalPixels))
		// Calibration images draw their noise from indices past any test
		// image's.
		o, _, err := run.classify(ctx, e.CalPixels[lo:hi], calibrationBase+lo, false)
		if err != nil {
			return 0, err
		}
		outs = append(outs, o...)
	}
	const grid = 1024
	bestN, bestM, arg := -1, math.Inf(-1), 0.0
	for g := 0; g < grid; g++ {
		ref := 2 * math.Pi * float64(g-grid/2) / grid
		var m float64
		n := 0
		for b, out := range outs {
			y := e.CalLabels[b]
			other := math.Inf(-1)
			for k, p := range out {
				if k != y {
					other = math.Max(other, math.Cos(p-ref))
				}
			}
			d := math.Cos(out[y]-ref) - other
			m += d
			if d > 0 {
				n++
			}
		}
		if n > bestN || (n == bestN && m > bestM) {
			bestN, bestM, arg = n, m, ref
		}
	}
	return arg, nil
}

// calibrationBase is the first noise-stream index of calibration images.
const calibrationBase = 1 << 30

// epRun holds what every batch of one evaluation shares.
type epRun struct {
	e     *EPEval
	ch    *chip.Chip
	tdc   int
	model netlist.Model
	fs    float64 // full scale (weight units)
	kappa float64 // rad/s per unit weight
	ratio float64 // clamp: multiple of an input ring's largest pull
	clamp float64 // clamp's locking rate (units of κ)
	// limited: the clamp asked for exceeds the drivers' full scale.
	limited bool
	r       float64 // rate scale (units of κ)
	dur     float64 // relaxation (s)
	spc     float64
	lag     float64
	wref    float64        // reference ω (rad/s)
	bias    chip.Injection // the biases' injection (input rings 0)
	outPos  []int          // output unit k → its index in the TDC's targets
	bits    int
	// trim is each ring's frequency trim (Hz) in the cycle model (nil:
	// none); see cycleTrim.
	trim []float64
}

func newEPRun(e *EPEval, ch *chip.Chip, tdc int) (*epRun, error) {
	w, nl := e.Net, ch.Netlist()
	run := &epRun{e: e, ch: ch, tdc: tdc, model: e.Model, ratio: e.Clamp, lag: ch.InjectionLag(), bits: nl.Detectors[tdc].Bits}
	if run.model == "" {
		run.model = nl.Run.Model
	} else if err := run.model.Check(); err != nil {
		return nil, fmt.Errorf("bench: ep: %w", err)
	}
	if run.ratio == 0 {
		run.ratio = EPDefaultClamp
	}
	if !(run.ratio > 0) {
		return nil, fmt.Errorf("bench: ep: the clamp must be positive (got %g)", run.ratio)
	}
	run.fs = e.fullScale(nl)
	net := w.Net()
	edges := make([]netlist.Edge, len(net.Edges))
	for k, p := range net.Edges {
		edges[k] = netlist.Edge{I: p[0], J: p[1], W: net.W[k]}
	}
	if _, err := ch.ProgramScale(edges, run.fs); err != nil {
		return nil, fmt.Errorf("bench: ep: %w", err)
	}
	unit, _, wref := ch.Rates()
	run.wref = wref
	run.kappa = unit * float64(nl.Couplings.MaxCode) / run.fs
	if err := run.programPump(); err != nil {
		return nil, err
	}
	// The clamps' locking rate: ratio times the largest Σ_i |W0_ji| over
	// input rings j, the weights as the couplers hold them (clipped).
	pull := 0.0
	H := w.Sizes[1]
	for j := 0; j < w.Sizes[0]; j++ {
		s := 0.0
		for _, x := range w.W[0][j*H : (j+1)*H] {
			s += math.Min(math.Abs(x), run.fs)
		}
		pull = math.Max(pull, s)
	}
	run.clamp = run.ratio * math.Max(pull, 0.25)
	// A clamp beyond the drivers' full scale is driven at full scale (an
	// injection at phase ψ needs |cos ψ| and |sin ψ| of it per DAC, so
	// the full scale itself fits every phase).
	if _, fsI, _ := ch.InjectionStep(); ch.InjectionCurrent(run.clamp*run.kappa) > fsI {
		run.clamp = ch.InjectionRate(fsI) / run.kappa
		run.limited = true
	}
	// The biases: an injection at phase 0 (h > 0) or π (h < 0) of rate
	// |h|·κ into each unit of layers 1…, the injection lag advanced so
	// that it pulls towards that phase (eqprop.Machine's injection).
	N := ch.N()
	run.bias = chip.Injection{Amp: make([]float64, N), Phase: make([]float64, N)}
	var bmax float64
	for _, n := range w.BiasNudges() {
		a := math.Abs(n.Beta)
		bmax = math.Max(bmax, a)
		run.bias.Amp[n.Unit] = ch.InjectionCurrent(a * run.kappa)
		ph := n.Phase
		if n.Beta < 0 {
			ph += math.Pi
		}
		run.bias.Phase[n.Unit] = ph - run.lag
	}
	// The relaxation's length: Time network time constants 1/(κ·r), r the
	// rate scale of the rings behind the input layer (eqprop.Machine.Relax's
	// r without the held inputs' phasors, which are at least as large: the
	// chip relaxes at least as long as training did) or the trained Rate.
	cfg := eqprop.DefaultConfig
	T := cfg.Time
	if w.Settings.Time > 0 {
		T = w.Settings.Time
	}
	if e.Time > 0 {
		T = e.Time
	}
	sub := eqprop.Layered(w.Sizes[1:]...)
	k := 0
	for _, m := range w.W[1:] {
		k += copy(sub.W[k:], m)
	}
	run.r = math.Max(math.Max(sub.RowSum(), bmax), 0.25)
	if w.Settings.Rate > 0 {
		run.r = w.Settings.Rate
	}
	run.dur = T / (run.kappa * run.r)
	// The step: Euler/Heun at dt·λ ≤ 1 for the Gershgorin bound λ of the
	// whole chip, input rings and their clamps included (the engine's own
	// bound counts the couplers only).
	lam := 2 * run.kappa * (net.RowSum() + math.Max(bmax, run.clamp) + 2*shilMax(w))
	f0 := nl.Oscillators.Frequency
	if run.model == netlist.ModelPhase {
		rate := cfg.StepRate
		if e.StepRate > 0 {
			rate = e.StepRate
		}
		dt := rate / lam
		if c := dt * f0; c >= 1 {
			run.spc = 1 / math.Min(math.Floor(c), 64)
		} else {
			run.spc = math.Ceil(1 / c)
		}
		run.spc = math.Max(run.spc, ch.MinStepsPerCycle(netlist.ModelPhase, 1))
	} else {
		run.spc = nl.Run.StepsPerCycle
		if nl.Run.Model != netlist.ModelCycle {
			run.spc = netlist.ModelCycle.DefaultStepsPerCycle()
		}
		run.spc = math.Max(run.spc, math.Max(ch.MinStepsPerCycle(netlist.ModelCycle, 1), math.Ceil(4*lam/f0)))
	}
	if run.model == netlist.ModelCycle && !e.NoTrim {
		run.trim = CouplerTrim(ch)
	}
	out := nl.Couplings.LayerStart(len(w.Sizes) - 1)
	targets := nl.Detectors[tdc].Targets
	for i := out; i < N; i++ {
		run.outPos = append(run.outPos, slices.Index(targets, i))
	}
	return run, nil
}

// classify relaxes a batch of images (global index base of the first) and
// returns each one's output phases read from the output TDCs.
//
// The coupler-power average (one sparse product per cycle, a third of a
// phase-model run's work) is taken when power is set: the evaluation
// takes it on its first batch only and reports that batch's ledger.
func (run *epRun) classify(ctx context.Context, pixels [][]float64, base int, power bool) ([][]float64, *chip.Result, error) {
	ch, w := run.ch, run.e.Net
	N, in0 := ch.N(), w.Sizes[0]
	clampI := ch.InjectionCurrent(run.clamp * run.kappa)
	inputs := make([]chip.Input, len(pixels))
	for b, x := range pixels {
		if len(x) != in0 {
			return nil, nil, fmt.Errorf("bench: ep: image %d has %d pixels, the input layer %d rings", base+b, len(x), in0)
		}
		phi := make([]float64, N)
		inj := &chip.Injection{Amp: slices.Clone(run.bias.Amp), Phase: slices.Clone(run.bias.Phase)}
		for i, p := range x {
			phi[i] = eqprop.PixelPhase(p)
			inj.Amp[i] = clampI
			inj.Phase[i] = phi[i] - run.lag
		}
		if w.Settings.Start == eqprop.StartForward {
			// Weights trained from the forward start relax from there on the
			// chip too (docs/ep.md, "Inputs, biases and the injection
			// drivers"): from phase 0 a hidden ring whose drive points near
			// π starts at its unstable equilibrium and 30 time constants do
			// not bring it back.
			fw, err := w.ForwardPhases(x)
			if err != nil {
				return nil, nil, fmt.Errorf("bench: ep: image %d: %w", base+b, err)
			}
			copy(phi[in0:], fw)
		}
		inputs[b] = chip.Input{Phases: phi, Inject: inj, FreqOffset: run.trim}
	}
	res, err := ch.Run(ctx, inputs, chip.RunOptions{Model: run.model, StepsPerCycle: run.spc, Duration: run.dur,
		NoNoise: run.e.NoNoise, NoiseSeed: run.e.NoiseSeed, InputBase: base, Precision: run.e.Precision, NoPower: !power})
	if err != nil {
		return nil, nil, fmt.Errorf("bench: ep: %w", err)
	}
	ro := res.Readouts[run.tdc]
	outs := make([][]float64, len(pixels))
	for b := range pixels {
		v := ro.Values[b][len(ro.Values[b])-1]
		out := make([]float64, len(run.outPos))
		for k, t := range run.outPos {
			out[k] = phasedet.Phase(phasedet.TDC, run.bits, v[t])
		}
		outs[b] = out
	}
	return outs, res, nil
}

// CouplerTrim returns each ring's frequency trim (Hz) for the second-order
// slow-down its own couplers cause in the cycle model (docs/ep.md, "The
// cycle model against the phase model"): a ring whose programmed couplers
// sum to the rate K_S = Σ_j |c_ij|·unit_k·ω0 runs slow by K_S²/(2·ω0) when
// its neighbours apply no net field, so the compiler sets its trim to
// +K_S²/(2·ω0) — what a designer measures by stopping every other ring and
// counting each ring's frequency after programming. The phase model is the
// cycle average of the trimmed chip, so it takes no trim.
func CouplerTrim(ch *chip.Chip) []float64 {
	unit, _, wref := ch.Rates()
	ks := make([]float64, ch.N())
	codes := ch.Codes()
	for k, e := range ch.Edges() {
		r := unit * math.Abs(float64(codes[k]))
		ks[e.I] += r
		ks[e.J] += r
	}
	for i, k := range ks {
		ks[i] = k * k / (2 * wref) / (2 * math.Pi)
	}
	return ks
}

// withPump returns nl with the SHIL pump the weights' per-ring strengths
// need (docs/ep.md, "Per-ring SHIL strengths"): nl itself when the weights
// have none; when nl has a [shil] table, nl after checking that its pump
// reaches every ring with a strength and is strong enough; otherwise a
// copy with a constant pump at 2·f0 into every ring with a nonzero
// strength, of full-strength rate K_s = max_i |s_i|·κ (the rate of unit
// weight κ of the programming that follows).
func (e *EPEval) withPump(nl *netlist.Netlist) (*netlist.Netlist, error) {
	w := e.Net
	smax := shilMax(w)
	if smax == 0 {
		return nl, nil
	}
	kappa := nl.Couplings.UnitK * float64(nl.Couplings.MaxCode) / e.fullScale(nl) // fraction of ω0
	if !(kappa > 0) {
		return nil, fmt.Errorf("bench: ep: %s: %w: SHIL strengths need the coupling rate as couplings.unit_k", nl.File, ErrEPChip)
	}
	rings := shilRings(w)
	if s := nl.SHIL; s != nil {
		for i, x := range rings {
			if x != 0 && !slices.Contains(s.Targets, i) {
				return nil, fmt.Errorf("bench: ep: %s: %w: ring %d has SHIL strength %g but is not among shil.targets", nl.File, ErrEPChip, i, x)
			}
		}
		if s.Schedule != shil.Constant {
			return nil, fmt.Errorf("bench: ep: %s: %w: the SHIL strengths need a constant pump (shil.schedule = %q)", nl.File, ErrEPChip, s.Schedule)
		}
		return nl, nil
	}
	cp := *nl
	cp.SHIL = &netlist.SHIL{Ks: smax * kappa, Schedule: shil.Constant, Port: netlist.PortTap, Stage: nl.Oscillators.TapStage}
	for i, x := range rings {
		if x != 0 {
			cp.SHIL.Targets = append(cp.SHIL.Targets, i)
		}
	}
	return &cp, nil
}

// programPump sets each ring's pump gain to its SHIL strength s_i: rate
// s_i·κ = g_i·K_s, the gain on a signed code of injection.bits bits
// (g = code/(2^bits − 1), the pump's per-ring amplitude DAC: design
// choice [A], docs/ep.md). It refuses a strength beyond the pump's full
// strength.
func (run *epRun) programPump() error {
	w, ch := run.e.Net, run.ch
	if shilMax(w) == 0 {
		return nil
	}
	_, ks, _ := ch.Rates()
	g := make([]float64, ch.N())
	for i, s := range shilRings(w) {
		x := s * run.kappa / ks
		if math.Abs(x) > 1+1e-9 {
			return fmt.Errorf("bench: ep: %s: ring %d's SHIL strength %g is %.3g× the pump's full strength", run.e.Weights, i, s, math.Abs(x))
		}
		g[i] = x
	}
	if err := ch.SetPumpDACs(ch.Netlist().Injection.Bits); err != nil {
		return err
	}
	return ch.SetPumpGains(g) // rounded to the DACs' codes
}

// shilRings returns the weights' SHIL strength of every ring of the chip
// (layers numbered in order, the input layer's 0), nil without any.
func shilRings(w *eqprop.LayeredWeights) []float64 {
	if w.SHIL == nil {
		return nil
	}
	var out []float64
	for l, n := range w.Sizes {
		if l == 0 || len(w.SHIL[l]) == 0 {
			out = append(out, make([]float64, n)...)
			continue
		}
		out = append(out, w.SHIL[l]...)
	}
	return out
}

// shilMax returns the largest |SHIL strength| of the weights (0 without).
func shilMax(w *eqprop.LayeredWeights) float64 {
	m := 0.0
	for _, x := range shilRings(w) {
		m = math.Max(m, math.Abs(x))
	}
	return m
}
