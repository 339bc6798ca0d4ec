package ringosc

import (
	"math"
	"testing"

	"oscsim/tech"
)

// TestDeviceGainsAgainstCharacterisation holds the analytic gains of the
// generic 45 nm card (DeviceGains) against oscsim characterize's
// measurements of rings built from the built-in generic 45 nm BSIM4 cards
// (ngspice-39, default accuracy, step ≤ T/64, 64-point ISF by charge
// injection; docs/ringmodel.md has the commands). h1 is the in-phase
// coupling gain, g2 the ISF's pump gain at the tap. Tolerances: h1 within
// 3.5% everywhere; g2 within 12% at 10 fF and 25% at 3 fF, where the
// tap's asymmetry c2/c1 is 0.097 against the card's 0.08.
func TestDeviceGainsAgainstCharacterisation(t *testing.T) {
	t.Parallel()
	card, err := tech.Lookup("45nm")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name       string
		stages     int
		cap        float64
		h1, g2     float64 // measured
		tolH, tolG float64
	}{
		{"3 stages, 10 fF", 3, 10e-15, 0.3143, 0.0567, 0.035, 0.12},
		{"5 stages, 10 fF (spice/testdata/generic45.ring.toml)", 5, 10e-15, 0.1594, 0.0210, 0.035, 0.12},
		{"5 stages, 10 fF, T/256 and reltol 1e-4 (generic45-converged.ring.toml)", 5, 10e-15, 0.1583, 0.0208, 0.035, 0.12},
		{"11 stages, 10 fF", 11, 10e-15, 0.0382, 0.0052, 0.035, 0.12},
		{"5 stages, 3 fF", 5, 3e-15, 0.1424, 0.0249, 0.035, 0.25},
	} {
		h1, g2 := DeviceGains(card, c.stages, c.cap)
		t.Logf("%s: h1 %.4f (measured %.4f, %+.1f%%), g2 %.4f (measured %.4f, %+.1f%%); old analytic h1 %.4f, g2 %.4f",
			c.name, h1, c.h1, 100*(h1/c.h1-1), g2, c.g2, 100*(g2/c.g2-1), ISFRms(c.stages)*math.Sqrt2/4, ISFRms(c.stages)*math.Sqrt2/2)
		if math.Abs(h1/c.h1-1) > c.tolH {
			t.Errorf("%s: h1 = %.4f, measured %.4f (tolerance %.0f%%)", c.name, h1, c.h1, 100*c.tolH)
		}
		if math.Abs(g2/c.g2-1) > c.tolG {
			t.Errorf("%s: g2 = %.4f, measured %.4f (tolerance %.0f%%)", c.name, g2, c.g2, 100*c.tolG)
		}
	}
}

// TestDeviceGainsClosedForm checks the closed form's limits: a sinusoidal
// waveform (w = π) has s = 1 and a1 = 1/2, so h1 = C/(N·C_tot) and
// g2 = 2·TapH2·h1; and the model the chip uses carries the gains as
// Gamma1 = 4·h1, C2 = 2·g2 (CouplingGain and PumpGain give them back).
func TestDeviceGainsClosedForm(t *testing.T) {
	t.Parallel()
	card, _ := tech.Lookup("45nm")
	card.EdgeWidth = 3 // w = π at 3 stages
	h1, g2 := DeviceGains(card, 3, 10e-15)
	want := 10.0 / (3 * (10 + card.DevCap*1e15))
	if math.Abs(h1/want-1) > 1e-9 || math.Abs(g2/(2*card.TapH2*want)-1) > 1e-9 {
		t.Fatalf("sinusoid: h1 %.6g g2 %.6g, want %.6g and %.6g", h1, g2, want, 2*card.TapH2*want)
	}
	if x := raisedCosineH1(math.Pi * (1 - 1e-6)); math.Abs(x-math.Pi/4) > 1e-5 {
		t.Fatalf("F1 near w = π: %.8f, want π/4", x)
	}
	card, _ = tech.Lookup("45nm")
	m := FromDevices(card, 5, 10e-15)
	h1, g2 = DeviceGains(card, 5, 10e-15)
	if math.Abs(m.CouplingGain()-h1) > 1e-12 || math.Abs(m.PumpGain()-g2) > 1e-12 {
		t.Fatalf("FromDevices: gains %.6g, %.6g, want %.6g, %.6g", m.CouplingGain(), m.PumpGain(), h1, g2)
	}
}
