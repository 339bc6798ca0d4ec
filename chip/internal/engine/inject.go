package engine

import "math"

// Injection at f0 (chip/inject.go): Plan.InjA and InjB per ring and
// input, layout i·B+b like the state.
//
// Phase model: f += injA·sin φ + injB·cos φ (Adler's law expanded).
// Cycle model: f += Γ(θ)·(injA·cos ω_ref·t − injB·sin ω_ref·t), the
// current per q_max through the ISF.

// injectPhase adds the phase model's injection to row i's f for inputs
// b0 … b0+len(f)−1 (base = i·B+b0) from sin φ and cos φ.
func (c *core[T]) injectPhase(f []T, base int, sn, cs []T) {
	A, Bc := c.injA[base:base+len(f)], c.injB[base:base+len(f)]
	for b := range f {
		f[b] += A[b]*sn[b] + Bc[b]*cs[b]
	}
}

// injectCycle adds the cycle model's injection at stage s to row i's f
// (base = i·B+b0): the ISF times the injected current per q_max. gg holds
// sin θ (analytic ring: Γ = −Γ1·sin θ) or Γ(θ) (tabulated).
func (c *core[T]) injectCycle(f []T, s, base int) {
	sw, cw := math.Sincos(float64(c.wts[s]))
	cwT, swT := T(cw), T(sw)
	n := len(f)
	A, Bc, gam := c.injA[base:base+n], c.injB[base:base+n], c.gg[base:base+n]
	for b := range f {
		cur := A[b]*cwT - Bc[b]*swT
		g := gam[b]
		if !c.tabulated {
			g *= c.g1
		}
		f[b] += g * cur
	}
}

// inject1 is the injection term of ring i for a batch of one at stage s
// (sn, cs: sin φ_i, cos φ_i in the phase model).
func (c *core[T]) inject1(i, s int, sn, cs T) T {
	if c.p.Model == Phase {
		return c.injA[i]*sn + c.injB[i]*cs
	}
	sw, cw := math.Sincos(float64(c.wts[s]))
	g := c.gg[i]
	if !c.tabulated {
		g *= c.g1
	}
	return g * (c.injA[i]*T(cw) - c.injB[i]*T(sw))
}
