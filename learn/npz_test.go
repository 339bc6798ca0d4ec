package learn

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"oscsim/internal/npy"
)

func trainedTiny(t *testing.T) *Model {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	x, y := randomSpins(rng, 20, 90, 3)
	set := DefaultSettings()
	set.K = 5
	m, err := Train(context.Background(), x, y, set)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	m := trainedTiny(t)
	p := filepath.Join(t.TempDir(), "w.npz")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, m)
	}
	// No temporary file is left beside the result.
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// npyBytes encodes one array as .npy.
func npyBytes(t *testing.T, descr string, shape []int, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := npy.Write(&b, shape, v); err != nil {
		t.Fatal(err)
	}
	// npy.Write picks the dtype from v; tests may relabel it (same length).
	out := b.Bytes()
	if i := bytes.Index(out, []byte("'descr': '")); i >= 0 && len(descr) == 3 {
		copy(out[i+10:], descr)
	}
	return out
}

func TestLoadDenseNPY(t *testing.T) {
	t.Parallel()
	// Two classes of 3 pixels, float64, with one zero off-diagonal entry
	// (class 1, (0,2)) that must not become a coupling.
	w := []float64{
		0, 1, 2, 1, 0, 3, 2, 3, 0,
		0, -1, 0, -1, 0, 0.5, 7, 0.5, 0,
	}
	p := filepath.Join(t.TempDir(), "w.npy")
	os.WriteFile(p, npyBytes(t, "<f8", []int{2, 3, 3}, w), 0o644)
	m, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if m.Classes != 2 || m.Pixels != 3 || m.Prototypes != nil {
		t.Fatalf("got %d classes, %d pixels, prototypes %v", m.Classes, m.Pixels, m.Prototypes)
	}
	if d := m.Nets[1].Dense(); !slices.Equal(d, w[9:]) {
		t.Errorf("class 1 dense = %v, want %v", d, w[9:])
	}
	if m.Nets[1].NNZ() != 5 {
		t.Errorf("class 1 has %d couplings, want 5", m.Nets[1].NNZ())
	}
	// Reverse of (2,0) is W[0,2] = 0.
	idx, _ := m.Nets[1].Row(2)
	if idx[0] != 0 || m.Nets[1].Reverse[m.Nets[1].Indptr[2]] != 0 {
		t.Errorf("reverse of (2,0) = %v", m.Nets[1].Reverse[m.Nets[1].Indptr[2]])
	}
	// N×N float32 is one network.
	os.WriteFile(p, npyBytes(t, "<f4", []int{3, 3}, []float32{0, 1, 0, 1, 0, 2, 0, 2, 0}), 0o644)
	if m, err = Load(p); err != nil || m.Classes != 1 || m.NNZ() != 4 {
		t.Fatalf("N×N: %v, %+v", err, m)
	}
}

func TestLoadDenseNPZWithPrototypes(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "w.npz")
	writeZip(t, p, map[string][]byte{
		"weights.npy":    npyBytes(t, "<f4", []int{1, 2, 2}, []float32{0, 1, 1, 0}),
		"prototypes.npy": npyBytes(t, "<i8", []int{1, 2}, []int64{1, -1}),
	})
	m, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Prototype(0), []int8{1, -1}) {
		t.Errorf("prototype %v", m.Prototype(0))
	}
}

