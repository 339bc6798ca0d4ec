package engine

// The engine's side of the coupling paths (chip/paths.go): extra row sets in the
// trigonometric buffers that a path's couplers read instead of the sending
// ring's own row, so the sparse products and kernels stay as they are.
//
// Phase model with a characterised ring: set 1 holds every ring's
// a_in·(sin φ + ρ_in·cos φ ‖ cos φ − ρ_in·sin φ), read by in-phase
// couplers; set 2 the same with ρ_inv and a_inv, read by inverter-path
// couplers (a = h1/C of the path: the couplers' values are G, so the rows
// carry K = a·G, coupling.Rate). Cycle model with an
// inverter table: set 1 holds 1 − u(θ), read by inverter-path couplers.
// Set 0 is the rings' own row, as without paths. A row set is N rows laid out
// like set 0, after it. The coupler-power passes read set 0 through the
// original columns (c.col); only the stage passes read c.colV.

// setupPaths sets c.colV and c.sets (and c.rho) for the engine's model.
func (c *core[T]) setupPaths() {
	p, l := c.p, c.p.Paths
	c.colV, c.sets = c.col, 1
	if p.Model == Phase && p.tabulated() && p.Ks > 0 && p.G2 > 0 {
		// kq = (2K_s·f)²·mask/(4·g2²·ω_ref) = (x²/ω_ref)·mask.
		c.q2 = [3]T{T(l.Pump2[0]), T(l.Pump2[1]), T(l.Pump2[2])}
		c.q2scale = T(1 / (4 * p.G2 * p.G2 * p.Wref))
		c.q1 = [2]T{T(l.Pump1[0]), T(l.Pump1[1])}
		c.q1set = l.Pump1 != [2]float64{}
	}
	// The phase model's couplers sum in units of G (the chip's g): the
	// stage pass scales the sums by h1/C (coupling.Rate). When the two
	// paths have different gains (a measured inverter table) or phase
	// offsets, each path reads its own row set with its gain folded in.
	c.a = T(p.H1 / p.C)
	switch {
	case p.Model == Phase && (l.Rho != [2]float64{} || p.H1Inv != p.H1):
		c.sets = 3
		c.rho = [2]T{T(l.Rho[0]), T(l.Rho[1])}
		c.pathGain = [2]T{T(p.H1 / p.C), T(p.H1Inv / p.C)}
		c.a = 1
	case p.Model == Cycle && l.InvTable && p.tabulated():
		c.sets = 2
	default:
		return
	}
	c.colV = make([]int32, len(c.col))
	for x, j := range c.col {
		switch {
		case p.G[x] < 0 && c.sets == 3:
			c.colV[x] = j + 2*int32(c.N)
		case p.G[x] < 0 || c.sets == 3:
			c.colV[x] = j + int32(c.N)
		default:
			c.colV[x] = j
		}
	}
}

// pathRows fills the phase model's rotated rows of ring i for inputs
// b0 ≤ b < b0 + n from its own row in trig buffer buf.
func (c *core[T]) pathRows(buf, i, b0, n int) {
	B, tb := c.B, c.tb[buf]
	o := i*2*B + b0
	sn, cs := tb[o:o+n], tb[o+B:o+B+n]
	for p, rho := range c.rho {
		od := ((p+1)*c.N+i)*2*B + b0
		c.kn.rot(sn, cs, c.pathGain[p], rho, tb[od:od+n], tb[od+B:od+B+n])
	}
}

// pump2 adds the pump's second-order drift kq·Q(φ) (paths.go) to the phase
// model's rates f of rings with sin φ = sn, cos φ = cs:
// sin 4φ = 4sc·(c² − s²), cos 4φ = 1 − 8s²c². For a ring whose pump law
// was measured (c.q1set) it also adds the first order's difference from
// −K_s·sin 2φ, kp·(q1[0]·sc + q1[1]·(c² − s²)) (kp = 2K_s·f(t)).
func (c *core[T]) pump2(f, sn, cs []T, kp, kq T) {
	if kq == 0 {
		return
	}
	c.kn.pump2(f, sn, cs, kq, c.q2[0], c.q2[1], c.q2[2], c.q1set, kp, c.q1[0], c.q1[1])
}

// pump2One is pump2's term for one ring.
func (c *core[T]) pump2One(s, k, kp, kq T) T {
	return pump2Term(s, k, kq, c.q2[0], c.q2[1], c.q2[2], c.q1set, kp, c.q1[0], c.q1[1])
}

// pathRows1 is pathRows for a batch of one input (rows of 2 values).
func (c *core[T]) pathRows1(tb []T, i int) {
	s, k := tb[2*i], tb[2*i+1]
	o1, o2 := 2*(c.N+i), 2*(2*c.N+i)
	r0, r1 := c.rho[0], c.rho[1]
	a0, a1 := c.pathGain[0], c.pathGain[1]
	tb[o1], tb[o1+1] = a0*(s+r0*k), a0*(k-r0*s)
	tb[o2], tb[o2+1] = a1*(s+r1*k), a1*(k-r1*s)
}
