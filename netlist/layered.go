package netlist

import (
	"fmt"
	"sort"
)

// A "layered" fabric (couplings.topology = "layered", couplings.layers =
// [784, 256, 10]) numbers the rings layer by layer and builds one coupler
// site between every ring of a layer and every ring of the next, none
// inside a layer and none between layers further apart: the fabric of a
// layered classifier trained by equilibrium propagation (docs/ep.md, "The
// layered chip"). Its site count is Σ_l L_l·L_{l+1} (784·256 + 256·10 =
// 203,264 for 784-256-10), and Program refuses couplings outside it, as
// the silicon would.

// Injection describes the chip's injection drivers at f0 ([injection]):
// each target ring has a driver that sources I·cos(ω_ref·t + ψ) into its
// tap (chip.Injection). Design choice [A] (docs/ep.md, "The layered
// chip"): a vector-sum driver, two signed current DACs of Bits bits
// (codes −(2^Bits−1) … 2^Bits−1, full scale MaxCurrent each) weighting the
// reference's in-phase and quadrature lines, so that the driver delivers
// I_c·cos ω_ref·t − I_s·sin ω_ref·t with I_c = I·cos ψ, I_s = I·sin ψ, each
// rounded to its DAC's step. A layered chip uses them for the input clamps
// (the image's phases), the biases (phase 0 or π: the in-phase DAC alone)
// and the nudge of on-chip training.
type Injection struct {
	// MaxCurrent is the full scale of each DAC (A): |I·cos ψ| and
	// |I·sin ψ| may not exceed it.
	MaxCurrent float64
	// Bits is each DAC's magnitude resolution (plus a sign).
	Bits int
	// Targets are the rings that have a driver, in increasing order.
	Targets []int
}

// DefaultInjectionBits is the drivers' DAC resolution when the
// description gives none: 6 bits and a sign (127 levels per component,
// phase steps below 1° at full scale, finer than a 6-bit TDC reads). A
// design choice [A] (docs/ep.md).
const DefaultInjectionBits = 6

// LayerOf returns the layer of ring i in a layered fabric (0-based), or
// −1 when the fabric is not layered or i is out of range.
func (c *Couplings) LayerOf(i int) int {
	if c.Layers == nil || i < 0 {
		return -1
	}
	start := 0
	for l, s := range c.Layers {
		if i < start+s {
			return l
		}
		start += s
	}
	return -1
}

// LayerStart returns the index of layer l's first ring (l may be
// len(Layers): the ring count).
func (c *Couplings) LayerStart(l int) int {
	start := 0
	for _, s := range c.Layers[:l] {
		start += s
	}
	return start
}

// LayeredPairs calls fn for every coupler site (i < j) of a layered
// fabric of the given layer sizes, in increasing (i, j) order.
func LayeredPairs(layers []int, fn func(i, j int)) {
	start := 0
	for l := 0; l+1 < len(layers); l++ {
		next := start + layers[l]
		for i := start; i < next; i++ {
			for j := next; j < next+layers[l+1]; j++ {
				fn(i, j)
			}
		}
		start = next
	}
}

// layeredSites returns Σ_l L_l·L_{l+1}.
func layeredSites(layers []int) int {
	s := 0
	for l := 0; l+1 < len(layers); l++ {
		s += layers[l] * layers[l+1]
	}
	return s
}

// buildLayers checks couplings.layers against the topology and the ring
// count: every problem at the key (or the element) it is about.
func (v *validator) buildLayers(n *Netlist, rc *rawCouplings) {
	c := &n.Couplings
	N := n.Oscillators.N()
	switch {
	case c.Topology == Layered && rc.Layers == nil:
		v.errAt("couplings.topology", "topology \"layered\" needs couplings.layers, the layer sizes from input to output (e.g. [784, 256, 10])")
		return
	case c.Topology != Layered && rc.Layers != nil:
		v.errAt("couplings.layers", "layer sizes need couplings.topology = \"layered\" (got %q)", c.Topology)
		return
	case rc.Layers == nil:
		return
	}
	ok := true
	if len(rc.Layers) < 2 {
		v.errAt("couplings.layers", "a layered fabric needs at least two layers, input and output (got %d)", len(rc.Layers))
		ok = false
	}
	sum := 0
	for l, s := range rc.Layers {
		if s < 1 {
			v.errAt(fmt.Sprintf("couplings.layers[%d]", l), "layer %d has %d rings; every layer needs at least one", l, s)
			ok = false
			continue
		}
		if s > MaxOscillators {
			v.errAt(fmt.Sprintf("couplings.layers[%d]", l), "layer %d has %d rings, more than the %d a chip may have", l, s, MaxOscillators)
			ok = false
			continue
		}
		sum += s
	}
	if ok && N > 0 && sum != N {
		v.errAt("couplings.layers", "the layers %v hold %d rings, but the chip has %d oscillators", rc.Layers, sum, N)
		ok = false
	}
	if ok {
		if sites := layeredSites(rc.Layers); sites > MaxCouplerSites {
			v.errAt("couplings.layers", "layers %v build %d coupler sites, more than the %d a chip may have", rc.Layers, sites, MaxCouplerSites)
			ok = false
		}
	}
	if ok {
		c.Layers = append([]int(nil), rc.Layers...)
	}
}

// buildInjection validates the [injection] table.
func (v *validator) buildInjection(n *Netlist, r *rawInjection) {
	if r == nil {
		return
	}
	j := &Injection{Bits: DefaultInjectionBits}
	if r.MaxCurrent == nil {
		v.errAt("injection", "the drivers need a full scale: max_current (e.g. \"20uA\")")
	} else {
		j.MaxCurrent = float64(*r.MaxCurrent)
		if !(j.MaxCurrent > 0) || !finite(j.MaxCurrent) {
			v.errAt("injection.max_current", "must be positive (got %gA)", j.MaxCurrent)
		}
	}
	if r.Bits != nil {
		j.Bits = *r.Bits
		if j.Bits < 1 || j.Bits > 16 {
			v.errAt("injection.bits", "DAC bits must be in 1..16 (got %d)", j.Bits)
		}
	}
	j.Targets = v.resolveTargets("injection.targets", r.Targets, n.Oscillators.N())
	sort.Ints(j.Targets)
	n.Injection = j
}
