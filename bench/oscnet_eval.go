package bench

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"

	"oscsim/chip"
	"oscsim/internal/progress"
	"oscsim/learn"
	"oscsim/netlist"
)

// OscNetEval is one evaluation of OscNet inference on a chip description,
// as `oscsim eval oscnet` runs it: the settings with the workload's
// defaults (DefaultOscNetEval), the methods to run, the images.
type OscNetEval struct {
	// Weights is the model file's path (for the report); Model the model.
	Weights string
	Model   *learn.Model
	// Methods are run in this order.
	Methods []Method
	// Dataset and Data locate the test images (Data "" = the user cache);
	// Images are classified from test image Offset on.
	Dataset, Data  string
	Images, Offset int
	// Fraction, PairCode: the pairwise method's (OscNet fields).
	Fraction float64
	PairCode int
	// KsScale and Cycles override the methods' pump scale and run length
	// (0 = MethodDefaults).
	KsScale, Cycles float64
	// Bits overrides the coupler code bits (0 = the chip's; WithBits).
	Bits int
	// NoNoise and NoMismatch switch phase noise, and frequency and coupler
	// mismatch, off.
	NoNoise, NoMismatch bool
	// NoPower skips the pairwise runs' coupler-power average (OscNet
	// field).
	NoPower bool `json:"-"`
	// Precision is the engine's ("" = OscNetPrecision).
	Precision string
	// Seed sets the chip's seed when SetSeed (any value, 0 included);
	// otherwise the description's run.seed is used. Instance is the chip
	// instance.
	Seed     int64
	SetSeed  bool
	Instance int
	// NoiseSeed selects the runs' noise realisation (chip.RunOptions).
	NoiseSeed int64
	// Jobs is the number of identical chips run in parallel (one core
	// each; results do not depend on it). 0 = GOMAXPROCS.
	Jobs int
	// Mapping, Readout and ADC: the per-class method's (OscNet fields).
	Mapping Mapping
	Readout Readout
	ADC     SupplyADC
	// Jitter (rad) and Batch: OscNet fields.
	Jitter float64
	Batch  int
	// Progress receives a progress meter per method (nil: silent).
	Progress io.Writer `json:"-"`
}

// DefaultOscNetEval returns the evaluation's defaults: both methods on
// the first 1,000 MNIST test images, 24% of the pairwise connections, the
// per-class DefaultMapping read out by spins, noise seed 1, ±0.1 rad
// initial jitter, batches of 64 (all [A], docs/oscnet.md).
func DefaultOscNetEval() OscNetEval {
	return OscNetEval{
		Methods: []Method{MethodPerClass, MethodPairwise}, Dataset: "mnist", Images: 1000,
		Fraction: 0.24, NoiseSeed: 1, Mapping: DefaultMapping(), Readout: ReadSpins, ADC: DefaultSupplyADC(),
		Jitter: 0.1, Batch: 64,
	}
}

// SupplyADCSweep are the ADC resolutions every per-class evaluation
// re-scores its supply read-out with (0 = ideal).
var SupplyADCSweep = []int{0, 6, 8, 10, 12, 14, 16}

// OscNetRun is one method's result in an OscNetReport (a JSON contract:
// `oscsim eval oscnet -o`).
type OscNetRun struct {
	Method           Method  `json:"method"`
	Accuracy         float64 `json:"accuracy"`
	Images           int     `json:"images"`
	Correct          int     `json:"correct"`
	Confusion        [][]int `json:"confusion"`
	Couplings        float64 `json:"couplings_per_network"`
	ProgramsPerImage float64 `json:"programs_per_image"`
	KeptFraction     float64 `json:"kept_fraction,omitempty"`
	ChipTimePerImage float64 `json:"chip_time_per_image_s"`
	Power            float64 `json:"power_w"`
	CouplerPower     float64 `json:"coupler_power_w"`
	Energy           float64 `json:"energy_per_inference_j"`
	Area             float64 `json:"die_area_m2"`
	WallSeconds      float64 `json:"wall_s"`
	// ReadoutAccuracy (per-class) is each read-out's accuracy on the same
	// runs (input, ideal, spins, supply), and Flips the share of spins
	// read different from the image.
	ReadoutAccuracy map[Readout]float64 `json:"readout_accuracy,omitempty"`
	Flips           float64             `json:"flips,omitempty"`
	// SupplyByADCBits (per-class) is the supply read-out's accuracy on
	// the same runs with an ADC of each resolution (0 = ideal), over the
	// same full scale (OscNetResult.SupplyAccuracy).
	SupplyByADCBits map[int]float64 `json:"supply_accuracy_by_adc_bits,omitempty"`
	// Result is the full result (not in the JSON).
	Result OscNetResult `json:"-"`
}

