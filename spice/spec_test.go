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

// TestCharacterizeCoupler: characterisation of a chip whose coupler is a TG
// by geometry measures that TG's conductance curve, and its 1/⟨G⟩ over the
// common mode agrees with the card's table (a DC sweep) to 1% (the two
// ±10 mV copies cancel the ramp's charging current).
func TestCharacterizeCoupler(t *testing.T) {
	sim := needNgspice(t)
	t.Parallel()
	src := "[chip]\nname = \"tg\"\ntech = \"45nm\"\n[oscillators]\ncount = 2\nfrequency = \"1.37GHz\"\n[couplings]\ntg_l = \"1um\"\n"
	nl, err := netlist.Parse("tg.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	card, _ := tech.Lookup("45nm")
	spec, err := SpecFor(nl, "", NewDesign(card, nil, ""))
	if err != nil {
		t.Fatal(err)
	}
	spec.FreeRunOnly = true
	c, err := Characterize(t.Context(), sim, spec)
	if err != nil {
		t.Fatal(err)
	}
	cu := c.Coupler
	if cu == nil || len(cu.G) != 11 {
		t.Fatalf("coupler curve %+v", cu)
	}
	g := nl.Couplings.TG.G
	t.Logf("1/⟨G⟩ %.0f Ω (table %.0f Ω), capacitance %.3g F (table %.3g F)", 1/cu.Mean, 1/g, cu.Cap, nl.Couplings.TG.C)
	if math.Abs(cu.Mean/g-1) > 0.01 || math.Abs(cu.Cap/nl.Couplings.TG.C-1) > 0.03 {
		t.Errorf("1/⟨G⟩ %.0f Ω and %.3g F, table %.0f Ω and %.3g F", 1/cu.Mean, cu.Cap, 1/g, nl.Couplings.TG.C)
	}
}
