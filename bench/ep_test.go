package bench

import (
	"context"
	"math"
	"testing"
	"time"

	"oscsim/chip"
	"oscsim/internal/chiptest"
	"oscsim/learn/eqprop"
	"oscsim/netlist"
	"oscsim/phasedet"
)

func tinyNet(t *testing.T) (*netlist.Netlist, *eqprop.LayeredWeights) {
	t.Helper()
	// 2-2-2 rings, κ = 0.5% of ω0 per unit weight.
	nl, err := netlist.Parse("tiny-layered.toml", []byte(chiptest.Layered(0.005, 2, 2, 2)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A tree: input 0 → hidden 0 (w = +1) → output 0 (+1); input 1 →
	// hidden 1 (w = −1) → output 1 (−1). A tree has no frustration, so
	// its equilibrium is exact: every in-phase coupler carries phase
	// difference 0 and every inverter-path coupler π, whatever the
	// strengths, and the clamp's torque vanishes: φ_out0 = x0,
	// φ_h1 = x1 + π, φ_out1 = x1.
	w, err := eqprop.NewLayered(2, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	w.W[0] = []float64{1, 0, 0, -1}
	w.W[1] = []float64{1, 0, 0, -1}
	w.Settings.WMax = 1
	return nl, w
}

// The tree's decision is argmax(cos x0, cos x1) for pixels p
// (x = eqprop.PixelPhase(p)), and its output phases are x0 and x1, on
// both chip models.
func TestEPTreeClosedForm(t *testing.T) {
	nl, w := tinyNet(t)
	pix := [][]float64{{0.1, 0.05}, {0.9, 0.95}, {0.2, 0.9}, {0.4, 0.3}, {0.6, 0.7}}
	labels := make([]int, len(pix))
	for k, p := range pix {
		if math.Cos(eqprop.PixelPhase(p[1])) > math.Cos(eqprop.PixelPhase(p[0])) {
			labels[k] = 1
		}
	}
	for _, c := range []struct {
		model netlist.Model
		tol   float64
	}{{netlist.ModelPhase, 0.03}, {netlist.ModelCycle, 0.03}} {
		e := DefaultEPEval()
		e.Net, e.Pixels, e.Labels, e.Model, e.NoNoise, e.Calibrate = w, pix, labels, c.model, true, 0
		rep, err := e.Evaluate(context.Background(), nl)
		if err != nil {
			t.Fatal(err)
		}
		if n := rep.Confusion[0][0] + rep.Confusion[1][1]; rep.Correct != len(pix) || n != len(pix) || rep.Confusion[1][1] == 0 || rep.Confusion[0][0] == 0 {
			t.Errorf("%s: %d of %d decisions right; confusion %v", c.model, rep.Correct, len(pix), rep.Confusion)
		}
		if rep.Couplers != 4 || rep.Sites != 8 {
			t.Errorf("%s: %d couplers on %d sites, want 4 on 8", c.model, rep.Couplers, rep.Sites)
		}
		if !(rep.EnergyNJ > 0 && rep.AreaMM2 > 0 && rep.PowerW > 0 && rep.TimeS > 0) {
			t.Errorf("%s: ledger energy %g nJ, area %g mm², power %g W, time %g s", c.model, rep.EnergyNJ, rep.AreaMM2, rep.PowerW, rep.TimeS)
		}
		if math.Abs(rep.EnergyNJ-(rep.RunNJ+rep.InputNJ)) > 1e-9*rep.EnergyNJ {
			t.Errorf("energy %g ≠ run %g + inputs %g", rep.EnergyNJ, rep.RunNJ, rep.InputNJ)
		}
		// The phases themselves, read through the TDC.
		phases := rep.Outputs
		t.Logf("%s: outputs %.3f, %d steps, T = %.3g s, %.3g nJ, %.3g mm², %.3g W", c.model, phases, rep.Steps, rep.TimeS, rep.EnergyNJ, rep.AreaMM2, rep.PowerW)
		for k, p := range pix {
			want := []float64{eqprop.PixelPhase(p[0]), eqprop.PixelPhase(p[1])}
			for o := range want {
				if d := math.Abs(phasedet.Wrap(phases[k][o] - want[o])); d > c.tol {
					t.Errorf("%s: image %v: output %d at %.4f rad, want %.4f (|Δ| = %.3g > %g)", c.model, p, o, phases[k][o], want[o], d, c.tol)
				}
			}
		}
	}
}

// Weights trained from the forward start (eqprop.StartForward) relax
// from it on the chip: a tree's forward start is its equilibrium, so even
// a relaxation of a tenth of a time constant reads the closed form
// (φ_out = x), which from phase 0 it does not.
func TestEPForwardStart(t *testing.T) {
	nl, w := tinyNet(t)
	pix := [][]float64{{0.9, 0.6}, {0.7, 0.95}}
	for _, start := range []eqprop.FreeStart{eqprop.StartForward, eqprop.StartZero} {
		w.Settings.Start = start
		e := DefaultEPEval()
		e.Net, e.Pixels, e.Labels, e.NoNoise, e.Calibrate, e.Time = w, pix, []int{0, 1}, true, 0, 0.1
		rep, err := e.Evaluate(context.Background(), nl)
		if err != nil {
			t.Fatal(err)
		}
		var worst float64
		for k, p := range pix {
			for o := range p {
				worst = math.Max(worst, math.Abs(phasedet.Wrap(rep.Outputs[k][o]-eqprop.PixelPhase(p[o]))))
			}
		}
		t.Logf("start %s: largest output error %.3f rad after 0.1 time constants", start, worst)
		if far := worst > 0.05; far == (start == eqprop.StartForward) {
			t.Errorf("start %s: largest output error %.3f rad (forward start: want ≤ 0.05, zero start: want more)", start, worst)
		}
	}
}

// CouplerTrim gives each ring K_S²/(2·ω0), K_S the sum of its programmed
// couplers' rates: on the tree every ring but the inputs has two couplers
// of code 31 (rate 31·unit_k·ω0 each), each input ring one.
func TestCouplerTrim(t *testing.T) {
	nl, w := tinyNet(t)
	ch, err := chip.Compile(nl, chip.Options{})
	if err != nil {
		t.Fatal(err)
	}
	net := w.Net()
	edges := make([]netlist.Edge, len(net.Edges))
	for k, p := range net.Edges {
		edges[k] = netlist.Edge{I: p[0], J: p[1], W: net.W[k]}
	}
	if _, err := ch.ProgramScale(edges, 1); err != nil {
		t.Fatal(err)
	}
	unit, _, wref := ch.Rates()
	k := 31 * unit
	want := []float64{k * k, k * k, 4 * k * k, 4 * k * k, k * k, k * k}
	for i, f := range CouplerTrim(ch) {
		if w := want[i] / (2 * wref) / (2 * math.Pi); math.Abs(f-w) > 1e-12*w {
			t.Errorf("ring %d: trim %.6g Hz, want K_S²/(2ω0) = %.6g Hz", i, f, w)
		}
	}
}

// mnistChipEval loads the MNIST chip (configs/ep-mnist.toml) and returns
// it with an evaluation of random weights (randomLayered, seed 1), without
// calibration, of n synthetic images: pixel i of image k is
// ((7i + 13k) mod 17)/16, its label k mod 10.
func mnistChipEval(t testing.TB, n int) (*netlist.Netlist, EPEval) {
	nl, err := netlist.Load("../configs/ep-mnist.toml")
	if err != nil {
		t.Fatal(err)
	}
	e := DefaultEPEval()
	e.Net, e.Calibrate = randomLayered(t, 1), 0
	e.Pixels, e.Labels = make([][]float64, n), make([]int, n)
	for k := range e.Pixels {
		e.Pixels[k] = make([]float64, 784)
		for i := range e.Pixels[k] {
			e.Pixels[k][i] = float64((i*7+k*13)%17) / 16
		}
		e.Labels[k] = k % 10
	}
	return nl, e
}

// randomLayered returns 784-256-10 weights drawn as the trainer
// initialises them (uniform in ±1/√fan-in), biases ±0.1.
func randomLayered(t testing.TB, seed uint64) *eqprop.LayeredWeights {
	w, err := eqprop.NewLayered(784, 256, 10)
	if err != nil {
		t.Fatal(err)
	}
	w.Init(8, seed) // ±0.29 at the input: above the 5-bit step 4/31
	for l := 1; l < 3; l++ {
		for i := range w.Bias[l] {
			w.Bias[l][i] = 0.1 * float64(1-2*(i%2))
		}
	}
	w.Settings.WMax = 4
	return w
}

// The MNIST chip compiles and programs its 203,264 couplers, and random
// weights classify at about chance.
func TestEPMNISTChip(t *testing.T) {
	nl, e := mnistChipEval(t, 8)
	start := time.Now()
	rep, err := e.Evaluate(context.Background(), nl)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d couplers on %d sites, %d steps, T = %.3g s, %.4g W, %.4g nJ (run %.4g, inputs %.4g, program %.4g), %.4g mm², wall %v",
		rep.Couplers, rep.Sites, rep.Steps, rep.TimeS, rep.PowerW, rep.EnergyNJ, rep.RunNJ, rep.InputNJ, rep.ProgramNJ, rep.AreaMM2, time.Since(start))
	if rep.Sites != 203264 {
		t.Errorf("%d sites, want 203264", rep.Sites)
	}
	for _, l := range rep.Ledger.Area {
		t.Logf("area %-40s %.4g mm²", l.Name, l.Value*1e6)
	}
	for _, l := range rep.Ledger.Power {
		t.Logf("power %-40s %.4g mW", l.Name, l.Value*1e3)
	}
}

// BenchmarkEPMNISTCompileProgram compiles the 784-256-10 chip and programs
// its 203,264 couplers (docs/performance.md).
func BenchmarkEPMNISTCompileProgram(b *testing.B) {
	nl, err := netlist.Load("../configs/ep-mnist.toml")
	if err != nil {
		b.Fatal(err)
	}
	w := randomLayered(b, 1)
	net := w.Net()
	edges := make([]netlist.Edge, len(net.Edges))
	for k, p := range net.Edges {
		edges[k] = netlist.Edge{I: p[0], J: p[1], W: net.W[k]}
	}
	b.ReportAllocs()
	for b.Loop() {
		ch, err := chip.Compile(nl, chip.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ch.ProgramScale(edges, 0.3); err != nil {
			b.Fatal(err)
		}
		_ = ch.Ledger(nil)
	}
}

// shilChain relaxes one chain of the tree with SHIL in software: input
// ring i clamped at x with locking rate c (units of κ), couplings w1 (input
// to hidden) and w2 (hidden to output), SHIL strengths sh and so, by
// gradient flow of E = −c·cos(φi − x) − w1·cos(φi − φh) − w2·cos(φh − φo)
// − (sh/2)·cos 2φh − (so/2)·cos 2φo from φi = x, φh = φo = 0. It returns
// φh and φo.
func shilChain(x, c, w1, w2, sh, so float64) (float64, float64) {
	pi, ph, po := x, 0.0, 0.0
	const dt = 0.005
	for range 400000 {
		fi := -c*math.Sin(pi-x) - w1*math.Sin(pi-ph)
		fh := w1*math.Sin(pi-ph) - w2*math.Sin(ph-po) - sh*math.Sin(2*ph)
		fo := w2*math.Sin(ph-po) - so*math.Sin(2*po)
		pi, ph, po = pi+dt*fi, ph+dt*fh, po+dt*fo
	}
	return ph, po
}

// Per-ring SHIL strengths on the chip (docs/ep.md, "Per-ring SHIL
// strengths"): the tree with a pump of its own strength on every hidden
// and output ring, one of them negative (pump phase π), settles on the
// phase model where the software gradient flow of the same energy does
// (within 0.01 rad at 12-bit TDCs), and the ledger carries the pump.
func TestEPSHILPerRing(t *testing.T) {
	nl, w := tinyNet(t)
	w.Settings.Start = eqprop.StartZero
	w.SHIL = [][]float64{{}, {0.5, -0.3}, {0.4, 0.2}}
	pix := [][]float64{{0.1, 0.05}, {0.9, 0.95}, {0.2, 0.9}, {0.6, 0.7}}
	for _, model := range []netlist.Model{netlist.ModelPhase, netlist.ModelCycle} {
		e := DefaultEPEval()
		e.Net, e.Pixels, e.Labels, e.Model, e.NoNoise, e.Calibrate, e.DetBits, e.Time = w, pix, make([]int, len(pix)), model, true, 0, 12, 60
		rep, err := e.Evaluate(context.Background(), nl)
		if err != nil {
			t.Fatal(err)
		}
		var worst float64
		for k, p := range pix {
			for c, sgn := range []float64{1, -1} {
				_, po := shilChain(eqprop.PixelPhase(p[c]), rep.ClampRate, sgn, sgn, w.SHIL[1][c], w.SHIL[2][c])
				worst = math.Max(worst, math.Abs(phasedet.Wrap(rep.Outputs[k][c]-po)))
			}
		}
		pump := rep.Ledger.PowerLine("SHIL pump: injection")
		t.Logf("%s: largest output error against the software relaxation %.4f rad; pump K_s = %.3g%% of ω0 on %d rings, injection %.3g µW, die %.4g mm²",
			model, worst, 100*rep.PumpKs, rep.Pumped, pump*1e6, rep.AreaMM2)
		if tol := 0.01; model == netlist.ModelPhase && worst > tol {
			t.Errorf("phase model: output phases up to %.4f rad from the software relaxation (tolerance %g)", worst, tol)
		}
		if rep.Pumped != 4 || !(pump > 0) || math.Abs(rep.PumpKs-0.5*0.005) > 1e-12 {
			t.Errorf("pump on %d rings (want 4), K_s %g of ω0 (want 0.0025), injection power %g W", rep.Pumped, rep.PumpKs, pump)
		}
		if !(rep.Ledger.PowerLine("SHIL pump: amplitude DACs' leakage") > 0) {
			t.Errorf("the ledger has no leakage of the pump's per-ring amplitude DACs")
		}
	}
}
