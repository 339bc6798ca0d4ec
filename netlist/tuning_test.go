package netlist

import (
	"math"
	"strings"
	"testing"
)

const tuningBase = `[oscillators]
count = 4
frequency = "1GHz"
[couplings]
topology = "all-to-all"
`

// A [tuning] table decodes with its units; a ring's power follows its
// tuned frequency by the exponent.
func TestTuning(t *testing.T) {
	src := tuningBase + `[tuning]
targets = [0, 2]
range = "15%"
dac_bits = 8
dac_area = "2000um2"
dac_energy = "0.5pJ"
mac_area = "1500um2"
mac_energy = "0.23pJ"
`
	n, err := Parse("tuning.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	tu := n.Tuning
	if tu == nil {
		t.Fatal("no Tuning")
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Abs(b) }
	if !near(tu.Range, 0.15) || tu.DACBits != 8 || !near(tu.DACArea, 2e-9) || !near(tu.DACEnergy, 0.5e-12) ||
		!near(tu.MACArea, 1.5e-9) || !near(tu.MACEnergy, 0.23e-12) || tu.PowerExponent != 1 {
		t.Errorf("decoded %+v", *tu)
	}
	if !tu.Tunable(0) || tu.Tunable(1) || !tu.Tunable(2) || tu.Tunable(3) {
		t.Errorf("targets %v", tu.Targets)
	}
	if p := tu.RingPower(1.1e9, 1e9); !near(p, 1.1) {
		t.Errorf("RingPower(1.1 f0) = %g, want 1.1", p)
	}
}

// Bad [tuning] tables name the key.
func TestTuningErrors(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"dac_bits = 8\ndac_area = \"1um2\"\ndac_energy = \"1pJ\"\nmac_area = \"1um2\"\nmac_energy = \"1pJ\"\n", "range"},
		{"range = \"150%\"\ndac_bits = 8\ndac_area = \"1um2\"\ndac_energy = \"1pJ\"\nmac_area = \"1um2\"\nmac_energy = \"1pJ\"\n", "tuning.range"},
		{"range = \"15%\"\ndac_bits = 40\ndac_area = \"1um2\"\ndac_energy = \"1pJ\"\nmac_area = \"1um2\"\nmac_energy = \"1pJ\"\n", "tuning.dac_bits"},
		{"range = \"15%\"\ndac_bits = 8\ndac_energy = \"1pJ\"\nmac_area = \"1um2\"\nmac_energy = \"1pJ\"\n", "dac_area"},
		{"range = \"15%\"\ndac_bits = 8\ndac_area = \"1um2\"\ndac_energy = \"1pJ\"\nmac_area = \"1um2\"\nmac_energy = \"1pJ\"\nbits = 3\n", "tuning.bits"},
	} {
		_, err := Parse("t.toml", []byte(tuningBase+"[tuning]\n"+c.body), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one naming %s", c.body, err, c.want)
		}
	}
}
