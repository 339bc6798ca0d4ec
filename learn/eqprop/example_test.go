package eqprop_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"oscsim/learn/eqprop"
)

// A pseudo-inverse memory of three 5×3 digits, run through the chip's
// engine (phase model), retrieves each digit from one flipped pixel.
func ExampleRetrieve() {
	pats := eqprop.Digits(eqprop.Glyphs5x3)[:3]
	net := eqprop.AllToAll(15)
	if err := eqprop.PseudoInverse(net, pats); err != nil {
		panic(err)
	}
	m, err := eqprop.Software(net, eqprop.Config{})
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var probes []eqprop.Probe
	for k, p := range pats {
		x := append(eqprop.Pattern(nil), p...)
		x[4] = -x[4] // flip the centre pixel
		probes = append(probes, eqprop.Probe{Init: eqprop.Start(x, eqprop.Jitter, rng), Pattern: k})
	}
	acc, err := eqprop.Retrieve(context.Background(), m, pats, probes, 0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("retrieved %.0f%%\n", 100*acc)
	// Output: retrieved 100%
}
