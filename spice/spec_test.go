package spice

import (
	"math"
	"testing"

	"oscsim/netlist"
	"oscsim/tech"
)

// TestSpecForPumpCurrent: the pump law is measured at the chip's own pump
// current when the description gives one (its second order grows with the
// current), and at the default otherwise.
func TestSpecForPumpCurrent(t *testing.T) {
	t.Parallel()
	card, _ := tech.Lookup("45nm")
	for _, c := range []struct {
		shil string
		want float64
	}{{"[shil]\ncurrent = \"30uA\"\ntargets = \"all\"\n", 30e-6}, {"[shil]\nks = 0.01\ntargets = \"all\"\n", 0}, {"", 0}} {
		src := "[chip]\nname = \"p\"\n[oscillators]\ncount = 1\n" + c.shil
		nl, err := netlist.Parse("p.toml", []byte(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		spec, err := SpecFor(nl, "", NewDesign(card, nil, ""))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(spec.PumpCurrent-c.want) > 1e-15 {
			t.Errorf("%q: PumpCurrent %g, want %g", c.shil, spec.PumpCurrent, c.want)
		}
	}
}
