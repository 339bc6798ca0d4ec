package spice

// Fidelity tests: the engine's cycle and phase models against ngspice on
// small chips, with the characterised generic 45 nm ring model
// (testdata/generic45.ring.toml). They need ngspice (CI installs the
// Debian package ngspice) and skip without it or with -short.
//
// Targets (docs/fidelity.md):
//   - one ring: frequency within 2%, power within 10%;
//   - two rings, in-phase and inverter path, three coupling strengths, two
//     initial phase differences: final phase difference within 5°, lock
//     time within 25%;
//   - SHIL on one ring over a detuning sweep: the same lock decisions as
//     ngspice except at most one point, next to the edge of the lock range;
//     locked phase within 5° (away from the edge);
//   - 4×4 array with mixed signs: the same binarised state as ngspice in
//     ≥ 90% of random initial conditions (18 of 20 with
//     OSCSIM_FIDELITY_ICS=20), at three operating points (fidelityArrays;
//     CI runs 2 initial conditions of each). Met by the cycle model at the
//     two settled points (18 and 20 of 20, and 20 and 20 on held-out
//     ICs 20–39; 17 at the unsettled 1.2 MΩ point); the phase model has 16
//     and 17 (15 and 19 held out; 14 at 1.2 MΩ): it lacks H's third
//     harmonic away from Δ = 0, π and the pump × coupling terms
//     (docs/fidelity.md). The test holds each model's measured agreement,
//     and OSCSIM_FIDELITY_STRICT=1 the 90% target for both.

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"oscsim/netlist"
	"oscsim/ringosc"
	"oscsim/tech"
)

// needNgspice skips a test when ngspice is missing or under -short.
// testTrims lets the cross-checks of one chip share its trim measurement.
var testTrims = &TrimCache{}

func needNgspice(t testing.TB) Simulator {
	t.Helper()
	if testing.Short() {
		t.Skip("ngspice cross-check skipped with -short")
	}
	sim := Simulator{Trims: testTrims}
	if _, err := sim.Find(); err != nil {
		t.Skipf("skipping: %v (CI installs the Debian package ngspice)", err)
	}
	if d := os.Getenv("OSCSIM_SPICE_KEEP"); d != "" {
		sim.KeepDir = filepath.Join(d, strings.ReplaceAll(t.Name(), "/", "_"))
	}
	// OSCSIM_SPICE_CACHE reuses ngspice's outputs of identical decks
	// (Simulator.CacheDir), for iterating on the engine side.
	sim.CacheDir = os.Getenv("OSCSIM_SPICE_CACHE")
	return sim
}

// ngspiceSlots limits concurrent ngspice processes to the machine's cores
// (parallel subtests would otherwise oversubscribe a 2-core runner).
var ngspiceSlots = make(chan struct{}, 2)

func crossCheck(t *testing.T, src string, opt CheckOptions) *Check {
	t.Helper()
	nl, err := netlist.Parse(filepath.Join("testdata", "fidelity.toml"), []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	ch, m := compileWithModel(t, nl)
	opt.Design = NewDesign(nl.Tech, m, "")
	// OSCSIM_FIDELITY_SPICE_STEPS and OSCSIM_FIDELITY_SPICE_OPTIONS change
	// ngspice's accuracy (Design.StepsPerCycle, Design.Options), to check
	// that the reference does not depend on it.
	if s := os.Getenv("OSCSIM_FIDELITY_SPICE_STEPS"); s != "" {
		if opt.Design.StepsPerCycle, err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatalf("OSCSIM_FIDELITY_SPICE_STEPS=%q: %v", s, err)
		}
	}
	if o := os.Getenv("OSCSIM_FIDELITY_SPICE_OPTIONS"); o != "" {
		opt.Design.Options = o
	}
	ngspiceSlots <- struct{}{}
	defer func() { <-ngspiceSlots }()
	res, err := CrossCheck(t.Context(), ch, opt)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	res.WriteTable(&b, 10)
	t.Logf("%s\n%s", nl.Name, b.String())
	return res
}

