package bench

import (
	"context"
	"fmt"
	"os"
	"testing"

	"oscsim/dataset"
	"oscsim/learn"
)

// TestOscNetSoftwareDecomposition prints docs/oscnet.md's software table
// for the weights in OSCSIM_OSCNET_DECOMP (an .npz from `oscsim train
// oscnet`), on all 10,000 MNIST test images; a few minutes of CPU.
func TestOscNetSoftwareDecomposition(t *testing.T) {
	path := os.Getenv("OSCSIM_OSCNET_DECOMP")
	if path == "" {
		t.Skip("set OSCSIM_OSCNET_DECOMP=weights.npz to print the software decomposition")
	}
	ctx := context.Background()
	m, err := learn.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	o := &OscNet{Model: m}
	if err := o.LoadImages(ctx, "mnist", "", 0, 10000); err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	if os.Getenv("OSCSIM_OSCNET_DECOMP_SUBSETS") != "" {
		// The chip runs' subsets: software, the first and the default
		// mapping, the supply energy; first n test images.
		for _, n := range []int{500, 1000, 2000, 10000} {
			sub := &OscNet{Model: m}
			if err := sub.LoadImages(ctx, "mnist", "", 0, n); err != nil {
				t.Fatal(err)
			}
			x, y := sub.Images, dataset.Labels(sub.Labels)
			sc, _ := m.Classifier().Evaluate(ctx, x, y)
			a4, _ := SoftwareAccuracy(ctx, m, LegacyMapping(), 15, false, x, y)
			a5, _ := SoftwareAccuracy(ctx, m, DefaultMapping(), 31, false, x, y)
			s5, _ := SoftwareAccuracy(ctx, m, DefaultMapping(), 31, true, x, y)
			fmt.Printf("first %5d: software %.2f%%, first mapping 4 bits %.2f%%, default mapping 5 bits %.2f%%, its supply energy %.2f%%\n",
				n, 100*sc.Accuracy(), 100*a4, 100*a5, 100*s5)
		}
		return
	}
	x, y := o.Images, dataset.Labels(o.Labels)
	sc, _ := m.Classifier().Evaluate(ctx, x, y)
	fmt.Printf("software eq (11): %.2f%%\n", 100*sc.Accuracy())
	acc := func(mp Mapping, bits int, inv bool) string {
		mc := 0
		if bits > 0 {
			mc = 1<<bits - 1
		}
		a, err := SoftwareAccuracy(ctx, m, mp, mc, inv, x, y)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%.2f", 100*a)
	}
	for _, sym := range []learn.Sym{learn.SymOr, learn.SymExact, learn.SymAnd} {
		fmt.Printf("sym %-5s exact weights: %s%%\n", sym, acc(Mapping{Sym: sym, Scale: ScaleCommon, Quantile: 1}, 0, false))
	}
	bitsLine := func(mp Mapping) {
		line := ""
		for bits := 1; bits <= 8; bits++ {
			line += " " + acc(mp, bits, false)
		}
		fmt.Printf("%-32s bits 1–8:%s\n", mp, line)
	}
	bitsLine(LegacyMapping())
	bitsLine(Mapping{Sym: learn.SymExact, Scale: ScaleCommon, Quantile: 0.99})
	for _, q := range []float64{0.99, 0.999, 1} {
		bitsLine(Mapping{Sym: learn.SymExact, Scale: ScaleClass, Quantile: q})
	}
	bitsLine(Mapping{Sym: learn.SymExact, Scale: ScaleRow, Quantile: 0.999})
	for _, bits := range []int{4, 5} {
		for _, sc := range []ScaleScope{ScaleCommon, ScaleClass} {
			line := ""
			for _, q := range []float64{0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 1} {
				line += fmt.Sprintf(" q%g:%s", q, acc(Mapping{Sym: learn.SymExact, Scale: sc, Quantile: q}, bits, false))
			}
			fmt.Printf("%d bits, scale %-6s:%s\n", bits, sc, line)
		}
	}
	for _, bits := range []int{0, 5} {
		fmt.Printf("supply energy (inverter pairs ×2), default mapping, %d bits: %s%%\n", bits, acc(DefaultMapping(), bits, true))
	}
}
