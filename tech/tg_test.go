package tech

import (
	"math"
	"testing"
)

// TestTGTable: the 45 nm card's table gives back the switch that oscsim
// characterize measured (90/180 nm at 45 nm: 4.46 kΩ = 1/⟨G⟩, 0.43 fF);
// between rows it interpolates log-log (a 90/180 nm TG at 80 nm from the
// 60 and 100 nm rows against its own DC sweep in ngspice, 6.61 kΩ); outside
// the measured lengths it errs.
func TestTGTable(t *testing.T) {
	t.Parallel()
	c, _ := Lookup("45nm")
	for _, x := range []struct {
		l, r, tol float64
	}{{45e-9, 4463, 0.005}, {1000e-9, 62091, 0.001}, {450e-9, 28970, 0.001}, {80e-9, 6609, 0.02}} {
		g, _, err := c.TG.Switch(90e-9, 180e-9, x.l, 1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(1/g/x.r-1) > x.tol {
			t.Errorf("L %.0f nm: 1/⟨G⟩ %.0f Ω, measured %.0f Ω", x.l*1e9, 1/g, x.r)
		}
	}
	_, cap, _ := c.TG.Switch(90e-9, 180e-9, 45e-9, 1)
	if math.Abs(cap/0.432e-15-1) > 0.01 {
		t.Errorf("switch capacitance %.4g F, want 0.432 fF", cap)
	}
	g1, _, _ := c.TG.Switch(90e-9, 180e-9, 80e-9, 1)
	g2, _, _ := c.TG.Switch(90e-9, 180e-9, 80e-9, 3)
	if math.Abs(g2/g1-3) > 1e-12 {
		t.Errorf("3 fingers: %g, want 3× %g", g2, g1)
	}
	if _, _, err := c.TG.Switch(90e-9, 180e-9, 30e-9, 1); err == nil {
		t.Error("L = 30 nm: no error")
	}
	if _, _, err := c.TG.Switch(90e-9, 180e-9, 2e-6, 1); err == nil {
		t.Error("L = 2 µm: no error")
	}
}
