package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"oscsim/chip"
	"oscsim/dataset"
	"oscsim/internal/progress"
	"oscsim/learn/freqsync"
	"oscsim/netlist"
)

const trainSyncUsage = `
Usage: oscsim train sync [flags] [-o weights.npz]

Trains the frequency-synchronisation classifier of Vodenicarevic et al.
(J. Appl. Phys. 124, 152117 (2018)): N oscillators coupled all-to-all with
k = 10 MHz, natural frequencies from the input, output = whether a pair
synchronises. Offline training runs full-batch Adam on the loss of eqs. 3-4
with gradients through the chip's engine: by default central differences
of the loss in every natural frequency (--grad fd; the paper's path-wise
derivative, --grad reverse or forward, is dominated by noise at these
settings: docs/sync.md); --online uses the reference classifier's pull/push
rule. Offline training starts 3 times (--restarts) and continues the start
with the lowest loss seen in 10 iterations. Prints training and test accuracy;
-o saves the weights (.npz, with every setting). docs/sync.md has the
equations and choices.

Examples:
  oscsim train sync --task iris --species versicolor -o versicolor.npz
  oscsim train sync --task circle --arch reference --iterations 100
  oscsim train sync --task basic --arch reference --online --iterations 20
  oscsim train sync --task iris --aware-linewidth 1MHz --aware-mismatch 0.001
  oscsim train sync --task iris --paper-dt          # dt = 10 ps (slow)
`

// syncFlags are the settings shared by train sync and eval sync.
type syncFlags struct {
	cmd           string
	task, species *string
	dataDir       *string
	side          *int
}

// addSyncFlags defines the task flags of the command cmd.
func addSyncFlags(fs *flag.FlagSet, cmd string) syncFlags {
	return syncFlags{
		cmd:     cmd,
		task:    fs.String("task", "iris", "task: basic, circle, concave (2-D grids) or iris (eval: the one the weights were trained on)"),
		species: fs.String("species", "versicolor", "iris: the species to recognise (one-vs-rest), or all (three output pairs, one per species)"),
		dataDir: fs.String("data", "", "directory holding iris.json (default: fetch into the user cache)"),
		side:    fs.Int("side", 34, "2-D tasks: grid side (34 → the paper's M = 1156)"),
	}
}

func (f syncFlags) data(ctx context.Context, dim *int) (train, test freqsync.Data, iris bool, err error) {
	var r freqsync.Region
	if *f.task == "iris" {
		dir, err := dataset.Locate(ctx, "iris", *f.dataDir)
		if err != nil {
			return train, test, true, err
		}
		ir, err := dataset.LoadIris(dir)
		if err != nil {
			return train, test, true, err
		}
		sp := -2
		for k, n := range dataset.IrisClasses() {
			if n == *f.species {
				sp = k
			}
		}
		if *f.species == "all" {
			sp = -1 // three species, one output pair each
		}
		if sp < -1 {
			return train, test, true, usageErr(f.cmd, "--species must be setosa, versicolor, virginica or all (got %q)", *f.species)
		}
		train, test, err = freqsync.IrisSplit(ir, sp)
		*dim = 4
		return train, test, true, err
	}
	if err := r.UnmarshalText([]byte(*f.task)); err != nil {
		return train, test, false, usageErr(f.cmd, "--task: %v, or iris", err)
	}
	*dim = 2
	return freqsync.Grid(r, *f.side), freqsync.Data{}, false, nil
}

func runTrainSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train sync", trainSyncUsage, stderr)
	sf := addSyncFlags(fs, "train sync")
	var (
		arch     = fs.String("arch", "extended", "architecture: extended or reference")
		n        = fs.Int("n", 6, "number of oscillators")
		iters    = fs.Int("iterations", 100, "training iterations (full-batch steps or online passes)")
		seed     = fs.Uint64("seed", 1, "seed of the initial weights and phases")
		grad     = fs.String("grad", "fd", "gradient: fd (central differences of the loss, docs/sync.md), or the paper's path-wise reverse (adjoint) or forward (sensitivities, eq. 7)")
		fdStep   = fs.Float64("fd-step", freqsync.TrainFDStep, "--grad fd: step (Hz of natural frequency; default 10 MHz, 2 MHz for the reference network on the 2-D tasks)")
		draws    = fs.Int("draws", 1, "initial-phase draws per example and iteration (loss and gradient averaged)")
		restarts = fs.Int("restarts", freqsync.DefaultRestarts, "offline: train 10 iterations from this many initialisations, continue the one with the lowest training loss (1: one start; default 3, 5 for the reference network on the 2-D tasks)")
		lr       = fs.Float64("lr", 0.03, "Adam learning rate")
		unit     = fs.Float64("unit", freqsync.DefaultUnit, "frequency unit of the parameters (Hz)")
		online   = fs.Bool("online", false, "reference only: the online pull/push rule instead of Adam")
		push     = fs.String("push", string(freqsync.PushThreshold), "--online: what a push is a fraction of: threshold (k/2), observed (|f̄_i − f̄_j|) or natural (|F_i − F_j|) (docs/sync.md, \"The online rule\")")
		pushW    = fs.Float64("push-weight", freqsync.OnlinePushWeight, "--online: the push's weight over the pull's rate (default 20: one push of k per oscillator)")
		decay    = fs.Float64("decay", freqsync.OnlineDecay, "--online: pass p steps with rate/(1 + decay·p) (0: a constant step)")
		noClip   = fs.Bool("no-clip", false, "no tanh clipping of the Jacobian")
		balance  = fs.Bool("balance", false, "weight the loss so both classes of every output pair count equally (a departure from the paper's eq. 1; docs/sync.md)")
		paperDt  = fs.Bool("paper-dt", false, "the paper's dt = 10 ps (default 200 ps)")
		awareLW  = fs.Float64("aware-linewidth", 0, "hardware-aware: phase-noise linewidth (Hz) drawn afresh each step")
		awareMis = fs.Float64("aware-mismatch", 0, "hardware-aware: relative ring-frequency mismatch drawn afresh each step")
		out      = fs.String("o", "", "write the weights to this .npz file")
		noProg   = noProgressFlag(fs)
	)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	var a freqsync.Arch
	if err := a.UnmarshalText([]byte(*arch)); err != nil {
		return usageErr("train sync", "--arch: %v", err)
	}
	var g freqsync.Grad
	if err := g.UnmarshalText([]byte(*grad)); err != nil || g == freqsync.NoGrad {
		return usageErr("train sync", "--grad must be reverse, forward or fd (got %q)", *grad)
	}
	var dim int
	train, test, iris, err := sf.data(ctx, &dim)
	if err != nil {
		return err
	}
	sp := freqsync.PaperSpec(a, dim, iris)
	sp.N, sp.Iterations, sp.Seed, sp.Grad, sp.LR, sp.Unit, sp.Online, sp.NoClip = *n, *iters, *seed, g, *lr, *unit, *online, *noClip
	sp.Draws, sp.Balance = *draws, *balance
	if err := sp.Push.UnmarshalText([]byte(*push)); err != nil {
		return usageErr("train sync", "--push: %v", err)
	}
	if !(*pushW > 0) || math.IsInf(*pushW, 0) || !(*decay >= 0) || math.IsInf(*decay, 0) {
		return usageErr("train sync", "--push-weight must be positive and --decay non-negative, both finite (got %g, %g)", *pushW, *decay)
	}
	sp.PushWeight, sp.Decay = *pushW, *decay
	// --fd-step and --restarts replace PaperSpec's per-task values only
	// when given (the 2-D reference tasks use their own: docs/sync.md).
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "fd-step":
			sp.FDStep = *fdStep
		case "restarts":
			sp.Restarts = *restarts
		}
	})
	if outs := len(train.Y[0]); outs > 1 {
		if sp.Pairs, err = freqsync.DisjointPairs(outs, sp.N); err != nil {
			return usageErr("train sync", "%v", err)
		}
	}
	if *paperDt {
		sp.Phys = freqsync.PaperPhysics()
	}
	if *awareLW > 0 || *awareMis > 0 {
		p := sp.Phys
		p.Linewidth, p.FreqSigma = *awareLW, *awareMis
		sp.Aware = &p
	}
	if !*noProg {
		sp.Progress = progress.New(stderr, "train sync", int64(sp.TotalIterations()), "iterations")
	}
	start := time.Now()
	res, err := sp.Run(ctx, train, test)
	if err != nil {
		return err
	}
	sp.Progress.Done()
	fmt.Fprintf(stdout, "task      %s (%d train, %d test), %s network, N = %d, %d learned parameters\n", *sf.task, len(train.X), len(test.X), a, sp.N, res.Model.Learned())
	fmt.Fprintf(stdout, "physics   k = %g Hz, F in [%g, %g] Hz, dt = %g s, T = %g s, tau = %g s\n", sp.Phys.K, sp.Phys.FMin, sp.Phys.FMax, sp.Phys.Dt, sp.Phys.T, sp.Phys.Tau)
	if h := res.History; len(h) > 0 {
		fmt.Fprintf(stdout, "loss      %.4f → %.4f over %d iterations\n", h[0].Loss, h[len(h)-1].Loss, len(h))
	}
	fmt.Fprintf(stdout, "accuracy  train %.2f%%, test %.2f%%\n", 100*res.Train, 100*res.Test)
	if *out != "" {
		extra := map[string]any{"task": *sf.task, "species": *sf.species, "iterations": sp.Iterations, "seed": sp.Seed,
			"grad": g.String(), "fd_step_hz": sp.FDStep, "draws": sp.Draws, "restarts": sp.Restarts, "lr": sp.LR, "online": sp.Online, "no_clip": sp.NoClip, "balance": sp.Balance, "aware_linewidth_hz": *awareLW, "aware_mismatch": *awareMis}
		if err := freqsync.Save(*out, res.Model, sp.Phys, extra); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "weights   %s\n", *out)
	}
	fmt.Fprintf(stdout, "time      %.1fs\n", time.Since(start).Seconds())
	return nil
}

