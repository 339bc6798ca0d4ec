package ringosc

import (
	"math"
	"os"
	"testing"
)

// Packed.At returns exactly what the separate lookups return.
func TestPackedMatchesLookups(t *testing.T) {
	f, err := os.Open("../spice/testdata/generic45.ring.toml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(f, "generic45.ring.toml")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	noInv := m
	noInv.Inv = nil
	for _, mm := range []*Model{&m, &noInv} {
		pk := mm.Pack()
		for k := -1000; k <= 1000; k++ {
			th := float64(k) * 0.0137 * math.Pi
			v, g, gp, inv := pk.At(th)
			if v != mm.V(th) || g != mm.Gamma(th) || gp != mm.GammaPump(th) || inv != mm.InvV(th) {
				t.Fatalf("θ = %g: At (%g, %g, %g, %g), lookups (%g, %g, %g, %g)", th, v, g, gp, inv, mm.V(th), mm.Gamma(th), mm.GammaPump(th), mm.InvV(th))
			}
		}
	}
}
