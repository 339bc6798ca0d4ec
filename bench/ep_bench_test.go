package bench

import (
	"context"
	"os"
	"testing"

	"oscsim/learn/eqprop"
)

// BenchmarkEPEval classifies one batch of 64 synthetic images on the
// 784-256-10 chip (configs/ep-mnist.toml, phase model, noise and mismatch
// on, no read-out trim): ns/op is one batch, and the image/s metric the
// evaluation's throughput (docs/performance.md, docs/ep.md "Size and
// speed"). OSCSIM_EP_WEIGHTS names a weights file of `oscsim train ep` to
// time instead of random weights (the steps per relaxation follow the
// weights' scale); OSCSIM_EP_MODEL=cycle times the cycle model.
func BenchmarkEPEval(b *testing.B) {
	const B = 64
	nl, e := mnistChipEval(b, B)
	e.Batch = B
	if p := os.Getenv("OSCSIM_EP_WEIGHTS"); p != "" {
		w, err := eqprop.LoadLayered(p)
		if err != nil {
			b.Fatal(err)
		}
		e.Net = w
	}
	if m := os.Getenv("OSCSIM_EP_MODEL"); m != "" {
		if err := e.Model.UnmarshalText([]byte(m)); err != nil {
			b.Fatal(err)
		}
	}
	var steps int
	for b.Loop() {
		rep, err := e.Evaluate(context.Background(), nl)
		if err != nil {
			b.Fatal(err)
		}
		steps = rep.Steps
	}
	b.ReportMetric(float64(B*b.N)/b.Elapsed().Seconds(), "images/s")
	b.ReportMetric(float64(steps), "steps")
}
