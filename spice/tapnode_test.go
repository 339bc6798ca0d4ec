package spice

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oscsim/netlist"
	"oscsim/ringosc"
)

// TestTapNodePhases: the generic characterised ring's node tables place
// each stage where the analytic ring does (s·π·(N+1)/N) to within a few
// degrees (the rising and falling edges' delays differ), and a chip whose
// pump drives another node than its tap drives it that node's phase
// later (ringosc.Model.PumpAtNode) with the same pump gain.
func TestTapNodePhases(t *testing.T) {
	t.Parallel()
	m := genericRing(t)
	an := ringosc.Model{Name: "analytic", Gamma1: 1, C2: 0.1}
	for s := 1; s < 5; s++ {
		a, b := m.NodePhase(s, 5), an.NodePhase(s, 5)
		e := deg(wrap(a - b))
		t.Logf("stage %d: %.2f° after the tap (analytic %.1f°, %+.2f°)", s, deg(a), deg(b), e)
		if math.Abs(e) > 5 {
			t.Errorf("stage %d: measured node phase %.2f°, analytic %.1f° (want within 5°)", s, deg(a), deg(b))
		}
	}
	src := strings.Replace(fmt.Sprintf(shilTemplate, 1, "0.0"), "[shil]", "tap_stage = 1\n[shil]\nstage = 3", 1)
	nl, err := netlist.Parse(filepath.Join("testdata", "tapnode.toml"), []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := compileWithModel(t, nl)
	r := ch.Ring()
	want := wrap(m.PumpPhase - 2*m.NodePhase(2, 5))
	if math.Abs(wrap(r.PumpPhase-want)) > 1e-12 || r.PumpGain() != m.PumpGain() {
		t.Errorf("pump two stages after the tap: phase %g (want %g), gain %g (the tap's %g)", r.PumpPhase, want, r.PumpGain(), m.PumpGain())
	}
}

// TestFidelityPumpNode: three uncoupled generic rings, their tap at stage
// 1 and the pump into stage 3 (two stages after the tap), detuned by −0.75,
// 0 and +0.75 MHz from the reference inside the 5 µA pump's lock range,
// 400 cycles. The deck drives the pump at the phase PumpAtNode derives,
// and the rings must lock where the models put them: the locked phases
// within 5° of ngspice modulo π. Driven at the tap's own pump phase they
// would lock 2·α_2/2 = 72° off (mod 180°).
func TestFidelityPumpNode(t *testing.T) {
	sim := needNgspice(t)
	t.Parallel()
	const n, step = 3, 0.75e6
	src := strings.Replace(fmt.Sprintf(shilTemplate, n, "60.0, 60.0, 60.0"), "[shil]", "tap_stage = 1\n[shil]\nstage = 3", 1)
	src = strings.Replace(src, `name = "shil-sweep"`, `name = "pump-node"`, 1)
	dets := make([]float64, n)
	for k := range dets {
		dets[k] = float64(k-n/2) * step
	}
	res := crossCheck(t, src, CheckOptions{Sim: sim, FreqOffset: genericDetuning(t, dets)})
	for _, mm := range res.Models {
		for k := 0; k < n; k++ {
			if !mm.PumpLocked[k] || !res.Spice.PumpLocked[k] {
				t.Errorf("%s model: detuning %+.2f MHz: locked %v, ngspice %v (want both locked)", mm.Model, dets[k]/1e6, mm.PumpLocked[k], res.Spice.PumpLocked[k])
				continue
			}
			e := 0.5 * math.Abs(wrap(2*(mm.Final[k]-res.Spice.Final[k])))
			t.Logf("%s model: detuning %+.2f MHz: locked at %.1f°, ngspice %.1f° (%.1f° mod 180°)", mm.Model, dets[k]/1e6, deg(mm.Final[k]), deg(res.Spice.Final[k]), deg(e))
			if e > 5*math.Pi/180 {
				t.Errorf("%s model: detuning %+.2f MHz: locked phase %.1f°, ngspice %.1f° (error %.1f° mod 180°, want ≤ 5°)",
					mm.Model, dets[k]/1e6, deg(mm.Final[k]), deg(res.Spice.Final[k]), deg(e))
			}
		}
	}
}

// TestFidelityAnalyticFrequency: free-running 5-stage rings at 1, 3 and
// 10 fF with no ring model and no frequency: the description's frequency
// is the card's f0 = 1/(2·N·ln2·R·(node_cap + dev_cap)) and must be within
// 3% of ngspice's ring (measured +0.7%, +1.6%, +2.1%, docs/ringmodel.md;
// it was +55% at 1 fF when node_cap was taken as the whole node).
func TestFidelityAnalyticFrequency(t *testing.T) {
	sim := needNgspice(t)
	for _, c := range []string{"1fF", "3fF", "10fF"} {
		t.Run(c, func(t *testing.T) {
			t.Parallel()
			src := fmt.Sprintf("[chip]\nname = \"analytic-%[1]s\"\ntech = \"45nm\"\n[tech]\nnode_cap = \"%[1]s\"\n[oscillators]\nnames = [\"solo\"]\nstages = 5\ninit_phases = [0.0]\n[run]\ncycles = 30\nmodel = \"cycle\"\nsteps_per_cycle = 32\n", c)
			res := crossCheck(t, src, CheckOptions{Sim: sim})
			for _, m := range res.Models {
				e := m.Freq[0]/res.Spice.Freq[0] - 1
				t.Logf("%s, %s model: %.4g GHz, ngspice %.4g GHz (%+.2f%%)", c, m.Model, m.Freq[0]/1e9, res.Spice.Freq[0]/1e9, 100*e)
				if math.Abs(e) > 0.03 {
					t.Errorf("%s, %s model: frequency %.4g GHz, ngspice %.4g GHz (%+.1f%%, want within 3%%)", c, m.Model, m.Freq[0]/1e9, res.Spice.Freq[0]/1e9, 100*e)
				}
			}
		})
	}
}

// TestFidelityPairsAnalytic3fF is TestFidelityPairsAnalytic on rings with
// 3 fF per node (the analytic model's gains and the deck's rings at the
// lighter load; reference at ngspice's 4.031 GHz ring): a pair on either
// path at codes 1 and 4 of a 400 kΩ finger (K ≈ 0.46% and 1.8% of ω0,
// as at 10 fF), trimmed decks. Floors (measured, docs/ringmodel.md): final
// Δφ within 5°, lock time within 25% in-phase and 35% on the inverter path.
func TestFidelityPairsAnalytic3fF(t *testing.T) {
	sim := needNgspice(t)
	if os.Getenv("OSCSIM_FIDELITY_LONG") == "" {
		t.Skip("set OSCSIM_FIDELITY_LONG=1 for the 3 fF analytic pairs (≈ 20 s of ngspice)")
	}
	analyticPairs(t, sim, "pair3f-%[1]s-code%[2]d", "4.031GHz", "[tech]\nnode_cap = \"3fF\"")
}

// TestFidelitySHILAnalytic3fF is TestFidelitySHILAnalytic's 5 µA sweep on
// rings with 3 fF per node (analytic model, reference at ngspice's 4.031
// GHz ring, steps of 2.2 MHz: the same fraction of ω0 as 0.75 MHz at
// 10 fF). The analytic pump gain there is 5.5% above the ISF's (and the
// ISF's 7% above the slip-measured law). Floor (measured,
// docs/ringmodel.md): at most one lock decision differs, next to the edge.
func TestFidelitySHILAnalytic3fF(t *testing.T) {
	sim := needNgspice(t)
	if os.Getenv("OSCSIM_FIDELITY_LONG") == "" {
		t.Skip("set OSCSIM_FIDELITY_LONG=1 for the 3 fF SHIL sweep")
	}
	t.Parallel()
	const n, step = 9, 2.2e6
	init := strings.TrimSuffix(strings.Repeat("60.0, ", n), ", ")
	src := strings.NewReplacer(`frequency = "1.37GHz"`, `frequency = "4.031GHz"`, `ring_model = "generic45.ring.toml"`, "",
		"[oscillators]", "[tech]\nnode_cap = \"3fF\"\n[oscillators]", `name = "shil-sweep"`, `name = "shil-sweep-3f"`).Replace(fmt.Sprintf(shilTemplate, n, init))
	off := make([]float64, n)
	for k := range off {
		off[k] = float64(k-n/2) * step
	}
	res := crossCheck(t, src, CheckOptions{Sim: sim, FreqOffset: off})
	sl := res.Spice.PumpLocked
	for _, mm := range res.Models {
		differ, ok := lockDiffers(sl, mm.PumpLocked)
		t.Logf("%s model: lock decisions differ at %v; ngspice locked %v, model %v", mm.Model, differ, sl, mm.PumpLocked)
		if !ok {
			t.Errorf("%s model: lock decisions differ from ngspice at %v; want at most one, next to the edge", mm.Model, differ)
		}
	}
}

// TestFidelityBuiltinRing: a free-running ring with ring_model = "builtin"
// (the embedded characterisation of a 5-stage, 1 fF generic ring; no
// frequency: the model's f0 is the reference) against its ngspice deck,
// which the model rebuilds: frequency within 2%, power within 10% (the
// single-ring goals).
func TestFidelityBuiltinRing(t *testing.T) {
	sim := needNgspice(t)
	t.Parallel()
	src := "[chip]\nname = \"builtin-1f\"\ntech = \"45nm\"\n[tech]\nnode_cap = \"1fF\"\n[oscillators]\nnames = [\"solo\"]\nstages = 5\ninit_phases = [0.0]\nring_model = \"builtin\"\n[run]\ncycles = 30\nmodel = \"cycle\"\nsteps_per_cycle = 32\n"
	res := crossCheck(t, src, CheckOptions{Sim: sim})
	for _, m := range res.Models {
		ef, ep := m.Freq[0]/res.Spice.Freq[0]-1, m.RingPower[0]/res.Spice.RingPower[0]-1
		t.Logf("%s model: %.4g GHz (%+.2f%%), %.4g µW (%+.1f%%)", m.Model, m.Freq[0]/1e9, 100*ef, m.RingPower[0]*1e6, 100*ep)
		if math.Abs(ef) > 0.02 || math.Abs(ep) > 0.10 {
			t.Errorf("%s model: frequency %+.2f%%, power %+.1f%% from ngspice (want within 2%% and 10%%)", m.Model, 100*ef, 100*ep)
		}
	}
}
