package eqprop

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// randomExamples returns n images of p random grey levels and random
// classes below k.
func randomExamples(n, p, k int, seed uint64) Examples {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := Examples{N: n, P: p, Pix: make([]uint8, n*p), Labels: make([]uint8, n)}
	for i := range d.Pix {
		d.Pix[i] = uint8(rng.IntN(256))
	}
	for i := range d.Labels {
		d.Labels[i] = uint8(rng.IntN(k))
	}
	return d
}

// TestLayeredEPMatchesBPTT: on a 6-5-3 layered network (inputs held,
// biases as injections) the symmetric EP estimate of every parameter's
// gradient — input couplers, hidden-output couplers, biases — agrees with
// backpropagation through the engine's Euler steps of the same
// relaxation: cosine > 0.95 at β = 0.01 (docs/ep.md §6).
func TestLayeredEPMatchesBPTT(t *testing.T) {
	W, _ := NewLayered(6, 5, 3)
	W.Init(2, 3)
	rng := rand.New(rand.NewPCG(4, 5))
	for l := 1; l < W.Layers(); l++ {
		for i := range W.Bias[l] {
			W.Bias[l][i] = 0.3 * rng.NormFloat64()
		}
	}
	d := randomExamples(6, 6, 3, 7)
	idx := []int{0, 1, 2, 3, 4, 5}
	ctx := context.Background()
	s := LayeredSettings{Time: 200, Batch: 6}
	var ep [][]float64
	for _, beta := range []float64{0.1, 0.03, 0.01} {
		s.Beta = beta
		tr, err := NewLayeredTrainer(W, s)
		if err != nil {
			t.Fatal(err)
		}
		g, _, err := tr.Gradient(ctx, d, idx)
		if err != nil {
			t.Fatal(err)
		}
		ep = g
		ref := layeredBPTT(t, tr, d, idx)
		c := Cosine(flatten(g), flatten(ref))
		t.Logf("β = %g: cosine(EP, BPTT) = %.5f", beta, c)
		for bl := range g {
			t.Logf("  block %d: cosine %.5f", bl, Cosine(g[bl], ref[bl]))
		}
		if beta == 0.01 && !(c > 0.95) {
			t.Errorf("β = 0.01: cosine(EP, BPTT) = %.4f, want > 0.95", c)
		}
	}
	_ = ep
}

func flatten(g [][]float64) []float64 {
	var out []float64
	for _, b := range g {
		out = append(out, b...)
	}
	return out
}

// layeredBPTT returns the BPTT gradient of the trainer's mean cost in
// Params' order: the simulated couplers from Machine.BPTT, the input
// couplers and biases from its clamp-phasor gradients (P_i = h_i +
// Σ_j W0_ji·e^{j·x_j}).
func layeredBPTT(t *testing.T, tr *LayeredTrainer, d Examples, idx []int) [][]float64 {
	t.Helper()
	L := tr.W
	B, P, H := len(idx), d.P, L.Sizes[1]
	re, im, _, _ := tr.drive(d, idx)
	g0 := make([]float64, P*H)
	gs := make([]float64, len(tr.m.Net.Edges))
	var gb [][]float64
	for l := 1; l < L.Layers(); l++ {
		gb = append(gb, make([]float64, L.Sizes[l]))
	}
	for b, n := range idx {
		c := int(d.Labels[n])
		s := Sample{Init: make([]float64, tr.m.Net.N), Target: tr.targets(c), Absolute: true, Clamps: tr.clamps(re, im, b, nil, nil)}
		g, err := tr.m.BPTT(context.Background(), []Sample{s})
		if err != nil {
			t.Fatal(err)
		}
		for e := range gs {
			gs[e] += g.G[e] / float64(B)
		}
		for j := 0; j < P; j++ {
			x := PixelPhase(float64(d.Pix[n*P+j]) / 255)
			for i := 0; i < H; i++ {
				g0[j*H+i] += (g.ClampRe[i]*math.Cos(x) + g.ClampIm[i]*math.Sin(x)) / float64(B)
			}
		}
		off := 0
		for l := range gb {
			for i := range gb[l] {
				gb[l][i] += g.ClampRe[off+i] / float64(B)
			}
			off += len(gb[l])
		}
	}
	out := [][]float64{g0}
	k := 0
	for _, w := range L.W[1:] {
		out = append(out, gs[k:k+len(w)])
		k += len(w)
	}
	return append(out, gb...)
}

// xorData is XOR on two pixels (0 or 255), class = x1 XOR x2.
func xorData() Examples {
	return Examples{N: 4, P: 2, Pix: []uint8{0, 0, 0, 255, 255, 0, 255, 255}, Labels: []uint8{0, 1, 1, 0}}
}