func TestFidelitySingleRing(t *testing.T) {
	sim := needNgspice(t)
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("testdata", "ring1.toml"))
	if err != nil {
		t.Fatal(err)
	}
	res := crossCheck(t, string(src), CheckOptions{Sim: sim})
	for _, m := range res.Models {
		if e := math.Abs(m.Freq[0]/res.Spice.Freq[0] - 1); e > 0.02 {
			t.Errorf("%s model: frequency %g Hz, ngspice %g Hz (%.2f%%, want ≤ 2%%)", m.Model, m.Freq[0], res.Spice.Freq[0], 100*e)
		}
		if e := math.Abs(m.RingPower[0]/res.Spice.RingPower[0] - 1); e > 0.10 {
			t.Errorf("%s model: power %g W, ngspice %g W (%.1f%%, want ≤ 10%%)", m.Model, m.RingPower[0], res.Spice.RingPower[0], 100*e)
		}
	}
	// The tech card's closed form N·C·VDD²·f·(1 + short-circuit) at the
	// measured frequency, for the record (no target: it is not the
	// characterised model).
	nl := res.Chip.Netlist()
	p := ringosc.RingPower(nl.Tech, 5, nl.Tech.NodeCap, res.Spice.Freq[0]).Total()
	t.Logf("tech-card power model at the ngspice frequency: %.4g W (%+.1f%% against ngspice)", p, 100*(p/res.Spice.RingPower[0]-1))
}

// pairChip describes two generic 45 nm rings a and b at freq, starting d0
// degrees apart and coupled by weight w (negative: the inverter path), run
// for cycles on the cycle model at 32 steps a cycle. ringModel is the
// oscillators.ring_model line ("" for the analytic model from the card),
// couplings the [couplings] keys after bits = 3 and quantize = "exact".
func pairChip(name, freq, ringModel, couplings string, d0 float64, w, cycles int) string {
	return fmt.Sprintf(`
[chip]
name = "%s"
tech = "45nm"
[oscillators]
names = ["a", "b"]
stages = 5
frequency = "%s"
init_phases = [0.0, %g]
%s
[couplings]
bits = 3
quantize = "exact"
%s
[[coupling]]
from = "a"
to = "b"
weight = %d
[run]
cycles = %d
model = "cycle"
steps_per_cycle = 32
`, name, freq, d0, ringModel, couplings, w, cycles)
}

// ringModelLine is the oscillators.ring_model line of a test's ring model:
// the characterised generic ring, or none (the analytic model).
func ringModelLine(model string) string {
	if model == "characterised" {
		return `ring_model = "generic45.ring.toml"`
	}
	return ""
}

// TestFidelityPairs: two rings on either path, at codes 1, 2 and 4 of a
// 400 kΩ finger (K ≈ 0.46%, 0.93% and 1.9% of ω0 with the generic ring's
// h1), from two initial phase differences each.
func TestFidelityPairs(t *testing.T) {
	sim := needNgspice(t)
	for _, path := range []string{"inphase", "inverter"} {
		for _, code := range []int{1, 2, 4} {
			starts := []float64{60, 150}
			if path == "inverter" {
				starts = []float64{30, 120}
			}
			for _, d0 := range starts {
				t.Run(fmt.Sprintf("%s/code%d/%gdeg", path, code, d0), func(t *testing.T) {
					t.Parallel()
					w := code
					if path == "inverter" {
						w = -code
					}
					// Lock takes ~ln(tan(Δ0/2)/tan(5°))/(2K): 70 cycles at
					// code 1, fewer at higher codes.
					cycles := 30 + 60/code
					res := crossCheck(t, pairChip(fmt.Sprintf("pair-%s-code%d-%gdeg", path, code, d0), "1.37GHz", ringModelLine("characterised"), `unit_resistance = "400kOhm"`, d0, w, cycles), CheckOptions{Sim: sim})
					for _, m := range res.Models {
						dphi := 180 / math.Pi * math.Abs(wrap(m.PairDiff[0]-res.Spice.PairDiff[0]))
						if dphi > 5 {
							t.Errorf("%s model: final Δφ %.1f°, ngspice %.1f° (error %.1f°, want ≤ 5°)", m.Model,
								deg(m.PairDiff[0]), deg(res.Spice.PairDiff[0]), dphi)
						}
						ls, lm := res.Spice.PairLock[0], m.PairLock[0]
						if math.IsInf(ls, 1) || math.IsInf(lm, 1) {
							t.Errorf("%s model: lock time %g s, ngspice %g s: both must lock", m.Model, lm, ls)
							continue
						}
						if e := math.Abs(lm/ls - 1); e > 0.25 {
							t.Errorf("%s model: lock time %.3g ns, ngspice %.3g ns (%+.0f%%, want within 25%%)", m.Model, lm*1e9, ls*1e9, 100*(lm/ls-1))
						}
					}
				})
			}
		}
	}
}

