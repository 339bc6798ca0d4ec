package engine

import (
	"math/rand/v2"
	"testing"
)

// TestNormalMatchesRand: the ziggurat the float64 noise uses (normal, and
// normalSlow off its fast path) draws math/rand/v2's deviates from the
// same PCG source.
func TestNormalMatchesRand(t *testing.T) {
	k := Key(7, 1, 2, tagNoise)
	p := pcg{hi: k, lo: Mix(k)}
	r := rand.New(rand.NewPCG(k, Mix(k)))
	for n := 0; n < 1_000_000; n++ {
		if a, b := normal(&p), r.NormFloat64(); a != b {
			t.Fatalf("draw %d: %v, want %v", n, a, b)
		}
	}
}
