package freqsync

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// smallPhysics is a short run for the exact checks: 400 steps of 0.5 ns.
func smallPhysics() Physics {
	p := PaperPhysics()
	p.Dt, p.T, p.Tau = 0.5e-9, 200e-9, 100e-9
	return p
}

// eulerRef integrates eq. 6 directly (absolute phases, Hz): the engine must
// give the same mean frequencies.
func eulerRef(p Physics, F, th0 []float64) []float64 {
	n := len(F)
	steps, win := p.Steps()
	th := append([]float64(nil), th0...)
	f := make([]float64, n)
	acc := make([]float64, n)
	for s := 0; s < steps; s++ {
		for i := 0; i < n; i++ {
			f[i] = F[i]
			for j := 0; j < n; j++ {
				f[i] += p.K * math.Sin(th[j]-th[i])
			}
		}
		if s >= steps-win {
			for i := range acc {
				acc[i] += f[i] / float64(win)
			}
		}
		for i := range th {
			th[i] += 2 * math.Pi * p.Dt * f[i]
		}
	}
	return acc
}

func randomCase(n, B int, seed uint64) (F, th [][]float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for b := 0; b < B; b++ {
		f := make([]float64, n)
		t := make([]float64, n)
		for i := range f {
			f[i] = 570e6 + 40e6*rng.Float64()
			t[i] = 2 * math.Pi * rng.Float64()
		}
		F, th = append(F, f), append(th, t)
	}
	return F, th
}

// TestEngineIsEq6: the chip's phase model with uniform couplings, no pump
// and Euler is the paper's eq. 6 (to rounding: 1e-6 Hz on ~600 MHz).
func TestEngineIsEq6(t *testing.T) {
	p := smallPhysics()
	net, err := NewNet(4, p, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	F, th := randomCase(4, 3, 1)
	res, err := net.Simulate(context.Background(), F, th, SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for b := range F {
		want := eulerRef(p, F[b], th[b])
		for i := range want {
			if d := math.Abs(res.FBar[b][i] - want[i]); d > 1e-3 {
				t.Errorf("example %d osc %d: engine f̄ %.6f Hz, eq. 6 %.6f Hz (diff %g)", b, i, res.FBar[b][i], want[i], d)
			}
		}
	}
}

// TestGradients holds the forward sensitivities (eq. 7) and the reverse
// mode against central finite differences of f̄ through the engine, to a
// relative 1e-6 of the Jacobian's largest entry.
func TestGradients(t *testing.T) {
	p := smallPhysics()
	const n = 3
	net, err := NewNet(n, p, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Partly locked networks: a locked pair and a drifting third ring
	// (whose f̄ is pulled by the pair), and a pair just outside its
	// locking range (Adler: |ΔF| ≤ 2k).
	_, th := randomCase(n, 2, 3)
	F := [][]float64{{580e6, 586e6, 650e6}, {575e6, 596e6, 640e6}}
	ctx := context.Background()
	fw, err := net.Simulate(ctx, F, th, SimOptions{Grad: Forward})
	if err != nil {
		t.Fatal(err)
	}
	rv, err := net.Simulate(ctx, F, th, SimOptions{Grad: Reverse})
	if err != nil {
		t.Fatal(err)
	}
	const h = 200.0 // Hz
	for b := range F {
		scale := 0.0
		for _, v := range fw.J[b] {
			scale = math.Max(scale, math.Abs(v))
		}
		for a := 0; a < n; a++ {
			Fp, Fm := clone(F), clone(F)
			Fp[b][a] += h
			Fm[b][a] -= h
			rp, err1 := net.Simulate(ctx, Fp, th, SimOptions{})
			rm, err2 := net.Simulate(ctx, Fm, th, SimOptions{})
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			for i := 0; i < n; i++ {
				fd := (rp.FBar[b][i] - rm.FBar[b][i]) / (2 * h)
				f, r := fw.J[b][i*n+a], rv.J[b][i*n+a]
				if math.Abs(f-fd) > 1e-6*scale || math.Abs(r-fd) > 1e-6*scale {
					t.Errorf("example %d: df̄_%d/dF_%d: forward %.9f reverse %.9f finite differences %.9f", b, i, a, f, r, fd)
				}
			}
		}
	}
}

func clone(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = append([]float64(nil), x[i]...)
	}
	return out
}
