package benchkit

import "testing"

// CirculantEdges gives n·(deg/2) distinct couplings between distinct rings,
// each |w| in [0.1, 1), the same for the same seed.
func TestCirculantEdges(t *testing.T) {
	t.Parallel()
	const n, deg = 50, 6
	e := CirculantEdges(n, deg, 7)
	if len(e) != n*deg/2 {
		t.Fatalf("%d edges, want %d", len(e), n*deg/2)
	}
	seen := map[[2]int]bool{}
	for _, x := range e {
		if x.I >= x.J || x.J >= n || seen[[2]int{x.I, x.J}] || abs(x.W) < 0.1 || abs(x.W) >= 1 {
			t.Fatalf("bad or repeated edge %+v", x)
		}
		seen[[2]int{x.I, x.J}] = true
	}
	if f := CirculantEdges(n, deg, 7); f[0] != e[0] || f[len(f)-1] != e[len(e)-1] {
		t.Error("not reproducible from its seed")
	}
}

func abs(x float64) float64 { return max(x, -x) }
