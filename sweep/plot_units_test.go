package sweep

import "testing"

// Plot ticks and axis scales take netlist's SI prefixes, micro as "µ".
func TestSILabelAndScale(t *testing.T) {
	t.Parallel()
	for v, want := range map[float64]string{2e4: "20k", 1e-6: "1µ", 3.3e9: "3.3G", 1e-16: "1e-16", 1: "1"} {
		if got := siLabel(v); got != want {
			t.Errorf("siLabel(%g) = %q, want %q", v, got, want)
		}
	}
	if f, u := scale("A", 2e-5); f != 1e6 || u != "µA" {
		t.Errorf("scale(A, 2e-5) = %g %q, want 1e6 µA", f, u)
	}
	if f, u := scale("Ohm", 5e3); f != 1e-3 || u != "kΩ" {
		t.Errorf("scale(Ohm, 5e3) = %g %q, want 0.001 kΩ", f, u)
	}
}
