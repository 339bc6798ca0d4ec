package freqsync

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkStep measures one training step's forward and gradient pass per
// example (docs/performance.md): FastPhysics (10,000 Euler steps), 32
// examples, by N and gradient method.
func BenchmarkStep(b *testing.B) {
	for _, n := range []int{6, 12, 24} {
		for _, g := range []Grad{NoGrad, Reverse, Forward} {
			b.Run(fmt.Sprintf("N=%d/%s", n, g), func(b *testing.B) {
				p := FastPhysics()
				net, err := NewNet(n, p, 1, 0)
				if err != nil {
					b.Fatal(err)
				}
				const B = 32
				rng := rand.New(rand.NewPCG(1, 2))
				F := make([][]float64, B)
				for k := range F {
					F[k] = make([]float64, n)
					for i := range F[k] {
						F[k][i] = 560e6 + 60e6*rng.Float64()
					}
				}
				th := RandomPhases(rng, B, n)
				rows := []int{0, 1}
				b.ResetTimer()
				for it := 0; it < b.N; it++ {
					if _, err := net.Simulate(context.Background(), F, th, SimOptions{Grad: g, Rows: rows, Workers: 1}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*B), "ns/example")
			})
		}
	}
}