// OscNetReport is an evaluation's settings and results.
type OscNetReport struct {
	Chip       string           `json:"chip"`
	Weights    string           `json:"weights"`
	Training   learn.Settings   `json:"training"`
	Seed       int64            `json:"seed"`
	Instance   int              `json:"instance"`
	NoNoise    bool             `json:"no_noise"`
	Precision  string           `json:"precision"`
	NoMismatch bool             `json:"no_mismatch"`
	Fraction   float64          `json:"fraction"`
	PairCode   int              `json:"pair_code"`
	Bits       int              `json:"bits"`
	Mapping    Mapping          `json:"mapping"`
	Readout    Readout          `json:"readout"`
	ADC        SupplyADC        `json:"adc"`
	Images     int              `json:"images"`
	Offset     int              `json:"offset"`
	Netlist    *netlist.Netlist `json:"netlist"`
	Runs       []OscNetRun      `json:"runs"`
	// Labels are the classified images' classes (for re-scoring).
	Labels []uint8 `json:"-"`
	// kernels names the engine's kernels (text output only).
	kernels string
}

// Evaluate runs the evaluation on chips compiled from nl (src names the
// description in the report).
func (e OscNetEval) Evaluate(ctx context.Context, nl *netlist.Netlist, src string) (*OscNetReport, error) {
	if e.Model == nil {
		return nil, fmt.Errorf("oscnet: no model")
	}
	if e.Precision == "" {
		e.Precision = OscNetPrecision
	}
	if e.Precision != chip.PrecisionFloat32 && e.Precision != chip.PrecisionFloat64 {
		return nil, fmt.Errorf("oscnet: unknown precision %q (want float32 or float64)", e.Precision)
	}
	if len(e.Methods) == 0 {
		return nil, fmt.Errorf("oscnet: no method")
	}
	var err error
	if e.Bits > 0 {
		if nl, err = WithBits(nl, e.Bits); err != nil {
			return nil, err
		}
	}
	if e.NoMismatch {
		nl = WithoutMismatch(nl)
	}
	compile := chip.Compile
	jobs := e.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	var chips []*chip.Chip
	for range max(1, jobs) {
		c, err := compile(nl, chip.Options{Seed: e.Seed, SetSeed: e.SetSeed, Instance: e.Instance})
		if err != nil {
			return nil, err
		}
		chips = append(chips, c)
	}
	m := e.Model
	rep := &OscNetReport{Chip: src, Weights: e.Weights, Training: m.Settings, Seed: chips[0].Seed(), Instance: e.Instance,
		NoNoise: e.NoNoise, Precision: e.Precision, NoMismatch: e.NoMismatch, Fraction: e.Fraction, PairCode: e.PairCode,
		Bits: nl.Couplings.Bits, Mapping: e.Mapping, Readout: e.Readout, ADC: e.ADC, Images: e.Images, Offset: e.Offset,
		Netlist: nl, kernels: chip.EngineKernels()}
	for _, meth := range e.Methods {
		o := &OscNet{Model: m, Method: meth, Fraction: e.Fraction, PairCode: e.PairCode, Mapping: e.Mapping,
			Readout: e.Readout, ADC: e.ADC, Jitter: e.Jitter, Batch: e.Batch, NoNoise: e.NoNoise, NoPower: e.NoPower, KsScale: e.KsScale,
			Duration: e.Cycles / nl.Oscillators.Frequency, Precision: e.Precision}
		if err := o.LoadImages(ctx, e.Dataset, e.Data, e.Offset, e.Images); err != nil {
			return nil, err
		}
		rep.Labels = o.Labels
		o.Progress = progress.New(e.Progress, "oscnet "+string(meth), int64(e.Images), "images")
		t0 := time.Now()
		r, err := o.EvaluateOn(ctx, chips, 0, e.Images, e.NoiseSeed)
		o.Progress.Done()
		if err != nil {
			return nil, err
		}
		run := OscNetRun{Method: meth, Accuracy: r.Accuracy(), Images: r.Images, Correct: r.Correct, Confusion: r.Confusion,
			Couplings: r.Couplings, ProgramsPerImage: r.Programs, KeptFraction: r.KeptFraction, ChipTimePerImage: r.ChipTime,
			Power: r.Power, CouplerPower: r.CouplerPower, Energy: r.Energy, WallSeconds: time.Since(t0).Seconds(),
			Flips: r.Flips, Result: r}
		if r.Ledger != nil {
			run.Area = r.Ledger.DieArea // the runs' own ledger, not a second one
		}
		if meth == MethodPerClass {
			run.SupplyByADCBits = map[int]float64{}
			for _, b := range SupplyADCSweep {
				a := e.ADC
				a.Bits = b
				run.SupplyByADCBits[b] = r.SupplyAccuracy(a, o.Labels)
			}
		}
		if len(r.ReadoutCorrect) > 0 {
			run.ReadoutAccuracy = map[Readout]float64{}
			for k, v := range r.ReadoutCorrect {
				run.ReadoutAccuracy[k] = float64(v) / float64(max(1, r.Images))
			}
		}
		rep.Runs = append(rep.Runs, run)
	}
	return rep, nil
}

