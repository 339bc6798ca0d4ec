//go:build unix

package eqprop

import (
	"context"
	"fmt"
	"testing"

	"oscsim/internal/benchkit"
)

// BenchmarkLayeredStep is one EP update of a 784-H-10 classifier on a
// minibatch of 64 images (a free relaxation, the ±β nudged pair as one
// chip run of 128 inputs, the estimate and an Adam step): images/s, the
// engine's coupler updates per second (layers 1… simulated) and the whole
// chip's equivalent (the held inputs' 784·H couplers included), and the
// CPU time per step (user + system over all threads: on a shared machine
// the wall time depends on the load, the CPU time much less).
// docs/performance.md records it.
func BenchmarkLayeredStep(b *testing.B) {
	for _, h := range []int{64, 256, 1024} {
		b.Run(fmt.Sprintf("H=%d", h), func(b *testing.B) {
			d := randomExamples(64, 784, 10, 1)
			W, _ := NewLayered(784, h, 10)
			s := DefaultLayeredSettings
			s.Seed = 1
			W.Init(s.Init, s.Seed)
			tr, err := NewLayeredTrainer(W, s)
			if err != nil {
				b.Fatal(err)
			}
			idx := make([]int, 64)
			for i := range idx {
				idx[i] = i
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			c0 := benchkit.CPUTime()
			for i := 0; i < b.N; i++ {
				if _, err := tr.Step(ctx, d, idx); err != nil {
					b.Fatal(err)
				}
			}
			cpu := (benchkit.CPUTime() - c0).Seconds()
			sec := b.Elapsed().Seconds()
			b.ReportMetric(1e3*cpu/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(64*b.N)/sec, "images/s")
			b.ReportMetric(float64(tr.Updates)/sec, "updates/s")
			b.ReportMetric(float64(tr.Equivalent)/sec, "chip-updates/s")
		})
	}
}