// TestLayeredXOR: a 2-8-2 layered network trained by EP through the
// engine classifies XOR perfectly (XOR is not linearly separable, so the
// hidden layer must learn).
func TestLayeredXOR(t *testing.T) {
	d := xorData()
	W, _ := NewLayered(2, 8, 2)
	s := LayeredSettings{Epochs: 300, Batch: 4, LR: []float64{0.03}, Beta: 0.1, Seed: 2}.WithDefaults()
	W.Init(2, s.Seed)
	tr, err := TrainLayered(context.Background(), W, s, d, Examples{}, LayeredRun{})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := tr.Accuracy(context.Background(), d, 0, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := W.Settings.History
	t.Logf("cost %.4f → %.4f, accuracy %.0f%%", h[0].Cost, h[len(h)-1].Cost, 100*acc)
	if acc != 1 {
		t.Errorf("XOR accuracy %.0f%%, want 100%%", 100*acc)
	}
}

// TestLayeredResume: training 3 epochs straight and training 1 epoch,
// saving the checkpoint, loading it and training to 3 give the same
// weights bit for bit (Adam's state, shuffling, noise and mismatch are
// functions of the seed, epoch and batch), noise and 4-bit couplers on.
func TestLayeredResume(t *testing.T) {
	for _, s := range []LayeredSettings{
		{Epochs: 3, Batch: 8, Seed: 5, Bits: 4, Linewidth: 2e4, FreqSigma: 2e-4, Start: StartZero, Schedule: ScheduleConstant},
		{Epochs: 3, Batch: 8, Seed: 5, Start: StartForward, Schedule: ScheduleCosine, DecayEpochs: 3},
	} {
		testLayeredResume(t, s.WithDefaults())
	}
}

func testLayeredResume(t *testing.T, s LayeredSettings) {
	d := randomExamples(24, 12, 3, 9)
	ctx := context.Background()
	fresh := func() *LayeredWeights {
		W, _ := NewLayered(12, 6, 3)
		W.Init(s.Init, s.Seed)
		return W
	}
	A := fresh()
	if _, err := TrainLayered(ctx, A, s, d, d, LayeredRun{}); err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/ckpt.npz"
	B := fresh()
	s1 := s
	s1.Epochs = 1
	if _, err := TrainLayered(ctx, B, s1, d, d, LayeredRun{Checkpoint: path}); err != nil {
		t.Fatal(err)
	}
	C, err := LoadLayered(path)
	if err != nil {
		t.Fatal(err)
	}
	if C.Settings.Epoch != 1 || C.Opt == nil {
		t.Fatalf("checkpoint: epoch %d, optimiser state %v", C.Settings.Epoch, C.Opt != nil)
	}
	s2 := C.Settings
	s2.Epochs = 3
	if _, err := TrainLayered(ctx, C, s2, d, d, LayeredRun{}); err != nil {
		t.Fatal(err)
	}
	for bl, p := range A.Params() {
		for k, v := range p {
			if q := C.Params()[bl][k]; q != v {
				t.Fatalf("block %d entry %d: resumed %v, uninterrupted %v", bl, k, q, v)
			}
		}
	}
	if A.Settings.Steps != C.Settings.Steps || len(C.Settings.History) != 3 {
		t.Errorf("steps %d vs %d, history %d epochs", A.Settings.Steps, C.Settings.Steps, len(C.Settings.History))
	}
}

// TestLayeredBPTTEstimator: the trainer's BPTT estimator (per-image
// adjoints of one batched, traced relaxation) gives Machine.BPTT's
// gradient image by image, every parameter block, to rounding.
func TestLayeredBPTTEstimator(t *testing.T) {
	W, _ := NewLayered(6, 5, 3)
	W.Init(2, 3)
	for i := range W.Bias[2] {
		W.Bias[2][i] = 0.2 * float64(i-1)
	}
	d := randomExamples(6, 6, 3, 7)
	idx := []int{0, 1, 2, 3, 4, 5}
	tr, err := NewLayeredTrainer(W, LayeredSettings{Time: 40, Batch: 6, Estimator: EstimatorBPTT, Start: StartZero})
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := tr.Gradient(context.Background(), d, idx)
	if err != nil {
		t.Fatal(err)
	}
	ref := layeredBPTT(t, tr, d, idx)
	for bl := range g {
		for k := range g[bl] {
			if math.Abs(g[bl][k]-ref[bl][k]) > 1e-12+1e-9*math.Abs(ref[bl][k]) {
				t.Fatalf("block %d entry %d: %g, Machine.BPTT %g", bl, k, g[bl][k], ref[bl][k])
			}
		}
	}
}

// TestLayeredForwardStart: the trainer's forward start (from the held
// couplers, 16-bit) equals LayeredWeights.ForwardPhases (floats) to the
// couplers' rounding, and is an equilibrium of a network without feedback
// (here: hidden rings' phases are arg P_i).
func TestLayeredForwardStart(t *testing.T) {
	W, _ := NewLayered(6, 5, 3)
	W.Init(2, 3)
	for i := range W.Bias[1] {
		W.Bias[1][i] = 0.1 * float64(i-2)
	}
	d := randomExamples(4, 6, 3, 7)
	tr, err := NewLayeredTrainer(W, LayeredSettings{Start: StartForward})
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{0, 1, 2, 3}
	re, im, _, _ := tr.drive(d, idx)
	got := tr.start(re, im)
	for b, n := range idx {
		x := make([]float64, d.P)
		for j, g := range d.Pix[n*d.P : (n+1)*d.P] {
			x[j] = float64(g) / 255
		}
		want, err := W.ForwardPhases(x)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if e := math.Abs(math.Remainder(got[b][i]-want[i], 2*math.Pi)); e > 1e-3 {
				t.Fatalf("image %d ring %d: trainer %.6f, ForwardPhases %.6f", b, i, got[b][i], want[i])
			}
		}
	}
}

// TestEpochRecordNaN: an epoch without a test set (NaN accuracy) survives
// a save and a load.
func TestEpochRecordNaN(t *testing.T) {
	L, _ := NewLayered(4, 3, 2)
	L.Settings.History = []EpochRecord{{Epoch: 1, Cost: 0.5, TestAcc: math.NaN()}, {Epoch: 2, TestAcc: 0.75}}
	path := t.TempDir() + "/w.npz"
	if err := L.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadLayered(path)
	if err != nil {
		t.Fatal(err)
	}
	h := got.Settings.History
	if len(h) != 2 || !math.IsNaN(h[0].TestAcc) || h[0].Cost != 0.5 || h[1].TestAcc != 0.75 {
		t.Errorf("history %+v", h)
	}
}
