package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"oscsim/bench"
	"oscsim/internal/atomicfile"
	"oscsim/learn"
)

const evalUsage = `
Usage: oscsim eval oscnet --weights W.npz [flags]

Classifies test images on the simulated OscNet chip (784 rings): every
decision comes from the phase detectors of a relaxed oscillator array (or
the couplers' measured supply power), not from a software energy. Methods
(OscNet v1.5, Cai et al. 2025):
  perclass  program each class's network, relax with SHIL, read the spins,
            lowest class energy wins (10 runs per image)
  pairwise  two-prototype networks W^(a,b) with the connections chosen by
            the learned weights, a 9-match tournament per image
Prints accuracy, the confusion matrix, the couplings used and the settings;
for the per-class method also every read-out of the same runs (the image as
loaded, an ideal detector, the samplers, the supply power).

Examples:
  oscsim train oscnet -o oscnet.npz
  oscsim eval oscnet --weights oscnet.npz --images 1000
  oscsim eval oscnet --weights oscnet.npz --method pairwise --fraction 0.24 --no-noise --no-mismatch
  oscsim eval oscnet --weights oscnet.npz --method perclass --bits 5 --readout supply --adc-bits 12
  oscsim eval oscnet --weights oscnet.npz --method perclass --sym or --full-scale common --scale-quantile 0.99 --bits 4   # the first mapping
  oscsim eval oscnet --weights oscnet.npz --method perclass --bits 3 -o result.json --csv confusion.csv
`

// textFlag is a flag of a vocabulary type (encoding.TextUnmarshaler).
type textFlag struct {
	v interface {
		UnmarshalText([]byte) error
	}
	s string
}

func (f *textFlag) String() string { return f.s }
func (f *textFlag) Set(s string) error {
	if err := f.v.UnmarshalText([]byte(s)); err != nil {
		return err
	}
	f.s = s
	return nil
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "sync" {
		return runEvalSync(ctx, args[1:], stdout, stderr) // sync.go
	}
	if len(args) > 0 && args[0] == "ep" {
		return runEvalEP(ctx, args[1:], stdout, stderr) // evalep.go
	}
	if len(args) == 0 || args[0] != "oscnet" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stderr, strings.TrimSpace(evalUsage))
			return nil
		}
		return usageErr("eval", "want a workload: oscnet, sync or ep")
	}
	e := bench.DefaultOscNetEval()
	fs := newFlags("eval oscnet", evalUsage, stderr)
	chipPath := fs.String("chip", "oscnet-mnist.toml", "chip description (a file, or an embedded config name)")
	fs.StringVar(&e.Weights, "weights", "", "weights .npz from `oscsim train oscnet` (required)")
	method := fs.String("method", "both", "perclass, pairwise or both")
	fs.IntVar(&e.Images, "images", e.Images, "number of test images")
	fs.IntVar(&e.Offset, "offset", e.Offset, "first test image")
	fs.StringVar(&e.Data, "data", "", "directory with the IDX files (default: the user cache, fetched if missing)")
	fs.StringVar(&e.Dataset, "dataset", e.Dataset, "data set: mnist or fashion-mnist")
	fs.Float64Var(&e.Fraction, "fraction", e.Fraction, "pairwise: share of W^(a,b)'s nonzero couplings kept")
	fs.IntVar(&e.PairCode, "pair-code", 0, "pairwise: coupler code of one unit of W^(a,b) (0 = method default, 15)")
	fs.Float64Var(&e.KsScale, "ks-scale", 0, "scale the chip's pump (0 = method default: 1 per-class, 0.02 pairwise)")
	fs.Float64Var(&e.Cycles, "cycles", 0, "run length in cycles (0 = method default: the chip's per-class, 20 pairwise; 60 before issue 22's Fig. 8 run)")
	fs.IntVar(&e.Bits, "bits", 0, "override the coupler code bits (keeps the strongest coupling rate)")
	fs.BoolVar(&e.NoNoise, "no-noise", false, "switch phase noise off")
	fs.StringVar(&e.Precision, "precision", "", "engine precision: float32 or float64 (default "+bench.OscNetPrecision+")")
	fs.BoolVar(&e.NoMismatch, "no-mismatch", false, "no frequency or coupler mismatch")
	seed := addSeedFlag(fs, "mismatch")
	fs.IntVar(&e.Instance, "instance", 0, "chip instance")
	fs.Int64Var(&e.NoiseSeed, "noise-seed", e.NoiseSeed, "noise realisation of the runs")
	fs.IntVar(&e.Jobs, "jobs", 0, "chips evaluated in parallel, one core each (0 = one per core; the results do not depend on it)")
	fs.Var(&textFlag{v: &e.Mapping.Sym, s: string(e.Mapping.Sym)}, "sym", "per-class: symmetrisation of the class networks, exact or or (the first mapping)")
	fs.Var(&textFlag{v: &e.Mapping.Scale, s: string(e.Mapping.Scale)}, "full-scale", "per-class: full scale per class or common to all classes")
	fs.Float64Var(&e.Mapping.Quantile, "scale-quantile", e.Mapping.Quantile, "per-class: the |w| at this quantile maps to the largest code")
	fs.Var(&textFlag{v: &e.Readout, s: string(e.Readout)}, "readout", "per-class: spins (samplers) or supply (coupler supply current)")
	fs.IntVar(&e.ADC.Bits, "adc-bits", e.ADC.Bits, "supply read-out: current-sense ADC bits (0 = ideal)")
	fs.Float64Var(&e.ADC.EnergyPerConversion, "adc-energy", 0, "supply read-out: ADC energy per conversion in J (0 = 10 fJ·2^bits)")
	out := fs.String("o", "", "write the results as JSON")
	csvOut := fs.String("csv", "", "write the confusion matrices as CSV")
	noProgress := noProgressFlag(fs)
	if err := parseNoArgs(fs, args[1:]); err != nil {
		return err
	}
	e.Seed, e.SetSeed = seed.v, seed.set
	if e.Weights == "" {
		return usageErr("eval", "--weights is required (make one with `oscsim train oscnet -o oscnet.npz`)")
	}
	if *method != "both" {
		var m bench.Method
		if err := m.UnmarshalText([]byte(*method)); err != nil {
			return usageErr("eval", "%v (or both)", err)
		}
		e.Methods = []bench.Method{m}
	}
	nl, src, err := loadChip(*chipPath)
	if err != nil {
		return err
	}
	if e.Model, err = learn.Load(e.Weights); err != nil {
		return err
	}
	if !*noProgress {
		e.Progress = stderr
	}
	rep, err := e.Evaluate(ctx, nl, src)
	if err != nil {
		return err
	}
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	if *out != "" {
		if err := atomicfile.Write(*out, func(f *bufio.Writer) error {
			enc := json.NewEncoder(f)
			enc.SetIndent("", " ")
			return enc.Encode(rep)
		}); err != nil {
			return err
		}
	}
	if *csvOut != "" {
		return atomicfile.Write(*csvOut, func(f *bufio.Writer) error { return rep.WriteCSV(f) })
	}
	return nil
}
