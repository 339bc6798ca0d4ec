package repro

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/gonum/stat"

	"oscsim/bench"
	"oscsim/configs"
	"oscsim/dataset"
	"oscsim/learn/eqprop"
	"oscsim/netlist"
)

// A layered oscillator classifier trained by equilibrium propagation on
// MNIST and Fashion-MNIST (docs/ep.md §6 "Layered classifier on MNIST"):
// the software phase model through the engine (float weights), then the
// same weights on the compiled chip (configs/ep-mnist.toml: 5-bit
// couplers, noise and mismatch) in both models, with the chip's energy per
// inference and area from its ledger. Anchors: Gower, arXiv 2505.02103
// (97.2 ± 0.1% MNIST, 88.0 ± 0.1% Fashion-MNIST in a software phase
// model, 784-256-10).
func epMNISTExperiments() []Experiment {
	return []Experiment{
		{Name: "ep-mnist", Paper: "Gower, arXiv 2505.02103 (OIM trained by EP), MNIST",
			Summary: "784-256-10 oscillator classifier trained by EP through the engine: software accuracy, then on the compiled 5-bit chip (phase and cycle models) with energy and area",
			Run: func(ctx context.Context, env Env) (*Result, error) {
				return runEPLayered(ctx, env, "ep-mnist", "mnist", 97.2)
			}},
		{Name: "ep-fmnist", Paper: "Gower, arXiv 2505.02103 (OIM trained by EP), Fashion-MNIST",
			Summary: "784-256-10 oscillator classifier trained by EP on Fashion-MNIST: software accuracy, on the compiled chip (phase and cycle models), energy and area",
			Run: func(ctx context.Context, env Env) (*Result, error) {
				return runEPLayered(ctx, env, "ep-fmnist", "fashion-mnist", 88.0)
			}},
	}
}

// EPLayeredPlan is the size of one ep-mnist / ep-fmnist run.
type EPLayeredPlan struct {
	Hidden, Epochs, Batch, Train, Test, Seeds int
	// ChipPhase and ChipCycle are the test images classified on the
	// compiled chip per seed in its phase and cycle models; Calibrate the
	// training images its read-out is trimmed on (bench.EPEval.Calibrate).
	ChipPhase, ChipCycle, Calibrate int
}

// EPLayeredFull is the full run (the public configuration: 784-256-10, 5
// epochs, all images, 3 seeds; the chip's phase model on all 10,000 test
// images, its cycle model, about 16× dearer per image, on the first 1,000,
// where one run's binomial error is about 0.6 points);
// EPLayeredQuick the CI run (seconds).
var (
	EPLayeredFull  = EPLayeredPlan{Hidden: 256, Epochs: 5, Batch: 64, Train: 0, Test: 0, Seeds: 3, ChipPhase: 10000, ChipCycle: 1000, Calibrate: bench.EPDefaultCalibration}
	EPLayeredQuick = EPLayeredPlan{Hidden: 32, Epochs: 3, Batch: 32, Train: 1000, Test: 300, Seeds: 3, ChipPhase: 40, ChipCycle: 4, Calibrate: 4}
)

// LoadEPData loads data set name ("mnist" or "fashion-mnist", from dataDir
// or the user cache): the first nTrain training and nTest test images (0:
// all) as eqprop.Examples.
func LoadEPData(ctx context.Context, name, dataDir string, nTrain, nTest int) (train, test eqprop.Examples, err error) {
	dir, err := dataset.Locate(ctx, name, dataDir)
	if err != nil {
		return train, test, err
	}
	for _, sp := range []struct {
		split string
		n     int
		out   *eqprop.Examples
	}{{"train", nTrain, &train}, {"test", nTest, &test}} {
		im, lb, err := dataset.LoadSplit(dir, sp.split)
		if err != nil {
			return train, test, err
		}
		if sp.n > 0 && sp.n < im.N {
			im, lb = im.Slice(0, sp.n), lb[:sp.n]
		}
		*sp.out = eqprop.Examples{N: im.N, P: im.Pixels(), Pix: im.Pix, Labels: lb}
	}
	return train, test, nil
}