const shilTemplate = `
[chip]
name = "shil-sweep"
tech = "45nm"
[oscillators]
count = %d
stages = 5
frequency = "1.37GHz"
init = "phases"
init_phases = [%s]
ring_model = "generic45.ring.toml"
[shil]
current = "5uA"
targets = "all"
[run]
cycles = 400
model = "cycle"
steps_per_cycle = 32
`

// genericRing is the generic characterised ring of the tests
// (testdata/generic45.ring.toml).
func genericRing(t *testing.T) ringosc.Model {
	t.Helper()
	m, err := ringosc.ReadFile(filepath.Join("testdata", "generic45.ring.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// genericDetuning returns the frequency offsets that put rings of the
// generic characterised ring (testdata/generic45.ring.toml) dets (Hz) away
// from the 1.37 GHz reference of the test chips.
func genericDetuning(t *testing.T, dets []float64) []float64 {
	t.Helper()
	m := genericRing(t)
	off := make([]float64, len(dets))
	for k, d := range dets {
		off[k] = 1.37e9 - m.F0 + d
	}
	return off
}

// TestFidelitySHIL: nine uncoupled rings, each detuned from the pump's
// reference by (k − 4)·0.75 MHz, pumped with 5 µA at 2·f_ref (K_s ≈ 0.12%
// of ω0, a lock range of about ±1.7 MHz with the generic ring's g2), all
// starting 60° off the reference.
func TestFidelitySHIL(t *testing.T) {
	sim := needNgspice(t)
	t.Parallel()
	const n, step = 9, 0.75e6
	init := strings.TrimSuffix(strings.Repeat("60.0, ", n), ", ")
	src := fmt.Sprintf(shilTemplate, n, init)
	// Detune relative to the characterised frequency: ring k runs at
	// f_ref + (k − 4)·step.
	dets := make([]float64, n)
	for k := range dets {
		dets[k] = float64(k-n/2) * step
	}
	off := genericDetuning(t, dets)
	res := crossCheck(t, src, CheckOptions{Sim: sim, FreqOffset: off})
	sl := res.Spice.PumpLocked
	for _, mm := range res.Models {
		differ, ok := lockDiffers(sl, mm.PumpLocked)
		for k := 0; k < n; k++ {
			if mm.PumpLocked[k] && sl[k] && !lockEdge(sl, k) {
				// Locked phases compare modulo π (the pump's two states).
				e := 0.5 * math.Abs(wrap(2*(mm.Final[k]-res.Spice.Final[k])))
				if e > 5*math.Pi/180 {
					t.Errorf("%s model: detuning %+.2f MHz: locked phase %.1f°, ngspice %.1f° (error %.1f° mod 180°, want ≤ 5°)",
						mm.Model, float64(k-n/2)*step/1e6, deg(mm.Final[k]), deg(res.Spice.Final[k]), deg(e))
				}
			}
		}
		if !ok {
			t.Errorf("%s model: lock decisions differ from ngspice at detunings %v (index); want at most one, next to the edge", mm.Model, differ)
		}
		t.Logf("%s model: lock decisions differ at %v; ngspice locked %v", mm.Model, differ, sl)
	}
}

// lockEdge reports whether point k of a lock sweep whose ngspice decisions
// are sl sits next to the edge: its decision differs from a neighbour's.
func lockEdge(sl []bool, k int) bool {
	return (k > 0 && sl[k-1] != sl[k]) || (k < len(sl)-1 && sl[k+1] != sl[k])
}

// lockDiffers lists the points of a lock sweep where a model's decisions
// ml differ from ngspice's sl, and whether that is within the floor: at
// most one point, next to the edge.
func lockDiffers(sl, ml []bool) (differ []int, ok bool) {
	for k := range sl {
		if ml[k] != sl[k] {
			differ = append(differ, k)
		}
	}
	return differ, len(differ) == 0 || (len(differ) == 1 && lockEdge(sl, differ[0]))
}

// pumpLaw is a fit of a slipping ring's drift to its phase,
// dφ/dt/K_s = A0 + Σ_{h = 2, 4, 6} (A_h·sin hφ + B_h·cos hφ); coef holds
// A0, A2, B2, A4, B4, A6, B6.
type pumpLaw struct{ coef [7]float64 }

// fitPumpLaw fits the drift of phase series s (sampled at the times of
// ngspice's edges at, after skip) in units of ks (least squares).
func fitPumpLaw(s Series, at []float64, skip, ks float64) pumpLaw {
	var X [][]float64
	var Y []float64
	for e := 1; e < len(at); e++ {
		t0, t1 := at[e-1], at[e]
		if t0 < skip {
			continue
		}
		p0, p1 := s.At(t0), s.At(t1)
		ph := 0.5 * (p0 + p1)
		X = append(X, []float64{1, math.Sin(2 * ph), math.Cos(2 * ph), math.Sin(4 * ph), math.Cos(4 * ph), math.Sin(6 * ph), math.Cos(6 * ph)})
		Y = append(Y, (p1-p0)/(t1-t0)/ks)
	}
	var l pumpLaw
	if c, _, err := leastSquares(X, Y); err == nil {
		copy(l.coef[:], c)
	}
	return l
}

// TestFidelityPumpLaw measures the pump law of the generic ring's tap at
// 10 µA (the 4×4 array's pump) in ngspice and in both models: four
// uncoupled rings detuned by ±6 and ±8 MHz, beyond the lock range
// (±3.3 MHz), slip through every phase, and their drift against their
// phase is Δω + P(φ). Fitted in units of K_s, each coefficient is averaged
// over the +Δω and −Δω rings, which removes the part that is odd in Δω (the
// edge-timed phase carries the pump's within-cycle modulation, which shows
// as Δω·cos 2φ-like terms). docs/fidelity.md ("Why the cycle model misses
// three initial conditions") records that the ISF's law has a first-order
// gain 9–10% above ngspice's and a mean pull 0.12–0.16·K_s below; both
// models now run the law measured by phase slip (ringosc.PumpLaw), and the
// test holds them to ngspice's.
func TestFidelityPumpLaw(t *testing.T) {
	sim := needNgspice(t)
	t.Parallel()
	dets := []float64{-8e6, -6e6, 6e6, 8e6}
	n := len(dets)
	src := fmt.Sprintf(strings.NewReplacer("5uA", "10uA", "cycles = 400", "cycles = 300").Replace(shilTemplate),
		n, strings.TrimSuffix(strings.Repeat("0.0, ", n), ", "))
	res := crossCheck(t, src, CheckOptions{Sim: sim, FreqOffset: genericDetuning(t, dets)})
	_, ks, _ := res.Chip.Rates()
	dur := res.Chip.Netlist().Run.Duration
	laws := map[netlist.Model]pumpLaw{}
	for _, ms := range append([]*Measure{res.Spice}, res.Models...) {
		var mean pumpLaw
		for k := 0; k < n; k++ {
			l := fitPumpLaw(ms.Phase[k], res.Spice.Phase[k].T, 0.1*dur, ks)
			l.coef[0] -= 2 * math.Pi * dets[k] / ks // the detuning
			for i := range mean.coef {
				mean.coef[i] += l.coef[i] / float64(n)
			}
		}
		laws[netlist.Model(ms.Model)] = mean
		c := mean.coef
		t.Logf("%-7s P(φ)/K_s = %+.3f %+.3f·sin 2φ %+.3f·cos 2φ %+.3f·sin 4φ %+.3f·cos 4φ %+.3f·sin 6φ %+.3f·cos 6φ",
			ms.Model, c[0], c[1], c[2], c[3], c[4], c[5], c[6])
	}
	ng := laws["ngspice"].coef
	// Both models run the pump law measured by phase slip in the
	// characterisation (ringosc.PumpLaw; bare rings there, the chip deck's
	// rings here): the phase model as its law, the cycle model as an
	// averaged correction to its ISF pump (chip.pathModel.cycleLaw).
	// Before, their gains were 1.09–1.10 of ngspice's and their mean pulls
	// 0.12–0.16·K_s below it. Measured: gain 1.004 (both), mean pull
	// −0.018 (cycle) and −0.030 (phase), the 2φ-cosine +0.030 (cycle).
	for _, model := range []netlist.Model{"cycle", "phase"} {
		c := laws[model].coef
		if g := c[1] / ng[1]; g < 0.95 || g > 1.05 {
			t.Errorf("%s model: first-order pump gain %.3f of ngspice's, want within 5%%", model, g)
		}
		if d := c[0] - ng[0]; math.Abs(d) > 0.06 {
			t.Errorf("%s model: mean pull %+.3f·K_s against ngspice's, want within 0.06·K_s", model, d)
		}
		if d := c[2] - ng[2]; math.Abs(d) > 0.06 {
			t.Errorf("%s model: cos 2φ term %+.3f·K_s against ngspice's, want within 0.06·K_s (the lock axis within 2°)", model, d)
		}
	}
}

// fidelityArrays are the 4×4 array's operating points (docs/fidelity.md,
// "4×4 array"): the chip, how many initial conditions run by default (CI),
// and the agreement each model must hold over them: the fraction of
// initial conditions with ngspice's binarised state (the target is
// 90%) and the fraction of ring spins. Measured on 20 initial conditions
// against the trimmed decks (TrimLoads), with the pump at its
// slip-measured phase (ringosc.Model.PinPumpPhase) and both models running
// the slip-measured pump law; the ring floors keep a margin for the few
// initial conditions CI runs. OSCSIM_FIDELITY_STRICT=1 holds every model
// to the 90% target (the phase model fails it: docs/fidelity.md says why).
var fidelityArrays = []struct {
	file   string
	ci     int
	states map[netlist.Model]float64
	floor  map[netlist.Model]float64
}{
	// 1.2 MΩ, 120 cycles, couplers stronger than the pump: ngspice's state
	// still changes over the last quarter in 9 of 20 initial conditions.
	// 20 ICs: cycle 17 of 20 states, 99% of spins; phase 14, 98%.
	{"array4x4.toml", 2, map[netlist.Model]float64{"cycle": 0.85, "phase": 0.5}, map[netlist.Model]float64{"cycle": 0.95, "phase": 0.93}},
	// 2 MΩ, 200 cycles: ngspice settles in 18 of 20. 20 ICs: cycle 18 of
	// 20, 99% of spins; phase 16, 98% (held-out ICs 20–39: 20 and 15).
	// The phase model's floor is 1 of CI's 2 (it misses IC 0).
	{"array4x4-settled.toml", 2, map[netlist.Model]float64{"cycle": 0.9, "phase": 0.5}, map[netlist.Model]float64{"cycle": 0.95, "phase": 0.93}},
	// 4 MΩ, 300 cycles, the pump dominating the couplers (K ≈ 0.046% of ω0
	// per coupler, at most 0.18% per ring, K_s ≈ 0.24%): ngspice settles
	// in 20 of 20 and its state is the ICs' own binarisation in 3. 20 ICs:
	// cycle 20 of 20, phase 17 (99% of spins; held-out ICs 20–39: 20 and
	// 19); the same against ngspice at T/256 and reltol = 1e-4
	// (array4x4-pump-converged.toml), whose states equal these in 20 of 20.
	{"array4x4-pump.toml", 2, map[netlist.Model]float64{"cycle": 0.9, "phase": 0.85}, map[netlist.Model]float64{"cycle": 0.97, "phase": 0.95}},
}

// TestFidelityArray: the 4×4 arrays of fidelityArrays from random initial
// phases (IC k from PCG(k, 7)). OSCSIM_FIDELITY_ICS sets how many initial
// conditions (default: each chip's CI count; the target is stated for 20)
// and OSCSIM_FIDELITY_CHIP selects one chip (its testdata file name, with
// or without .toml). Besides the models' agreement it logs, for each
// initial condition, whether ngspice's final spins are just the initial
// phases' own binarisation sign(cos φ_i(0)) about the pump's axis (a
// trivial test: the pump snapping each ring to its nearest state) and
// whether ngspice's state still changed over the last quarter of the run
// (not settled).
func TestFidelityArray(t *testing.T) {
	sim := needNgspice(t)
	n := 0
	if s := os.Getenv("OSCSIM_FIDELITY_ICS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			t.Fatalf("OSCSIM_FIDELITY_ICS=%q: want a positive count", s)
		}
	}
	sel := strings.TrimSuffix(os.Getenv("OSCSIM_FIDELITY_CHIP"), ".toml")
	var names []string
	found := false
	for _, a := range fidelityArrays {
		name := strings.TrimSuffix(a.file, ".toml")
		names = append(names, name)
		if sel != "" && sel != name {
			continue
		}
		found = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ics := a.ci
			if n > 0 {
				ics = n
			}
			fidelityArray(t, sim, a.file, ics, a.states, a.floor)
		})
	}
	if !found {
		// A chip not in fidelityArrays but in testdata (an operating point
		// being screened) runs without floors.
		file := sel + ".toml"
		if _, err := os.Stat(filepath.Join("testdata", file)); sel == "" || err != nil {
			t.Fatalf("OSCSIM_FIDELITY_CHIP=%q: no such array (have %v, or a testdata file)", sel, names)
		}
		ics := max(n, 1)
		t.Run(sel, func(t *testing.T) { fidelityArray(t, sim, file, ics, nil, nil) })
	}
}

