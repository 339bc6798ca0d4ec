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
	f, err := os.Open(filepath.Join("testdata", "generic45.ring.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ringosc.Decode(f, "generic45.ring.toml")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
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
