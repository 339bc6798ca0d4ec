package chip_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"oscsim/chip"
	"oscsim/internal/chiptest"
	"oscsim/netlist"
)

// compileTOML parses an in-memory description and compiles instance 0.
func compileTOML(t testing.TB, src string) *chip.Chip {
	t.Helper()
	return chiptest.Compile(t, "test.toml", []byte(src))
}

var models = []netlist.Model{"phase", "cycle"}

// pumpedRingTOML describes one 1 GHz ring under a SHIL pump of strength
// ks (a fraction of ω0), 3000 cycles of model at spc steps a cycle.
func pumpedRingTOML(ks float64, model netlist.Model, spc float64) string {
	return fmt.Sprintf(`
[oscillators]
count = 1
frequency = "1GHz"
[shil]
ks = %g
[run]
cycles = 3000
model = "%s"
steps_per_cycle = %g
`, ks, model, spc)
}

// Test 1: a free ring runs at its natural frequency, mismatch included.
// The mismatch draw itself has the configured σ: the sample standard
// deviation of 2000 draws is within 10% of σ (its standard error is
// σ/√(2·2000) ≈ 1.6%).
func TestFreeRingFrequency(t *testing.T) {
	const sigma = 0.02
	ch := compileTOML(t, `
[oscillators]
count = 2000
frequency = "1GHz"
freq_sigma = "2%"
init = "zero"
[[detector]]
kind = "counter"
window = "100ns"
[run]
cycles = 100
`)
	det := ch.Detuning()
	var s2 float64
	for _, d := range det {
		s2 += (d / (2 * math.Pi * 1e9)) * (d / (2 * math.Pi * 1e9))
	}
	if got := math.Sqrt(s2 / float64(len(det))); math.Abs(got/sigma-1) > 0.10 {
		t.Errorf("mismatch σ = %.4g, want %.4g ± 10%%", got, sigma)
	}
	for _, model := range models {
		res, err := ch.Run(context.Background(), nil, chip.RunOptions{Model: model, NoNoise: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 50; i++ {
			want := 1e9 + det[i]/(2*math.Pi)
			// Mean frequency from the unwrapped phase: f = f0 + Δφ/(2π·T).
			got := 1e9 + res.Unwrapped[0][i]/(2*math.Pi*res.Duration)
			if math.Abs(got/want-1) > 1e-9 {
				t.Fatalf("%s: ring %d runs at %.9g Hz, want %.9g Hz", model, i, got, want)
			}
			// The counter counts rising edges over 100 cycles: ±1 edge.
			c := res.Readouts[0].Values[0][0][i]
			if math.Abs(c-want) > 1/100e-9+1 {
				t.Fatalf("%s: counter reads %.6g Hz for ring %d, want %.6g ± 10 MHz", model, c, i, want)
			}
		}
	}
}

// The derived frequency of the 45 nm card reproduces the ngspice anchor:
// 5 stages, 10 fF, 1.0 V → 1.399 GHz (docs/model.md §9), within 1%.
func TestDerivedFrequencyAnchor(t *testing.T) {
	nl, err := netlist.Parse("t.toml", []byte("[chip]\ntech = \"45nm\"\n[oscillators]\ncount = 1\nstages = 5\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := nl.Oscillators.Frequency; math.Abs(f/1.399e9-1) > 0.01 {
		t.Errorf("derived f0 = %.4g Hz, want 1.399 GHz ± 1%%", f)
	}
}

// twoRings returns a chip of two rings coupled with weight w at a unit rate
// of k·ω0 per code step (code 10 → K = 10·k·ω0).
func twoRings(t testing.TB, w float64, k float64, model netlist.Model, spc float64, cycles int) *chip.Chip {
	return compileTOML(t, twoRingsSrc(w, k, model, spc, cycles))
}

// twoRingsSrc is twoRings' description.
func twoRingsSrc(w float64, k float64, model netlist.Model, spc float64, cycles int) string {
	return fmt.Sprintf(`
[oscillators]
count = 2
frequency = "1GHz"
init = "zero"
[couplings]
bits = 4
unit_k = %g
full_scale = 15
[[coupling]]
from = 0
to = 1
weight = %g
[run]
cycles = %d
model = "%s"
steps_per_cycle = %g
`, k, w, cycles, model, spc)
}

// Test 2: two rings lock at 0 through the in-phase path and at π through the
// inverter path; with detuning Δω they lock only while |Δω| ≤ 2K (Adler:
// dΔ/dt = Δω − 2K·sin Δ for two rings each pulled with rate K). The measured
// edge is within 5% of 2K in both models (weak coupling, K = 1% of ω0).
func TestTwoRingsAdler(t *testing.T) {
	const k = 0.001 // per code; code 10 → K = 1% of ω0
	K := 10 * k * 2 * math.Pi * 1e9
	for _, model := range models {
		spc := map[netlist.Model]float64{"phase": 2, "cycle": 16}[model]
		for _, w := range []float64{10, -10} {
			ch := twoRings(t, w, k, model, spc, 400)
			res, err := ch.Run(context.Background(), []chip.Input{{Phases: []float64{0, 2}}}, chip.RunOptions{NoNoise: true})
			if err != nil {
				t.Fatal(err)
			}
			d := math.Abs(math.Remainder(res.Final[0][1]-res.Final[0][0], 2*math.Pi))
			want := 0.0
			if w < 0 {
				want = math.Pi
			}
			if math.Abs(d-want) > 0.01 {
				t.Errorf("%s, weight %g: locked phase difference %.4f rad, want %.4f", model, w, d, want)
			}
			if !res.Locks[0].Synchronised {
				t.Errorf("%s, weight %g: not synchronised", model, w)
			}
		}
		// Lock-range edge: detune ring 1 by x·2K and find the largest x
		// that locks, by bisection over 8 halvings of [0.8, 1.2].
		ch := twoRings(t, 10, k, model, spc, 3000)
		locks := func(x float64) bool {
			df := x * 2 * K / (2 * math.Pi)
			res, err := ch.Run(context.Background(), []chip.Input{{Phases: []float64{0, 0}, FreqOffset: []float64{0, df}}}, chip.RunOptions{NoNoise: true})
			if err != nil {
				t.Fatal(err)
			}
			return res.Locks[0].Synchronised
		}
		lo, hi := 0.8, 1.2
		if !locks(lo) || locks(hi) {
			t.Fatalf("%s: lock at 0.8·2K = %v, at 1.2·2K = %v; want true, false", model, locks(lo), locks(hi))
		}
		for it := 0; it < 8; it++ {
			mid := (lo + hi) / 2
			if locks(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		edge := (lo + hi) / 2
		t.Logf("%s: Adler edge at %.4f × 2K", model, edge)
		if math.Abs(edge-1) > 0.05 {
			t.Errorf("%s: Adler lock edge at %.4f × 2K, want 1 ± 5%%", model, edge)
		}
	}
}

// The phase model's step is bounded by the chip's rates, not by the
// carrier: two rings pulled together at K = 0.1% of ω0 may take a step of
// many cycles (dt·λ ≤ 1, CheckStep), and the in-phase approach still
// follows Adler's closed form tan(Δ/2) = tan(Δ0/2)·e^(−2Kt) (dΔ/dt =
// −2K·sin Δ): at 4 cycles a step (2K·dt = 0.05) within 5·10⁻⁴ rad after
// 200 cycles, and the error falls as dt² (Heun is second order): 3–5×
// smaller at 2 cycles a step.
func TestPhaseStepOfSeveralCycles(t *testing.T) {
	const k = 0.0001 // code 10 → K = 0.1% of ω0
	K := 10 * k * 2 * math.Pi * 1e9
	ch := twoRings(t, 10, k, "phase", 4, 200)
	need := ch.MinStepsPerCycle("phase", 1)
	if need >= 0.25 || 1/need != math.Round(1/need) {
		t.Fatalf("MinStepsPerCycle = %g, want a whole number of cycles per step, more than 4", need)
	}
	if err := ch.CheckStep("phase", need); err != nil {
		t.Errorf("CheckStep at MinStepsPerCycle %g: %v", need, err)
	}
	if err := ch.CheckStep("phase", 0.9*need); !errors.Is(err, chip.ErrStep) {
		t.Errorf("CheckStep at 0.9·MinStepsPerCycle: %v, want ErrStep", err)
	}
	const d0, cycles = 2.0, 200
	var errs []float64
	for _, spc := range []float64{0.25, 0.5} {
		res, err := ch.Run(context.Background(), []chip.Input{{Phases: []float64{0, d0}}},
			chip.RunOptions{NoNoise: true, StepsPerCycle: spc, Duration: cycles * 1e-9})
		if err != nil {
			t.Fatal(err)
		}
		if res.Steps != int(cycles*spc) || math.Abs(res.Duration/(cycles*1e-9)-1) > 1e-12 {
			t.Errorf("%d cycles at %g steps a cycle: %d steps over %g s", cycles, spc, res.Steps, res.Duration)
		}
		got := math.Remainder(res.Final[0][1]-res.Final[0][0], 2*math.Pi)
		want := 2 * math.Atan(math.Tan(d0/2)*math.Exp(-2*K*res.Duration))
		errs = append(errs, math.Abs(got-want))
		t.Logf("%g cycles a step: Δ − Adler = %.2g rad", 1/spc, got-want)
	}
	// A duration that is not a whole number of steps ends where asked, with
	// steps no longer than asked: 30 cycles at 4 cycles a step is 8 steps of
	// 3.75 cycles.
	res, err := ch.Run(context.Background(), []chip.Input{{Phases: []float64{0, d0}}},
		chip.RunOptions{NoNoise: true, StepsPerCycle: 0.25, Duration: 30e-9})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 8 || math.Abs(res.Duration/30e-9-1) > 1e-12 || math.Abs(res.Dt/3.75e-9-1) > 1e-12 {
		t.Errorf("30 cycles at 4 cycles a step: %d steps of %g s over %g s, want 8 of 3.75 ns over 30 ns", res.Steps, res.Dt, res.Duration)
	}
	if errs[0] > 5e-4 {
		t.Errorf("4 cycles a step: error %.2g rad against Adler, want ≤ 5e-4", errs[0])
	}
	if r := errs[0] / errs[1]; r < 3 || r > 5 {
		t.Errorf("error at 4 cycles a step / at 2 = %.2f, want ≈ 4 (second order)", r)
	}
}

// Test 3: SHIL drives a ring to 0 or π relative to the reference, and a
// detuned ring locks only while |Δω| ≤ K_s (dφ/dt = Δω − K_s·sin 2φ), the
// measured edge within 5% of K_s in both models.
func TestSHILLockRange(t *testing.T) {
	const ks = 0.01
	Ks := ks * 2 * math.Pi * 1e9
	for _, model := range models {
		spc := map[netlist.Model]float64{"phase": 2, "cycle": 16}[model]
		ch := compileTOML(t, pumpedRingTOML(ks, model, spc))
		// Binarisation from several starting phases: each ends at the
		// nearer of 0 and π.
		for _, p0 := range []float64{-2.5, -1, 0.3, 1.2, 2.9} {
			res, err := ch.Run(context.Background(), []chip.Input{{Phases: []float64{p0}}}, chip.RunOptions{NoNoise: true, Duration: 300e-9})
			if err != nil {
				t.Fatal(err)
			}
			want := 0.0
			if math.Abs(p0) > math.Pi/2 {
				want = math.Pi
			}
			got := math.Abs(res.Final[0][0])
			if math.Abs(got-want) > 0.02 {
				t.Errorf("%s: from %.2f rad SHIL settles at %.4f, want %.4f", model, p0, res.Final[0][0], want)
			}
		}
		locks := func(x float64) bool {
			res, err := ch.Run(context.Background(), []chip.Input{{Phases: []float64{0}, FreqOffset: []float64{x * Ks / (2 * math.Pi)}}}, chip.RunOptions{NoNoise: true})
			if err != nil {
				t.Fatal(err)
			}
			return res.Locks[0].PumpLocked == 1
		}
		if !locks(0.95) || locks(1.05) {
			t.Errorf("%s: SHIL lock at 0.95·K_s = %v, at 1.05·K_s = %v; want true, false", model, locks(0.95), locks(1.05))
		}
	}
}

// Test 4: without noise the phase model's Lyapunov energy never rises
// along a run (gradient flow with symmetric K and a constant pump).
func TestLyapunovNonIncreasing(t *testing.T) {
	src := `
[oscillators]
count = 24
frequency = "1GHz"
freq_sigma = "0.5%"
[couplings]
unit_k = 0.002
[shil]
ks = 0.01
[run]
cycles = 200
model = "phase"
steps_per_cycle = 8
`
	// A random signed coupling graph, written into the description.
	r := uint64(12345)
	next := func() float64 { r = r*6364136223846793005 + 1442695040888963407; return float64(r>>11) / (1 << 53) }
	for i := 0; i < 24; i++ {
		for j := i + 1; j < 24; j++ {
			if next() < 0.3 {
				src += fmt.Sprintf("[[coupling]]\nfrom = %d\nto = %d\nweight = %.3f\n", i, j, 2*next()-1)
			}
		}
	}
	ch := compileTOML(t, src)
	res, err := ch.Run(context.Background(), nil, chip.RunOptions{NoNoise: true, TraceEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	prev := math.Inf(1)
	for k, phi := range res.Trace.Phases[0] {
		e := ch.Energy(phi, 1)
		if e > prev+1e-9*math.Abs(prev) {
			t.Fatalf("energy rose at trace point %d: %.12g → %.12g", k, prev, e)
		}
		prev = e
	}
}

// Test 5: with noise the phase variance of a free ring grows as
// 2π·Δf·t (Wiener diffusion, D = π·Δf; docs/model.md §2) within 10% over
// 2000 runs (standard error of the variance: √(2/2000) ≈ 3%).
// float32 runs draw their own noise (xoshiro128++ and Box–Muller) and are
// held to the same bound.
func TestPhaseNoiseVariance(t *testing.T) {
	const lw = 1e6 // 1 MHz linewidth
	for _, c := range []struct {
		model netlist.Model
		prec  string
	}{
		{"phase", chip.PrecisionFloat64}, {"cycle", chip.PrecisionFloat64},
		{"phase", chip.PrecisionFloat32}, {"cycle", chip.PrecisionFloat32},
	} {
		model := c.model
		ch := compileTOML(t, fmt.Sprintf(`
[oscillators]
count = 1
frequency = "1GHz"
linewidth = "1MHz"
init = "zero"
[run]
cycles = 200
model = "%s"
steps_per_cycle = %d
`, model, map[netlist.Model]int{"phase": 4, "cycle": 8}[model]))
		in := make([]chip.Input, 2000)
		res, err := ch.Run(context.Background(), in, chip.RunOptions{Precision: c.prec})
		if err != nil {
			t.Fatal(err)
		}
		var m, v float64
		for b := range in {
			m += res.Unwrapped[b][0]
		}
		m /= float64(len(in))
		for b := range in {
			d := res.Unwrapped[b][0] - m
			v += d * d
		}
		v /= float64(len(in) - 1)
		want := 2 * math.Pi * lw * res.Duration
		if math.Abs(v/want-1) > 0.10 {
			t.Errorf("%s/%s: phase variance %.4g rad², want 2π·Δf·t = %.4g ± 10%%", model, c.prec, v, want)
		} else {
			t.Logf("%s/%s: phase variance / 2π·Δf·t = %.4f", model, c.prec, v/want)
		}
	}
}

// Test 6: with weak coupling the cycle and phase models agree on the locked
// phase difference within 0.05 rad (and both match the closed form
// Δ = asin(Δω/2K)), and on SHIL binarisation.
func TestCycleMatchesPhase(t *testing.T) {
	const k = 0.001
	K := 10 * k * 2 * math.Pi * 1e9
	for _, x := range []float64{0, 0.3, 0.6} {
		df := x * 2 * K / (2 * math.Pi)
		want := math.Asin(x)
		var got [2]float64
		for m, model := range models {
			spc := map[netlist.Model]float64{"phase": 2, "cycle": 32}[model]
			ch := twoRings(t, 10, k, model, spc, 600)
			res, err := ch.Run(context.Background(), []chip.Input{{Phases: []float64{0, 1}, FreqOffset: []float64{0, df}}}, chip.RunOptions{NoNoise: true})
			if err != nil {
				t.Fatal(err)
			}
			got[m] = math.Remainder(res.Final[0][1]-res.Final[0][0], 2*math.Pi)
			if math.Abs(got[m]-want) > 0.05 {
				t.Errorf("%s: Δω = %.1f·2K locks at %.4f rad, want asin = %.4f", model, x, got[m], want)
			}
		}
		if math.Abs(got[0]-got[1]) > 0.05 {
			t.Errorf("Δω = %.1f·2K: phase model %.4f vs cycle model %.4f rad", x, got[0], got[1])
		}
	}
	// SHIL binarisation of 64 rings from random phases: same spins.
	var spins [2][]int
	for m, model := range models {
		ch := compileTOML(t, fmt.Sprintf(`
[oscillators]
count = 64
frequency = "1GHz"
freq_sigma = "0.2%%"
[shil]
ks = 0.02
[run]
cycles = 200
model = "%s"
`, model))
		res, err := ch.Run(context.Background(), nil, chip.RunOptions{NoNoise: true})
		if err != nil {
			t.Fatal(err)
		}
		spins[m] = res.Spins(0)
		if res.Locks[0].Binarised != 64 {
			t.Errorf("%s: %d of 64 rings binarised", model, res.Locks[0].Binarised)
		}
	}
	for i := range spins[0] {
		if spins[0][i] != spins[1][i] {
			t.Errorf("ring %d: phase model spin %d, cycle model %d", i, spins[0][i], spins[1][i])
		}
	}
}
