package chip_test

import (
	"context"
	"testing"

	"oscsim/chip"
)

// SparsityKs are the connections per pixel of OscNet v1.5's Table 2
// (docs/model.md §11) that issue 4 prices, plus fully connected
// (k = N−1 = 783).
var SparsityKs = []int{10, 16, 28, 56, 84, 128, 256, 783}

// TestSparsityMonotone is the sparsity check of issue 4: on the 784-ring
// OscNet chip (configs/oscnet-784.toml) with per-pixel top-k topologies
// (RandomTopK: random weights, nested in k), area, average power and
// energy per inference are reported for every k and never fall as k
// grows; fully connected has N(N−1)/2 = 306,936 sites.
func TestSparsityMonotone(t *testing.T) {
	t.Parallel()
	base := loadConfig(t, "oscnet-784.toml")
	tops := chip.RandomTopK(base.Oscillators.N(), SparsityKs, 1)
	pts, err := chip.Sparsity(context.Background(), base, tops, chip.SparsityOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for x, p := range pts {
		L := p.Ledger
		t.Logf("k = %3d: %6d sites, die %.3f mm² (core %.3f mm²), %.2f mW, %.3g nJ per inference",
			p.K, p.Sites, L.DieArea*1e6, L.CoreArea*1e6, L.TotalPower*1e3, p.EnergyPerInference*1e9)
		if x == 0 {
			continue
		}
		q := pts[x-1]
		if p.Sites < q.Sites || L.CoreArea < q.Ledger.CoreArea || L.DieArea < q.Ledger.DieArea ||
			L.TotalPower < q.Ledger.TotalPower || p.EnergyPerInference < q.EnergyPerInference {
			t.Errorf("k = %d → %d: sites %d → %d, core %g → %g, power %g → %g, energy %g → %g: not monotone",
				q.K, p.K, q.Sites, p.Sites, q.Ledger.CoreArea, L.CoreArea, q.Ledger.TotalPower, L.TotalPower,
				q.EnergyPerInference, p.EnergyPerInference)
		}
	}
	if got := pts[len(pts)-1].Sites; got != 784*783/2 {
		t.Errorf("fully connected: %d sites, want 306936", got)
	}
}
