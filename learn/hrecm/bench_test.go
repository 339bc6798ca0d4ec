package hrecm

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkEnumerate times the exact λ of all 2^(N−1) states of a random
// network on GOMAXPROCS workers (docs/performance.md).
func BenchmarkEnumerate(b *testing.B) {
	for _, n := range []int{12, 16, 20} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			if n > 16 && testing.Short() {
				b.Skip("N > 16 in -short")
			}
			net := randomNet(n, 1)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Enumerate(context.Background(), net, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(uint64(1)<<(n-1)), "ns/state")
		})
	}
}

// BenchmarkLambda times one λ_max solve on a reused workspace.
func BenchmarkLambda(b *testing.B) {
	for _, n := range []int{16, 20, 24, 50} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			net := randomNet(n, 1)
			ws := NewWorkspace(net)
			s := RandomState(NewRand(1, 0), n)
			b.ReportAllocs()
			for b.Loop() {
				ws.Lambda(s)
			}
		})
	}
}