// EPLayeredSettings are the training settings of ep-mnist and ep-fmnist
// for seed (the defaults: Adam, β = 0.1; the plan's epochs and batch).
func EPLayeredSettings(data string, p EPLayeredPlan, seed uint64) eqprop.LayeredSettings {
	s := eqprop.DefaultLayeredSettings
	s.Data, s.Epochs, s.Batch, s.Seed = data, p.Epochs, p.Batch, seed
	return s.WithDefaults()
}

func runEPLayered(ctx context.Context, env Env, name, data string, paper float64) (*Result, error) {
	p := EPLayeredFull
	if env.Quick {
		p = EPLayeredQuick
	}
	train, test, err := LoadEPData(ctx, data, env.DataDir, p.Train, p.Test)
	if err != nil {
		return nil, err
	}
	const cfgName = "ep-mnist.toml"
	src, err := configs.Read(cfgName)
	if err != nil {
		return nil, err
	}
	nl, err := netlist.Parse("embedded:"+cfgName, src, nil)
	if err != nil {
		return nil, err
	}
	if p.Hidden != nl.Couplings.Layers[1] {
		// The quick run's narrower hidden layer on the same card.
		if nl, err = epLayeredChip(src, p.Hidden); err != nil {
			return nil, err
		}
	}
	// The seeds run side by side (each its own trainer or weights file,
	// chip instance and noise streams, so the numbers do not depend on
	// it): a 2-core machine evaluates three seeds' 10,000 images in about
	// two thirds of the time one after the other takes.
	seeds := make([]epSeed, p.Seeds)
	errs := make([]error, p.Seeds)
	var wg sync.WaitGroup
	for k := range seeds {
		wg.Go(func() { seeds[k], errs[k] = epLayeredSeed(ctx, env, name, data, p, k, nl, train, test) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	res := &Result{}
	var sw, ph, cy, energy, area []float64
	var epochSec float64
	var read, perSeed []string
	for _, r := range seeds {
		sw, ph, cy = append(sw, r.software), append(ph, r.phase), append(cy, r.cycle)
		energy, area = append(energy, r.energy), append(area, r.area)
		epochSec += r.epochSec / float64(p.Seeds)
		if r.from != "" {
			read = append(read, r.from)
		}
		perSeed = append(perSeed, r.lines...)
	}
	add := func(key string, v []float64, paper *float64, unit string) {
		r := res.Add(key, stat.Mean(v, nil), paper, unit)
		if len(v) > 1 {
			sd := stat.StdDev(v, nil)
			r.Spread = &sd
		}
	}
	add("software", sw, Paper(paper), "%")
	add("chip/phase", ph, NoPaper, "%")
	add("chip/cycle", cy, NoPaper, "%")
	add("energy_nJ", energy, NoPaper, "nJ")
	add("area_mm2", area, NoPaper, "mm2")
	res.Notes = append(res.Notes,
		fmt.Sprintf("784-%d-10, %d epochs of %d training images, Adam lr %v, β = %g (symmetric ±β), batch %d, %d seeds; software on %d test images (phase model, float weights); chip on the first %d (phase) and %d (cycle) test images of configs/ep-mnist.toml (5-bit couplers, noise and mismatch as described; the cycle model with each ring trimmed for its couplers' second-order slow-down, bench.CouplerTrim), one chip instance per seed",
			p.Hidden, p.Epochs, train.N, DefaultEPLR(), eqprop.DefaultLayeredSettings.Beta, p.Batch, p.Seeds, test.N, p.ChipPhase, p.ChipCycle),
		fmt.Sprintf("training: %.1f s per epoch (wall, as the weights record it)", epochSec),
		"inputs held at phase (π/2)·pixel, biases as injections at f0, read-out argmax cos(φ_k) against the reference with off-class targets at π/2 (docs/ep.md §6)",
		"energy_nJ and area_mm2: the cycle model's ledger of one inference (one relaxation plus writing the input drivers' codes)")
	if len(read) > 0 {
		res.Notes = append(res.Notes, "weights read, not trained: "+strings.Join(read, ", "))
	}
	res.Notes = append(res.Notes, perSeed...)
	if env.Quick {
		res.Notes = append(res.Notes, "--quick: a narrow hidden layer, a few hundred images; not comparable with the paper")
	}
	for _, v := range [][]float64{sw, ph, cy} {
		for _, x := range v {
			if math.IsNaN(x) {
				return nil, fmt.Errorf("an accuracy is NaN")
			}
		}
	}
	return res, nil
}

// DefaultEPLR returns the default learning rates (for notes).
func DefaultEPLR() []float64 { return eqprop.DefaultLayeredSettings.LR }

// epPixels returns the first n images of d as pixels in [0, 1] and their
// labels (bench.EPEval's form).
func epPixels(d eqprop.Examples, n int) ([][]float64, []int) {
	n = min(n, d.N)
	px := make([][]float64, n)
	lb := make([]int, n)
	for k := range px {
		px[k] = make([]float64, d.P)
		for j, g := range d.Pix[k*d.P : (k+1)*d.P] {
			px[k][j] = float64(g) / 255
		}
		lb[k] = int(d.Labels[k])
	}
	return px, lb
}

// epLayeredChip returns the ep-mnist description with a hidden layer of h
// rings (the quick run's): the ring count, the layers and the output
// TDC's targets rewritten.
func epLayeredChip(src []byte, h int) (*netlist.Netlist, error) {
	text := string(src)
	n := 784 + h + 10
	targets := make([]string, 10)
	for k := range targets {
		targets[k] = strconv.Itoa(784 + h + k)
	}
	for _, r := range [][2]string{
		{"count = 1050", fmt.Sprintf("count = %d", n)},
		{"layers = [784, 256, 10]", fmt.Sprintf("layers = [784, %d, 10]", h)},
		{"targets = [1040, 1041, 1042, 1043, 1044, 1045, 1046, 1047, 1048, 1049]", "targets = [" + strings.Join(targets, ", ") + "]"},
	} {
		if !strings.Contains(text, r[0]) {
			return nil, fmt.Errorf("repro: ep-mnist.toml no longer has %q to resize for --quick", r[0])
		}
		text = strings.Replace(text, r[0], r[1], 1)
	}
	return netlist.Parse(fmt.Sprintf("embedded:ep-mnist.toml (hidden %d)", h), []byte(text), nil)
}

// epLayeredWeights returns seed's trained weights for experiment name:
// read from env.Weights/NAME-seed<seed>.npz (NAME-quick-… for --quick)
// when that file exists (and its path), else trained now and, with
// env.Weights set, written there. A file trained otherwise than the plan
// (another data set, seed, size, epoch count or training set) is an error.
func epLayeredWeights(ctx context.Context, env Env, name, data string, p EPLayeredPlan, seed uint64, train, test eqprop.Examples) (*eqprop.LayeredWeights, string, error) {
	path := ""
	if env.Weights != "" {
		q := ""
		if env.Quick {
			q = "-quick"
		}
		path = filepath.Join(env.Weights, fmt.Sprintf("%s%s-seed%d.npz", name, q, seed))
		if _, err := os.Stat(path); err == nil {
			W, err := eqprop.LoadLayered(path)
			if err != nil {
				return nil, "", err
			}
			s := W.Settings
			if want := []int{train.P, p.Hidden, 10}; !slices.Equal(W.Sizes, want) || s.Data != data || s.Seed != seed || s.Epoch != p.Epochs || (s.Train != p.Train && s.Train != train.N) {
				return nil, "", fmt.Errorf("repro: %s: weights of a %v network trained on %q (seed %d, %d epochs, %d training images); %s wants %v on %q (seed %d, %d epochs, %d training images; 0 = all)",
					path, W.Sizes, s.Data, s.Seed, s.Epoch, s.Train, name, want, data, seed, p.Epochs, p.Train)
			}
			env.Logf("%s seed %d: weights read from %s", data, seed, path)
			return W, path, nil
		}
	}
	s := EPLayeredSettings(data, p, seed)
	W, err := eqprop.NewLayered(train.P, p.Hidden, 10)
	if err != nil {
		return nil, "", err
	}
	W.Init(s.Init, s.Seed)
	// Weights to be kept record their test accuracy after every epoch
	// (a record without one holds NaN, which the file cannot store).
	testN := -1
	if path != "" {
		testN = 0
	}
	if _, err := eqprop.TrainLayered(ctx, W, s, train, test, eqprop.LayeredRun{TestN: testN, OnEpoch: func(r eqprop.EpochRecord) {
		env.Logf("%s seed %d epoch %d: cost %.4f, train %.2f%%, test %.2f%% (%.0f s)", data, seed, r.Epoch, r.Cost, 100*r.TrainAcc, 100*r.TestAcc, r.Seconds)
	}}); err != nil {
		return nil, "", err
	}
	if path != "" {
		if err := W.Save(path); err != nil {
			return nil, "", err
		}
		env.Logf("%s seed %d: weights written to %s", data, seed, path)
	}
	return W, "", nil
}

// epSeed is one seed's outcome in ep-mnist / ep-fmnist: accuracies in per
// cent, the cycle model's energy per inference (nJ) and die (mm²), the
// training's seconds per epoch, the weights file read ("" when trained)
// and the notes' lines.
type epSeed struct {
	software, phase, cycle, energy, area, epochSec float64
	from                                           string
	lines                                          []string
}

// epLayeredSeed trains (or reads) seed k's weights and evaluates them in
// software and on the compiled chip nl (chip instance k).
func epLayeredSeed(ctx context.Context, env Env, name, data string, p EPLayeredPlan, k int, nl *netlist.Netlist, train, test eqprop.Examples) (epSeed, error) {
	var r epSeed
	seed := uint64(env.Seed) + uint64(k)
	W, from, err := epLayeredWeights(ctx, env, name, data, p, seed, train, test)
	if err != nil {
		return r, err
	}
	r.from = from
	r.epochSec = W.Settings.Elapsed / float64(max(1, W.Settings.Epoch))
	acc, err := eqprop.EvaluateLayered(ctx, W, test, 0, nil)
	if err != nil {
		return r, err
	}
	r.software = 100 * acc
	env.Logf("%s seed %d: software %.2f%%", data, seed, 100*acc)
	r.lines = append(r.lines, fmt.Sprintf("seed %d, software: %.2f%% (%d test images)", seed, 100*acc, test.N))
	for _, m := range []struct {
		model netlist.Model
		n     int
		out   *float64
	}{{netlist.ModelPhase, p.ChipPhase, &r.phase}, {netlist.ModelCycle, p.ChipCycle, &r.cycle}} {
		e := bench.DefaultEPEval()
		e.Net, e.Weights, e.Dataset, e.Data = W, fmt.Sprintf("(seed %d)", seed), data, env.DataDir
		e.Images, e.Model, e.Instance, e.Progress, e.Calibrate = m.n, m.model, k, env.Log, p.Calibrate
		e.Pixels, e.Labels = epPixels(test, m.n)
		rep, err := e.Evaluate(ctx, nl)
		if err != nil {
			return r, err
		}
		*m.out = rep.Accuracy
		env.Logf("%s seed %d: chip/%s %.2f%% on %d images (%.1f s)", data, seed, m.model, rep.Accuracy, rep.Images, rep.Wall)
		line := fmt.Sprintf("seed %d, chip/%s: %.2f ± %.2f%% (%d of %d test images, binomial standard error)", seed, m.model, rep.Accuracy, rep.AccuracyErr, rep.Correct, rep.Images)
		if rep.Images < test.N {
			a, err := eqprop.EvaluateLayered(ctx, W, test, rep.Images, nil)
			if err != nil {
				return r, err
			}
			line += fmt.Sprintf("; software on the same images %.2f%%", 100*a)
		}
		r.lines = append(r.lines, line)
		if m.model == netlist.ModelCycle {
			r.energy, r.area = rep.EnergyNJ, rep.AreaMM2
		}
	}
	return r, nil
}
