package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"oscsim/bench"
	"oscsim/chip"
	"oscsim/internal/atomicfile"
	"oscsim/learn"
	"oscsim/netlist"
)

const evalUsage = `
Usage: oscsim eval oscnet --weights W.npz [flags]

Classifies test images on the simulated OscNet chip (784 rings): every
decision comes from the phase detectors of a relaxed oscillator array, not
from a software energy. Methods (OscNet v1.5, Cai et al. 2025):
  perclass  program each class's network, relax with SHIL, read the spins,
            lowest class energy wins (10 runs per image)
  pairwise  two-prototype networks W^(a,b) with the connections chosen by
            the learned weights, a 9-match tournament per image
Prints accuracy, the confusion matrix, the couplings used and the settings.

Examples:
  oscsim train oscnet -o oscnet.npz
  oscsim eval oscnet --weights oscnet.npz --images 1000
  oscsim eval oscnet --weights oscnet.npz --method pairwise --fraction 0.24 --no-noise --no-mismatch
  oscsim eval oscnet --weights oscnet.npz --method perclass --bits 3 -o result.json --csv confusion.csv
`

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "sync" {
		return runEvalSync(ctx, args[1:], stdout, stderr) // sync.go
	}
	if len(args) == 0 || args[0] != "oscnet" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stderr, strings.TrimSpace(evalUsage))
			return nil
		}
		return usageErr("eval", "want a workload: oscnet")
	}
	fs := newFlags("eval oscnet", evalUsage, stderr)
	chipPath := fs.String("chip", "oscnet-mnist.toml", "chip description (a file, or an embedded config name)")
	weights := fs.String("weights", "", "weights .npz from `oscsim train oscnet` (required)")
	method := fs.String("method", "both", "perclass, pairwise or both")
	images := fs.Int("images", 1000, "number of test images")
	offset := fs.Int("offset", 0, "first test image")
	data := fs.String("data", "", "directory with the IDX files (default: the user cache, fetched if missing)")
	dsName := fs.String("dataset", "mnist", "data set: mnist or fashion-mnist")
	fraction := fs.Float64("fraction", 0.24, "pairwise: share of W^(a,b)'s nonzero couplings kept")
	pairCode := fs.Int("pair-code", 0, "pairwise: coupler code of one unit of W^(a,b) (0 = method default, 15)")
	ksScale := fs.Float64("ks-scale", 0, "scale the chip's pump (0 = method default: 1 per-class, 0.02 pairwise)")
	cycles := fs.Float64("cycles", 0, "run length in cycles (0 = method default: the chip's per-class, 60 pairwise)")
	bits := fs.Int("bits", 0, "override the coupler code bits (keeps the strongest coupling rate)")
	noNoise := fs.Bool("no-noise", false, "switch phase noise off")
	precision := fs.String("precision", "", "engine precision: float32 or float64 (default "+bench.OscNetPrecision+")")
	noMismatch := fs.Bool("no-mismatch", false, "no frequency or coupler mismatch")
	seed := fs.Int64("seed", 0, "seed (default: the chip's run.seed)")
	instance := fs.Int("instance", 0, "chip instance")
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "chips evaluated in parallel, one core each (the results do not depend on it)")
	out := fs.String("o", "", "write the results as JSON")
	csvOut := fs.String("csv", "", "write the confusion matrices as CSV")
	noProgress := noProgressFlag(fs)
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("eval", "unexpected argument %q", pos[0])
	}
	if *weights == "" {
		return usageErr("eval", "--weights is required (make one with `oscsim train oscnet -o oscnet.npz`)")
	}
	if *precision == "" {
		*precision = bench.OscNetPrecision
	}
	if *precision != chip.PrecisionFloat32 && *precision != chip.PrecisionFloat64 {
		return usageErr("eval", "unknown precision %q (want float32 or float64)", *precision)
	}
	methods := []string{*method}
	if *method == "both" {
		methods = []string{"perclass", "pairwise"}
	} else if *method != "perclass" && *method != "pairwise" {
		return usageErr("eval", "unknown method %q (want perclass, pairwise or both)", *method)
	}
	nl, src, err := loadChip(*chipPath)
	if err != nil {
		return err
	}
	if *bits > 0 {
		if nl, err = bench.WithBits(nl, *bits); err != nil {
			return usageErr("eval", "%v", err)
		}
	}
	if *noMismatch {
		nl = bench.WithoutMismatch(nl)
	}
	m, err := learn.Load(*weights)
	if err != nil {
		return err
	}
	seedSet := *seed != 0
	ch, err := compileChip(nl, chip.Options{Seed: *seed, SetSeed: seedSet, Instance: *instance})
	if err != nil {
		return err
	}
	chips := []*chip.Chip{ch}
	for len(chips) < *jobs {
		c, err := compileChip(nl, chip.Options{Seed: *seed, SetSeed: seedSet, Instance: *instance})
		if err != nil {
			return err
		}
		chips = append(chips, c)
	}
	type runOut struct {
		Method           string  `json:"method"`
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
	}
	doc := struct {
		Chip       string            `json:"chip"`
		Weights    string            `json:"weights"`
		Training   learn.Settings    `json:"training"`
		Seed       int64             `json:"seed"`
		Instance   int               `json:"instance"`
		NoNoise    bool              `json:"no_noise"`
		Precision  string            `json:"precision"`
		NoMismatch bool              `json:"no_mismatch"`
		Fraction   float64           `json:"fraction"`
		PairCode   int               `json:"pair_code"`
		Bits       int               `json:"bits"`
		Netlist    *netlist.Netlist  `json:"netlist"`
		Runs       []runOut          `json:"runs"`
		Extra      map[string]string `json:"extra,omitempty"`
	}{Chip: src, Weights: *weights, Training: m.Settings, Seed: ch.Seed(), Instance: *instance, NoNoise: *noNoise, Precision: *precision,
		NoMismatch: *noMismatch, Fraction: *fraction, PairCode: *pairCode, Bits: nl.Couplings.Bits, Netlist: nl}

	fmt.Fprintf(stdout, "chip      %s: %s\n", src, nl.Summary())
	fmt.Fprintf(stdout, "weights   %s (%d classes, %d pixels, rule %s k=%d, norm %s)\n", *weights, m.Classes, m.Pixels, m.Settings.Rule, m.Settings.K, m.Settings.Norm)
	fmt.Fprintf(stdout, "settings  %d test images from %d, seed %d, instance %d, noise %v, mismatch %v, %s (%s kernels)\n", *images, *offset, ch.Seed(), *instance, !*noNoise, !*noMismatch, *precision, chip.EngineKernels())
	for _, meth := range methods {
		o := &bench.OscNet{Model: m, Method: meth, Fraction: *fraction, PairCode: *pairCode, ScaleQuantile: 0.99, Jitter: 0.1, Batch: 64,
			NoNoise: *noNoise, KsScale: *ksScale, Duration: *cycles / nl.Oscillators.Frequency, Precision: *precision}
		if err := o.LoadImages(ctx, *dsName, *data, *offset, *images); err != nil {
			return err
		}
		t0 := time.Now()
		pm := newMeter(stderr, *noProgress, "eval "+meth, "images")
		o.Progress = pm.Set
		r, err := o.EvaluateOn(ctx, chips, 0, *images, 1)
		pm.Done()
		if err != nil {
			return err
		}
		wall := time.Since(t0)
		ro := runOut{Method: meth, Accuracy: r.Accuracy(), Images: r.Images, Correct: r.Correct, Confusion: r.Confusion,
			Couplings: r.Couplings, ProgramsPerImage: r.Programs, KeptFraction: r.KeptFraction, ChipTimePerImage: r.ChipTime,
			Power: r.Power, CouplerPower: r.CouplerPower, Energy: r.Energy, WallSeconds: wall.Seconds()}
		if r.Ledger != nil {
			ro.Area = r.Ledger.DieArea // the runs' own ledger, not a second one
		}
		doc.Runs = append(doc.Runs, ro)
		fmt.Fprintf(stdout, "\n%s: accuracy %.2f%% (%d/%d)\n", meth, 100*r.Accuracy(), r.Correct, r.Images)
		fmt.Fprintf(stdout, "  couplings %.0f per network, %.0f programs per image, chip time %s per image, wall %s\n",
			r.Couplings, r.Programs, netlist.FormatSI(r.ChipTime, "s"), wall.Round(time.Millisecond))
		fmt.Fprintf(stdout, "  power %s (couplers %s), energy %s per inference, die %.3g mm²\n",
			netlist.FormatSI(r.Power, "W"), netlist.FormatSI(r.CouplerPower, "W"), netlist.FormatSI(r.Energy, "J"), ro.Area*1e6)
		if meth == "pairwise" {
			fmt.Fprintf(stdout, "  connections kept: %.1f%% of W^(a,b)'s nonzero couplings\n", 100*r.KeptFraction)
		}
		fmt.Fprintln(stdout, "  confusion (rows: true, columns: predicted)")
		fmt.Fprint(stdout, "       ")
		for c := range r.Confusion {
			fmt.Fprintf(stdout, "%5d", c)
		}
		fmt.Fprintln(stdout)
		for y, row := range r.Confusion {
			fmt.Fprintf(stdout, "  %5d", y)
			for _, v := range row {
				fmt.Fprintf(stdout, "%5d", v)
			}
			fmt.Fprintln(stdout)
		}
	}
	if *out != "" {
		if err := atomicfile.Write(*out, func(f *bufio.Writer) error {
			enc := json.NewEncoder(f)
			enc.SetIndent("", " ")
			return enc.Encode(doc)
		}); err != nil {
			return err
		}
	}
	if *csvOut != "" {
		if err := atomicfile.Write(*csvOut, func(f *bufio.Writer) error {
			w := csv.NewWriter(f)
			w.Write([]string{"method", "true", "predicted", "count"})
			for _, r := range doc.Runs {
				for y, row := range r.Confusion {
					for p, v := range row {
						w.Write([]string{r.Method, strconv.Itoa(y), strconv.Itoa(p), strconv.Itoa(v)})
					}
				}
			}
			w.Flush()
			return w.Error()
		}); err != nil {
			return err
		}
	}
	return nil
}
