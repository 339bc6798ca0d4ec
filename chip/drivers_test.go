package chip

import (
	"context"
	"math"
	"strings"
	"testing"
)

// The drivers round each component to its DAC step, refuse rings without
// a driver and currents beyond full scale, and appear in the ledger.
func TestInjectionDrivers(t *testing.T) {
	src := `[oscillators]
count = 3
frequency = "1GHz"
init = "zero"
[injection]
max_current = "7uA"
bits = 3
targets = [0, 1]
[run]
cycles = 2
`
	ch := compileSrc(t, src)
	q, fs, ok := ch.InjectionStep()
	if !ok || math.Abs(q-1e-6) > 1e-18 || fs != 7e-6 {
		t.Fatalf("step %g, full scale %g, ok %v; want 1 µA, 7 µA", q, fs, ok)
	}
	// 5 µA at 30°: components 4.33 and 2.5 µA round to 4 and 3 µA (ties
	// away from zero), so 5 µA at atan2(3, 4).
	in := &Injection{Amp: []float64{5e-6, 0, 0}, Phase: []float64{math.Pi / 6, 0, 0}}
	got, err := ch.quantInjection(0, in)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Amp[0]-5e-6) > 1e-15 || math.Abs(got.Phase[0]-math.Atan2(3, 4)) > 1e-12 {
		t.Errorf("delivered %g A at %g rad, want 5e-6 A at %g", got.Amp[0], got.Phase[0], math.Atan2(3, 4))
	}
	bad := []struct {
		in   *Injection
		want string
	}{
		{&Injection{Amp: []float64{0, 0, 1e-6}, Phase: []float64{0, 0, 0}}, "has no driver"},
		{&Injection{Amp: []float64{8e-6, 0, 0}, Phase: []float64{0, 0, 0}}, "exceeds the drivers' full scale"},
	}
	for _, c := range bad {
		_, err := ch.Run(context.Background(), []Input{{Inject: c.in}}, RunOptions{NoNoise: true})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
	}
	res, err := ch.Run(context.Background(), []Input{{Inject: in}}, RunOptions{NoNoise: true})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Ledger.PowerLine("injection drivers: leakage"); !(p > 0) {
		t.Errorf("no driver leakage line in %+v", res.Ledger.Power)
	}
	found := false
	for _, l := range res.Ledger.Area {
		found = found || (l.Name == "injection drivers" && l.Value > 0)
	}
	if !found || res.Ledger.DriverBits != 2*2*(3+1) {
		t.Errorf("drivers' area line found %v, bits %d (want 16)", found, res.Ledger.DriverBits)
	}
	// The run injects what the drivers deliver: its power is that of 5 µA.
	if p, want := res.InjectPower[0], ch.Netlist().Tech.VDD*2*5e-6/math.Pi; math.Abs(p-want) > 1e-12*want {
		t.Errorf("injection power %g W, want %g", p, want)
	}
}
