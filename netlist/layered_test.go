package netlist

import (
	"math"
	"slices"
	"testing"
)

// A layered fabric builds exactly the pairs of adjacent layers: for
// 2-2-1, rings {0,1} × {2,3} and {2,3} × {4}.
func TestLayeredSites(t *testing.T) {
	src := `[oscillators]
count = 5
[couplings]
topology = "layered"
layers = [2, 2, 1]
random_levels = [1]
`
	n, err := Parse("layered.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 4}, {3, 4}}
	var got [][2]int
	for _, e := range n.Couplings.Edges {
		got = append(got, [2]int{e.I, e.J})
	}
	if !slices.Equal(got, want) {
		t.Errorf("random_levels drew %v, want %v", got, want)
	}
	if s := n.FabricSites(); s != len(want) {
		t.Errorf("FabricSites = %d, want %d", s, len(want))
	}
	for i := 0; i < 5; i++ {
		for j := 0; j < 5; j++ {
			has := slices.Contains(want, [2]int{min(i, j), max(i, j)})
			if n.HasSite(i, j) != has {
				t.Errorf("HasSite(%d, %d) = %v, want %v", i, j, !has, has)
			}
		}
	}
	for i, l := range []int{0, 0, 1, 1, 2, -1} {
		if g := n.Couplings.LayerOf(i); g != l {
			t.Errorf("LayerOf(%d) = %d, want %d", i, g, l)
		}
	}
	if s := n.Couplings.LayerStart(2); s != 4 {
		t.Errorf("LayerStart(2) = %d, want 4", s)
	}
}

// 784-256-10 builds 784·256 + 256·10 = 203,264 sites.
func TestLayeredMNISTSites(t *testing.T) {
	src := `[oscillators]
count = 1050
[couplings]
topology = "layered"
layers = [784, 256, 10]
`
	n, err := Parse("mnist.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := n.FabricSites(); s != 203264 {
		t.Errorf("FabricSites = %d, want 203264", s)
	}
	k := 0
	LayeredPairs(n.Couplings.Layers, func(i, j int) { k++ })
	if k != 203264 {
		t.Errorf("LayeredPairs visited %d pairs, want 203264", k)
	}
}

// The injection table's defaults.
func TestInjectionDefaults(t *testing.T) {
	n, err := Load("testdata/valid/layered.toml")
	if err != nil {
		t.Fatal(err)
	}
	j := n.Injection
	if j == nil || math.Abs(j.MaxCurrent-10e-6) > 1e-18 || j.Bits != 6 || len(j.Targets) != 5 {
		t.Fatalf("injection %+v", j)
	}
	src := "[oscillators]\ncount = 3\n[injection]\nmax_current = \"5uA\"\ntargets = [2, 0]\n"
	n, err = Parse("x.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if j := n.Injection; j.Bits != DefaultInjectionBits || !slices.Equal(j.Targets, []int{0, 2}) {
		t.Errorf("injection %+v", j)
	}
}
