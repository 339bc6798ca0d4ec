package netlist

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sbinet/npyio"
	"github.com/sbinet/npyio/npy"
	"github.com/sbinet/npyio/npz"
)

// readWeights reads a coupling matrix for n oscillators from a NumPy file:
//   - .npy: a dense (n, n) array of any real dtype;
//   - .npz: the dense (n, n) array named key (or the only array), or a sparse
//     triplet given as the arrays "row", "col" and "data".
//
// A matrix is symmetrised as the chip's couplers are symmetric: for a pair
// given in both triangles the two weights are averaged; a pair given in one
// triangle only keeps that weight ([A], the OR-symmetrisation of
// docs/model.md §11). Zero weights are dropped. The diagonal must be zero.
func readWeights(path, key string, n int, read FileReader) ([]Edge, error) {
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	var rows, cols []int
	var vals []float64
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		dense, shape, err := readNpy(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(shape) != 2 || shape[0] != n || shape[1] != n {
			return nil, fmt.Errorf("%s: weights have shape %v, want (%d, %d) for %d oscillators", name, shape, n, n, n)
		}
		rows, cols, vals = denseToTriplets(dense, n)
	case ".npz":
		z, err := npz.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		// npyio lists members with their ".npy" suffix; numpy names
		// arrays without it.
		var keys []string
		for _, k := range z.Keys() {
			keys = append(keys, strings.TrimSuffix(k, ".npy"))
		}
		has := func(k string) bool {
			for _, x := range keys {
				if x == k {
					return true
				}
			}
			return false
		}
		switch {
		case key == "" && has("row") && has("col") && has("data"):
			var r, c, d []float64
			var shape []int
			for _, a := range []struct {
				k   string
				dst *[]float64
			}{{"row", &r}, {"col", &c}, {"data", &d}} {
				*a.dst, shape, err = readNpzArray(z, a.k)
				if err != nil {
					return nil, fmt.Errorf("%s: array %q: %w", name, a.k, err)
				}
				if len(shape) != 1 {
					return nil, fmt.Errorf("%s: array %q has shape %v, want 1-D", name, a.k, shape)
				}
			}
			if len(r) != len(d) || len(c) != len(d) {
				return nil, fmt.Errorf("%s: row, col and data have lengths %d, %d, %d; want equal", name, len(r), len(c), len(d))
			}
			for k := range d {
				i, j := r[k], c[k]
				if i != math.Trunc(i) || j != math.Trunc(j) || i < 0 || j < 0 || int(i) >= n || int(j) >= n {
					return nil, fmt.Errorf("%s: entry %d: index (%g, %g) outside a %d×%d matrix", name, k, i, j, n, n)
				}
				rows, cols, vals = append(rows, int(i)), append(cols, int(j)), append(vals, d[k])
			}
		default:
			if key == "" {
				if len(keys) != 1 {
					return nil, fmt.Errorf("%s holds arrays %v: set couplings.weights_key to the one to use, or store row/col/data", name, keys)
				}
				key = keys[0]
			}
			if !has(key) {
				return nil, fmt.Errorf("%s has no array %q (it holds %v)", name, key, keys)
			}
			dense, shape, err := readNpzArray(z, key)
			if err != nil {
				return nil, fmt.Errorf("%s: array %q: %w", name, key, err)
			}
			if len(shape) != 2 || shape[0] != n || shape[1] != n {
				return nil, fmt.Errorf("%s: array %q has shape %v, want (%d, %d) for %d oscillators", name, key, shape, n, n, n)
			}
			rows, cols, vals = denseToTriplets(dense, n)
		}
	default:
		return nil, fmt.Errorf("%s: unknown weights format %q (want .npy or .npz)", name, filepath.Ext(path))
	}
	return Symmetrize(name, n, rows, cols, vals)
}

// Symmetrize turns directed weights (rows[k] → cols[k], vals[k]) into
// symmetric edges: both triangles given → mean; one given → that value.
// Zero weights are dropped; NaN/Inf and nonzero diagonals are errors.
func Symmetrize(name string, n int, rows, cols []int, vals []float64) ([]Edge, error) {
	type acc struct {
		sum float64
		cnt int
	}
	m := map[[2]int]*acc{}
	for k, w := range vals {
		i, j := rows[k], cols[k]
		if !finite(w) {
			return nil, fmt.Errorf("%s: weight (%d, %d) is not finite (got %g)", name, i, j, w)
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

// readNpy reads any real-valued .npy array as float64 in C order.
func readNpy(r io.Reader) ([]float64, []int, error) {
	nr, err := npyio.NewReader(r)
	if err != nil {
		return nil, nil, err
	}
	return readArray(nr)
}

func readNpzArray(z *npz.Reader, key string) ([]float64, []int, error) {
	rc, err := z.Open(key + ".npy")
	if err != nil {
		rc, err = z.Open(key)
	}
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	return readNpy(rc)
}

func readArray(nr *npy.Reader) ([]float64, []int, error) {
	h := nr.Header
	shape := h.Descr.Shape
	var out []float64
	conv := func(n int, get func(int) float64) {
		out = make([]float64, n)
		for i := range out {
			out[i] = get(i)
		}
	}
	switch h.Descr.Type {
	case "<f8", "float64":
		if err := nr.Read(&out); err != nil {
			return nil, nil, err
		}
	case "<f4", "float32":
		var v []float32
		if err := nr.Read(&v); err != nil {
			return nil, nil, err
		}
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	case "<i8", "int64":
		var v []int64
		if err := nr.Read(&v); err != nil {
			return nil, nil, err
		}
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	case "<i4", "int32":
		var v []int32
		if err := nr.Read(&v); err != nil {
			return nil, nil, err
		}
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	case "|i1", "int8":
		var v []int8
		if err := nr.Read(&v); err != nil {
			return nil, nil, err
		}
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	default:
		return nil, nil, fmt.Errorf("unsupported dtype %q (want float32/64 or int8/32/64)", h.Descr.Type)
	}
	if h.Descr.Fortran && len(shape) == 2 {
		r, c := shape[0], shape[1]
		t := make([]float64, len(out))
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				t[i*c+j] = out[j*r+i]
			}
		}
		out = t
	}
	return out, shape, nil
}