// WriteText prints the report: the settings, then per method the
// accuracy, cost and confusion matrix.
func (r *OscNetReport) WriteText(w io.Writer) error {
	m := r.Training
	fmt.Fprintf(w, "chip      %s: %s\n", r.Chip, r.Netlist.Summary())
	fmt.Fprintf(w, "weights   %s (rule %s k=%d, norm %s)\n", r.Weights, m.Rule, m.K, m.Norm)
	fmt.Fprintf(w, "settings  %d test images from %d, seed %d, instance %d, noise %v, mismatch %v, %s (%s kernels)\n",
		r.Images, r.Offset, r.Seed, r.Instance, !r.NoNoise, !r.NoMismatch, r.Precision, r.kernels)
	for _, run := range r.Runs {
		res := run.Result
		fmt.Fprintf(w, "\n%s: accuracy %.2f%% (%d/%d)\n", run.Method, 100*run.Accuracy, run.Correct, run.Images)
		fmt.Fprintf(w, "  couplings %.0f per network, %.0f programs per image, chip time %s per image, wall %s\n",
			run.Couplings, run.ProgramsPerImage, netlist.FormatSI(run.ChipTimePerImage, "s"), time.Duration(run.WallSeconds*1e9).Round(time.Millisecond))
		fmt.Fprintf(w, "  power %s (couplers %s), energy %s per inference, die %.3g mm²\n",
			netlist.FormatSI(run.Power, "W"), netlist.FormatSI(run.CouplerPower, "W"), netlist.FormatSI(run.Energy, "J"), run.Area*1e6)
		switch run.Method {
		case MethodPairwise:
			fmt.Fprintf(w, "  connections kept: %.1f%% of W^(a,b)'s nonzero couplings\n", 100*run.KeptFraction)
		case MethodPerClass:
			fmt.Fprintf(w, "  mapping %s, read-out %s; spins read ≠ image: %.3f%%\n", r.Mapping, r.Readout, 100*run.Flips)
			fmt.Fprintf(w, "  read-outs of the same runs: image as loaded %.2f%%, ideal detector %.2f%%, samplers %.2f%%, supply power (%d-bit ADC, %s per conversion) %.2f%%\n",
				100*run.ReadoutAccuracy[ReadInput], 100*run.ReadoutAccuracy[ReadIdeal], 100*run.ReadoutAccuracy[ReadSpins],
				r.ADC.Bits, netlist.FormatSI(r.ADC.conversionEnergy(), "J"), 100*run.ReadoutAccuracy[ReadSupply])
			fmt.Fprint(w, "  supply read-out by ADC bits (same runs):")
			for _, b := range SupplyADCSweep {
				fmt.Fprintf(w, " %d: %.2f%%", b, 100*run.SupplyByADCBits[b])
			}
			fmt.Fprintln(w, " (0 = ideal)")
		}
		WriteConfusion(w, "  ", res.Confusion)
	}
	return nil
}

// WriteCSV writes the confusion matrices as rows method, true,
// predicted, count.
func (r *OscNetReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"method", "true", "predicted", "count"})
	for _, run := range r.Runs {
		for y, row := range run.Confusion {
			for p, v := range row {
				cw.Write([]string{string(run.Method), strconv.Itoa(y), strconv.Itoa(p), strconv.Itoa(v)})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
