package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"oscsim/chip"
	"oscsim/dataset"
	"oscsim/internal/chiptest"
	"oscsim/internal/testkit"
	"oscsim/learn"
	"oscsim/netlist"
)

// syntheticOscNet trains OscNet on three random 25-pixel prototypes with
// 10% of the pixels flipped per sample, and returns the model and a test set.
func syntheticOscNet(t *testing.T) (*learn.Model, learn.Spins, []uint8) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	const n, classes = 25, 3
	protos := make([][]int8, classes)
	for c := range protos {
		protos[c] = make([]int8, n)
		for i := range protos[c] {
			protos[c][i] = int8(1 - 2*r.IntN(2))
		}
	}
	sample := func(c int) []int8 {
		x := append([]int8(nil), protos[c]...)
		for i := range x {
			if r.Float64() < 0.1 {
				x[i] = -x[i]
			}
		}
		return x
	}
	var tr, te [][]int8
	var trl, tel []uint8
	for k := 0; k < 300; k++ {
		tr, trl = append(tr, sample(k%classes)), append(trl, uint8(k%classes))
	}
	for k := 0; k < 30; k++ {
		te, tel = append(te, sample(k%classes)), append(tel, uint8(k%classes))
	}
	xs, _ := learn.NewSpins(tr)
	xt, _ := learn.NewSpins(te)
	set := learn.DefaultSettings()
	set.K = 12
	m, err := learn.Train(context.Background(), xs, dataset.Labels(trl), set)
	if err != nil {
		t.Fatal(err)
	}
	return m, xt, tel
}

// oscnetTestTOML is a test chip of OscNet's shape: the [oscillators]
// table's lines given (zero initial phases added), 4-bit all-to-all
// couplings, a pump of K_s = 0.1·ω0, one sampler, and cycles of the phase
// model at spc steps a cycle.
func oscnetTestTOML(oscillators string, cycles, spc int) string {
	return fmt.Sprintf(`
[oscillators]
%sinit = "zero"
[couplings]
bits = 4
unit_k = 0.0004
topology = "all-to-all"
[shil]
ks = 0.1
[[detector]]
kind = "sampler"
[run]
cycles = %d
model = "phase"
steps_per_cycle = %d
`, oscillators, cycles, spc)
}

var syntheticChip = oscnetTestTOML(`count = 25
layout = "grid"
rows = 5
cols = 5
frequency = "1GHz"
freq_sigma = "0.2%"
linewidth = "10kHz"
`, 15, 4)