func fidelityArray(t *testing.T, sim Simulator, file string, n int, states, floor map[netlist.Model]float64) {
	src, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	same := map[string]int{}  // initial conditions with the same state
	rings := map[string]int{} // rings with the same spin, over all of them
	trivial, unsettled := 0, 0
	// OSCSIM_FIDELITY_IC0 starts at another initial condition (a held-out
	// set: ICs 20–39 with OSCSIM_FIDELITY_IC0=20 OSCSIM_FIDELITY_ICS=20).
	ic0 := 0
	if s := os.Getenv("OSCSIM_FIDELITY_IC0"); s != "" {
		if ic0, err = strconv.Atoi(s); err != nil || ic0 < 0 {
			t.Fatalf("OSCSIM_FIDELITY_IC0=%q: want a count ≥ 0", s)
		}
	}
	// OSCSIM_FIDELITY_MODEL_DETUNE (e.g. "0.1MHz") detunes the models'
	// rings only (CheckOptions.ModelDetune): the sensitivity table of
	// docs/fidelity.md.
	var detune float64
	if s := os.Getenv("OSCSIM_FIDELITY_MODEL_DETUNE"); s != "" {
		var f netlist.Frequency
		if err := f.UnmarshalText([]byte(s)); err != nil {
			t.Fatalf("OSCSIM_FIDELITY_MODEL_DETUNE=%q: %v", s, err)
		}
		detune = float64(f)
	}
	t.Run("ics", func(t *testing.T) {
		for ic := ic0; ic < ic0+n; ic++ {
			t.Run(strconv.Itoa(ic), func(t *testing.T) {
				t.Parallel()
				r := rand.New(rand.NewPCG(uint64(ic), 7))
				ph := make([]float64, 16)
				for i := range ph {
					ph[i] = (2*r.Float64() - 1) * math.Pi
				}
				res := crossCheck(t, string(src), CheckOptions{Sim: sim, Phases: ph, ModelDetune: detune})
				mu.Lock()
				defer mu.Unlock()
				snap, own := true, 0
				for i, p := range ph {
					if (math.Cos(p) < 0) != (res.Spice.Spins[i] < 0) {
						snap = false
					} else {
						own++
					}
				}
				// Largest angle between a ring's final phase and the
				// binary axis (0° on the axis, 90° undecided).
				psi, off := BinaryAxis(res.Spice.Final), 0.0
				for _, p := range res.Spice.Final {
					a := math.Abs(math.Remainder(p-psi, math.Pi))
					off = max(off, a*180/math.Pi)
				}
				if snap {
					trivial++
				}
				dur := res.Chip.Netlist().Run.Duration
				late := make([]float64, len(ph))
				for i, s := range res.Spice.Phase {
					late[i] = s.At(0.75 * dur)
				}
				moved := 0
				for i, x := range Binarise(late) {
					if x != res.Spice.State[i] {
						moved++
					}
				}
				if moved > 0 {
					unsettled++
				}
				t.Logf("ngspice: state %v; spins = sign cos φ(0): %v (%d of 16 rings); spins changed over the last quarter: %d; largest off-axis %.0f°; CPU %v", res.Spice.State, snap, own, moved, off, res.Spice.CPU.Round(time.Second))
				for _, m := range res.Models {
					// Rings with ngspice's spin, up to a global flip: the
					// states are normalised to ring 0 = +1, so a frustrated
					// ring 0 would otherwise count as 15 differing rings.
					eq := 0
					for i := range m.State {
						if m.State[i] == res.Spice.State[i] {
							eq++
						}
					}
					if eq == len(m.State) {
						same[m.Model]++
					}
					eq = max(eq, len(m.State)-eq)
					rings[m.Model] += eq
					t.Logf("%s model: state %v, %d of 16 rings as ngspice (up to a global flip)", m.Model, m.State, eq)
				}
			})
		}
	})
	t.Logf("ngspice: final spins equal to the initial phases' own sign cos φ(0) in %d of %d initial conditions; state still changing over the last quarter in %d", trivial, n, unsettled)
	strict := os.Getenv("OSCSIM_FIDELITY_STRICT") != ""
	target := int(math.Ceil(0.9 * float64(n)))
	for _, model := range []string{"cycle", "phase"} {
		frac := float64(rings[model]) / float64(16*n)
		t.Logf("%s model: same binarised state as ngspice in %d of %d initial conditions (target ≥ %d); %.0f%% of ring spins equal (up to a global flip)",
			model, same[model], n, target, 100*frac)
		need := int(math.Ceil(states[netlist.Model(model)]*float64(n) - 1e-9))
		if strict {
			need = max(need, target)
		}
		if same[model] < need {
			t.Errorf("%s model: same state as ngspice in %d of %d initial conditions, want ≥ %d", model, same[model], n, need)
		}
		if frac < floor[netlist.Model(model)] {
			t.Errorf("%s model: %.0f%% of ring spins equal to ngspice's, want ≥ %.0f%% (the agreement recorded in docs/fidelity.md)", model, 100*frac, 100*floor[netlist.Model(model)])
		}
	}
}

