package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"oscsim/internal/progress"
	"oscsim/learn/eqprop"
	"oscsim/netlist"
	"oscsim/repro"
)

const trainEPUsage = `
Usage: oscsim train ep [flags] -o weights.npz
       oscsim train ep --resume checkpoint.npz [-o weights.npz]

Trains a layered oscillator classifier (784-H-10 rings) by equilibrium
propagation through the chip's engine (docs/ep.md §6): the input rings held
at the pixels' phases, the biases injections at f0, a free relaxation and
two nudged ones (±β, an injection at f0 on the output rings) per minibatch,
every minibatch a batch of chip inputs. The class is the output ring
closest in phase to the reference. After every epoch it prints the test
accuracy and writes a checkpoint (atomically); --resume continues from one
and gives the same weights as an uninterrupted run. -o saves the final
weights for 'oscsim eval ep'.

Free relaxations start from the forward start (--start forward: each layer
at the phase its previous layer and bias inject; --start zero: every ring
at phase 0, the first runs' choice, whose EP estimate was far from the
equilibrium gradient), Adam's rates follow a cosine schedule to 0 over the
run (--schedule constant to keep them); --estimator bptt trains by
backpropagation through the Euler steps instead of EP (a software
reference). docs/ep.md §6.5 has the measurements behind these defaults.

--cost xent nudges the outputs along a softmax cross-entropy on
gain·cos φ_k instead of towards targets 0 and π/2 (the class read stays
argmax cos φ_k); --shil / --shil-train give every hidden and output ring
a SHIL pump at 2·f0 of its own (trainable) strength (docs/ep.md §6.6).

Quantisation-aware (--bits B: couplers on B-bit codes in the loop) and
noise-aware (--linewidth, --freq-sigma: phase noise and ring mismatch in
the loop) training are options, with a chip's remedies (docs/ep.md §6.3):
--instances N (train on N chip instances, cycled by minibatch; 0: a new
one every epoch), --repeats K and --window T (average K nudged
relaxations, or the read-out over T more time constants), --beta, and
--det-bits D (the output rings read through D-bit TDCs).

MNIST is fetched once into the user cache (or --data DIR with the IDX
files); Fashion-MNIST likewise.

Examples:
  oscsim train ep -o ep.npz
  oscsim train ep --dataset fashion-mnist --epochs 5 -o ep-fmnist.npz
  oscsim train ep --hidden 64 --train 5000 --epochs 2 -o small.npz
  oscsim train ep --bits 5 --linewidth 20kHz --beta 0.3 --repeats 4 --window 30 -o aware.npz
  oscsim train ep --freq-sigma 0.02% --instances 4 -o robust.npz
  oscsim train ep --resume ep.npz.ckpt -o ep.npz
`

