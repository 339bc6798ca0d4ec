package chip

import (
	"fmt"
	"math"
	"testing"
)

const loadsChip = `
[chip]
name = "loads"
tech = "45nm"
[oscillators]
names = ["a", "b", "c"]
frequency = "1GHz"
init = "zero"
%s
[couplings]
bits = 3
quantize = "exact"
unit_resistance = "400kOhm"
%s
[[coupling]]
from = "a"
to = "b"
weight = 4
[[coupling]]
from = "b"
to = "c"
weight = -2
[run]
cycles = 10
`

// TestTapLoadsAndPulls checks the coupler loads and their pulls against
// hand values on the 45 nm card (TGCap 0.43 fF, CInvIn 0.44 fF, node
// 10 + 0.63 fF, 5 stages): ring a carries 4 finger switches (1.72 fF),
// ring b one inverter input (0.44 fF), ring c one; loaded, each ring's
// frequency moves by −ω·L/(5·10.63 fF + L), trimmed by nothing.
func TestTapLoadsAndPulls(t *testing.T) {
	t.Parallel()
	for _, loads := range []string{"trimmed", "loaded"} {
		ch := compileSrc(t, fmt.Sprintf(loadsChip, "", `loads = "`+loads+`"`))
		L := ch.TapLoads()
		want := []float64{4 * 0.43e-15, 0.44e-15, 0.44e-15}
		for i := range want {
			if math.Abs(L[i]-want[i]) > 1e-21 {
				t.Fatalf("TapLoads[%d] = %g F, want %g F", i, L[i], want[i])
			}
		}
		w := 2 * math.Pi * 1e9
		for i := range want {
			pull := -w * want[i] / (5*10.63e-15 + want[i])
			if loads == "trimmed" {
				pull = 0
			}
			for _, m := range []int{modelPhase, modelCycle} {
				if got := ch.pathOffset(m, i); math.Abs(got-pull) > 1e-6*w {
					t.Errorf("%s: ring %d model %d: offset %.6g rad/s, want %.6g", loads, i, m, got, pull)
				}
			}
		}
	}
}

// TestRingExtrasDetuning: oscillators.freq_offsets move each ring by
// 2π·Δf, tap_loads by −ω·L/(N·C_tot + L), on top of each other.
func TestRingExtrasDetuning(t *testing.T) {
	t.Parallel()
	ch := compileSrc(t, fmt.Sprintf(loadsChip, `freq_offsets = ["+1MHz", "-2MHz", "0Hz"]`+"\n"+`tap_loads = ["0F", "0F", "5.315fF"]`, ""))
	d := ch.Detuning()
	w := 2 * math.Pi * 1e9
	want := []float64{2 * math.Pi * 1e6, -2 * math.Pi * 2e6, -w * 5.315 / (53.15 + 5.315)}
	for i := range want {
		if math.Abs(d[i]-want[i]) > 1e-9*w {
			t.Errorf("ring %d: detuning %.6g rad/s, want %.6g", i, d[i], want[i])
		}
	}
}

// TestTapLoadLedger: an untrimmed chip's ledger counts its taps' coupler
// loads, Σ L·VDD²·f0 = (1.72 + 0.44 + 0.44) fF·1 V²·1 GHz = 2.6 µW; a
// trimmed one has no such line.
func TestTapLoadLedger(t *testing.T) {
	t.Parallel()
	for _, loads := range []string{"trimmed", "loaded"} {
		L := compileSrc(t, fmt.Sprintf(loadsChip, "", `loads = "`+loads+`"`)).Ledger(nil)
		var got float64
		found := false
		for _, l := range L.Power {
			if l.Name == "couplers: tap loads" {
				got, found = l.Value, true
			}
		}
		if found != (loads == "loaded") {
			t.Fatalf("%s: tap-load line present %v", loads, found)
		}
		if found && math.Abs(got/2.6e-6-1) > 1e-9 {
			t.Errorf("tap loads %.6g W, want 2.6 µW", got)
		}
	}
}
