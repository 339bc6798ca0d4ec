package netlist

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"oscsim/ringosc"
)

// FreqSigma is the value of oscillators.freq_sigma: a ratio ("1.5%",
// 0.015) or the word "pelgrom", which derives the mismatch from the card's
// device size and A_VT (ringosc.PelgromSigma, docs/model.md §3).
type FreqSigma struct {
	Value   float64
	Pelgrom bool
}

// UnmarshalText accepts a ratio or "pelgrom".
func (f *FreqSigma) UnmarshalText(b []byte) error {
	if strings.TrimSpace(string(b)) == "pelgrom" {
		*f = FreqSigma{Pelgrom: true}
		return nil
	}
	var r Ratio
	if err := r.UnmarshalText(b); err != nil {
		return fmt.Errorf("%q is not a ratio or \"pelgrom\" (want e.g. \"1.5%%\", 0.015 or \"pelgrom\")", b)
	}
	*f = FreqSigma{Value: float64(r)}
	return nil
}

// resolveFreqSigma fills o.FreqSigma from a "pelgrom" setting once the card
// and stage count are known.
func (v *validator) resolveFreqSigma(n *Netlist, r *FreqSigma) {
	o := &n.Oscillators
	if r == nil || !r.Pelgrom {
		return
	}
	t := n.Tech
	if !(t.AVT > 0) || !(t.WN > 0) || !(t.L > 0) || !(t.VDD > t.Vth) {
		v.errAt("oscillators.freq_sigma", "\"pelgrom\" needs the card's avt_mv_um, wn, l and vth < vdd (card %s)", t.Name)
		return
	}
	o.FreqSigma = ringosc.PelgromSigma(t, o.Stages)
	o.FreqSigmaPelgrom = true
}

// RandomWeights describes a random coupling instance drawn over the fabric:
// every site of the topology gets a weight drawn uniformly from Levels with
// a PCG stream seeded by Seed (couplings.random_levels, random_seed). The
// draw is part of the description, so the same file always gives the same
// instance.
type RandomWeights struct {
	Levels []float64
	Seed   int64
}

// FabricPairs calls fn for every coupler site (i < j) of a fabric topology
// on a rows×cols grid (row-major indices) or, for "all-to-all", on n
// oscillators, in increasing (i, j) order. It returns false for "explicit",
// which has no fabric.
func FabricPairs(topology Topology, n, rows, cols int, fn func(i, j int)) bool {
	switch topology {
	case AllToAll:
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				fn(i, j)
			}
		}
	case Kings, Grid:
		for r := 0; r < rows; r++ {
			for c := 0; c < cols; c++ {
				i := r*cols + c
				// Neighbours with a larger index: right, and the row below.
				nb := [][2]int{{0, 1}, {1, 0}}
				if topology == Kings {
					nb = [][2]int{{0, 1}, {1, -1}, {1, 0}, {1, 1}}
				}
				for _, d := range nb {
					rr, cc := r+d[0], c+d[1]
					if rr < rows && cc >= 0 && cc < cols {
						fn(i, rr*cols+cc)
					}
				}
			}
		}
	default:
		return false
	}
	return true
}

// FabricSites returns the number of coupler sites the chip builds: every
// pair of the fabric topology, every pair of a "sites" mask, or for
// "explicit" one per programmed edge. Closed forms: N(N−1)/2 all-to-all; 4RC − 3(R+C) + 2 King's graph;
// 2RC − R − C grid (docs/model.md §10 [D]).
func (n *Netlist) FabricSites() int {
	o, c := n.Oscillators, n.Couplings
	R, C, N := o.Rows, o.Cols, o.N()
	switch c.Topology {
	case AllToAll:
		return N * (N - 1) / 2
	case Kings:
		if R == 0 || C == 0 {
			return 0
		}
		return 4*R*C - 3*(R+C) + 2
	case Grid:
		return 2*R*C - R - C
	case Sites:
		return len(c.Sites)
	case Layered:
		return layeredSites(c.Layers)
	}
	return len(c.Edges)
}

// buildRandom draws the random instance of couplings.random_levels.
func (v *validator) buildRandom(n *Netlist, rc *rawCouplings, explicit int) {
	c := &n.Couplings
	if rc.RandomLevels == nil {
		if rc.RandomSeed != nil {
			v.errAt("couplings.random_seed", "random_seed needs random_levels")
		}
		return
	}
	ok := true
	if len(rc.RandomLevels) == 0 {
		v.errAt("couplings.random_levels", "want at least one weight level (e.g. [-1, 1])")
		ok = false
	}
	for _, w := range rc.RandomLevels {
		if !v.checkWeight("couplings.random_levels", w) {
			ok = false
		} else if c.Quantize == Exact && !v.checkCode("couplings.random_levels", w, c.MaxCode) {
			ok = false
		}
	}
	if !c.Topology.Fabric() {
		v.errAt("couplings.random_levels", "random weights need a fabric topology (\"all-to-all\", \"kings\", \"grid\", \"sites\" or \"layered\")")
		ok = false
	}
	if explicit > 0 || rc.Weights != "" {
		v.errAt("couplings.random_levels", "give either random_levels or explicit couplings / a weights file, not both")
		ok = false
	}
	if !ok || len(v.errs) > 0 {
		return // draw no fabric for a description already known to be bad
	}
	rw := &RandomWeights{Levels: append([]float64(nil), rc.RandomLevels...), Seed: 1}
	if rc.RandomSeed != nil {
		rw.Seed = *rc.RandomSeed
	}
	// A PCG stream per description; the second word is a fixed tag so the
	// instance does not coincide with any run stream drawn from the seed.
	rng := rand.New(rand.NewPCG(uint64(rw.Seed), 0x6f7363732d726e64))
	o := n.Oscillators
	draw := func(i, j int) {
		w := rw.Levels[rng.IntN(len(rw.Levels))]
		if w != 0 {
			c.Edges = append(c.Edges, Edge{I: i, J: j, W: w})
		}
	}
	switch c.Topology {
	case Sites:
		for _, p := range c.Sites {
			draw(int(p.I), int(p.J))
		}
	case Layered:
		LayeredPairs(c.Layers, draw)
	default:
		FabricPairs(c.Topology, o.N(), o.Rows, o.Cols, draw)
	}
	c.Random = rw
}