// runTrainEP implements 'oscsim train ep'.
func runTrainEP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train ep", trainEPUsage, stderr)
	def := eqprop.DefaultLayeredSettings
	var (
		dataDir   = fs.String("data", "", "directory with train/t10k IDX files (default: fetch into the user cache)")
		dsName    = fs.String("dataset", "mnist", "data set: mnist or fashion-mnist")
		hidden    = fs.String("hidden", "256", "hidden layer sizes, comma-separated (784-H-10)")
		epochs    = fs.Int("epochs", def.Epochs, "epochs")
		batch     = fs.Int("batch", def.Batch, "minibatch size (chip inputs per relaxation)")
		beta      = fs.Float64("beta", def.Beta, "nudge strength β in units of κ (symmetric ±β)")
		lr        = fs.String("lr", joinFloats(def.LR), "learning rates, one or one per layer pair, comma-separated")
		optim     = fs.String("optimizer", def.Optimizer, "optimiser: adam or sgd")
		momentum  = fs.Float64("momentum", 0, "SGD momentum, or Adam's β1 (0: 0.9)")
		seed      = fs.Uint64("seed", 1, "seed of initialisation, shuffling, noise and mismatch")
		bits      = fs.Int("bits", 0, "coupler code bits in the loop (0: float weights)")
		linewidth = fs.String("linewidth", "0Hz", "rings' phase-noise linewidth in the loop (e.g. 20kHz)")
		fsigma    = fs.String("freq-sigma", "0", "rings' relative frequency mismatch in the loop (e.g. 0.02%)")
		relax     = fs.Float64("time", def.Time, "relaxation length in network time constants")
		wmax      = fs.Float64("wmax", def.WMax, "couplers' full scale: weights and biases clipped to ±wmax")
		startAt   = fs.String("start", string(def.Start), "free relaxations start from: zero or forward (each layer at its input phasor's phase)")
		estim     = fs.String("estimator", string(def.Estimator), "gradient: ep (symmetric ±β) or bptt (backpropagation through the Euler steps, software reference)")
		sched     = fs.String("schedule", string(def.Schedule), "learning-rate schedule: constant or cosine (to 0 over the run)")
		costName  = fs.String("cost", string(def.Cost), "output cost the nudge follows: cos (targets 0 and π/2) or xent (softmax cross-entropy on gain·cos φ)")
		gain      = fs.Float64("gain", def.Gain, "read-out gain of the xent cost's logits gain·cos φ_k")
		shilInit  = fs.Float64("shil", 0, "initial per-ring SHIL strength (units of κ, |s| ≤ wmax); non-zero or --shil-train gives the rings a pump")
		shilTrain = fs.Bool("shil-train", false, "train the per-ring SHIL strengths by EP")
		lrBias    = fs.Float64("lr-bias", 0, "biases' learning rate (0: their layer pair's)")
		lrSHIL    = fs.Float64("lr-shil", 0, "SHIL strengths' learning rate (0: their layer pair's)")
		nTrain    = fs.Int("train", 0, "use the first N training images (0: all)")
		nTest     = fs.Int("test", 0, "evaluate on the first N test images after each epoch (0: all, -1: none)")
		out       = fs.String("o", "", "write the final weights to this .npz file")
		ckpt      = fs.String("checkpoint", "", "checkpoint written after every epoch (default: <-o>.ckpt)")
		resume    = fs.String("resume", "", "continue from this checkpoint (its settings; --epochs may raise the count)")
		noProg    = noProgressFlag(fs)
		setAware  = awareFlags(fs) // ep_noise.go
	)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("train ep", "unexpected arguments %q", pos)
	}
	epochsSet := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "epochs" {
			epochsSet = true
		}
	})
	var W *eqprop.LayeredWeights
	var s eqprop.LayeredSettings
	if *resume != "" {
		if W, err = eqprop.LoadLayered(*resume); err != nil {
			return err
		}
		s = W.Settings
		if epochsSet {
			s.Epochs = *epochs
		}
		*dsName = s.Data
		if *ckpt == "" {
			*ckpt = *resume
		}
	} else {
		var lw netlist.Frequency
		if err := lw.UnmarshalText([]byte(*linewidth)); err != nil {
			return usageErr("train ep", "--linewidth: %v", err)
		}
		var fsg netlist.Ratio
		if err := fsg.UnmarshalText([]byte(*fsigma)); err != nil {
			return usageErr("train ep", "--freq-sigma: %v", err)
		}
		rates, err := parseFloats(*lr)
		if err != nil {
			return usageErr("train ep", "--lr: %v", err)
		}
		hs, err := parseInts(*hidden)
		if err != nil {
			return usageErr("train ep", "--hidden: %v", err)
		}
		if *dsName != "mnist" && *dsName != "fashion-mnist" {
			return usageErr("train ep", "--dataset must be mnist or fashion-mnist (got %q)", *dsName)
		}
		s = def
		s.Data, s.Epochs, s.Batch, s.Beta, s.LR, s.Optimizer, s.Momentum = *dsName, *epochs, *batch, *beta, rates, *optim, *momentum
		s.Seed, s.Bits, s.Linewidth, s.FreqSigma, s.Time, s.WMax = *seed, *bits, float64(lw), float64(fsg), *relax, *wmax
		setAware(&s)
		if err := s.Start.UnmarshalText([]byte(*startAt)); err != nil {
			return usageErr("train ep", "--start: %v", err)
		}
		if err := s.Estimator.UnmarshalText([]byte(*estim)); err != nil {
			return usageErr("train ep", "--estimator: %v", err)
		}
		if err := s.Schedule.UnmarshalText([]byte(*sched)); err != nil {
			return usageErr("train ep", "--schedule: %v", err)
		}
		if err := s.Cost.UnmarshalText([]byte(*costName)); err != nil {
			return usageErr("train ep", "--cost: %v", err)
		}
		s.Gain, s.SHIL, s.SHILTrain, s.LRBias, s.LRSHIL = *gain, *shilInit, *shilTrain, *lrBias, *lrSHIL
		if s.Cost != eqprop.CostXent {
			s.Gain = 0
		}
		s = s.WithDefaults()
		sizes := append(append([]int{784}, hs...), 10)
		if err := s.Validate(len(sizes) - 1); err != nil {
			return fmt.Errorf("%w: %v (try 'oscsim train ep -h')", errUsage, strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		if W, err = eqprop.NewLayered(sizes...); err != nil {
			return usageErr("train ep", "%v", err)
		}
		W.Init(s.Init, s.Seed)
		if s.SHILTrain || s.SHIL != 0 {
			W.EnableSHIL(s.SHIL)
		}
		W.Settings = s
	}
	if *ckpt == "" && *out != "" {
		*ckpt = *out + ".ckpt"
	}
	if *out == "" {
		fmt.Fprintln(stderr, "oscsim train ep: no -o given; only the checkpoint (if any) will hold the weights")
	}
	if *nTrain < 0 {
		return usageErr("train ep", "--train must be >= 0")
	}
	testN := max(*nTest, 0)
	train, test, err := repro.LoadEPData(ctx, *dsName, *dataDir, *nTrain, testN)
	if err != nil {
		return err
	}
	if *nTest < 0 {
		test = eqprop.Examples{}
	}
	start := time.Now()
	left := s.Epochs - W.Settings.Epoch
	if left <= 0 {
		fmt.Fprintf(stdout, "nothing to do: %d of %d epochs done\n", W.Settings.Epoch, s.Epochs)
	}
	var meter *progress.Meter
	if !*noProg && left > 0 {
		meter = progress.New(stderr, "train ep", int64(left*train.N), "images")
	}
	fmt.Fprintf(stdout, "dataset   %s: %d train, %d test images\n", *dsName, train.N, test.N)
	fmt.Fprintf(stdout, "network   %s, %d parameters; batch %d, β = %g, %s lr %v (%s), %d bits, linewidth %g Hz, freq σ %g\n",
		joinInts(W.Sizes), W.NParams(), s.Batch, s.Beta, s.Optimizer, s.LR, s.Schedule, s.Bits, s.Linewidth, s.FreqSigma)
	fmt.Fprintf(stdout, "relax     %g time constants from %s, wmax %g, estimator %s, cost %s", s.Time, s.Start, s.WMax, s.Estimator, s.Cost)
	if s.Cost == eqprop.CostXent {
		fmt.Fprintf(stdout, " (gain %g)", s.Gain)
	}
	if s.SHILTrain || s.SHIL != 0 || W.SHIL != nil {
		fmt.Fprintf(stdout, ", SHIL %g (trained: %v)", s.SHIL, s.SHILTrain)
	}
	if s.LRBias != 0 || s.LRSHIL != 0 {
		fmt.Fprintf(stdout, ", lr bias %g, SHIL %g", s.LRBias, s.LRSHIL)
	}
	fmt.Fprintln(stdout)
	tr, err := eqprop.TrainLayered(ctx, W, s, train, test, eqprop.LayeredRun{Checkpoint: *ckpt, Meter: meter, TestN: *nTest,
		OnEpoch: func(r eqprop.EpochRecord) {
			fmt.Fprintf(stdout, "epoch %d   cost %.4f, train %.2f%%, test %s (%.0f s)\n", r.Epoch, r.Cost, 100*r.TrainAcc, pct(r.TestAcc), r.Seconds)
		}})
	meter.Done()
	if err != nil {
		return err
	}
	if tr != nil && tr.Relaxations > 0 {
		el := time.Since(start).Seconds()
		fmt.Fprintf(stdout, "engine    %d relaxations, %.3g coupler updates in the engine (%.3g/s), %.3g chip-equivalent (%.3g/s)\n",
			tr.Relaxations, float64(tr.Updates), float64(tr.Updates)/el, float64(tr.Equivalent), float64(tr.Equivalent)/el)
	}
	if *ckpt != "" && left > 0 {
		fmt.Fprintf(stdout, "checkpoint %s\n", *ckpt)
	}
	if *out != "" {
		final := W.Clone()
		final.Opt = nil
		if err := final.Save(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "weights   %s\n", *out)
	}
	fmt.Fprintf(stdout, "time      %.1fs\n", time.Since(start).Seconds())
	return nil
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	return fmt.Sprintf("%.2f%%", 100*x)
}

func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for k, x := range v {
		s[k] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for k, x := range v {
		s[k] = strconv.Itoa(x)
	}
	return strings.Join(s, "-")
}