const evalSyncUsage = `
Usage: oscsim eval sync --weights W.npz [flags]

Runs trained synchronisation-classifier weights (from 'oscsim train sync')
on the simulated oscillator network with phase noise of the given
linewidth, --trials times (fresh initial phases and noise each), and prints
the mean, worst and best test accuracy.

Examples:
  oscsim eval sync --weights versicolor.npz --task iris --species versicolor
  oscsim eval sync --weights versicolor.npz --linewidth 1e6 --trials 100
  oscsim eval sync --weights versicolor.npz --mismatch 0.002 --dac-bits 6 --counter
  oscsim eval sync --weights versicolor.npz --chip configs/sync-iris.toml --mismatch 0.01 --trials 20 --finetune 10
`

// softwareAccuracy is the model's noise-free test accuracy (%) on the
// software network of its own physics.
func softwareAccuracy(ctx context.Context, m *freqsync.Model, phys freqsync.Physics, test freqsync.Data) (float64, error) {
	phys.Linewidth, phys.FreqSigma, phys.CouplerSigma = 0, 0, 0
	net, err := freqsync.NewNet(m.N, phys, 1, 0)
	if err != nil {
		return 0, err
	}
	a, err := freqsync.Accuracy(ctx, net, m, test, freqsync.EvalOptions{Seed: 1})
	return 100 * a, err
}

// recovered is the share of the transfer loss soft − before that tuning
// won back (after − before)/(soft − before); 1 when nothing was lost.
func recovered(soft, before, after float64) float64 {
	if soft-before <= 0 {
		return 1
	}
	return (after - before) / (soft - before)
}

func runEvalSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval sync", evalSyncUsage, stderr)
	sf := addSyncFlags(fs, "eval sync")
	var (
		weights  = fs.String("weights", "", "weights .npz from 'oscsim train sync' (required)")
		lw       = fs.Float64("linewidth", 0, "phase-noise linewidth of each oscillator (Hz)")
		mismatch = fs.Float64("mismatch", 0, "relative ring-frequency mismatch (a new chip instance per trial); with --chip it replaces the chip's oscillators.freq_sigma")
		trials   = fs.Int("trials", 10, "noisy trials")
		dacBits  = fs.Int("dac-bits", -1, "quantise natural frequencies onto a DAC of this many bits over the tuning range (0 = exact; default: the chip's tuning.dac_bits with --chip, else exact)")
		counter  = fs.Bool("counter", false, "read mean frequencies with edge counters over the window (resolution 1/tau)")
		chipPath = fs.String("chip", "", "run on this chip description (e.g. sync-iris.toml: its mismatch, noise, couplers), frequencies scaled by its f0")
		dt       = fs.Float64("dt", 0, "Euler step in seconds (0 = the weights' own; 1e-11 = the paper's)")
		ftSteps  = fs.Int("finetune", 0, "chip-in-the-loop fine-tuning: this many finite-difference Adam steps on each chip instance (training set, its mismatch and noise), then test again")
		ftLR     = fs.Float64("finetune-lr", 0.01, "--finetune: Adam learning rate (parameter units, as in training)")
	)
	seed := addSeedFlag(fs, "the chip instances' mismatch; without --chip, 1")
	model := netlist.ModelPhase
	fs.Var(&textFlag{v: &model, s: string(model)}, "model", "chip model with --chip: phase or cycle")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *weights == "" {
		return usageErr("eval sync", "give --weights W.npz and no other arguments")
	}
	if *trials < 1 || *lw < 0 || *mismatch < 0 || *ftSteps < 0 || !(*ftLR > 0) {
		return usageErr("eval sync", "--trials ≥ 1, --linewidth, --mismatch and --finetune ≥ 0, --finetune-lr > 0")
	}
	m, phys, err := freqsync.Load(*weights)
	if err != nil {
		return err
	}
	var dim int
	train, test, _, err := sf.data(ctx, &dim)
	if err != nil {
		return err
	}
	if dim != m.Dim {
		return fmt.Errorf("%s: the weights take %d inputs, task %s has %d", *weights, m.Dim, *sf.task, dim)
	}
	if len(test.X) == 0 {
		test = train
	}
	phys.Linewidth, phys.FreqSigma = *lw, *mismatch
	if *dt > 0 {
		phys.Dt = *dt
	}
	var accs []float64
	worst, best := math.Inf(1), math.Inf(-1)
	var nl *netlist.Netlist
	var chipPhys freqsync.Physics
	var dacLo, dacHi float64
	run := m
	if *chipPath != "" {
		if nl, _, err = loadChip(*chipPath); err != nil {
			return err
		}
		if *mismatch > 0 {
			nl.Oscillators.FreqSigma, nl.Oscillators.FreqSigmaPelgrom = *mismatch, false
		}
		if chipPhys, err = freqsync.ChipPhysics(nl, phys); err != nil {
			return err
		}
		run = m.Scaled(chipPhys.Center() / phys.Center())
		if err := freqsync.CheckTuning(nl, run); err != nil {
			return err
		}
		f0 := nl.Oscillators.Frequency
		dacLo, dacHi = f0*(1-nl.Tuning.Range), f0*(1+nl.Tuning.Range)
		if *dacBits < 0 {
			*dacBits = nl.Tuning.DACBits
		}
	}
	*dacBits = max(*dacBits, 0)
	var ledger *chip.Ledger
	var tuned []float64
	reach := 0
	ftStep := freqsync.DefaultFDStep * run.Unit / m.Unit
	for t := 0; t < *trials; t++ {
		var net *freqsync.Net
		noise := *lw > 0
		if nl != nil {
			ch, err := chip.Compile(nl, seed.options(t))
			if err != nil {
				return err
			}
			if net, err = freqsync.NetOnChip(ch, chipPhys); err != nil {
				return err
			}
			noise = nl.Oscillators.Linewidth > 0
		} else if net, err = freqsync.NewNet(m.N, phys, seed.or(1), t); err != nil {
			return err
		}
		ev := freqsync.EvalOptions{Noise: noise, NoiseSeed: int64(t + 1), Seed: uint64(t), DACBits: *dacBits, DACLo: dacLo, DACHi: dacHi, Counter: *counter, Model: model}
		pred, L, err := freqsync.PredictLedger(ctx, net, run, test.X, ev)
		if err != nil {
			return err
		}
		ledger = L
		a := freqsync.Score(pred, test.Y)
		if err != nil {
			return err
		}
		accs = append(accs, 100*a)
		worst, best = math.Min(worst, 100*a), math.Max(best, 100*a)
		if *ftSteps > 0 {
			tm, _, err := freqsync.FineTune(ctx, net, run, train, *ftSteps, *ftLR, ftStep, uint64(t)+7000)
			if err != nil {
				return err
			}
			p2, _, err := freqsync.PredictLedger(ctx, net, tm, test.X, ev)
			if err != nil {
				return err
			}
			a2 := 100 * freqsync.Score(p2, test.Y)
			tuned = append(tuned, a2)
			fmt.Fprintf(stdout, "instance  %d: %.2f%% → %.2f%% after fine-tuning\n", t, 100*a, a2)
			if a2 >= 95 {
				reach++
			}
		}
	}
	mean, sd := freqsync.MeanStd(accs)
	fmt.Fprintf(stdout, "weights   %s (%s, N = %d)\n", *weights, m.Arch, m.N)
	if nl != nil {
		fmt.Fprintf(stdout, "noise     the chip's: linewidth %g Hz, ring mismatch %g, coupler mismatch %g; %d chip instances; DAC bits %d, counter read-out %v\n",
			nl.Oscillators.Linewidth, nl.Oscillators.FreqSigma, nl.Couplings.Sigma, *trials, *dacBits, *counter)
	} else {
		fmt.Fprintf(stdout, "noise     linewidth %g Hz, mismatch %g, %d trials; DAC bits %d, counter read-out %v\n", *lw, *mismatch, *trials, *dacBits, *counter)
	}
	fmt.Fprintf(stdout, "accuracy  mean %.2f%% ± %.2f, worst %.2f%%, best %.2f%% (%d test items)\n", mean, sd, worst, best, len(test.X))
	if len(tuned) > 0 {
		soft, err := softwareAccuracy(ctx, m, phys, test)
		if err != nil {
			return err
		}
		tm, tsd := freqsync.MeanStd(tuned)
		tw := slices.Min(tuned)
		before := 0
		for _, a := range accs {
			if a >= 95 {
				before++
			}
		}
		fmt.Fprintf(stdout, "finetune  %d steps (lr %g) on each instance: mean %.2f%% ± %.2f, worst %.2f%%; software (noise-free) %.2f%%; recovered %.0f%% of the mean transfer loss; instances ≥ 95%%: %d/%d before, %d/%d after\n",
			*ftSteps, *ftLR, tm, tsd, tw, soft, 100*recovered(soft, mean, tm), before, len(accs), reach, len(tuned))
	}
	if nl != nil && ledger != nil {
		F := make([][]float64, len(test.X))
		for k, x := range test.X {
			F[k], _ = run.Frequencies(x)
		}
		freqsync.AddTuning(ledger, nl, run, F, chipPhys.T)
		fmt.Fprintf(stdout, "chip      %s, %s model: k = %s, tuning [%s, %s], T = %s, f̄ over %s\n", nl.Name, model,
			netlist.FormatSI(chipPhys.K, "Hz"), netlist.FormatSI(chipPhys.FMin, "Hz"), netlist.FormatSI(chipPhys.FMax, "Hz"),
			netlist.FormatSI(chipPhys.T, "s"), netlist.FormatSI(chipPhys.Tau, "s"))
		fmt.Fprintf(stdout, "ledger    die %.4g mm², power %s, energy per inference %s, time per inference %s (rings at their tuned frequencies, couplers, counters, tuning DACs and MAC)\n",
			ledger.DieArea*1e6, netlist.FormatSI(ledger.TotalPower, "W"), netlist.FormatSI(ledger.EnergyPerRun, "J"), netlist.FormatSI(chipPhys.T, "s"))
		for _, l := range ledger.Area[len(ledger.Area)-2:] {
			fmt.Fprintf(stdout, "          area   %-26s %.4g µm²  (%s)\n", l.Name, l.Value*1e12, l.Formula)
		}
		for _, l := range ledger.Energy {
			fmt.Fprintf(stdout, "          energy %-26s %s  (%s)\n", l.Name, netlist.FormatSI(l.Value, "J"), l.Formula)
		}
	}
	return nil
}
