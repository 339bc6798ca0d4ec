package bench

import (
	"context"
	"fmt"
	"math"
	"testing"

	"oscsim/learn/eqprop"
	"oscsim/netlist"
	"oscsim/phasedet"
)

// tinyLayered is a 2-2-2 layered chip: κ = 0.5% of ω0 per unit weight on
// full scale 1, drivers on every ring, an 8-bit TDC on the outputs.
const tinyLayered = `[chip]
name = "tiny-layered"
[oscillators]
count = 6
frequency = "1GHz"
init = "zero"
[couplings]
topology = "layered"
layers = [2, 2, 2]
bits = 5
full_scale = 1
unit_k = "%g"
[injection]
max_current = "20uA"
bits = 10
[[detector]]
kind = "tdc"
bits = 8
targets = [4, 5]
[run]
model = "phase"
integrator = "heun"
`

func tinyNet(t *testing.T) (*netlist.Netlist, *eqprop.LayeredWeights) {
	t.Helper()
	nl, err := netlist.Parse("tiny-layered.toml", []byte(fmt.Sprintf(tinyLayered, 0.005/31)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A tree: input 0 → hidden 0 (w = +1) → output 0 (+1); input 1 →
	// hidden 1 (w = −1) → output 1 (+1). A tree has no frustration, so
	// its equilibrium is exact: every in-phase coupler carries phase
	// difference 0 and every inverter-path coupler π, whatever the
	// strengths, and the clamp's torque vanishes: φ_out0 = x0,
	// φ_out1 = x1 + π.
	w, err := eqprop.NewLayered(2, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	w.W[0] = []float64{1, 0, 0, -1}
	w.W[1] = []float64{1, 0, 0, 1}
	w.Settings.WMax = 1
	return nl, w
}

// The tree's decision is argmax(cos x0, −cos x1) for pixels p (x = π·p),
// and its output phases are x0 and x1 + π, on both chip models.
func TestEPTreeClosedForm(t *testing.T) {
	nl, w := tinyNet(t)
	pix := [][]float64{{0.1, 0.05}, {0.9, 0.95}, {0.2, 0.9}, {0.4, 0.3}, {0.6, 0.7}}
	labels := make([]int, len(pix))
	for k, p := range pix {
		if -math.Cos(math.Pi*p[1]) > math.Cos(math.Pi*p[0]) {
			labels[k] = 1
		}
	}
	for _, c := range []struct {
		model netlist.Model
		tol   float64
	}{{netlist.ModelPhase, 0.03}, {netlist.ModelCycle, 0.1}} {
		e := DefaultEPEval()
		e.Net, e.Pixels, e.Labels, e.Model, e.NoNoise = w, pix, labels, c.model, true
		rep, err := e.Evaluate(context.Background(), nl)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Correct != len(pix) {
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
			want := []float64{math.Pi * p[0], math.Pi*p[1] + math.Pi}
			for o := range want {
				if d := math.Abs(phasedet.Wrap(phases[k][o] - want[o])); d > c.tol {
					t.Errorf("%s: image %v: output %d at %.4f rad, want %.4f (|Δ| = %.3g > %g)", c.model, p, o, phases[k][o], want[o], d, c.tol)
				}
			}
		}
	}
}
