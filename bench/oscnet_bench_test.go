package bench

import (
	"context"
	"fmt"
	"os"
	"testing"

	"oscsim/chip"
	"oscsim/configs"
	"oscsim/learn"
	"oscsim/netlist"
)

// BenchmarkOscNetTournament: the pairwise method on the 784-ring chip,
// 256 MNIST test images at 24% of the connections (default noise and
// mismatch, one chip), with the images' matches batched over groups of
// 64 images (one chip batch: the tournament before issue 22's Fig. 8 run)
// and of 1,024 (TournamentGroup). The weights come from
// OSCSIM_OSCNET_WEIGHTS (`oscsim train oscnet --k 56 -o k56.npz`); skipped
// without them. Reports images/s; docs/performance.md, "OscNet Fig. 8".
func BenchmarkOscNetTournament(b *testing.B) {
	w := os.Getenv("OSCSIM_OSCNET_WEIGHTS")
	if w == "" {
		b.Skip("set OSCSIM_OSCNET_WEIGHTS to an .npz from `oscsim train oscnet`")
	}
	m, err := learn.Load(w)
	if err != nil {
		b.Fatal(err)
	}
	src, err := configs.Read("oscnet-mnist.toml")
	if err != nil {
		b.Fatal(err)
	}
	nl, err := netlist.Parse("oscnet-mnist.toml", src, nil)
	if err != nil {
		b.Fatal(err)
	}
	ch, err := chip.Compile(nl, chip.Options{})
	if err != nil {
		b.Fatal(err)
	}
	const images = 256
	for _, group := range []int{64, TournamentGroup} {
		b.Run(fmt.Sprintf("group=%d", group), func(b *testing.B) {
			o := &OscNet{Model: m, Method: MethodPairwise, Fraction: 0.24, Jitter: 0.1, Batch: 64, Group: group}
			if err := o.LoadImages(context.Background(), "mnist", "", 0, images); err != nil {
				b.Skipf("MNIST not available: %v", err)
			}
			if err := o.Prepare(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := o.Evaluate(context.Background(), ch, 0, images, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(images*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
