package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"oscsim/bench"
	"oscsim/internal/atomicfile"
	"oscsim/learn/eqprop"
	"oscsim/netlist"
)

const evalEPUsage = `
Usage: oscsim eval ep --weights W.npz [flags]

Classifies test images on a compiled layered chip (couplings.topology =
"layered"): the weights of 'oscsim train ep' programmed onto its B-bit
couplers, the input rings held at the image's phases and the biases
applied by its injection drivers at f0, frequency and coupler mismatch and
phase noise as described; each class is read from the output rings' TDCs
(argmax cos φ_k against the reference). Prints accuracy, the couplers
used, and the area, power, time and energy per inference from the chip's
ledger (docs/ep.md, "The layered chip").

Examples:
  oscsim eval ep --weights ep.npz --images 1000
  oscsim eval ep --chip configs/ep-mnist.toml --weights ep.npz --model cycle --images 200
  oscsim eval ep --weights ep.npz --bits 3 --det-bits 4 --json
  oscsim eval ep --weights ep-fmnist.npz --dataset fashion-mnist --no-noise --no-mismatch -o result.json
`

func runEvalEP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	e := bench.DefaultEPEval()
	fs := newFlags("eval ep", evalEPUsage, stderr)
	chipPath := fs.String("chip", "ep-mnist.toml", "chip description (a file, or an embedded config name)")
	fs.StringVar(&e.Weights, "weights", "", "weights .npz from `oscsim train ep` (required)")
	fs.IntVar(&e.Images, "images", e.Images, "number of test images")
	fs.IntVar(&e.Offset, "offset", e.Offset, "first test image")
	fs.StringVar(&e.Data, "data", "", "directory with the IDX files (default: the user cache, fetched if missing)")
	fs.StringVar(&e.Dataset, "dataset", "", "data set: mnist or fashion-mnist (default: the one the weights were trained on)")
	fs.Var(&textFlag{v: &e.Model}, "model", "chip model: phase or cycle (default: the description's)")
	fs.IntVar(&e.Bits, "bits", 0, "override the coupler code bits (keeps the strongest coupling rate)")
	fs.IntVar(&e.DetBits, "det-bits", 0, "override the output TDCs' bits")
	fs.BoolVar(&e.NoNoise, "no-noise", false, "switch phase noise off")
	fs.BoolVar(&e.NoMismatch, "no-mismatch", false, "no frequency or coupler mismatch")
	fs.Float64Var(&e.FullScale, "full-scale", 0, "weight mapped to the largest coupler code (0 = the trainer's WMax after quantisation-aware training, else the largest |w|)")
	fs.Float64Var(&e.Clamp, "clamp", 0, fmt.Sprintf("input clamps' strength, a multiple of an input ring's largest coupler pull (0 = %d)", bench.EPDefaultClamp))
	fs.Float64Var(&e.Time, "time", 0, "relaxation length in network time constants (0 = the weights' training setting)")
	fs.Int64Var(&e.Seed, "seed", 0, "chip seed, any value (default: the chip's run.seed)")
	fs.IntVar(&e.Instance, "instance", 0, "chip instance")
	fs.Int64Var(&e.NoiseSeed, "noise-seed", e.NoiseSeed, "noise realisation of the runs")
	fs.IntVar(&e.Calibrate, "calibrate", e.Calibrate, "training images on which the read-out's reference phase is trimmed once (0 = none: φ_ref = 0)")
	fs.IntVar(&e.Batch, "batch", e.Batch, "images per chip run (results do not depend on it)")
	fs.StringVar(&e.Precision, "precision", e.Precision, "engine state precision: float64 or float32 (faster, its own noise realisation)")
	fs.Float64Var(&e.StepRate, "step-rate", e.StepRate, "phase model's step bound dt·λ (0 = the trainer's default)")
	fs.BoolVar(&e.NoTrim, "no-trim", false, "cycle model: leave out the rings' trims for their couplers' second-order loading (docs/ep.md)")
	fs.BoolVar(&e.Software, "software", false, "also classify the same images in software (the trainer's phase model, no noise or mismatch)")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of text")
	out := fs.String("o", "", "also write the report as JSON to this file")
	noProgress := noProgressFlag(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { e.SetSeed = e.SetSeed || f.Name == "seed" })
	if e.Weights == "" {
		return usageErr("eval ep", "--weights is required (make one with `oscsim train ep -o ep.npz`)")
	}
	nl, _, err := loadChip(*chipPath)
	if err != nil {
		return err
	}
	if e.Net, err = eqprop.LoadLayered(e.Weights); err != nil {
		return err
	}
	if e.Dataset == "" {
		e.Dataset = e.Net.Settings.Data
		if e.Dataset == "" {
			e.Dataset = "mnist"
		}
	}
	if !*noProgress {
		e.Progress = stderr
	}
	rep, err := e.Evaluate(ctx, nl)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", " ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if err := writeEPReport(stdout, rep); err != nil {
		return err
	}
	if *out != "" {
		return atomicfile.Write(*out, func(f *bufio.Writer) error {
			enc := json.NewEncoder(f)
			enc.SetIndent("", " ")
			return enc.Encode(rep)
		})
	}
	return nil
}

