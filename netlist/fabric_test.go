package netlist

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

const fabricBase = `
[chip]
tech = "65nm"
[oscillators]
count = 12
layout = "grid"
rows = 3
cols = 4
[couplings]
topology = "kings"
`

// FabricSites and FabricPairs agree with the closed forms of each
// topology: N(N−1)/2, 4RC − 3(R+C) + 2 (King's graph) and 2RC − R − C.
func TestFabricSites(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		topo       Topology
		rows, cols int
		want       int
	}{
		{"kings", 3, 4, 4*12 - 3*7 + 2},
		{"kings", 48, 41, 7607}, // Moy 2022 as 48×41 (docs/model.md §10 [D])
		{"grid", 3, 4, 2*12 - 3 - 4},
		{"all-to-all", 1, 48, 1128}, // Lo 2023: 48·47/2 (docs/model.md §10 [D])
	} {
		n := 0
		FabricPairs(tc.topo, tc.rows*tc.cols, tc.rows, tc.cols, func(i, j int) {
			if i >= j {
				t.Errorf("%s: pair (%d, %d) not ordered", tc.topo, i, j)
			}
			n++
		})
		if n != tc.want {
			t.Errorf("%s %d×%d: %d pairs, want %d", tc.topo, tc.rows, tc.cols, n, tc.want)
		}
		layout := "grid"
		if tc.topo == "all-to-all" {
			layout = "line"
		}
		src := strings.NewReplacer("count = 12", "count = "+strconv.Itoa(tc.rows*tc.cols), "rows = 3", "rows = "+strconv.Itoa(tc.rows),
			"cols = 4", "cols = "+strconv.Itoa(tc.cols), `topology = "kings"`, `topology = "`+string(tc.topo)+`"`,
			`layout = "grid"`, `layout = "`+layout+`"`).Replace(fabricBase)
		if layout == "line" {
			src = strings.Replace(strings.Replace(src, "rows = 1\n", "", 1), "cols = 48\n", "", 1)
		}
		nl, err := Parse("t.toml", []byte(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := nl.FabricSites(); got != tc.want {
			t.Errorf("%s: FabricSites() = %d, want %d", tc.topo, got, tc.want)
		}
		if !nl.Couplings.Programmable {
			t.Errorf("%s: fabric topology not programmable by default", tc.topo)
		}
	}
}

// random_levels draws one edge per fabric site from the levels, the same
// edges for the same seed and different ones for another seed.
func TestRandomLevels(t *testing.T) {
	t.Parallel()
	src := fabricBase + "random_levels = [-2, -1, 1, 2]\nrandom_seed = 3\n"
	a, err := Parse("t.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Couplings.Edges) != a.FabricSites() {
		t.Fatalf("%d edges, want one per site (%d)", len(a.Couplings.Edges), a.FabricSites())
	}
	counts := map[float64]int{}
	for _, e := range a.Couplings.Edges {
		counts[e.W]++
	}
	for w := range counts {
		if w != -2 && w != -1 && w != 1 && w != 2 {
			t.Errorf("weight %g not among the levels", w)
		}
	}
	b, _ := Parse("t.toml", []byte(src), nil)
	c, _ := Parse("t.toml", []byte(strings.Replace(src, "random_seed = 3", "random_seed = 4", 1)), nil)
	same, diff := true, false
	for k := range a.Couplings.Edges {
		same = same && a.Couplings.Edges[k] == b.Couplings.Edges[k]
		diff = diff || a.Couplings.Edges[k].W != c.Couplings.Edges[k].W
	}
	if !same || !diff {
		t.Errorf("same seed same edges: %v; another seed differs: %v", same, diff)
	}
	// A zero level leaves the site built but unprogrammed.
	z, err := Parse("t.toml", []byte(fabricBase+"random_levels = [0]\n"), nil)
	if err != nil || len(z.Couplings.Edges) != 0 || z.FabricSites() != 4*12-3*7+2 {
		t.Errorf("zero level: err %v, %d edges", err, len(z.Couplings.Edges))
	}
}

// Problems with the new keys are reported at their key.
func TestFabricErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, src, want string }{
		{"explicit", strings.Replace(fabricBase, "kings", "explicit", 1) + "random_levels = [1]\n",
			`couplings.random_levels: random weights need a fabric topology`},
		{"both", fabricBase + "random_levels = [1]\n[[coupling]]\nfrom = 0\nto = 1\nweight = 1.0\n",
			`give either random_levels or explicit couplings`},
		{"exact range", fabricBase + "bits = 2\nmax_code = 2\nquantize = \"exact\"\nrandom_levels = [-3, 1]\n",
			`weight code -3 is out of range: the coupler has codes −2…+2`},
		{"seed alone", fabricBase + "random_seed = 1\n", `random_seed needs random_levels`},
		{"pads", strings.Replace(fabricBase, `tech = "65nm"`, "tech = \"65nm\"\npads = 0", 1), `chip.pads: a die needs at least one pad`},
		{"freq_sigma", strings.Replace(fabricBase, "cols = 4", "cols = 4\nfreq_sigma = \"pelgrim\"", 1), `is not a ratio or "pelgrom"`},
	} {
		_, err := Parse("t.toml", []byte(tc.src), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

// freq_sigma = "pelgrom" derives the mismatch from the card (docs/model.md
// §3 [D]): 65 nm, W/L = 0.2/0.06 µm, A_VT 3.5 mV·µm, VDD − V_T = 0.8 V,
// 7 stages: σ_VT = 3.5/√0.012 = 31.95 mV, σ_f/f = 1.3·31.95 mV/0.8 V/√14
// = 1.388%. Ratios keep working as before.
func TestFreqSigmaPelgrom(t *testing.T) {
	t.Parallel()
	src := strings.Replace(fabricBase, "cols = 4", "cols = 4\nstages = 7\nfreq_sigma = \"pelgrom\"", 1)
	nl, err := Parse("t.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := 1.3 * (3.5e-3 / math.Sqrt(0.2*0.06)) / 0.8 / math.Sqrt(14)
	if got := nl.Oscillators.FreqSigma; math.Abs(got/want-1) > 1e-9 || !nl.Oscillators.FreqSigmaPelgrom {
		t.Fatalf("pelgrom σ_f = %g, want %g", got, want)
	}
	if math.Abs(want-0.01388) > 5e-5 {
		t.Fatalf("hand value %g, want 1.388%%", want)
	}
	for _, v := range []string{`"1.5%"`, "0.015"} {
		nl, err := Parse("t.toml", []byte(strings.Replace(src, `"pelgrom"`, v, 1)), nil)
		if err != nil || math.Abs(nl.Oscillators.FreqSigma-0.015) > 1e-12 || nl.Oscillators.FreqSigmaPelgrom {
			t.Errorf("freq_sigma = %s: %v, %+v", v, err, nl)
		}
	}
}

// Pads, programmable and the new card fields are read.
func TestPadsProgrammableCard(t *testing.T) {
	t.Parallel()
	src := strings.Replace(fabricBase, `tech = "65nm"`, "tech = \"65nm\"\npads = 64\n[tech]\nc_unit = \"1fF\"\nenergy_bit = \"50fJ\"", 1) + "programmable = false\n"
	nl, err := Parse("t.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if nl.Pads != 64 || nl.Couplings.Programmable || nl.Tech.CUnit != 1e-15 || math.Abs(nl.Tech.EnergyBit-50e-15) > 1e-27 {
		t.Fatalf("pads %d programmable %v c_unit %g energy_bit %g", nl.Pads, nl.Couplings.Programmable, nl.Tech.CUnit, nl.Tech.EnergyBit)
	}
}
