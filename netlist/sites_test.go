package netlist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"oscsim/internal/npy"
)

// sitesChip is a 4-ring chip on a "sites" fabric with the mask file mask.
func sitesChip(mask, extra string) string {
	return `[oscillators]
count = 4

[couplings]
topology = "sites"
sites = "` + mask + `"
` + extra
}

func TestSitesFabric(t *testing.T) {
	dir := t.TempDir()
	// Dense mask: 0–1 (one direction only), 2–3 (both), diagonal ignored.
	d := mat.NewDense(4, 4, []float64{
		5, 0.5, 0, 0,
		0, 0, 0, 0,
		0, 0, 0, -1,
		0, 0, 2, 0,
	})
	f, err := os.Create(filepath.Join(dir, "m.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if err := npy.Write(f, []int{4, 4}, d.RawMatrix().Data); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// CSR with two stacks (the layout of oscsim train's files): stack 0
	// has 0→2, stack 1 has 3→1 and a zero entry 1→0 that is no site.
	zf, err := os.Create(filepath.Join(dir, "csr.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := npy.WriteArchive(zf, []npy.Out{
		{Name: "indptr", Shape: []int{9}, Data: []int64{0, 1, 1, 1, 1, 1, 2, 2, 3}},
		{Name: "indices", Shape: []int{3}, Data: []int32{2, 0, 1}},
		{Name: "data", Shape: []int{3}, Data: []float32{1, 0, 3}},
		{Name: "meta", Shape: []int{2}, Data: []uint8("{}")},
	}); err != nil {
		t.Fatal(err)
	}
	zf.Close()

	for _, tc := range []struct {
		file  string
		sites []Pair
	}{
		{"m.npy", []Pair{{0, 1}, {2, 3}}},
		{"csr.npz", []Pair{{0, 2}, {1, 3}}},
	} {
		path := filepath.Join(dir, "chip.toml")
		n, err := Parse(path, []byte(sitesChip(tc.file, "")), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		c := n.Couplings
		if len(c.Sites) != len(tc.sites) || n.FabricSites() != len(tc.sites) {
			t.Fatalf("%s: sites %v (FabricSites %d), want %v", tc.file, c.Sites, n.FabricSites(), tc.sites)
		}
		for k, p := range tc.sites {
			if c.Sites[k] != p || !n.HasSite(int(p.I), int(p.J)) || !n.HasSite(int(p.J), int(p.I)) {
				t.Errorf("%s: site %d = %v, want %v and HasSite both ways", tc.file, k, c.Sites[k], p)
			}
		}
		if n.HasSite(0, 3) || n.HasSite(1, 1) {
			t.Errorf("%s: HasSite true off the mask", tc.file)
		}
		if !c.Programmable {
			t.Errorf("%s: a sites fabric is programmable by default", tc.file)
		}
	}

	// Errors name the file, line and key.
	for _, tc := range []struct{ src, want string }{
		{"[oscillators]\ncount = 4\n[couplings]\ntopology = \"sites\"\n", `chip.toml:4:1: couplings.topology: topology "sites" needs couplings.sites`},
		{"[oscillators]\ncount = 4\n[couplings]\nsites = \"m.npy\"\n", `chip.toml:4:1: couplings.sites: a sites mask needs couplings.topology = "sites"`},
		{sitesChip("nope.npy", ""), "chip.toml:6:1: couplings.sites: open"},
		{strings.Replace(sitesChip("m.npy", ""), "count = 4", "count = 3", 1), "couplings.sites: m.npy: the mask has shape (4, 4), want (3, 3) or (C, 3, 3)"},
		{sitesChip("m.npy", "\n[[coupling]]\nfrom = 0\nto = 3\nweight = 1\n"), "chip.toml:8:1: couplings.topology: coupling osc0–osc3 has no coupler site in the mask m.npy"},
	} {
		_, err := Parse(filepath.Join(dir, "chip.toml"), []byte(tc.src), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v\nwant it to contain %q", err, tc.want)
		}
	}
}
