package eqprop

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// tinyNet is the 5×3 all-to-all network with Hebbian couplings of three
// glyphs plus a seeded perturbation (so no symmetry makes a gradient
// vanish).
func tinyNet(t testing.TB) (*Net, []Pattern) {
	pats := Digits(Glyphs5x3)[:3]
	net := AllToAll(15)
	Hebbian(net, pats)
	rng := rand.New(rand.NewPCG(1, 2))
	for e := range net.W {
		net.W[e] += 0.1 * rng.NormFloat64()
	}
	return net, pats
}

// TestEnergyDecreases: along the engine's free relaxation (its trace, one
// state per Euler step) the energy E(φ) = −Σ W·cos Δ never rises by more
// than rounding (1e-12 of its scale), and it falls overall.
func TestEnergyDecreases(t *testing.T) {
	net, pats := tinyNet(t)
	m, err := Software(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var init [][]float64
	for k := 0; k < 4; k++ {
		init = append(init, Start(Corrupt(pats[k%3], 3, rng), Jitter, rng))
	}
	rel, err := m.Relax(context.Background(), init, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	held := &Net{N: net.N, Edges: net.Edges, W: m.Held()}
	for b := range init {
		st := rel.Trace.Phases[b]
		e0 := held.Energy(st[0], nil)
		prev := e0
		for n, phi := range st {
			e := held.Energy(phi, nil)
			if e > prev+1e-12*math.Abs(e0) {
				t.Fatalf("input %d, step %d: energy rose from %.15g to %.15g", b, n, prev, e)
			}
			prev = e
		}
		if !(prev < e0) {
			t.Errorf("input %d: energy did not fall (%g → %g)", b, e0, prev)
		}
	}
}

// TestEPMatchesBPTT: on the tiny network EP's symmetric estimate
// approaches the gradient backpropagation through the engine's steps
// computes as β → 0; at β = 0.01 (units of κ) their cosine exceeds 0.99.
func TestEPMatchesBPTT(t *testing.T) {
	net, pats := tinyNet(t)
	m, err := Software(net, Config{Time: 200})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	batch := MemorySamples(pats, 3, []float64{0.1, 0.2}, Jitter, rng)
	ctx := context.Background()
	ref, err := m.BPTT(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	for _, beta := range []float64{0.3, 0.1, 0.03, 0.01} {
		g, err := m.EP(ctx, batch, beta, true)
		if err != nil {
			t.Fatal(err)
		}
		c := Cosine(g.G, ref.G)
		t.Logf("β = %g: cosine(EP, BPTT) = %.5f, cost %.4g vs %.4g", beta, c, g.Cost, ref.Cost)
		if beta == 0.01 && !(c > 0.99) {
			t.Errorf("β = 0.01: cosine(EP, BPTT) = %.4f, want > 0.99", c)
		}
	}
}

// TestEPMemory5x3: a memory of three 5×3 glyphs trained by EP (through the
// engine, from Hebbian couplings, which retrieve none of them) retrieves
// every pattern from every single flipped pixel: 45 probes of 45.
func TestEPMemory5x3(t *testing.T) {
	pats := Digits(Glyphs5x3)[:3]
	net := AllToAll(15)
	Hebbian(net, pats)
	m, err := Software(net, Config{Kick: 0.1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var probes []Probe
	rng := rand.New(rand.NewPCG(7, 8))
	for k, p := range pats {
		for i := range p {
			x := append(Pattern(nil), p...)
			x[i] = -x[i]
			probes = append(probes, Probe{Init: Start(x, Jitter, rng), Pattern: k})
		}
	}
	before, err := Retrieve(ctx, m, pats, probes, 0)
	if err != nil {
		t.Fatal(err)
	}
	drng := rand.New(rand.NewPCG(9, 3))
	data := func(int) []Sample { return MemorySamples(pats, 8, []float64{1.0 / 15, 2.0 / 15}, Jitter, drng) }
	hist, err := Train(ctx, m, TrainConfig{Epochs: 150, Eta: 0.005, Beta: 1, Batch: 8}, data, EPGrad(1, false), nil)
	if err != nil {
		t.Fatal(err)
	}
	after, err := Retrieve(ctx, m, pats, probes, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("retrieval from one flipped pixel: Hebbian %.0f%%, EP %.0f%% (cost %.3g → %.3g)", 100*before, 100*after, hist[0], hist[len(hist)-1])
	if after != 1 {
		t.Errorf("EP-trained memory retrieves %.0f%% of single-flip probes, want 100%%", 100*after)
	}
}
