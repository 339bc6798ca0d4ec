package netlist

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"oscsim/internal/npy"
)

// numpyCorpus holds the malformed NumPy files the invalid corpus refers to
// (testdata/bad/): each a crash or a silent corruption once (issue 15).
// TestInvalidCorpus checks the messages; go test -run NumpyCorpus -update
// rewrites the files.
func numpyCorpus(t *testing.T) map[string][]byte {
	enc := func(shape []int, data any) []byte {
		var b bytes.Buffer
		if err := npy.Write(&b, shape, data); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	// zipOf stores members as given, so a member may be a cut .npy.
	zipOf := func(members ...any) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for k := 0; k < len(members); k += 2 {
			w, _ := zw.Create(members[k].(string) + ".npy")
			w.Write(members[k+1].([]byte))
		}
		zw.Close()
		return b.Bytes()
	}
	w4 := make([]float64, 16)
	w4[1], w4[4] = 1, 1
	good := enc([]int{4, 4}, w4)
	big := append([]float64(nil), w4...)
	big[6] = 1e308
	huge := enc([]int{1, 1}, []float64{0})
	huge = bytes.Replace(huge, []byte("(1, 1)"), []byte("(100000, 100000)"), 1)
	huge = append(huge[:len(huge)-8], make([]byte, 64)...)
	return map[string][]byte{
		"w_cut_data.npy":      good[:len(good)-8],
		"w_cut_header.npy":    good[:30],
		"w_huge.npy":          huge,
		"w_1e308.npy":         enc([]int{4, 4}, big),
		"mask_cut.npy":        good[:len(good)-20],
		"w_cut_member.npz":    zipOf("row", enc([]int{2}, []int64{0, 1}), "col", enc([]int{2}, []int64{1, 0}), "data", enc([]int{2}, []float64{1, 1})[:130]),
		"w_index_1e300.npz":   zipOf("row", enc([]int{1}, []float64{1e300}), "col", enc([]int{1}, []float64{0}), "data", enc([]int{1}, []float64{1})),
		"mask_cut_member.npz": zipOf("row", enc([]int{2}, []int64{0, 1})[:120], "col", enc([]int{2}, []int64{1, 2})),
		"mask_index_nan.npz":  zipOf("indptr", enc([]int{5}, []float64{0, 1, 1, 1, 1}), "indices", enc([]int{1}, []float64{0.5})),
	}
}

func TestNumpyCorpus(t *testing.T) {
	for name, b := range numpyCorpus(t) {
		path := filepath.Join("testdata", "bad", name)
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s differs from what numpyCorpus builds (run with -update): %v", path, err)
		}
	}
}
