package hrecm

import (
	"context"
	"math"
	"strconv"
	"testing"

	"oscsim/chip"
	"oscsim/internal/chiptest"
)

// idealChip compiles configs/hrecm-16.toml resized to n rings, without
// mismatch or phase noise, with 12-bit couplers (close to ideal J).
func idealChip(t *testing.T, n int) *chip.Chip {
	t.Helper()
	return chiptest.Build(t, chiptest.Config(t, "hrecm-16.toml",
		"count = 16", "count = "+strconv.Itoa(n),
		`freq_sigma = "0.2%"`, `freq_sigma = "0%"`,
		`sigma = "2%"`, `sigma = "0%"`,
		`phase_noise = "-83.3dBc/Hz@1MHz"`, ``,
		"bits = 5\nmax_code = 31", "bits = 12\nmax_code = 4095",
		"unit_k = 0.000645 ", "unit_k = 0.00000488 "))
}

// TestChipRetrieval trains an N = 10 memory of 3 patterns, programs it on
// a chip (12-bit couplers, no mismatch, no noise), sets K_s in the middle
// of the trained gap and integrates the phase model: every stored
// pattern stays (it is stable), and a pattern with one flipped spin (an
// unstable state, λ above 2K_s/K) returns to it.
func TestChipRetrieval(t *testing.T) {
	const n, p = 10, 3
	ctx := context.Background()
	pats, net := trainedRandom(t, n, p, 21, 200)
	ch := idealChip(t, n)
	if _, err := Program(ch, net); err != nil {
		t.Fatal(err)
	}
	re, err := ChipCouplings(ch)
	if err != nil {
		t.Fatal(err)
	}
	// The realised J is the trained one up to 12-bit rounding.
	if d := maxDiff(re.Net, net); d > net.MaxAbs()/4095 {
		t.Errorf("realised J differs from the trained one by %g (> one code step %g)", d, net.MaxAbs()/4095)
	}
	sp, err := Enumerate(ctx, re.Net, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := ExactGap(sp, pats)
	if !g.Open() {
		t.Fatalf("no gap after training: max_D λ %g ≥ min λ %g", g.MaxDesired, g.MinSpurious)
	}
	ks := OperatingPoint(re.K, g.MaxDesired, g.MinSpurious)
	var starts [][]int8
	rng := NewRand(22, 0)
	for _, q := range pats {
		starts = append(starts, q, Flip(rng, q, 1))
	}
	out, err := Relax(ctx, ch, starts, RunSpec{Ks: ks, Jitter: 0.05, NoNoise: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gap %.3f … %.3f, 2K_s/K = %.3f, K = %.3g rad/s, %d steps", g.MaxDesired, g.MinSpurious, 2*ks/re.K, re.K, out.Result.Steps)
	for b, s := range starts {
		t.Logf("start %d: λ = %.3f → %v binary %v", b, re.Net.Lambda(s), out.Final[b], out.Binary[b])
		want := pats[b/2]
		if !out.Binary[b] || !Same(out.Final[b], want) {
			t.Errorf("start %d (λ = %.3f, 2K_s/K = %.3f): ended at %v (binary %v), want pattern %d %v",
				b, re.Net.Lambda(s), 2*ks/re.K, out.Final[b], out.Binary[b], b/2, want)
		}
	}
}

func maxDiff(a, b *Net) float64 {
	d := 0.0
	for i := range a.J {
		d = math.Max(d, math.Abs(a.J[i]-b.J[i]))
	}
	return d
}