// TestDeckTrim runs TrimLoads on the pump-dominated 4×4 array: untrimmed,
// the rings run 0.005–0.040% off their intended frequencies (the couplers'
// nonlinear loads; docs/fidelity.md, "The flow"); each trim run divides the
// largest error by about ten (measured 4.0e-4 → 2.4e-5 → 3e-6). Held: the
// untrimmed error above 1e-4, the first trim at least 5× smaller, the
// second below 2e-5 (0.3 of one 4 MΩ coupler's K).
func TestDeckTrim(t *testing.T) {
	sim := needNgspice(t)
	t.Parallel()
	nl, err := netlist.Load(filepath.Join("testdata", "array4x4-pump.toml"))
	if err != nil {
		t.Fatal(err)
	}
	ch, m := compileWithModel(t, nl)
	ngspiceSlots <- struct{}{}
	tr, err := TrimLoads(t.Context(), sim, ch, NewDesign(nl.Tech, m, ""), nil, 3)
	<-ngspiceSlots
	if err != nil {
		t.Fatal(err)
	}
	e0, e1, e2 := tr.MaxError(0), tr.MaxError(1), tr.MaxError(2)
	t.Logf("largest frequency error: untrimmed %.2e, after one trim %.2e, after two %.2e (ngspice %v)", e0, e1, e2, tr.Wall.Round(time.Millisecond))
	if e0 < 1e-4 || e1 > e0/5 || e2 > 2e-5 {
		t.Errorf("trim errors %.2e → %.2e → %.2e: want > 1e-4, then ≤ 1/5 of it, then ≤ 2e-5", e0, e1, e2)
	}
}

