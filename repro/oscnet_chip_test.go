package repro

import "testing"

// TestOscnetChipQuick runs oscnet-chip --quick (500 images, both methods
// on the 784-ring chip; ~65 s of CPU, docs/oscnet.md): the keys are there
// and the per-class method with the default mapping is within a few
// points of software. Skipped in -short and where MNIST cannot be had.
func TestOscnetChipQuick(t *testing.T) {
	res := runMNISTQuick(t, "oscnet-chip", "runs 500 MNIST images through the chip twice")
	for _, k := range []string{"software", "perclass/spins", "perclass/supply", "pairwise/24"} {
		if res.Row(k) == nil {
			t.Fatalf("no key %q: %+v", k, res.Rows)
		}
	}
	sw, spins, supply := res.Row("software").Ours, res.Row("perclass/spins").Ours, res.Row("perclass/supply").Ours
	t.Logf("software %.2f%%, per-class spins %.2f%%, supply %.2f%%, pairwise %.2f%%", sw, spins, supply, res.Row("pairwise/24").Ours)
	// 500 images: binomial standard error ≈ 1.6 points.
	if spins < sw-4 || supply < sw-4 {
		t.Errorf("per-class on the chip (spins %.2f%%, supply %.2f%%) more than 4 points under software %.2f%%", spins, supply, sw)
	}
	if p := res.Row("pairwise/24").Ours; p < 50 {
		t.Errorf("pairwise at 24%%: %.2f%%, want ≥ 50%%", p)
	}
}
