package netlist

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"oscsim/internal/npy"
)

// MaxWeight bounds the magnitude of a coupling weight from any source
// (TOML, weights file, random levels). Design choice [A]: weights are
// dimensionless and only their ratios to full_scale matter, so no physics
// fixes a ceiling; 1e15 (about 2^50) keeps every integer code exact in a
// float64 and every sum and square of weights over the largest chip
// (4,194,304 rings) finite, while a ±1e308 weight, which overflows the
// quantiser's error to +Inf, is rejected.
const MaxWeight = 1e15

// openNumpy reads a NumPy file through read (os.ReadFile when nil); the
// file is named by its base name in messages.
func openNumpy(path string, read FileReader) (*npy.File, error) {
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if err != nil {
		return nil, err
	}
	return npy.Parse(filepath.Base(path), data)
}

// readWeights reads a coupling matrix for n oscillators from a NumPy file
// (.npy or .npz, told apart by content):
//   - .npy: a dense (n, n) array of any real dtype;
//   - .npz: the dense (n, n) array named key (or the only array), or a sparse
//     triplet given as the arrays "row", "col" and "data".
//
// A matrix is symmetrised as the chip's couplers are symmetric: for a pair
// given in both triangles the two weights are averaged; a pair given in one
// triangle only keeps that weight ([A], the OR-symmetrisation of docs/model.md §11).
// Zero weights are dropped. The diagonal must be zero. Every error names
// the file and the array, and for a bad value its index.
func readWeights(path, key string, n int, read FileReader) ([]Edge, error) {
	f, err := openNumpy(path, read)
	if err != nil {
		return nil, err
	}
	name := f.Path
	dense := func(k string) ([]Edge, error) {
		a, err := f.Array(k)
		if err != nil {
			return nil, err
		}
		if len(a.Shape) != 2 || a.Shape[0] != n || a.Shape[1] != n {
			return nil, a.Errorf("weights have shape %s, want (%d, %d) for %d oscillators", npy.ShapeString(a.Shape), n, n, n)
		}
		if err := a.CheckValues(MaxWeight); err != nil {
			return nil, err
		}
		rows, cols, vals := denseToTriplets(a.Data, n)
		return Symmetrize(name, n, rows, cols, vals)
	}
	if !f.IsArchive() {
		if key != "" {
			return nil, fmt.Errorf("%s: couplings.weights_key %q needs an .npz; a .npy holds one array", name, key)
		}
		return dense("")
	}
	keys := f.Names()
	if key == "" && f.Has("row") && f.Has("col") && f.Has("data") {
		arr := map[string]*npy.Array{}
		for _, k := range []string{"row", "col", "data"} {
			a, err := f.Array(k)
			if err != nil {
				return nil, err
			}
			if len(a.Shape) != 1 {
				return nil, a.Errorf("has shape %s, want 1-D", npy.ShapeString(a.Shape))
			}
			arr[k] = a
		}
		d := arr["data"]
		if len(arr["row"].Data) != len(d.Data) || len(arr["col"].Data) != len(d.Data) {
			return nil, fmt.Errorf("%s: row, col and data have lengths %d, %d, %d; want equal", name, len(arr["row"].Data), len(arr["col"].Data), len(d.Data))
		}
		rows, err := arr["row"].Ints(n)
		if err != nil {
			return nil, err
		}
		cols, err := arr["col"].Ints(n)
		if err != nil {
			return nil, err
		}
		if err := d.CheckValues(MaxWeight); err != nil {
			return nil, err
		}
		return Symmetrize(name, n, rows, cols, d.Data)
	}
	if key == "" {
		if len(keys) != 1 {
			return nil, fmt.Errorf("%s holds arrays %v: set couplings.weights_key to the one to use, or store row/col/data", name, keys)
		}
		key = keys[0]
	}
	if !f.Has(key) {
		return nil, fmt.Errorf("%s has no array %q (it holds %v)", name, key, keys)
	}
	return dense(key)
}

// Symmetrize turns directed weights (rows[k] → cols[k], vals[k]) into
// symmetric edges: both triangles given → mean; one given → that value.
// Zero weights are dropped; indices outside [0, n), NaN, Inf, magnitudes
// above MaxWeight and nonzero diagonals are errors.
func Symmetrize(name string, n int, rows, cols []int, vals []float64) ([]Edge, error) {
	type acc struct {
		sum float64
		cnt int
	}
	m := map[[2]int]*acc{}
	for k, w := range vals {
		i, j := rows[k], cols[k]
		if i < 0 || j < 0 || i >= n || j >= n {
			return nil, fmt.Errorf("%s: weight %d: index (%d, %d) outside a %d×%d matrix", name, k, i, j, n, n)
		}
		if !finite(w) || math.Abs(w) > MaxWeight {
			return nil, fmt.Errorf("%s: weight (%d, %d) is %g; want a finite value of magnitude at most %g", name, i, j, w, MaxWeight)
		}
		if w == 0 {
			continue
		}
		if i == j {
			return nil, fmt.Errorf("%s: diagonal weight (%d, %d) = %g; a ring cannot be coupled to itself", name, i, j, w)
		}
		key := [2]int{min(i, j), max(i, j)}
		a := m[key]
		if a == nil {
			a = &acc{}
			m[key] = a
		}
		a.sum += w
		a.cnt++
	}
	edges := make([]Edge, 0, len(m))
	for k, a := range m {
		edges = append(edges, Edge{I: k[0], J: k[1], W: a.sum / float64(a.cnt)})
	}
	sort.Slice(edges, func(a, b int) bool {
		if edges[a].I != edges[b].I {
			return edges[a].I < edges[b].I
		}
		return edges[a].J < edges[b].J
	})
	return edges, nil
}

func denseToTriplets(d []float64, n int) (rows, cols []int, vals []float64) {
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if w := d[i*n+j]; w != 0 || math.IsNaN(w) {
				rows, cols, vals = append(rows, i), append(cols, j), append(vals, w)
			}
		}
	}
	return
}
