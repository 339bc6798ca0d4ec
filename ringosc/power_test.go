package ringosc

import (
	"math"
	"testing"

	"oscsim/tech"
)

// TestRingPowerSpiceAnchor is calibration 1 of issue 4: the project's own
// ngspice anchor (docs/model.md §9 [V]: PTM 45 nm HP devices, 5 stages,
// VDD 1.0 V, 10 fF per node, Wn/Wp = 90/180 nm) runs at 1.399 GHz and draws
// 75.2 µW, 53.8 fJ per cycle. RingPower on the 45 nm card must be within
// ±10% of the power, both at the measured frequency and at the frequency
// the card predicts (Frequency).
func TestRingPowerSpiceAnchor(t *testing.T) {
	t.Parallel()
	card, err := tech.Lookup("45nm")
	if err != nil {
		t.Fatal(err)
	}
	const (
		spiceP = 75.2e-6  // W, docs/model.md §9
		spiceF = 1.399e9  // Hz
		spiceE = 53.8e-15 // J per cycle
	)
	for _, f := range []float64{spiceF, Frequency(card, 5, 10e-15)} {
		p := RingPower(card, 5, 10e-15, f).Total()
		if math.Abs(p/spiceP-1) > 0.10 {
			t.Errorf("f = %.4g Hz: P = %.4g W, want 75.2 µW ±10%%", f, p)
		}
		if e := p / f; math.Abs(e/spiceE-1) > 0.10 {
			t.Errorf("f = %.4g Hz: %.4g J per cycle, want 53.8 fJ ±10%%", f, e)
		}
		t.Logf("f0 %.4g GHz: P = %.2f µW (%+.1f%% vs ngspice), %.2f fJ/cycle", f/1e9, p*1e6, 100*(p/spiceP-1), p/f*1e15)
	}
}

// TestRingPowerHand checks the parts against hand values: 65 nm card,
// 7 stages, 1.1 fF explicit load on 0.9 fF of devices, 1.2 V, 1 GHz →
// dynamic 7·2 fF·1.44 V²·1 GHz = 20.16 µW,
// short-circuit 8% of it = 1.6128 µW, leakage 7·0.3 nW = 2.1 nW; area
// 7·1.111 µm².
func TestRingPowerHand(t *testing.T) {
	t.Parallel()
	card, _ := tech.Lookup("65nm")
	p := RingPower(card, 7, 1.1e-15, 1e9)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"dynamic", p.Dynamic, 20.16e-6},
		{"short-circuit", p.ShortCircuit, 1.6128e-6},
		{"leakage", p.Leakage, 2.1e-9},
		{"total", p.Total(), 20.16e-6 + 1.6128e-6 + 2.1e-9},
		{"area", Area(card, 7), 7 * 0.532e-12 * (65.0 / 45) * (65.0 / 45)},
	} {
		if math.Abs(c.got/c.want-1) > 1e-9 {
			t.Errorf("%s = %.6g, want %.6g", c.name, c.got, c.want)
		}
	}
}
