package freqsync

import (
	"strings"
	"testing"

	"oscsim/netlist"
)

// CheckTuning refuses a chip whose tuning range cannot reach the weights'
// frequencies or that cannot tune a ring the network sets, naming the key.
func TestCheckTuning(t *testing.T) {
	chipSrc := func(tuning string) string {
		return "[oscillators]\ncount = 2\nfrequency = \"1GHz\"\n[couplings]\ntopology = \"all-to-all\"\nunit_k = \"1.7%\"\n" + tuning
	}
	costs := "dac_bits = 8\ndac_area = \"1um2\"\ndac_energy = \"1pJ\"\nmac_area = \"1um2\"\nmac_energy = \"1pJ\"\n"
	X := [][]float64{{0}, {1}}
	p := PaperPhysics()
	m, err := NewModel(Extended, 2, nil, []Pair{{0, 1}}, X, p, DefaultUnit, DefaultInit, 1)
	if err != nil {
		t.Fatal(err)
	}
	m = m.Scaled(1e9 / p.Center())
	for _, c := range []struct{ tuning, want string }{
		{"", "no [tuning]"},
		{"[tuning]\nrange = \"10%\"\n" + costs, "tuning.range"},
		{"[tuning]\nrange = \"16%\"\ntargets = [0]\n" + costs, "tuning.targets"},
		{"[tuning]\nrange = \"16%\"\n" + costs, ""},
	} {
		nl, err := netlist.Parse("c.toml", []byte(chipSrc(c.tuning)), nil)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckTuning(nl, m)
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: %v", c.tuning, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "c.toml") {
			t.Errorf("%q: error %v, want one naming c.toml and %s", c.tuning, err, c.want)
		}
	}
}
