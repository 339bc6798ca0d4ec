package netlist

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"oscsim/internal/npy"
)

// numpySeeds are valid and malformed weights and mask files: dense .npy,
// dense, sparse (row/col/data) and CSR (indptr/indices) .npz, and the
// crash cases of testdata/bad.
func numpySeeds(f *testing.F) {
	enc := func(arrays ...npy.Out) []byte {
		var b bytes.Buffer
		if len(arrays) == 1 && arrays[0].Name == "" {
			npy.Write(&b, arrays[0].Shape, arrays[0].Data)
		} else {
			npy.WriteArchive(&b, arrays)
		}
		return b.Bytes()
	}
	w := []float64{0, 1, 0, -2, 1, 0, 3, 0, 0, 3, 0, 1, -2, 0, 1, 0}
	f.Add(enc(npy.Out{Shape: []int{4, 4}, Data: w}))
	f.Add(enc(npy.Out{Shape: []int{2, 4, 4}, Data: append(append([]float64{}, w...), w...)}))
	f.Add(enc(npy.Out{Name: "W", Shape: []int{4, 4}, Data: w}))
	f.Add(enc(npy.Out{Name: "row", Shape: []int{3}, Data: []int64{0, 1, 2}}, npy.Out{Name: "col", Shape: []int{3}, Data: []int32{1, 2, 3}}, npy.Out{Name: "data", Shape: []int{3}, Data: []float32{1, -1, 0.5}}))
	f.Add(enc(npy.Out{Name: "indptr", Shape: []int{5}, Data: []int64{0, 1, 2, 2, 3}}, npy.Out{Name: "indices", Shape: []int{3}, Data: []int32{1, 3, 0}}))
	files, _ := filepath.Glob("testdata/bad/*")
	files = append(files, "testdata/w4.npz", "testdata/w3x3.npy")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzWeightsFile reads arbitrary bytes as a weights file (as .npy, as an
// .npz with and without weights_key) and as a sites mask: no panic, no
// huge allocation, and what is accepted is a well-formed coupling set.
func FuzzWeightsFile(f *testing.F) {
	numpySeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		const n = 4
		read := func(string) ([]byte, error) { return b, nil }
		for _, key := range []string{"", "W"} {
			edges, err := readWeights("w.npz", key, n, read)
			if err != nil {
				continue
			}
			for _, e := range edges {
				if e.I < 0 || e.J <= e.I || e.J >= n || math.IsNaN(e.W) || math.Abs(e.W) > MaxWeight || e.W == 0 {
					t.Fatalf("bad edge %+v", e)
				}
			}
		}
		sites, err := readSites("m.npz", n, read)
		if err == nil {
			for k, s := range sites {
				if s.I < 0 || s.J <= s.I || s.J >= n || (k > 0 && !(sites[k-1].I < s.I || sites[k-1].I == s.I && sites[k-1].J < s.J)) {
					t.Fatalf("bad site %d: %v", k, sites)
				}
			}
		}
	})
}
