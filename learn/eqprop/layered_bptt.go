package eqprop

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// bpttGradient returns the exact gradient of the minibatch's mean cost
// after the free relaxation's last Euler step (EstimatorBPTT; docs/ep.md
// eq. 6): the engine's trace of the free relaxation from init with the
// clamps free is the forward pass, and per image the adjoint
//
//	a_n = a_{n+1} + h·J(φ_n)ᵀ·a_{n+1},   a_T = sin(φ_T − ψ) on the outputs,
//
// with h = κ·dt runs back through it, accumulating every coupler's
// h·sin(φ_j − φ_i)·(a_i − a_j) and every ring's clamp-phasor gradient
// (a phasor Re + j·Im adds −Re·sin φ + Im·cos φ to dφ/dt). The held inputs'
// weights and the biases enter only through the clamp phasors (eq. 10):
// ∂L/∂W0_ji = Σ_b cos x_j·g^Re_i + sin x_j·g^Im_i (two matrix products, as
// EP's), ∂L/∂h_i = g^Re_i. A ring's SHIL pump adds −s_i·sin 2φ_i to
// dφ_i/dt (units of κ): −2·s_i·cos 2φ_i on the Jacobian's diagonal and
// ∂L/∂s_i = Σ_n −h·sin 2φ_i·a_i. The cost's gradient at the last step is
// the output cost's (outGrad). It is Machine.BPTT with the clamp gradients
// kept per image, for the analytic ring's odd coupling function only.
func (t *LayeredTrainer) bpttGradient(ctx context.Context, d Examples, idx []int, init [][]float64, free [][]Nudge, cx, sx blas64.General) ([][]float64, StepResult, error) {
	var res StepResult
	m, L := t.m, t.W
	if m.rho != [2]float64{} || m.gain != [2]float64{1, 1} {
		return nil, res, fmt.Errorf("eqprop: the BPTT estimator needs an odd coupling function (the analytic ring)")
	}
	B, N := len(idx), m.Net.N
	rel, err := t.relax(ctx, init, free, t.noiseSeed(0), true)
	if err != nil {
		return nil, res, err
	}
	K := L.Sizes[L.Layers()-1]
	H, P := L.Sizes[1], d.P
	h := m.kappa * rel.Dt
	W := m.held
	gs := make([]float64, len(m.Net.Edges))
	gre := make([]float64, B*N)
	gim := make([]float64, B*N)
	gsh := make([]float64, B*N)
	shil := L.pumpGains()
	if shil == nil {
		shil = make([]float64, N)
	}
	dC := make([]float64, K)
	a, ja := make([]float64, N), make([]float64, N)
	sn, cs := make([]float64, N), make([]float64, N)
	pr, pi := make([]float64, N), make([]float64, N)
	for b, n := range idx {
		c := int(d.Labels[n])
		states := rel.Trace.Phases[b]
		T := len(states) - 1
		last := states[T]
		res.Cost += t.outCost(last[N-K:], c) / float64(B)
		if Classify(rel.Read[b][N-K:], 0) == c {
			res.Correct++
		}
		t.outGrad(last[N-K:], c, dC)
		clear(pr)
		clear(pi)
		for _, cl := range free[b] {
			s, co := math.Sincos(cl.Phase)
			pr[cl.Unit] += cl.Beta * co
			pi[cl.Unit] += cl.Beta * s
		}
		clear(a)
		for k, g := range dC {
			a[N-K+k] = g / float64(B)
		}
		gr, gi, gp := gre[b*N:(b+1)*N], gim[b*N:(b+1)*N], gsh[b*N:(b+1)*N]
		for k := T - 1; k >= 0; k-- {
			phi := states[k]
			for i := range ja {
				ja[i] = 0
				sn[i], cs[i] = math.Sincos(phi[i])
			}
			for e, p := range m.Net.Edges {
				i, j := p[0], p[1]
				sd := sn[j]*cs[i] - cs[j]*sn[i] // sin(φ_j − φ_i)
				cd := cs[j]*cs[i] + sn[j]*sn[i] // cos(φ_j − φ_i)
				ai, aj := a[i], a[j]
				gs[e] += h * sd * (ai - aj)
				wc := W[e] * cd
				ja[i] += wc * (aj - ai)
				ja[j] += wc * (ai - aj)
			}
			for i := range a {
				// Clamp: f_i += −Re·sin φ + Im·cos φ, ∂f_i/∂φ_i =
				// −(Re·cos φ + Im·sin φ).
				// Pump: f_i += −s_i·sin 2φ_i, ∂f_i/∂φ_i = −2·s_i·cos 2φ_i.
				s2, c2 := 2*sn[i]*cs[i], cs[i]*cs[i]-sn[i]*sn[i]
				gr[i] -= h * sn[i] * a[i]
				gi[i] += h * cs[i] * a[i]
				gp[i] -= h * s2 * a[i]
				a[i] += h * (ja[i] - (pr[i]*cs[i]+pi[i]*sn[i]+2*shil[i]*c2)*a[i])
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, res, err
		}
	}
	// Input couplers: G0 = Cxᵀ·G^Re + Sxᵀ·G^Im over layer 1's rings.
	gr1 := blas64.General{Rows: B, Cols: H, Stride: N, Data: gre}
	gi1 := blas64.General{Rows: B, Cols: H, Stride: N, Data: gim}
	g0 := blas64.General{Rows: P, Cols: H, Stride: H, Data: make([]float64, P*H)}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, cx, gr1, 0, g0)
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, sx, gi1, 1, g0)
	grads, err := L.gradBlocks("BPTT gradient", g0.Data, gs, B, func(b, u int) float64 { return gre[b*N+u] },
		func(b, u int) float64 { return gsh[b*N+u] })
	if err != nil {
		return nil, res, err
	}
	return grads, res, nil
}
