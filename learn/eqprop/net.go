package eqprop

import (
	"fmt"
	"math"
)

// Net is a network of N units with symmetric couplings on a fixed edge
// set: W[e] couples units Edges[e][0] < Edges[e][1] in both directions.
// Weights are dimensionless; a Machine turns weight w into the rate w·κ.
type Net struct {
	N     int
	Edges [][2]int
	W     []float64
}

// AllToAll returns a network of n units with every pair coupled, weights 0.
func AllToAll(n int) *Net {
	net := &Net{N: n}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			net.Edges = append(net.Edges, [2]int{i, j})
		}
	}
	net.W = make([]float64, len(net.Edges))
	return net
}

// Layered returns a network of consecutive layers of the given sizes with
// every unit of a layer coupled to every unit of the next (units numbered
// layer by layer), weights 0: the layered EP network of Scellier & Bengio.
func Layered(sizes ...int) *Net {
	net := &Net{}
	start := 0
	for l, s := range sizes {
		if l > 0 {
			prev := start - sizes[l-1]
			for i := prev; i < start; i++ {
				for j := start; j < start+s; j++ {
					net.Edges = append(net.Edges, [2]int{i, j})
				}
			}
		}
		start += s
	}
	net.N = start
	net.W = make([]float64, len(net.Edges))
	return net
}

// Clone returns a deep copy of net.
func (net *Net) Clone() *Net {
	return &Net{N: net.N, Edges: append([][2]int(nil), net.Edges...), W: append([]float64(nil), net.W...)}
}

// SetDense sets every edge's weight from a dense symmetric n×n matrix
// (row-major).
func (net *Net) SetDense(w []float64) {
	if len(w) != net.N*net.N {
		panic(fmt.Sprintf("eqprop: SetDense: %d values for %d units", len(w), net.N))
	}
	for e, p := range net.Edges {
		net.W[e] = w[p[0]*net.N+p[1]]
	}
}

// RowSum returns max_i Σ_j |W_ij|, the scale of the network's fastest
// rate (in units of κ).
func (net *Net) RowSum() float64 {
	s := make([]float64, net.N)
	for e, p := range net.Edges {
		a := math.Abs(net.W[e])
		s[p[0]] += a
		s[p[1]] += a
	}
	var m float64
	for _, x := range s {
		m = math.Max(m, x)
	}
	return m
}

// Nudge is an injection into unit i that adds
// Beta·(1 − cos(φ_i − Phase)) to the energy (in units of κ): a target's
// nudge or an input's clamp.
type Nudge struct {
	Unit  int
	Beta  float64
	Phase float64
}

// Energy returns the network's energy at phases phi in units of κ
// (docs/ep.md eq. 2): −Σ_e W_e·cos(φ_i − φ_j) plus each nudge's
// Beta·(1 − cos(φ_i − Phase)). The phase dynamics dφ/dt = −κ·∂E/∂φ never
// raise it.
func (net *Net) Energy(phi []float64, nudges []Nudge) float64 {
	var e float64
	for k, p := range net.Edges {
		e -= net.W[k] * math.Cos(phi[p[0]]-phi[p[1]])
	}
	for _, n := range nudges {
		e += n.Beta * (1 - math.Cos(phi[n.Unit]-n.Phase))
	}
	return e
}

// Cost is the nudge's cost Σ_i (1 − cos(φ_i − ψ_i)) over target phases psi
// (NaN: not an output).
func Cost(phi, psi []float64) float64 {
	var c float64
	for i, p := range psi {
		if !math.IsNaN(p) {
			c += 1 - math.Cos(phi[i]-p)
		}
	}
	return c
}

// Align returns the target phases ψ_i = φ_ref + y_i for targets y (NaN:
// not an output) with the reference φ_ref = arg Σ_out e^{j(φ_i − y_i)},
// the rotation that minimises Cost(phi, ψ): the phase model has no
// absolute phase, so the target is taken relative to the free
// equilibrium's best-aligned frame (docs/ep.md). At this φ_ref the cost's
// derivative with respect to φ_ref vanishes, so holding ψ fixed during the
// nudged phase and in backpropagation loses nothing to first order.
func Align(phi, y []float64) []float64 {
	var sx, sy float64
	for i, t := range y {
		if !math.IsNaN(t) {
			s, c := math.Sincos(phi[i] - t)
			sx += c
			sy += s
		}
	}
	ref := math.Atan2(sy, sx)
	psi := make([]float64, len(y))
	for i, t := range y {
		psi[i] = math.NaN()
		if !math.IsNaN(t) {
			psi[i] = ref + t
		}
	}
	return psi
}
