package eqprop

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// shilNet returns a 6-5-3 layered network with random couplers, biases and
// SHIL strengths (both signs).
func shilNet() *LayeredWeights {
	W, _ := NewLayered(6, 5, 3)
	W.Init(2, 3)
	W.EnableSHIL(0)
	rng := rand.New(rand.NewPCG(4, 5))
	for l := 1; l < W.Layers(); l++ {
		for i := range W.Bias[l] {
			W.Bias[l][i] = math.Max(-0.4, math.Min(0.4, 0.3*rng.NormFloat64()))
			W.SHIL[l][i] = math.Max(-0.4, math.Min(0.4, 0.2*rng.NormFloat64()))
		}
	}
	return W
}

// TestLayeredSHILBPTTFiniteDifference: the trainer's BPTT gradient of the
// cost after the Euler steps, with per-ring SHIL pumps, against central
// finite differences of that cost in SHIL strengths and output biases,
// for both output costs, from phase 0 (BPTT does not differentiate the
// forward start, which moves with the biases): the pump's and the
// cross-entropy's terms of the adjoint (docs/ep.md §6.6).
func TestLayeredSHILBPTTFiniteDifference(t *testing.T) {
	d := randomExamples(4, 6, 3, 7)
	idx := []int{0, 1, 2, 3}
	ctx := context.Background()
	for _, cost := range []OutputCost{CostCos, CostXent} {
		W := shilNet()
		tr, err := NewLayeredTrainer(W, LayeredSettings{Time: 20, Rate: 2, Batch: 4, Estimator: EstimatorBPTT, Cost: cost, SHILTrain: true, Start: StartZero})
		if err != nil {
			t.Fatal(err)
		}
		g, _, err := tr.Gradient(ctx, d, idx)
		if err != nil {
			t.Fatal(err)
		}
		costAt := func() float64 {
			if err := tr.program(); err != nil {
				t.Fatal(err)
			}
			_, r, err := tr.Gradient(ctx, d, idx)
			if err != nil {
				t.Fatal(err)
			}
			return r.Cost
		}
		const eps = 1e-5
		check := func(name string, p *float64, want float64) {
			v := *p
			*p = v + eps
			hi := costAt()
			*p = v - eps
			lo := costAt()
			*p = v
			fd := (hi - lo) / (2 * eps)
			if math.Abs(fd-want) > 1e-6+1e-4*math.Abs(fd) {
				t.Errorf("%s, %s: BPTT %.8g, finite difference %.8g", cost, name, want, fd)
			}
		}
		nb := len(g)
		for i := 0; i < 5; i += 2 {
			check("shil1", &W.SHIL[1][i], g[nb-2][i])
		}
		for i := range W.SHIL[2] {
			check("shil2", &W.SHIL[2][i], g[nb-2+1][i])
			check("b2", &W.Bias[2][i], g[nb-3][i])
		}
	}
}

// TestLayeredSHILEPMatchesBPTT: EP's symmetric estimate of every block's
// gradient — SHIL strengths included, −(1/4β)·(cos 2φ⁺ − cos 2φ⁻) — agrees
// with BPTT through a long relaxation at small β, for both output costs.
func TestLayeredSHILEPMatchesBPTT(t *testing.T) {
	d := randomExamples(6, 6, 3, 7)
	idx := []int{0, 1, 2, 3, 4, 5}
	ctx := context.Background()
	for _, cost := range []OutputCost{CostCos, CostXent} {
		W := shilNet()
		s := LayeredSettings{Time: 200, Batch: 6, Beta: 0.01, Cost: cost, SHILTrain: true}
		ep, err := NewLayeredTrainer(W, s)
		if err != nil {
			t.Fatal(err)
		}
		g, _, err := ep.Gradient(ctx, d, idx)
		if err != nil {
			t.Fatal(err)
		}
		s.Estimator = EstimatorBPTT
		bp, err := NewLayeredTrainer(W, s)
		if err != nil {
			t.Fatal(err)
		}
		ref, _, err := bp.Gradient(ctx, d, idx)
		if err != nil {
			t.Fatal(err)
		}
		c := Cosine(flatten(g), flatten(ref))
		t.Logf("%s: cosine(EP, BPTT) = %.5f", cost, c)
		if !(c > 0.95) {
			t.Errorf("%s: cosine(EP, BPTT) = %.4f, want > 0.95", cost, c)
		}
		for bl := len(g) - 2; bl < len(g); bl++ {
			cb := Cosine(g[bl], ref[bl])
			t.Logf("  SHIL block %d: cosine %.5f", bl, cb)
			if !(cb > 0.95) {
				t.Errorf("%s: SHIL block %d: cosine(EP, BPTT) = %.4f, want > 0.95", cost, bl, cb)
			}
		}
	}
}

// TestLayeredSHILSaveLoad: SHIL strengths and the new settings survive a
// save and load; a trainer of such weights trains the strengths only when
// asked (SHILTrain) and keeps them within ±WMax.
func TestLayeredSHILSaveLoad(t *testing.T) {
	W := shilNet()
	W.SHIL[2][1] = 3 // beyond WMax: the trainer clips it
	d := randomExamples(8, 6, 3, 9)
	s := LayeredSettings{Time: 10, Batch: 4, Epochs: 1, Cost: CostXent, Gain: 3, LRSHIL: 0.01}
	frozen := W.Clone()
	if _, err := TrainLayered(context.Background(), frozen, s, d, Examples{}, LayeredRun{TestN: -1}); err != nil {
		t.Fatal(err)
	}
	if frozen.SHIL[1][0] != W.SHIL[1][0] || frozen.SHIL[2][1] != 0.5 {
		t.Errorf("untrained SHIL moved or was not clipped: %v, %v", frozen.SHIL[1][0], frozen.SHIL[2][1])
	}
	s.SHILTrain = true
	if _, err := TrainLayered(context.Background(), W, s, d, Examples{}, LayeredRun{TestN: -1}); err != nil {
		t.Fatal(err)
	}
	if W.SHIL[1][0] == frozen.SHIL[1][0] {
		t.Errorf("trained SHIL strength did not move")
	}
	path := filepath.Join(t.TempDir(), "w.npz")
	if err := W.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadLayered(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.SHIL == nil || got.SHIL[2][1] != W.SHIL[2][1] || got.Settings.Cost != CostXent || got.Settings.Gain != 3 || !got.Settings.SHILTrain || got.Settings.LRSHIL != 0.01 {
		t.Errorf("not kept: SHIL %v, settings %+v", got.SHIL, got.Settings)
	}
	if _, err := EvaluateLayered(context.Background(), got, d, 0, nil); err != nil {
		t.Fatal(err)
	}
}

// TestLayeredSHILResume: a checkpoint with trainable SHIL strengths and
// the cross-entropy cost resumes to the uninterrupted run's weights bit
// for bit (the strengths and their Adam moments are in the checkpoint).
func TestLayeredSHILResume(t *testing.T) {
	s := LayeredSettings{Epochs: 3, Batch: 8, Seed: 5, SHIL: 0.1, SHILTrain: true, LRSHIL: 0.003, Cost: CostXent, DecayEpochs: 3}
	testLayeredResume(t, s.WithDefaults())
}