func writeZip(t *testing.T, path string, files map[string][]byte) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, b.Bytes(), 0o644)
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	nan := float32(math.NaN())
	good := trainedTiny(t)
	goodPath := filepath.Join(dir, "good.npz")
	if err := good.Save(goodPath); err != nil {
		t.Fatal(err)
	}
	goodBytes, _ := os.ReadFile(goodPath)
	tests := []struct {
		name string
		file string
		data []byte
		want []string
	}{
		{"3-D not square", "a.npy", npyBytes(t, "<f4", []int{2, 3, 4}, make([]float32, 24)), []string{"a.npy", `array "array"`, "shape (2, 3, 4)", "want (C, N, N)"}},
		{"1-D", "b.npy", npyBytes(t, "<f4", []int{4}, make([]float32, 4)), []string{"shape (4,)", "want (N, N) or (C, N, N)"}},
		{"NaN", "c.npy", npyBytes(t, "<f4", []int{2, 2}, []float32{0, nan, 1, 0}), []string{"entry [0, 0, 1] is NaN"}},
		{"diagonal", "d.npy", npyBytes(t, "<f4", []int{2, 2}, []float32{0.5, 1, 1, 0}), []string{"diagonal entry [0, 0, 0] is 0.5", "fill_diagonal"}},
		{"truncated", "e.npy", npyBytes(t, "<f4", []int{3, 3}, make([]float32, 9))[:100], []string{"e.npy", "cut short"}},
		{"trailing", "f.npy", append(npyBytes(t, "<f4", []int{2, 2}, make([]float32, 4)), 0), []string{"trailing data"}},
		{"string dtype", "g.npy", npyBytes(t, "<U1", []int{1}, []uint32{65}), []string{"unsupported dtype"}},
		{"not numpy", "h.npz", []byte("hello world"), []string{"neither .npy"}},
		{"truncated npz", "i.npz", goodBytes[:len(goodBytes)/2], []string{"i.npz"}},
		{"npz without weights", "j.npz", zipBytes(t, map[string][]byte{"other.npy": npyBytes(t, "<f4", []int{1}, []float32{1})}), []string{`no array "weights"`, "arrays: other"}},
		{"prototype shape", "k.npz", zipBytes(t, map[string][]byte{
			"weights.npy":    npyBytes(t, "<f4", []int{1, 2, 2}, []float32{0, 1, 1, 0}),
			"prototypes.npy": npyBytes(t, "<i8", []int{2, 2}, []int64{1, -1, 1, 1}),
		}), []string{`array "prototypes" has shape (2, 2), want (1, 2)`}},
		{"prototype value", "l.npz", zipBytes(t, map[string][]byte{
			"weights.npy":    npyBytes(t, "<f4", []int{1, 2, 2}, []float32{0, 1, 1, 0}),
			"prototypes.npy": npyBytes(t, "<i8", []int{1, 2}, []int64{1, 0}),
		}), []string{`array "prototypes": entry 1 is 0`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.file)
			os.WriteFile(p, tc.data, 0o644)
			_, err := Load(p)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !errors.Is(err, ErrWeights) {
				t.Errorf("error %q does not wrap ErrWeights", err)
			}
		})
	}
}

func zipBytes(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "z.npz")
	writeZip(t, p, files)
	b, _ := os.ReadFile(p)
	return b
}

func TestLoadOwnLayoutErrors(t *testing.T) {
	t.Parallel()
	m := trainedTiny(t)
	// Rebuild the archive with a bad indices array (column out of range).
	bad := slices.Clone(m.Nets[0].Indices)
	bad[0] = 99
	m2 := *m
	m2.Nets = slices.Clone(m.Nets)
	m2.Nets[0].Indices = bad
	// Written without Save's check.
	md, err := npy.MetaArray(meta{Format: Format, Version: FormatVersion, Classes: m2.Classes, Pixels: m2.Pixels, Settings: m2.Settings})
	if err != nil {
		t.Fatal(err)
	}
	var b2 bytes.Buffer
	if err := npy.WriteArchive(&b2, append([]npy.Out{md}, m2.arrays()...)); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "bad.npz")
	os.WriteFile(p, b2.Bytes(), 0o644)
	_, err = Load(p)
	if err == nil || !strings.Contains(err.Error(), "column 99 is out of range") || !strings.Contains(err.Error(), "bad.npz") {
		t.Fatalf("bad index: %v", err)
	}
	if err := m2.Save(p); err == nil {
		t.Fatal("Save accepted a malformed model")
	}
}