// TestGenericCalibration characterises the generic ring again and holds the
// committed model (testdata/generic45.ring.toml) and the deck's built-in
// calibration constants against it. Run with -update to rewrite the model.
func TestGenericCalibration(t *testing.T) {
	sim := needNgspice(t)
	t.Parallel()
	card, err := tech.Lookup("45nm")
	if err != nil {
		t.Fatal(err)
	}
	nl, err := netlist.Load(filepath.Join("testdata", "ring1.toml"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := SpecFor(nl, "", NewDesign(card, nil, ""))
	if err != nil {
		t.Fatal(err)
	}
	ngspiceSlots <- struct{}{}
	c, err := Characterize(t.Context(), sim, spec)
	<-ngspiceSlots
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	c.WriteReport(&b)
	t.Log("\n" + b.String())
	path := filepath.Join("testdata", "generic45.ring.toml")
	if *update {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := ringosc.Encode(f, c.Model); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	old, err := ringosc.Decode(f, path)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Same simulator and deck: the measurement repeats to ngspice's
	// precision; a version change may move it a little.
	rel := func(name string, got, want, tol float64) {
		if math.Abs(got/want-1) > tol {
			t.Errorf("%s: measured %g, committed %g (want within %g%%)", name, got, want, 100*tol)
		}
	}
	rel("f0", c.Model.F0, old.F0, 0.002)
	rel("power", c.Model.Power, old.Power, 0.01)
	rel("h1", c.H1, old.CouplingGain(), 0.03)
	rel("g2", c.G2, old.PumpGain(), 0.10)
	ms := c.Model.Measured
	rel("generic TG on-resistance", genericTGRon, ms.TGRon, 0.02)
	rel("generic device capacitance", genericDevCap, ms.DevCap, 0.05)
	rel("generic coupler inverter load", genericCouplerCin, ms.CouplerCin, 0.05)
	rel("generic switch capacitance", genericTGCap, ms.TGCap, 0.05)
	rel("generic inverter pull", genericInverterPull, ms.InverterPull, 0.05)
	// The pump law by phase slip (per K_s at 10 µA; its fit residual is
	// 0.07·K_s rms, the coefficients repeat to ngspice's precision).
	if ms.PumpLaw == nil || old.Measured.PumpLaw == nil {
		t.Fatalf("pump law: measured %v, committed %v; want both", ms.PumpLaw, old.Measured.PumpLaw)
	}
	// The pump phase is pinned to the slip's lock axis
	// (ringosc.Model.PinPumpPhase), which repeats to ngspice's precision.
	if d := math.Remainder(c.Model.PumpPhase-old.PumpPhase, 2*math.Pi); math.Abs(d) > 0.005 {
		t.Errorf("pump phase: measured %.2f°, committed %.2f° (want within 0.3°)", c.Model.PumpPhase*180/math.Pi, old.PumpPhase*180/math.Pi)
	}
	ml, cl := ms.PumpLaw, old.Measured.PumpLaw
	x := cl.Current / (old.Measured.NodeCap * old.Measured.VDD)
	q := x * x / (2 * math.Pi * old.F0) / (old.PumpGain() * x) // Q → per K_s at Current
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"S2", ml.S2, cl.S2}, {"C2", ml.C2, cl.C2}, {"Q0", ml.Q0 * q, cl.Q0 * q}, {"Q4S", ml.Q4S * q, cl.Q4S * q}, {"Q4C", ml.Q4C * q, cl.Q4C * q}} {
		if math.Abs(c.got-c.want) > 0.01 {
			t.Errorf("pump law %s: measured %.4f·K_s, committed %.4f (want within 0.01)", c.name, c.got, c.want)
		}
	}
}

// TestPTMAnchor runs the free-running part of the characterisation with the
// public PTM 45 nm HP cards (given by OSCSIM_PTM_CARDS, not shipped) and checks the project's
// ngspice anchor (docs/model.md §9: 5 stages, 1.0 V, 10 fF, W 90/180 nm →
// 1.399 GHz, 75.2 µW). The anchor was measured with a finer time step, so
// the frequency is held to 1% and the power to 3%.
func TestPTMAnchor(t *testing.T) {
	sim := needNgspice(t)
	t.Parallel()
	cards := os.Getenv("OSCSIM_PTM_CARDS")
	if cards == "" {
		t.Skip("skipping: set OSCSIM_PTM_CARDS to the PTM 45 nm HP cards (ptm45hp_lite.pm), not shipped")
	}
	if _, err := os.Stat(cards); err != nil {
		t.Skipf("skipping: PTM cards not found at %s", cards)
	}
	card, err := tech.Lookup("45nm")
	if err != nil {
		t.Fatal(err)
	}
	d := NewDesign(card, nil, cards)
	spec := RingSpec{Name: "ptm45hp ring", Design: d, Stages: 5, VDD: 1.0, NodeCap: 10e-15, FGuess: 1.4e9, FreeRunOnly: true}
	ngspiceSlots <- struct{}{}
	c, err := Characterize(t.Context(), sim, spec)
	<-ngspiceSlots
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("PTM 45 nm HP ring: %.4g GHz, %.4g µW", c.F0/1e9, c.Power*1e6)
	if math.Abs(c.F0/1.399e9-1) > 0.01 {
		t.Errorf("frequency %.4g GHz, anchor 1.399 GHz", c.F0/1e9)
	}
	if math.Abs(c.Power/75.2e-6-1) > 0.03 {
		t.Errorf("power %.4g µW, anchor 75.2 µW", c.Power*1e6)
	}
}

// TestNoConvergence: a deck ngspice cannot solve is reported as such.
func TestNoConvergence(t *testing.T) {
	sim := needNgspice(t)
	t.Parallel()
	deck := "* two sources in a loop\nV1 a 0 1\nV2 a 0 2\nR1 a 0 1k\n.tran 1p 10p\n.end\n"
	_, err := sim.Run(t.Context(), "loop", deck, 10e-12)
	if !errors.Is(err, ErrNoConvergence) {
		t.Errorf("got %v, want ErrNoConvergence", err)
	}
}
