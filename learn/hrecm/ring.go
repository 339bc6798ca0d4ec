package hrecm

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"oscsim/ringosc"
)

// RingCoupling is the even part of a characterised ring's coupling
// function, as the chip's phase model carries it (docs/hrecm.md, "The
// ring model"): coupler ij on path p adds
//
//	K·J_ij·[sin Δ + ρ_p·(cos Δ − cos Δ*_p)],   Δ = θ_j − θ_i,
//
// with the in-phase path (J_ij > 0, Δ* = 0) and the inverter path
// (J_ij < 0, Δ* = π). ρ = 0 is the ideal OIM of eq (1). With ρ ≠ 0 the
// dynamics are not a gradient flow, and a binary state whose couplers are
// not all in their favoured state is no longer an equilibrium.
type RingCoupling struct {
	In  float64 `json:"in_phase"` // ρ of the in-phase path
	Inv float64 `json:"inverter"` // ρ of the inverter path
}

// RingCouplingOf returns ρ_p = (H_p(0) − H_p(π)) / (2·A1_p) of a ring model
// (0 for the analytic ring), the coefficient the chip's phase model uses.
func RingCouplingOf(m *ringosc.Model) RingCoupling {
	if !m.Tabulated() {
		return RingCoupling{}
	}
	var rc RingCoupling
	for k, inv := range []bool{false, true} {
		h := m.CouplingHarmonics(inv)
		if h.A1 == 0 {
			continue
		}
		rho := (m.Interaction(inv, 0) - m.Interaction(inv, math.Pi)) / (2 * h.A1)
		if k == 0 {
			rc.In = rho
		} else {
			rc.Inv = rho
		}
	}
	return rc
}

// terms returns, for coupler ij at phase difference d = θ_j − θ_i, the
// coupling function's value and its derivative in d, per unit K·J_ij.
func (rc RingCoupling) terms(jij, d float64) (f, df float64) {
	rho, c0 := rc.In, 1.0
	if jij < 0 {
		rho, c0 = rc.Inv, -1
	}
	s, c := math.Sincos(d)
	return s + rho*(c-c0), c - rho*s
}

// RingVelocity writes dθ/dt of the ring model:
// dθ_i/dt = Σ_j K J_ij [sin Δ + ρ_p (cos Δ − cos Δ*_p)] − K_s sin 2θ_i.
func (n *Net) RingVelocity(theta []float64, k, ks float64, rc RingCoupling, dst []float64) []float64 {
	if cap(dst) < n.N {
		dst = make([]float64, n.N)
	}
	dst = dst[:n.N]
	for i := 0; i < n.N; i++ {
		v := 0.0
		for j, jij := range n.J[i*n.N : (i+1)*n.N] {
			if jij != 0 {
				f, _ := rc.terms(jij, theta[j]-theta[i])
				v += jij * f
			}
		}
		dst[i] = k*v - ks*math.Sin(2*theta[i])
	}
	return dst
}

// RingJacobian returns the (non-symmetric for ρ ≠ 0) Jacobian of
// RingVelocity at θ.
func (n *Net) RingJacobian(theta []float64, k, ks float64, rc RingCoupling) *mat.Dense {
	jac := mat.NewDense(n.N, n.N, nil)
	for i := 0; i < n.N; i++ {
		d := 0.0
		for j, jij := range n.J[i*n.N : (i+1)*n.N] {
			if jij == 0 {
				continue
			}
			_, df := rc.terms(jij, theta[j]-theta[i])
			jac.Set(i, j, k*jij*df)
			d += k * jij * df
		}
		jac.Set(i, i, -d-2*ks*math.Cos(2*theta[i]))
	}
	return jac
}

// RingState is the ring model's picture of a binary state σ.
type RingState struct {
	// Theta is the equilibrium Newton's method found from σ's phases;
	// Found is false when it did not converge (to 1e-10 rad/s·K) within
	// 50 steps or ended farther than 0.5 rad from σ.
	Theta []float64
	Found bool
	// Shift is max_i |θ_i − θ_σ,i| (rad).
	Shift float64
	// Drift is max_i |dθ_i/dt| at σ itself, per unit K: 0 iff σ is an
	// exact equilibrium.
	Drift float64
	// Growth is the largest real part of the Jacobian's eigenvalues at
	// Theta (per unit K); the equilibrium is stable iff Growth < 0.
	Growth float64
}

// Stable reports whether the ring model has a stable equilibrium near σ.
func (r RingState) Stable() bool { return r.Found && r.Growth < 0 }

// RingAt finds the ring model's equilibrium near the binary state σ by
// Newton's method from θ_σ and its stability.
func (n *Net) RingAt(s []int8, k, ks float64, rc RingCoupling) RingState {
	theta := make([]float64, n.N)
	for i, v := range s {
		if v < 0 {
			theta[i] = math.Pi
		}
	}
	th0 := append([]float64(nil), theta...)
	f := n.RingVelocity(theta, k, ks, rc, nil)
	r := RingState{}
	for _, v := range f {
		r.Drift = math.Max(r.Drift, math.Abs(v)/k)
	}
	dx := mat.NewVecDense(n.N, nil)
	for it := 0; it < 50; it++ {
		norm := 0.0
		for _, v := range f {
			norm = math.Max(norm, math.Abs(v))
		}
		if norm < 1e-10*k {
			r.Found = true
			break
		}
		jac := n.RingJacobian(theta, k, ks, rc)
		if err := dx.SolveVec(jac, mat.NewVecDense(n.N, f)); err != nil {
			break
		}
		for i := range theta {
			theta[i] -= dx.AtVec(i)
		}
		f = n.RingVelocity(theta, k, ks, rc, f)
	}
	for i := range theta {
		r.Shift = math.Max(r.Shift, math.Abs(math.Remainder(theta[i]-th0[i], 2*math.Pi)))
	}
	if r.Shift > 0.5 {
		r.Found = false
	}
	r.Theta = theta
	var eig mat.Eigen
	r.Growth = math.NaN()
	if eig.Factorize(n.RingJacobian(theta, k, ks, rc), mat.EigenNone) {
		r.Growth = math.Inf(-1)
		for _, v := range eig.Values(nil) {
			r.Growth = math.Max(r.Growth, real(v)/k)
		}
	}
	return r
}
