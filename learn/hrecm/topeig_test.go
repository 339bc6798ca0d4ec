package hrecm

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestTopEigen checks LambdaVec's top eigenpair (topeig.go) against a full
// eigen-decomposition on random networks of 2…50 spins and on the
// all-to-all network, whose top eigenvalue N is (N−1)-fold at a mixed
// state: λ to 1e-10 relative, ‖v‖ = 1 and ‖A v − λ v‖ ≤ 1e-9·(|λ|+1);
// for a simple top eigenvalue v = ±the reference vector to 1e-7.
func TestTopEigen(t *testing.T) {
	rng := NewRand(3, 0)
	nets := []*Net{}
	for _, n := range []int{2, 3, 5, 10, 16, 24, 50} {
		nets = append(nets, randomNet(n, uint64(n)+100))
	}
	full := NewNet(12)
	for i := 0; i < 12; i++ {
		for j := i + 1; j < 12; j++ {
			full.Set(i, j, 1)
		}
	}
	nets = append(nets, full)
	for _, net := range nets {
		n := net.N
		ws := NewWorkspace(net)
		v := make([]float64, n)
		for trial := 0; trial < 20; trial++ {
			s := RandomState(rng, n)
			lam := ws.LambdaVec(s, v)
			a := net.A(s)
			var es mat.EigenSym
			if !es.Factorize(a, true) {
				t.Fatal("EigenSym failed")
			}
			vals := es.Values(nil)
			ref := vals[n-1]
			if math.Abs(lam-ref) > 1e-10*(math.Abs(ref)+1) {
				t.Fatalf("N=%d: λ = %.14g, reference %.14g", n, lam, ref)
			}
			norm := 0.0
			for _, x := range v {
				norm += x * x
			}
			if math.Abs(norm-1) > 1e-12 {
				t.Fatalf("N=%d: ‖v‖² = %.15g", n, norm)
			}
			av := mat.NewVecDense(n, nil)
			av.MulVec(a, mat.NewVecDense(n, v))
			for i := range v {
				if d := math.Abs(av.AtVec(i) - lam*v[i]); d > 1e-9*(math.Abs(lam)+1) {
					t.Fatalf("N=%d: (A v − λ v)_%d = %g", n, i, d)
				}
			}
			if n > 1 && vals[n-1]-vals[n-2] > 1e-6*(math.Abs(ref)+1) {
				var vecs mat.Dense
				es.VectorsTo(&vecs)
				dot := 0.0
				for i := range v {
					dot += v[i] * vecs.At(i, n-1)
				}
				if math.Abs(math.Abs(dot)-1) > 1e-7 {
					t.Fatalf("N=%d: |v · v_ref| = %.12g, want 1", n, math.Abs(dot))
				}
			}
		}
	}
}

// BenchmarkLambdaVec times one top eigenpair (Algorithm 1's inner step).
func BenchmarkLambdaVec(b *testing.B) {
	for _, n := range []int{16, 50} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			net := randomNet(n, 1)
			ws := NewWorkspace(net)
			s := RandomState(NewRand(1, 0), n)
			v := make([]float64, n)
			b.ReportAllocs()
			for b.Loop() {
				ws.LambdaVec(s, v)
			}
		})
	}
}