// writeEPReport prints an EPReport as text.
func writeEPReport(w io.Writer, r *bench.EPReport) error {
	si := netlist.FormatSI
	noise, mism := "on", "on"
	if r.NoNoise {
		noise = "off"
	}
	if r.NoMismatch {
		mism = "off"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "chip\t%s (%v, %s model)\n", r.Chip, r.Sizes, r.Model)
	fmt.Fprintf(tw, "weights\t%s\n", r.Weights)
	fmt.Fprintf(tw, "images\t%d of %s\n", r.Images, r.Dataset)
	fmt.Fprintf(tw, "accuracy\t%.2f ± %.2f%% (%d correct; binomial standard error)\n", r.Accuracy, r.AccuracyErr, r.Correct)
	if r.Software != nil {
		fmt.Fprintf(tw, "software\t%.2f%% on the same images (phase model, no noise or mismatch)\n", *r.Software)
	}
	fmt.Fprintf(tw, "couplers\t%d of %d sites programmed, %d-bit codes on full scale %g (%d clipped, %d zeroed)\n",
		r.Couplers, r.Sites, r.Bits, r.FullScale, r.Quant.Clipped, r.Quant.Zeroed)
	fmt.Fprintf(tw, "read-out\t%d-bit TDCs on the output rings, reference phase %.3f rad (trimmed on %d training images)\n", r.DetectorBits, r.ReadoutRef, r.Calibration)
	fmt.Fprintf(tw, "noise, mismatch\t%s, %s\n", noise, mism)
	fmt.Fprintf(tw, "κ, clamp\t%.3g%% of ω0 per unit weight; clamps %g× the largest input pull = %.3g κ; rate scale %.3g κ\n", 100*r.Kappa, r.Clamp, r.ClampRate, r.RateScale)
	if r.ClampLimited {
		fmt.Fprintf(tw, "\tthe clamps are limited by the drivers' full scale (injection.max_current)\n")
	}
	if r.Pumped > 0 {
		fmt.Fprintf(tw, "SHIL pump\t%d rings at their own strengths, full strength %.3g%% of ω0\n", r.Pumped, 100*r.PumpKs)
	}
	if r.TrimMax > 0 {
		fmt.Fprintf(tw, "ring trims\tup to %.3g%% of f0 for the couplers' second-order loading (cycle model)\n", 100*r.TrimMax)
	}
	fmt.Fprintf(tw, "time per inference\t%s (%d steps)\n", si(r.TimeS, "s"), r.Steps)
	fmt.Fprintf(tw, "power\t%s\n", si(r.PowerW, "W"))
	fmt.Fprintf(tw, "energy per inference\t%.4g nJ (run %.4g nJ, input codes %.4g nJ); programming once %.4g nJ\n", r.EnergyNJ, r.RunNJ, r.InputNJ, r.ProgramNJ)
	fmt.Fprintf(tw, "die area\t%.4g mm²\n", r.AreaMM2)
	fmt.Fprintf(tw, "wall\t%.1f s\n", r.Wall)
	if err := tw.Flush(); err != nil {
		return err
	}
	bench.WriteConfusion(w, "", r.Confusion)
	return nil
}
