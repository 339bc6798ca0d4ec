// Package benchkit holds what the project's benchmarks share: the CPU
// clock they report per-CPU-second rates with, and the random coupling
// graphs they time. chip's and spice's benchmarks, learn/eqprop's and the
// bench/peers command use it; it imports only netlist, so chip's own
// in-package benchmarks can too.
package benchkit

import (
	"math/rand/v2"

	"oscsim/netlist"
)

// CirculantEdges connects ring p(i) to p(i+d) for d = 1..deg/2 under a
// random relabelling p (seeded by seed): every ring has exactly deg
// neighbours, scattered over the array the way a trained OscNet's are.
// Weights are uniform in ±[0.1, 1) with random signs: |w| ≥ 0.1, so no
// weight quantises to code 0.
func CirculantEdges(n, deg int, seed uint64) []netlist.Edge {
	r := rand.New(rand.NewPCG(seed, 1))
	p := r.Perm(n)
	var out []netlist.Edge
	for i := 0; i < n; i++ {
		for d := 1; d <= deg/2; d++ {
			a, b := p[i], p[(i+d)%n]
			w := 0.1 + 0.9*r.Float64()
			if r.IntN(2) == 0 {
				w = -w
			}
			out = append(out, netlist.Edge{I: min(a, b), J: max(a, b), W: w})
		}
	}
	return out
}