// Both inference methods, run through the chip, classify the synthetic
// classes far above chance (1/3), and the per-class method agrees with
// the software energy classifier on most images.
func TestOscNetSynthetic(t *testing.T) {
	m, xt, tel := syntheticOscNet(t)
	ch := chiptest.Compile(t, "synthetic.toml", []byte(syntheticChip))
	sw, _ := m.Classifier().Evaluate(context.Background(), xt, dataset.Labels(tel))
	for _, meth := range []Method{MethodPerClass, MethodPairwise} {
		o := &OscNet{Model: m, Method: meth, Images: xt, Labels: tel, Fraction: 1, Jitter: 0.1, Batch: 8, ADC: SupplyADC{Bits: 12}}
		r, err := o.Evaluate(context.Background(), ch, 0, xt.Count, 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d/%d on the chip (software energy classifier %d/%d)", meth, r.Correct, r.Images, sw.Correct, sw.Total)
		if r.Accuracy() < 0.8 {
			t.Errorf("%s: accuracy %.2f on the chip, want ≥ 0.8", meth, r.Accuracy())
		}
		if meth == MethodPerClass {
			// Every read-out is scored from the same runs; the prediction
			// is the spins' (the default read-out).
			if len(r.ReadoutCorrect) != 4 || r.ReadoutCorrect[ReadSpins] != r.Correct {
				t.Errorf("per-class read-outs %v, want 4 with spins = %d", r.ReadoutCorrect, r.Correct)
			}
			if sa := r.SupplyAccuracy(SupplyADC{Bits: 12}, tel); math.Abs(sa*float64(r.Images)-float64(r.ReadoutCorrect[ReadSupply])) > 0.5 {
				t.Errorf("supply accuracy re-scored with the same ADC: %g, the run's %d/%d", sa, r.ReadoutCorrect[ReadSupply], r.Images)
			}
		}
		wantProg := map[Method]float64{MethodPerClass: 3, MethodPairwise: 2}[meth]
		if r.Programs != wantProg {
			t.Errorf("%s: %g programs per image, want %g", meth, r.Programs, wantProg)
		}
		// Power and energy come from the runs' ledgers: the couplers' share
		// is part of the chip's power, and an inference's energy is its
		// run time at that power plus its programmings (1e-9 relative).
		L := ch.Ledger(nil)
		if !(r.CouplerPower > 0 && r.CouplerPower < r.Power) {
			t.Errorf("%s: coupler power %g W outside (0, chip power %g W)", meth, r.CouplerPower, r.Power)
		}
		if want := r.Power*r.ChipTime + r.Programs*L.ProgramEnergy; math.Abs(r.Energy-want) > 1e-9*want {
			t.Errorf("%s: energy %g J per inference, want power·time + programs·E_prog = %g J", meth, r.Energy, want)
		}
		// Deterministic in the seed, whatever the batch size and the
		// pairwise method's group of images played together.
		o.Batch, o.Group = 5, 7
		r2, _ := o.Evaluate(context.Background(), ch, 0, xt.Count, 1)
		for k := range r.Predicted {
			if r.Predicted[k] != r2.Predicted[k] {
				t.Fatalf("%s: image %d predicted %d with batch 8, %d with batch 5 (group 7)", meth, k, r.Predicted[k], r2.Predicted[k])
			}
		}
		// A range classified on its own (Offset) gets the outcome it gets
		// inside the whole run, image for image.
		const from = 5
		part := &OscNet{Model: m, Method: meth, Images: xt.Slice(from, xt.Count), Labels: tel[from:], Offset: from,
			Fraction: 1, Jitter: 0.1, Batch: 3, ADC: SupplyADC{Bits: 12}}
		r3, err := part.Evaluate(context.Background(), ch, 0, xt.Count-from, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r3.Predicted, r.Predicted[from:]) {
			t.Errorf("%s: images %d.. predicted %v on their own, %v in the whole run", meth, from, r3.Predicted, r.Predicted[from:])
		}
	}
}

// mnistOscNet trains the software model on the first n MNIST training
// images and parses the 784-ring chip; the test skips when MNIST is not
// cached.
func mnistOscNet(t *testing.T, ctx context.Context, n int) (*learn.Model, string, *netlist.Netlist) {
	t.Helper()
	dir := testkit.Dataset(t, ctx, "mnist", false)
	im, lab := testkit.Split(t, dir, "train")
	set := learn.DefaultSettings()
	xs, _ := learn.Binarize(im.Slice(0, n), set.Threshold)
	m, err := learn.Train(ctx, xs, lab[:n], set)
	if err != nil {
		t.Fatal(err)
	}
	nl := chiptest.Config(t, "oscnet-mnist.toml")
	return m, dir, nl
}

// End to end on MNIST: a model trained on 6,000 images, 40 test images
// classified on the 784-ring chip by both methods, far above chance (10%).
// Skipped when the data cannot be fetched.
func TestOscNetMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	ctx := context.Background()
	m, dir, nl := mnistOscNet(t, ctx, 6000)
	ch, err := chip.Compile(nl, chip.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, meth := range []Method{MethodPerClass, MethodPairwise} {
		o := &OscNet{Model: m, Method: meth, Fraction: 0.24, Jitter: 0.1, Batch: 40}
		if err := o.LoadImages(ctx, "mnist", dir, 0, 40); err != nil {
			t.Fatal(err)
		}
		r, err := o.Evaluate(ctx, ch, 0, 40, 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d/40 on the chip", meth, r.Correct)
		if r.Accuracy() < 0.5 {
			t.Errorf("%s: accuracy %.2f, want far above chance (≥ 0.5)", meth, r.Accuracy())
		}
	}
}

// TestOscNetChipsAgree: the batches shared among two chips give the same
// predictions as one chip, for both methods.
func TestOscNetChipsAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("trains and runs OscNet")
	}
	ctx := context.Background()
	m, dir, nl := mnistOscNet(t, ctx, 2000)
	var chips []*chip.Chip
	for range 2 {
		ch, err := chip.Compile(nl, chip.Options{})
		if err != nil {
			t.Fatal(err)
		}
		chips = append(chips, ch)
	}
	for _, meth := range []Method{MethodPerClass, MethodPairwise} {
		o := &OscNet{Model: m, Method: meth, Fraction: 0.24, Jitter: 0.1, Batch: 5, Group: 6}
		if err := o.LoadImages(ctx, "mnist", dir, 0, 12); err != nil {
			t.Fatal(err)
		}
		one, err := o.Evaluate(ctx, chips[0], 0, 12, 3)
		if err != nil {
			t.Fatal(err)
		}
		two, err := o.EvaluateOn(ctx, chips, 0, 12, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(one.Predicted, two.Predicted) || one.Couplings != two.Couplings || one.Programs != two.Programs {
			t.Errorf("%s: two chips predict %v (couplings %g), one chip %v (%g)", meth, two.Predicted, two.Couplings, one.Predicted, one.Couplings)
		}
	}
}
